import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './cli-helpers.js';
import { ReportSchema, type Report } from '../../src/schema/report.js';
import { NODES_PODS_DUMP, POD_METRICS_DUMP } from '../../src/cost/test-support/fixtures.js';

// Figures computed by hand in src/cost/manifest-dump.test.ts.
let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'clustergpt-cost-e2e-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function readReport(dir: string): Report {
  return ReportSchema.parse(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')));
}

describe('kubectl get nodes,deployments,pods -A -o yaml | clustergpt analyze --manifests - --format json', () => {
  let report: Report;
  beforeAll(async () => {
    const out = path.join(work, 'dump');
    const run = await runCli(['analyze', '--manifests', '-', '--format', 'json', '--output', out], { input: readFileSync(NODES_PODS_DUMP, 'utf8') });
    expect(run.stderr).toContain('cost $468.66/month (nodes, medium confidence)');
    expect(run.code).toBe(0);
    report = readReport(out);
  });

  it('prices the dump’s three m6i.xlarge nodes and its running pods', () => {
    expect(report.cost).toMatchObject({ method: 'nodes', monthlyTotal: 468.66, allocatedMonthly: 87.41, idleMonthly: 381.25, confidence: 'medium' });
    expect(report.cost!.byNode.map((n) => [n.instanceType, n.monthly])).toEqual([
      ['m6i.xlarge', 156.22],
      ['m6i.xlarge', 156.22],
      ['m6i.xlarge', 156.22],
    ]);
    expect(report.cost!.byWorkload.map((w) => [w.kind, w.name, w.replicas, w.monthly])).toEqual([
      ['Deployment', 'web', 3, 48.36],
      ['StatefulSet', 'postgres', 1, 39.06],
    ]);
    expect(report.cost!.basis).toContain('3 Nodes and 4 running pods in the manifests');
  });

  it('reports right-sizing as not computed, with the reason', () => {
    expect(report.cost!.rightSizing).toMatchObject({ status: 'not-computed', monthlySavings: 0 });
    expect(report.cost!.rightSizing!.reason).toContain('The input holds no PodMetrics');
  });
});

describe('clustergpt analyze --manifests <nodes and pods dump> <PodMetrics dump>', () => {
  let out: string;
  let report: Report;
  beforeAll(async () => {
    out = path.join(work, 'dump-with-metrics');
    const run = await runCli(['analyze', '--manifests', NODES_PODS_DUMP, POD_METRICS_DUMP, '--format', 'md,json', '--output', out]);
    expect(run.code).toBe(0);
    report = readReport(out);
  });

  it('right-sizes each container in report.json', () => {
    expect(report.cost!.rightSizing!.status).toBe('computed');
    expect(report.cost!.rightSizing!.monthlySavings).toBe(31.37);
    expect(report.cost!.rightSizing!.containers.map((c) => [c.name, c.cpu.request, c.cpu.recommended, c.memory.request, c.memory.recommended, c.monthlySavings])).toEqual([
      ['web', '500m', '170m', '1Gi', '403Mi', 31.37],
      ['postgres', '1', '1030m', '4Gi', '3651Mi', 0],
    ]);
  });

  it('shows idle and right-sizing side by side in report.md, each explained', () => {
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('| $87.41 | $381.25 | $31.37 |');
    expect(md).toContain('*Idle* is node capacity that no pod requests');
    expect(md).toContain('| Deployment shop/web | web | 3 | 500m → 170m (used 140m; lower) | 1Gi → 403Mi (used 350Mi; lower) | $31.37 | medium |');
    expect(md).toContain('one metrics-server sample, not a p95 over days');
  });
});
