import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/index.js';
import { CostReportSchema } from '../schema/cost.js';
import { stableStringify } from '../common/stable-json.js';
import { join } from 'node:path';
import { RECORDED_DIR, recordedSnapshot } from '../../test/support/recorded-snapshot.js';
import { loadManifests } from '../manifests/index.js';
import { silentLogger } from '../common/logger.js';
import { analyzeCost, parsePriceOverrides } from './index.js';

/*
 * The recorded bookstore cluster: 3 × m6i.xlarge in eu-west-1 (capacity 4 vCPU, 15896980Ki = 15.16054 GiB),
 * AWS eu-west-1 on-demand list price $0.214/h; no metrics-server.
 *   node monthly = 0.214 × 730 = 156.22; total = 468.66
 *   k = 7.460703327826292; RAM = 0.214 / (4k + 15.16054) = 0.004755201 $/GiB-h; CPU = RAM × k = 0.035477144 $/vCPU-h
 *   storefront    2 × (250m, 384Mi)            = (0.5 × CPU + 0.75 × RAM) × 730    = 15.55
 *   postgres      1 × (500m, 1Gi)                                                  = 16.42
 *   inventory     1 × (100m, 128Mi)                                                = 3.02
 *   node-exporter 3 × (50m, 64Mi)                                                  = 4.54
 *   recommender   pending (6 CPU / 24Gi does not fit a node)                       = 0
 *   allocated = 39.53, idle = 468.66 − 39.53 = 429.13
 */
describe('analyzeCost on the recorded bookstore cluster', () => {
  const snapshot = recordedSnapshot();
  const report = analyzeCost(snapshot, buildGraph(snapshot));

  it('satisfies the CostReport contract', () => {
    expect(CostReportSchema.safeParse(report).success).toBe(true);
  });

  it('prices the three m6i.xlarge nodes at the eu-west-1 list price', () => {
    expect(report.method).toBe('nodes');
    expect(report.byNode).toHaveLength(3);
    for (const line of report.byNode) {
      expect(line).toMatchObject({ instanceType: 'm6i.xlarge', provider: 'aws', hourlyPrice: 0.214, monthly: 156.22 });
      expect(line.priceSource).toContain('AWS eu-west-1 on-demand list price');
    }
    expect(report.monthlyTotal).toBe(468.66);
  });

  it('charges each workload its requests at the node split, top spenders first', () => {
    const monthly = report.byWorkload.map((w) => [w.kind, w.name, w.replicas, w.monthly]);
    expect(monthly).toEqual([
      ['StatefulSet', 'postgres', 1, 16.42],
      ['Deployment', 'storefront', 2, 15.55],
      ['DaemonSet', 'node-exporter', 3, 4.54],
      ['Deployment', 'inventory', 1, 3.02],
      ['Deployment', 'recommender', 0, 0],
    ]);
    expect(report.byWorkload.find((w) => w.name === 'storefront')).toMatchObject({ cpuCores: 0.5, memoryGiB: 0.75 });
    expect(report.byNamespace.map((n) => [n.namespace, n.monthly])).toEqual([
      ['bookstore', 35],
      ['monitoring', 4.54],
    ]);
  });

  it('reports allocated and idle per node and in total', () => {
    expect(report.allocatedMonthly).toBe(39.53);
    expect(report.idleMonthly).toBe(429.13);
    const node = report.byNode.find((n) => n.name === 'ip-172-20-42-35.eu-west-1.compute.internal')!;
    // postgres (500m, 1Gi) + node-exporter (50m, 64Mi)
    expect(node.allocatedMonthly).toBe(17.93);
    expect(node.idleMonthly).toBe(138.29);
  });

  it('has medium confidence (listed prices, no metrics) and says why', () => {
    expect(report.confidence).toBe('medium');
    const text = report.assumptions.join('\n');
    expect(text).toContain('3 nodes (ip-172-20-40-17.eu-west-1.compute.internal, ip-172-20-41-26.eu-west-1.compute.internal, ip-172-20-42-35.eu-west-1.compute.internal): m6i.xlarge priced at $0.214/h (AWS eu-west-1 on-demand list price');
    expect(text).toContain('No PodMetrics were captured');
    expect(text).toMatch(/1 pod not scheduled \(bookstore\/recommender-6c4d8f9b5-q8d2v\): it costs nothing now; once scheduled, the requests would add about \$238\.70\/month/);
    expect(text).toContain('1 CronJob had no running pod at capture time (bookstore/nightly-report): not included');
  });

  it('reports no waste without metrics (no running request exceeds half a node)', () => {
    expect(report.waste).toEqual([]);
    expect(report.wasteMonthly).toBe(0);
  });

  it('follows a --prices instance-type override', () => {
    const prices = parsePriceOverrides({ instanceTypes: { 'm6i.xlarge': 0.15 } }, 'contract.yaml');
    const overridden = analyzeCost(snapshot, buildGraph(snapshot), { prices });
    expect(overridden.monthlyTotal).toBe(328.5); // 3 × 0.15 × 730
    expect(overridden.byNode[0]!.priceSource).toBe('contract.yaml (instance type m6i.xlarge)');
  });

  it('is deterministic', () => {
    const again = recordedSnapshot();
    expect(stableStringify(analyzeCost(again, buildGraph(again)))).toBe(stableStringify(report));
  });
});

/*
 * The same bookstore as applied manifests (no nodes, no pods): requests × replicas × OpenCost default
 * rates ($0.031611/vCPU-h, $0.004237/GiB-h) × 730 h:
 *   recommender   1 × (6, 24Gi)     = (6 × 0.031611 + 24 × 0.004237) × 730        = 212.69
 *   postgres      1 × (500m, 1Gi)                                                 = 14.63
 *   storefront    2 × (250m, 384Mi) (HPA minReplicas 2 = spec.replicas)           = 13.86
 *   inventory     1 × (100m, 128Mi)                                               = 2.69
 *   node-exporter DaemonSet, counted once: (50m, 64Mi)                            = 1.35
 *   nightly-report CronJob: excluded                                              total = 245.22
 */
describe('analyzeCost on the bookstore manifests', () => {
  it('estimates from requests and labels it as such', async () => {
    const { snapshot } = await loadManifests([join(RECORDED_DIR, 'source', 'applied.yaml')], {}, silentLogger);
    const report = analyzeCost(snapshot, buildGraph(snapshot));
    expect(CostReportSchema.safeParse(report).success).toBe(true);
    expect(report).toMatchObject({ method: 'requests', confidence: 'low', monthlyTotal: 245.22, idleMonthly: 0, byNode: [] });
    expect(report.byWorkload.map((w) => [w.name, w.replicas, w.monthly])).toEqual([
      ['recommender', 1, 212.69],
      ['postgres', 1, 14.63],
      ['storefront', 2, 13.86],
      ['inventory', 1, 2.69],
      ['node-exporter', 1, 1.35],
    ]);
    const text = report.assumptions.join('\n');
    expect(text).toContain('Estimate from requests');
    expect(text).toContain('DaemonSets counted once');
    expect(text).toContain('CronJob bookstore/nightly-report');
  });
});
