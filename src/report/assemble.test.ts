import { describe, expect, it } from 'vitest';
import { assembleReport, coverageGaps, type AssembleInput } from './assemble.js';
import { ReportSchema } from '../schema/report.js';
import { buildGraph } from '../graph/index.js';
import { loadManifests } from '../manifests/index.js';
import { silentLogger } from '../common/logger.js';
import { stableStringify } from '../common/stable-json.js';
import type { Snapshot } from '../schema/snapshot.js';
import { fixtureReport, fixtureFindings } from './test-support/fixture.js';
import { APPLIED_YAML, HAVE_RECORDINGS, recordedLiveSnapshot } from './test-support/recorded.js';

function stages(snapshot: Snapshot, extra: Partial<AssembleInput> = {}): AssembleInput {
  return {
    snapshot,
    graph: buildGraph(snapshot),
    findings: [],
    diagnoses: [],
    cost: null,
    remediations: [],
    explanation: null,
    explanationMeta: null,
    inputProblems: [],
    ...extra,
  };
}

const labels = (refs: Array<{ kind: string; namespace?: string; name: string }>) =>
  refs.map((r) => `${r.kind} ${r.namespace ?? ''}/${r.name}`);

describe.skipIf(!HAVE_RECORDINGS)('assembleReport on the recorded bookstore cluster', () => {
  it('produces a valid report with inventory, exposure paths, single points of failure and dangling references', () => {
    const report = assembleReport(stages(recordedLiveSnapshot()), '1.2.3');
    expect(() => ReportSchema.parse(report)).not.toThrow();
    expect(report.tool).toEqual({ name: 'clustergpt', version: '1.2.3' });

    // Inventory: Events are observations, not resources.
    expect(report.inventory.byKind.find((k) => k.kind === 'Event')).toBeUndefined();
    expect(report.inventory.byKind.find((k) => k.kind === 'Deployment')?.count).toBe(3);
    const bookstore = report.inventory.byNamespace.find((n) => n.namespace === 'bookstore');
    // storefront, inventory, recommender, postgres, nightly-report.
    expect(bookstore?.workloads).toBe(5);
    expect(report.inventory.totalObjects).toBe(report.inventory.byKind.reduce((s, k) => s + k.count, 0));

    const arch = report.architecture;
    expect(arch.namespaces).toContain('bookstore');
    expect(arch.namespaces).toContain('monitoring');
    const viaIngress = arch.exposurePaths.filter((p) => p.ingress);
    expect(viaIngress.map((p) => p.service.name)).toEqual(['storefront']);
    expect(labels(viaIngress[0].workloads)).toEqual(['Deployment bookstore/storefront']);
    const nodePort = arch.exposurePaths.find((p) => p.service.name === 'legacy-admin');
    expect(nodePort?.serviceType).toBe('NodePort');
    expect(nodePort?.workloads).toEqual([]);

    // storefront has 2 replicas (and an HPA with minReplicas 2); recommender has no Service.
    expect(labels(arch.singlePointsOfFailure)).toEqual(['Deployment bookstore/inventory', 'StatefulSet bookstore/postgres']);
    expect(arch.danglingReferences.some((d) => d.missing.kind === 'Service' && d.missing.name === 'admin')).toBe(true);

    // Optional metrics kinds are not served: a gap for usage-based cost only, no score penalty.
    const metricsGap = report.coverageGaps.find((g) => g.kind === 'PodMetrics');
    expect(metricsGap?.error).toMatch(/usage-based cost/);
    expect(report.summary.health).toMatchObject({ status: 'graded', score: 100, grade: 'A', provisional: false });
    expect(report.summary.riskScore).toBe(0);
    expect(report.summary.riskGrade).toBe('A');
  });

  it('is deterministic: the same input gives byte-identical JSON', () => {
    const a = stableStringify(assembleReport(stages(recordedLiveSnapshot(), { findings: fixtureFindings() }), '1'));
    const b = stableStringify(assembleReport(stages(recordedLiveSnapshot(), { findings: [...fixtureFindings()].reverse() }), '1'));
    expect(a).toBe(b);
  });

  it('reports forbidden kinds as coverage gaps with what could not be checked, and marks the grade provisional', () => {
    const report = assembleReport(stages(recordedLiveSnapshot({ forbidden: ['Secret', 'NetworkPolicy'] })), '1');
    const gaps = report.coverageGaps.filter((g) => g.status === 'forbidden');
    expect(gaps.map((g) => g.kind)).toEqual(['NetworkPolicy', 'Secret']);
    expect(gaps[0].error).toMatch(/403 Forbidden\. Not checked: network isolation checks/);
    // Secrets forbidden is the least-privilege RBAC: no effect on the grade. NetworkPolicies may hide problems.
    expect(report.summary.health).toMatchObject({ score: 100, grade: 'A', provisional: true, provisionalKinds: ['NetworkPolicy'] });
    expect(report.summary.readCoverage.notRead).toEqual([
      { kind: 'NetworkPolicy', status: 'forbidden', gradeEffect: 'provisional' },
      { kind: 'NodeMetrics', status: 'not-served', gradeEffect: 'none' },
      { kind: 'PodMetrics', status: 'not-served', gradeEffect: 'none' },
      { kind: 'Secret', status: 'forbidden', gradeEffect: 'none' },
    ]);
  });

  it('works on manifests: no live pods, exposure paths through pod template labels', async () => {
    const { snapshot } = await loadManifests([APPLIED_YAML], {}, silentLogger);
    const report = assembleReport(stages(snapshot), '1');
    expect(() => ReportSchema.parse(report)).not.toThrow();
    expect(report.source.type).toBe('manifests');
    expect(report.coverageGaps.filter((g) => g.status === 'not-applicable')).toEqual([]);
    expect(labels(report.architecture.exposurePaths.find((p) => p.ingress)?.workloads ?? [])).toEqual([
      'Deployment bookstore/storefront',
    ]);
    expect(labels(report.architecture.singlePointsOfFailure)).toEqual([
      'Deployment bookstore/inventory',
      'StatefulSet bookstore/postgres',
    ]);
  });
});

describe('assembleReport summary', () => {
  it('counts non-exempted findings by severity and category, and exempted ones apart', () => {
    const fixture = fixtureReport();
    const emptyCluster: Snapshot = {
      schemaVersion: 1,
      capturedAt: '2026-05-20T10:00:00Z',
      source: { type: 'cluster', server: 'https://127.0.0.1:6443' },
      scope: { namespaces: null, excludedNamespaces: [] },
      coverage: [{ kind: 'Pod', apiVersion: 'v1', status: 'listed', count: 0 }],
      objects: {},
    };
    const report = assembleReport(
      stages(emptyCluster, {
        findings: fixture.findings,
        diagnoses: fixture.diagnoses,
        cost: fixture.cost,
        remediations: fixture.remediations,
        explanation: fixture.explanation,
        explanationMeta: fixture.explanationMeta,
        inputProblems: fixture.inputProblems,
      }),
      '1',
    );
    expect(() => ReportSchema.parse(report)).not.toThrow();
    expect(report.summary.totalFindings).toBe(4);
    expect(report.summary.exemptedFindings).toBe(1);
    expect(report.summary.bySeverity).toEqual({ critical: 1, high: 1, medium: 1, low: 1, info: 0 });
    expect(report.summary.byCategory).toEqual({ reliability: 1, security: 1, cost: 1, architecture: 1 });
    expect(report.summary.diagnoses).toBe(1);
    expect(report.summary.monthlyCost).toBe(1234.5);
    // The snapshot holds no workload: findings are counted, but there is nothing to grade.
    expect(report.summary.health).toMatchObject({ status: 'nothing-to-grade', score: null, grade: null });
    expect(report.summary.riskScore).toBeNull();
    expect(report.summary.riskGrade).toBeNull();
    // Worst first.
    expect(report.findings.map((f) => f.severity)).toEqual(['critical', 'high', 'high', 'medium', 'low']);
  });
});

describe('coverageGaps', () => {
  it('skips listed and not-applicable kinds and explains the rest', () => {
    const gaps = coverageGaps([
      { kind: 'Pod', apiVersion: 'v1', status: 'listed', count: 3 },
      { kind: 'Event', apiVersion: 'v1', status: 'not-applicable', count: 0 },
      { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', status: 'failed', count: 0, error: 'timeout after 30s' },
      { kind: 'Node', apiVersion: 'v1', status: 'forbidden', count: 0 },
    ]);
    expect(gaps).toEqual([
      { kind: 'Node', status: 'forbidden', error: expect.stringMatching(/^RBAC does not allow listing it\. Not checked: node diagnoses/) },
      { kind: 'Role', status: 'failed', error: expect.stringMatching(/^timeout after 30s\. Not checked: RBAC checks/) },
    ]);
  });
});
