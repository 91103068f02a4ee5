import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/index.js';
import { CostReportSchema, type CostReport } from '../schema/cost.js';
import { stableStringify } from '../common/stable-json.js';
import { loadManifests } from '../manifests/index.js';
import { silentLogger } from '../common/logger.js';
import { analyzeCost } from './index.js';
import { NODES_PODS_DUMP, POD_METRICS_DUMP } from './test-support/fixtures.js';

/*
 * fixtures/nodes-pods-dump.yaml, by hand (OpenCost defaults CPU $0.031611/vCPU-h, RAM $0.004237/GiB-h):
 *   3 × m6i.xlarge in eu-west-1, capacity 4 vCPU and 16777216Ki = 16 GiB, list price $0.214/h
 *   node monthly = 0.214 × 730 = 156.22; total = 3 × 156.22 = 468.66
 *   k = 0.031611 / 0.004237 = 7.460703327826292
 *   RAM = 0.214 / (4k + 16) = 0.004668125373 $/GiB-h; CPU = RAM × k = 0.034827498507 $/vCPU-h
 *   web      3 pods × (500m, 1Gi) = 3 × (0.5 CPU + 1 RAM) × 730 = 48.36 (CPU 38.14, RAM 10.22)
 *   postgres 1 pod  × (1, 4Gi)    =     (1 CPU + 4 RAM) × 730     = 39.06 (CPU 25.42, RAM 13.63)
 *   report-… Succeeded: nothing
 *   allocated = 48.3593 + 39.055 = 87.41; idle = 468.66 − 87.4143 = 381.25
 *   node ip-10-0-1-11 (web + postgres): idle 156.22 − 55.1748 = 101.05; the two others (web): 156.22 − 16.1198 = 140.10
 * The requests-only estimate this input used to get (templates at default rates) missed the nodes entirely.
 *
 * With fixtures/pod-metrics-dump.yaml (one sample per pod):
 *   web CPU peak 139876543n × 1.2 = 167.9m → 170m; 500m ≥ 1.5 × 170m: lower, saves (0.5 − 0.17) × CPU × 730 × 3 = 25.17
 *   web memory peak 350Mi × 1.15 = 402.5Mi → 403Mi; lower, saves (1024 − 403)/1024 × RAM × 730 × 3        = 6.20
 *   postgres CPU 851m × 1.2 = 1021.5m → 1030m, above its 1 core: raise; memory 3175Mi × 1.15 → 3651Mi, 4Gi < 1.5 × that: keep
 *   right-sizing = 25.17 + 6.20 = 31.37
 */
async function analyzeDump(...files: string[]): Promise<CostReport> {
  const { snapshot, problems } = await loadManifests(files, {}, silentLogger);
  expect(problems).toEqual([]);
  const report = analyzeCost(snapshot, buildGraph(snapshot));
  expect(CostReportSchema.safeParse(report).success).toBe(true);
  return report;
}

describe('analyzeCost on a kubectl get nodes,deployments,pods -o yaml dump (--manifests)', () => {
  it('prices the three m6i.xlarge nodes at the eu-west-1 list price, not a requests estimate', async () => {
    const report = await analyzeDump(NODES_PODS_DUMP);
    expect(report.method).toBe('nodes');
    expect(report.monthlyTotal).toBe(468.66);
    expect(report.byNode.map((n) => [n.name, n.instanceType, n.hourlyPrice, n.monthly])).toEqual([
      ['ip-10-0-1-11.eu-west-1.compute.internal', 'm6i.xlarge', 0.214, 156.22],
      ['ip-10-0-2-22.eu-west-1.compute.internal', 'm6i.xlarge', 0.214, 156.22],
      ['ip-10-0-3-33.eu-west-1.compute.internal', 'm6i.xlarge', 0.214, 156.22],
    ]);
    expect(report.byNode[0]!.priceSource).toBe('AWS eu-west-1 on-demand list price (2025-01)');
    expect(report.basis).toBe(
      "3 Nodes and 4 running pods in the manifests: each node priced by its instance type, pods charged their requests at their node's unit prices, idle = node − pods.",
    );
  });

  it("charges the running pods at their node's rates, grouped under the Deployment although the ReplicaSet is not in the dump", async () => {
    const report = await analyzeDump(NODES_PODS_DUMP);
    expect(report.byWorkload.map((w) => [w.kind, w.name, w.replicas, w.monthly, w.cpuMonthly, w.memoryMonthly, w.confidence])).toEqual([
      ['Deployment', 'web', 3, 48.36, 38.14, 10.22, 'medium'],
      ['StatefulSet', 'postgres', 1, 39.06, 25.42, 13.63, 'medium'],
    ]);
    expect(report.allocatedMonthly).toBe(87.41);
    expect(report.idleMonthly).toBe(381.25);
    expect(Object.fromEntries(report.byNode.map((n) => [n.name, n.idleMonthly]))).toEqual({
      'ip-10-0-1-11.eu-west-1.compute.internal': 101.05,
      'ip-10-0-2-22.eu-west-1.compute.internal': 140.1,
      'ip-10-0-3-33.eu-west-1.compute.internal': 140.1,
    });
    // Listed regional prices but no metrics: medium, as for a live cluster.
    expect(report.confidence).toBe('medium');
    expect(report.assumptions).toContain('1 finished pod (Succeeded/Failed) holds no resources and costs nothing.');
  });

  it('says right-sizing could not be computed, and why, instead of a $0 saving', async () => {
    const report = await analyzeDump(NODES_PODS_DUMP);
    expect(report.rightSizing).toMatchObject({ status: 'not-computed', monthlySavings: 0, containers: [] });
    expect(report.rightSizing!.reason).toContain('The input holds no PodMetrics');
    expect(report.rightSizing!.reason).toContain('kubectl get pods.metrics.k8s.io -A -o yaml');
  });

  it('right-sizes each container from a PodMetrics dump given beside it', async () => {
    const report = await analyzeDump(NODES_PODS_DUMP, POD_METRICS_DUMP);
    const rightSizing = report.rightSizing!;
    expect(rightSizing.status).toBe('computed');
    expect(rightSizing.method).toContain('one metrics-server sample, not a p95');
    expect(rightSizing.containers.map((c) => [c.name, c.container, c.pods, c.cpu, c.memory, c.monthlySavings])).toEqual([
      [
        'web',
        'web',
        3,
        { request: '500m', usage: '140m', recommended: '170m', action: 'lower', monthlySavings: 25.17 },
        { request: '1Gi', usage: '350Mi', recommended: '403Mi', action: 'lower', monthlySavings: 6.2 },
        31.37,
      ],
      [
        'postgres',
        'postgres',
        1,
        { request: '1', usage: '851m', recommended: '1030m', action: 'raise', monthlySavings: 0 },
        { request: '4Gi', usage: '3175Mi', recommended: '3651Mi', action: 'keep', monthlySavings: 0 },
        0,
      ],
    ]);
    expect(rightSizing.monthlySavings).toBe(31.37);
    // One sample never earns more than medium.
    expect(rightSizing.confidence).toBe('medium');
    // The headline waste figure is the same saving, not a second one.
    expect(report.wasteMonthly).toBe(31.37);
    // Usage below every request: the charge and the totals do not move, the confidence does.
    expect(report.monthlyTotal).toBe(468.66);
    expect(report.allocatedMonthly).toBe(87.41);
    expect(report.confidence).toBe('high');
  });

  it('is byte-identical when run twice', async () => {
    const first = stableStringify(await analyzeDump(NODES_PODS_DUMP, POD_METRICS_DUMP));
    expect(stableStringify(await analyzeDump(NODES_PODS_DUMP, POD_METRICS_DUMP))).toBe(first);
  });
});
