/**
 * End to end over the recorded "bookstore" cluster's manifests (test/fixtures/k8s-api/source/applied.yaml):
 * real manifest loader + buildGraph + the built-in rules. Asserts the problems planted in that cluster are found,
 * with file:line evidence, and that healthy objects are not flagged.
 */
import { APPLIED_YAML } from '../../test/support/recorded-snapshot.js';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { buildGraph } from '../graph/index.js';
import { loadManifests } from '../manifests/index.js';
import type { Finding } from '../schema/finding.js';
import { evaluateRulesDetailed } from './evaluate.js';
import { loadRuleSet } from './loader.js';

const APPLIED = APPLIED_YAML;

function find(findings: Finding[], ruleId: string, name: string): Finding | undefined {
  return findings.find((f) => f.ruleId === ruleId && f.resource.name === name);
}

describe.skipIf(!existsSync(APPLIED))('bookstore manifests', () => {
  let findings: Finding[] = [];
  let errors: unknown[] = [];
  const reliabilityOrArchitecture = new Set<string>();

  beforeAll(async () => {
    const { snapshot } = await loadManifests([APPLIED], {}, silentLogger);
    const ruleSet = await loadRuleSet();
    for (const r of ruleSet.rules) if (r.category === 'reliability' || r.category === 'architecture') reliabilityOrArchitecture.add(r.id);
    const result = evaluateRulesDetailed(ruleSet, snapshot, buildGraph(snapshot), {}, { config: {} });
    findings = result.findings;
    errors = result.errors;
  });

  it('evaluates every reliability and architecture rule without expression errors', () => {
    expect((errors as { ruleId: string }[]).filter((e) => reliabilityOrArchitecture.has(e.ruleId))).toEqual([]);
  });

  it('finds the Ingress backend pointing at the missing Service admin', () => {
    const f = find(findings, 'ingress-backend-missing', 'bookstore');
    expect(f?.message).toContain('/admin to Service admin, which does not exist');
    expect(f?.element).toBe('backend:rules[0].paths[1]');
    expect(f?.evidence[0]).toMatchObject({ path: 'spec.rules[0].http.paths[1].backend.service', file: expect.stringContaining('applied.yaml') });
    expect(f?.evidence[0]?.line).toBeGreaterThan(1);
  });

  it('finds the PVC asking for the missing StorageClass fast-nvme', () => {
    const f = find(findings, 'pvc-missing-storage-class', 'exports');
    expect(f?.message).toContain('fast-nvme');
    expect(f?.evidence[0]).toMatchObject({ path: 'spec.storageClassName', value: 'fast-nvme' });
  });

  it('finds the NodePort Service that selects nothing', () => {
    expect(find(findings, 'service-selects-no-pods', 'legacy-admin')?.message).toContain('NodePort Service legacy-admin');
    expect(find(findings, 'service-selects-no-pods', 'storefront')).toBeUndefined();
  });

  it('finds the missing TLS Secret of the Ingress', () => {
    const f = findings.find((x) => x.ruleId === 'missing-reference' && x.resource.kind === 'Ingress');
    expect(f?.element).toBe('ref:Secret/books-tls');
  });

  it('finds the latest tag of inventory but not the pinned images', () => {
    expect(find(findings, 'image-latest-tag', 'inventory')?.evidence[0]?.value).toBe('ghcr.io/example/bookstore/inventory:latest');
    expect(find(findings, 'image-latest-tag', 'storefront')).toBeUndefined();
  });

  it('flags the storefront PDB that blocks drains at the HPA minimum', () => {
    expect(find(findings, 'pdb-blocks-eviction', 'storefront')?.message).toContain('minAvailable 2');
  });

  it('rates missing readiness probes by exposure', () => {
    expect(find(findings, 'missing-readiness-probe', 'inventory')?.severity).toBe('high'); // Service inventory targets it
    expect(find(findings, 'missing-readiness-probe', 'recommender')?.severity).toBe('low'); // no Service
    expect(find(findings, 'missing-readiness-probe', 'storefront')).toBeUndefined();
    expect(findings.some((f) => f.ruleId === 'missing-readiness-probe' && f.resource.kind === 'CronJob')).toBe(false);
  });

  it('does not flag the healthy storefront for replicas, PDB or memory limits', () => {
    for (const rule of ['single-replica', 'missing-pdb', 'missing-memory-limit', 'missing-cpu-request']) {
      expect(find(findings, rule, 'storefront'), rule).toBeUndefined();
    }
    expect(find(findings, 'single-replica', 'inventory')).toBeDefined();
    expect(find(findings, 'hpa-missing-high-cpu', 'recommender')?.message).toContain('6 CPU');
  });

  it('returns findings sorted by severity, then rule', () => {
    const order = ['critical', 'high', 'medium', 'low', 'info'];
    const ranks = findings.map((f) => order.indexOf(f.severity));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });
});
