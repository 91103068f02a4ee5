import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/index.js';
import { CostReportSchema, type CostReport } from '../schema/cost.js';
import { stableStringify } from '../common/stable-json.js';
import type { K8sObject } from '../schema/snapshot.js';
import { analyzeCost, parsePriceOverrides, type PriceOverrides } from './index.js';
import { awsNode, container, deployment, hpa, node, pod, podMetrics, replicaSet, snapshotOf } from './test-support/fixtures.js';

/*
 * Hand-computed reference figures (OpenCost defaults CPU $0.031611/vCPU-h, RAM $0.004237/GiB-h):
 *   k = 0.031611 / 0.004237 = 7.460703327826292
 * m5.large (2 vCPU, 8 GiB) at $0.096/h (AWS us-east-1):
 *   node monthly      = 0.096 × 730                    = 70.08
 *   RAM rate          = 0.096 / (2k + 8)               = 0.004188224633950453 $/GiB-h
 *   CPU rate          = RAM rate × k                   = 0.031247101464198197 $/vCPU-h
 *   1 vCPU + 2 GiB    = (CPU + 2·RAM) × 730            = 28.925192034432346 (CPU 22.81, RAM 6.11)
 *   idle of that node = 70.08 − 28.925192…             = 41.154807965567656
 */
const M5_LARGE_MONTHLY = 70.08;
const ONE_CPU_TWO_GIB_ON_M5_LARGE = 28.925192034432346;

function analyze(objects: K8sObject[], prices?: PriceOverrides, source: 'cluster' | 'manifests' = 'cluster'): CostReport {
  const snapshot = snapshotOf(objects, source);
  const report = analyzeCost(snapshot, buildGraph(snapshot), { prices });
  // Every report must satisfy the contract the other stages read.
  expect(CostReportSchema.safeParse(report).success).toBe(true);
  return report;
}

function threeM5LargeWithApi(extra: K8sObject[] = []): K8sObject[] {
  const api = deployment('shop', 'api', 1, [container('api', { cpu: '1', memory: '2Gi' })]);
  const rs = replicaSet(api);
  return [
    awsNode('node-a', 'm5.large'),
    awsNode('node-b', 'm5.large'),
    awsNode('node-c', 'm5.large'),
    api,
    rs,
    pod(rs, 'api-abc123-x1', 'node-a', [container('api', { cpu: '1', memory: '2Gi' })]),
    ...extra,
  ];
}

describe('analyzeCost on a live cluster with nodes', () => {
  it('prices three m5.large nodes at the listed price and splits a 1 vCPU + 2 GiB workload by the OpenCost ratio', () => {
    const report = analyze(threeM5LargeWithApi());
    expect(report.method).toBe('nodes');
    expect(report.hoursPerMonth).toBe(730);
    expect(report.monthlyTotal).toBe(3 * M5_LARGE_MONTHLY); // 210.24
    expect(report.byNode).toHaveLength(3);
    expect(report.byNode.map((n) => n.hourlyPrice)).toEqual([0.096, 0.096, 0.096]);
    expect(report.byNode[0]!.priceSource).toContain('AWS us-east-1');

    const api = report.byWorkload.find((w) => w.name === 'api')!;
    expect(api.kind).toBe('Deployment');
    expect(api.replicas).toBe(1);
    expect(api.cpuCores).toBe(1);
    expect(api.memoryGiB).toBe(2);
    expect(api.monthly).toBe(28.93);
    expect(api.cpuMonthly).toBe(22.81);
    expect(api.memoryMonthly).toBe(6.11);
    // listed prices, no metrics → medium
    expect(api.confidence).toBe('medium');

    const nodeA = report.byNode.find((n) => n.name === 'node-a')!;
    expect(nodeA.allocatedMonthly).toBe(28.93);
    expect(nodeA.idleMonthly).toBe(41.15); // 70.08 − 28.925…
    expect(report.allocatedMonthly).toBe(28.93);
    expect(report.idleMonthly).toBeCloseTo(3 * M5_LARGE_MONTHLY - ONE_CPU_TWO_GIB_ON_M5_LARGE, 2); // 181.31
    expect(report.byNamespace).toEqual([expect.objectContaining({ namespace: 'shop', monthly: 28.93 })]);
    expect(report.confidence).toBe('medium');
    expect(report.assumptions.join('\n')).toContain('3 nodes (node-a, node-b, node-c): m5.large priced at $0.096/h');
  });

  it('is byte-identical when run twice', () => {
    expect(stableStringify(analyze(threeM5LargeWithApi()))).toBe(stableStringify(analyze(threeM5LargeWithApi())));
  });

  it('uses the flat per-node price from --prices (on-prem)', () => {
    const prices = parsePriceOverrides({ nodeHourly: 0.5 }, 'prices.yaml');
    const report = analyze(threeM5LargeWithApi(), prices);
    // 3 × 0.5 × 730
    expect(report.monthlyTotal).toBe(1095);
    expect(report.byNode.every((n) => n.hourlyPrice === 0.5 && n.priceSource.includes('flat per-node price'))).toBe(true);
    // 1 vCPU + 2 GiB of a 2 vCPU / 8 GiB node priced 0.5: 0.5 × (k + 2) / (2k + 8) × 730 = 150.652…
    expect(report.byWorkload[0]!.monthly).toBe(150.65);
    expect(report.confidence).toBe('medium'); // user prices are exact, usage unknown
    expect(report.priceModel.source).toMatch(/^prices\.yaml/);
  });

  it('lets a node rule and an instance-type price win over the flat price', () => {
    const prices = parsePriceOverrides(
      { nodeHourly: 0.5, instanceTypes: { 'm5.large': 0.08 }, nodes: [{ name: 'node-c', hourly: 1 }] },
      'prices.yaml',
    );
    const report = analyze(threeM5LargeWithApi(), prices);
    const hourly = Object.fromEntries(report.byNode.map((n) => [n.name, n.hourlyPrice]));
    expect(hourly).toEqual({ 'node-a': 0.08, 'node-b': 0.08, 'node-c': 1 });
    expect(report.monthlyTotal).toBe(cents((0.08 + 0.08 + 1) * 730)); // 846.80
  });

  it('applies a label-based node rule', () => {
    const prices = parsePriceOverrides({ nodes: [{ labels: { pool: 'gpu' }, hourly: 2 }] }, 'prices.yaml');
    const gpu = awsNode('gpu-1', 'm5.large', 'us-east-1', { labels: { pool: 'gpu' } });
    const report = analyze([gpu, awsNode('cpu-1', 'm5.large')], prices);
    const hourly = Object.fromEntries(report.byNode.map((n) => [n.name, n.hourlyPrice]));
    expect(hourly).toEqual({ 'gpu-1': 2, 'cpu-1': 0.096 });
    expect(report.byNode[0]!.priceSource).toBe('prices.yaml (rule for labels pool=gpu)');
  });

  it('prices running pods at default rates when Nodes were not captured', () => {
    const objects = threeM5LargeWithApi().filter((o) => o.kind !== 'Node');
    const report = analyze(objects);
    expect(report.method).toBe('requests');
    expect(report.confidence).toBe('low');
    // (1 × 0.031611 + 2 × 0.004237) × 730 = 29.26209
    expect(report.monthlyTotal).toBe(29.26);
    expect(report.assumptions[0]).toContain('No Node objects were captured');
  });

  it('adds pods on nodes missing from the snapshot to the total at default rates', () => {
    const objects = threeM5LargeWithApi().filter((o) => o.metadata.name !== 'node-a');
    const report = analyze(objects);
    // 2 × 70.08 + 29.26209 (the api pod on the missing node-a, default rates)
    expect(report.monthlyTotal).toBe(cents(2 * M5_LARGE_MONTHLY + 29.26209));
    expect(report.confidence).toBe('low');
    expect(report.assumptions.join('\n')).toContain('run on nodes missing from the snapshot (shop/api-abc123-x1)');
  });

  it('prices an unknown instance type at default unit rates with low confidence', () => {
    const objects = [node('onprem-1', { instanceType: 'custom-4x16', cpu: '4', memory: '16Gi' })];
    const report = analyze(objects);
    // 4 × 0.031611 + 16 × 0.004237 = 0.194236 $/h → × 730 = 141.79228
    expect(report.byNode[0]!.hourlyPrice).toBe(0.194236);
    expect(report.monthlyTotal).toBe(141.79);
    expect(report.byNode[0]!.confidence).toBe('low');
    expect(report.confidence).toBe('low');
    expect(report.assumptions.join('\n')).toContain('custom-4x16 not in the price table: default unit rates used');
  });

  it('says when nodes have no instance-type label', () => {
    const report = analyze([node('bare-1', { cpu: '2', memory: '8Gi' })]);
    expect(report.assumptions.join('\n')).toContain('1 node had no instance-type label: default unit rates used');
  });

  it('charges usage when PodMetrics show more than the request, with high confidence', () => {
    const api = deployment('shop', 'api', 1, [container('api', { cpu: '500m', memory: '1Gi' })]);
    const rs = replicaSet(api);
    const objects = [
      awsNode('node-a', 'm5.large'),
      api,
      rs,
      pod(rs, 'api-abc123-x1', 'node-a', [container('api', { cpu: '500m', memory: '1Gi' })]),
      podMetrics('shop', 'api-abc123-x1', [{ name: 'api', cpu: '1', memory: '2Gi' }]),
    ];
    const report = analyze(objects);
    const line = report.byWorkload[0]!;
    // max(request, usage) = 1 vCPU, 2 GiB → same as the hand-computed reference
    expect(line.cpuCores).toBe(1);
    expect(line.memoryGiB).toBe(2);
    expect(line.monthly).toBe(28.93);
    expect(line.basis).toContain('max(request, usage)');
    expect(line.confidence).toBe('high');
    expect(report.confidence).toBe('high');
  });

  it('does not charge pending pods but says what they would cost', () => {
    const big = deployment('shop', 'big', 1, [container('big', { cpu: '6', memory: '24Gi' })]);
    const rs = replicaSet(big);
    const report = analyze(threeM5LargeWithApi([big, rs, pod(rs, 'big-abc123-p1', undefined, [container('big', { cpu: '6', memory: '24Gi' })])]));
    const line = report.byWorkload.find((w) => w.name === 'big')!;
    expect(line.monthly).toBe(0);
    expect(line.replicas).toBe(0);
    expect(line.basis).toContain('pending');
    expect(report.allocatedMonthly).toBe(28.93); // unchanged
    // 6 × CPU rate + 24 × RAM rate, × 730 (all nodes are m5.large, so the average rates are theirs)
    const wouldCost = (6 * 0.031247101464198197 + 24 * 0.004188224633950453) * 730;
    expect(report.assumptions.join('\n')).toContain(`would add about $${cents(wouldCost).toFixed(2)}/month`);
  });

  it('notes that pods without requests cost nothing allocated', () => {
    const bare = pod(undefined, 'debug', 'node-a', [container('sh', {})]);
    const report = analyze([awsNode('node-a', 'm5.large'), bare]);
    expect(report.byWorkload[0]).toMatchObject({ kind: 'Pod', name: 'debug', monthly: 0 });
    expect(report.idleMonthly).toBe(M5_LARGE_MONTHLY);
    expect(report.assumptions.join('\n')).toMatch(/1 running pod set no CPU or memory requests.*cost \$0 allocated/);
  });

  it('uses the regional price where listed and says when a region is not', () => {
    const dublin = analyze([awsNode('n1', 'm6i.xlarge', 'eu-west-1')]);
    expect(dublin.byNode[0]!.hourlyPrice).toBe(0.214);
    expect(dublin.byNode[0]!.confidence).toBe('medium'); // listed price, no metrics

    const tokyo = analyze([awsNode('n1', 'm6i.xlarge', 'ap-northeast-1')]);
    expect(tokyo.byNode[0]!.hourlyPrice).toBe(0.192); // reference region
    expect(tokyo.byNode[0]!.priceSource).toContain('region ap-northeast-1 not in the price table');
    expect(tokyo.assumptions.join('\n')).toContain('real prices differ by region');
  });

  it('finds GCP and Azure types from providerID and labels', () => {
    const gke = node('gke-1', { instanceType: 'e2-standard-4', cpu: '4', memory: '16Gi', providerID: 'gce://proj/us-central1-a/gke-1', region: 'us-central1' });
    const aks = node('aks-1', {
      instanceType: 'Standard_D4s_v5',
      cpu: '4',
      memory: '16Gi',
      region: 'eastus',
      labels: { 'kubernetes.azure.com/cluster': 'MC_rg' },
    });
    const report = analyze([gke, aks]);
    const byName = Object.fromEntries(report.byNode.map((n) => [n.name, n]));
    expect(byName['gke-1']).toMatchObject({ provider: 'gcp', hourlyPrice: 0.134012 });
    expect(byName['aks-1']).toMatchObject({ provider: 'azure', hourlyPrice: 0.192 });
  });

  it('flags spot nodes as an upper bound', () => {
    const spot = awsNode('s1', 'm5.large', 'us-east-1', { labels: { 'eks.amazonaws.com/capacityType': 'SPOT' } });
    const report = analyze([spot]);
    expect(report.assumptions.join('\n')).toContain('spot/preemptible');
  });
});

describe('waste', () => {
  function overProvisioned(extra: K8sObject[] = []): K8sObject[] {
    const api = deployment('shop', 'api', 2, [container('api', { cpu: '1', memory: '2Gi' })]);
    const rs = replicaSet(api);
    return [
      awsNode('node-a', 'm5.large'),
      awsNode('node-b', 'm5.large'),
      api,
      rs,
      pod(rs, 'api-abc123-x1', 'node-a', [container('api', { cpu: '1', memory: '2Gi' })]),
      pod(rs, 'api-abc123-x2', 'node-b', [container('api', { cpu: '1', memory: '2Gi' })]),
      podMetrics('shop', 'api-abc123-x1', [{ name: 'api', cpu: '100m', memory: '200Mi' }]),
      podMetrics('shop', 'api-abc123-x2', [{ name: 'api', cpu: '150m', memory: '300Mi' }]),
      ...extra,
    ];
  }

  it('suggests usage × 1.2 CPU and × 1.15 memory when requests are far above usage', () => {
    const report = analyze(overProvisioned());
    const cpu = report.waste.find((w) => w.resource === 'cpu')!;
    const memory = report.waste.find((w) => w.resource === 'memory')!;
    // CPU: peak 150m × 1.2 = 180m; saves (1 − 0.18) × 0.031247101… × 730 × 2 pods = 37.41
    expect(cpu).toMatchObject({ name: 'api', container: 'api', requested: '1', suggested: '180m', monthlySavings: 37.41 });
    // memory: peak 300Mi × 1.15 = 345Mi; saves (2048 − 345)/1024 GiB × 0.0041882… × 730 × 2 = 10.17
    expect(memory).toMatchObject({ requested: '2Gi', suggested: '345Mi', monthlySavings: 10.17 });
    expect(cpu.basis).toContain('KRR');
    expect(report.wasteMonthly).toBe(47.58);
    expect(report.waste[0]!.resource).toBe('cpu'); // biggest saving first
  });

  it('skips the resource an HPA scales on', () => {
    const objects = overProvisioned();
    const api = objects.find((o) => o.kind === 'Deployment')!;
    const report = analyze([...objects, hpa(api, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }])]);
    expect(report.waste.map((w) => w.resource)).toEqual(['memory']);
    expect(report.assumptions.join('\n')).toContain('an HPA scales on the resource');
  });

  it('lists every measured container with request → recommended, counting only the requests worth lowering', () => {
    const report = analyze(overProvisioned());
    expect(report.rightSizing).toMatchObject({ status: 'computed', monthlySavings: 47.58, confidence: 'medium' });
    expect(report.rightSizing!.containers).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        name: 'api',
        container: 'api',
        pods: 2,
        cpu: { request: '1', usage: '150m', recommended: '180m', action: 'lower', monthlySavings: 37.41 },
        memory: { request: '2Gi', usage: '300Mi', recommended: '345Mi', action: 'lower', monthlySavings: 10.17 },
        monthlySavings: 47.58,
      }),
    ]);
    expect(report.rightSizing!.monthlySavings).toBe(report.wasteMonthly);
  });

  it('leaves the resource an HPA scales on as it is, with no saving', () => {
    const objects = overProvisioned();
    const api = objects.find((o) => o.kind === 'Deployment')!;
    const report = analyze([...objects, hpa(api, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }])]);
    const line = report.rightSizing!.containers[0]!;
    expect(line.cpu).toMatchObject({ action: 'hpa-scaled', monthlySavings: 0 });
    expect(line.memory).toMatchObject({ action: 'lower', monthlySavings: 10.17 });
  });

  it('says why right-sizing was not computed when metrics could not be read', () => {
    const snapshot = snapshotOf(threeM5LargeWithApi());
    snapshot.coverage.push({ kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', status: 'forbidden', count: 0 });
    const report = analyzeCost(snapshot, buildGraph(snapshot));
    expect(report.rightSizing).toMatchObject({ status: 'not-computed', monthlySavings: 0, confidence: 'low', containers: [] });
    expect(report.rightSizing!.reason).toBe(
      'No PodMetrics were captured (coverage: forbidden), so capacity that pods request but do not use cannot be measured. Grant list on pods.metrics.k8s.io and capture again.',
    );
  });

  it('without metrics only flags a request above half of the largest node', () => {
    const big = deployment('shop', 'big', 1, [container('big', { cpu: '1500m', memory: '1Gi' })]);
    const rs = replicaSet(big);
    const report = analyze([awsNode('node-a', 'm5.large'), big, rs, pod(rs, 'big-abc123-a', 'node-a', [container('big', { cpu: '1500m', memory: '1Gi' })])]);
    expect(report.waste).toHaveLength(1);
    expect(report.waste[0]).toMatchObject({ resource: 'cpu', requested: '1500m', suggested: '1', confidence: 'low' });
    expect(report.waste[0]!.basis).toContain('no usage metrics');
    // (1.5 − 1) × 0.031247101… × 730 = 11.41
    expect(report.waste[0]!.monthlySavings).toBe(11.41);
  });
});

describe('analyzeCost on manifests', () => {
  it('estimates from requests × replicas at default rates, labelled as such', () => {
    const web = deployment('shop', 'web', 2, [container('web', { cpu: '250m', memory: '384Mi' })]);
    const one = deployment('shop', 'one', undefined, [container('one', { cpu: '1', memory: '1Gi' })]);
    const report = analyze([web, one], undefined, 'manifests');
    expect(report.method).toBe('requests');
    expect(report.confidence).toBe('low');
    expect(report.byNode).toEqual([]);
    // web: (0.25 × 0.031611 + 0.375 × 0.004237) × 730 × 2 = 13.8577725
    // one: (1 × 0.031611 + 1 × 0.004237) × 730 × 1      = 26.16904
    const byName = Object.fromEntries(report.byWorkload.map((w) => [w.name, w]));
    expect(byName.web).toMatchObject({ replicas: 2, monthly: 13.86, confidence: 'low' });
    expect(byName.one).toMatchObject({ replicas: 1, monthly: 26.17 });
    expect(byName.one!.basis).toContain('spec.replicas unset (1)');
    expect(byName.web!.basis).toContain('estimate from requests');
    expect(report.monthlyTotal).toBe(cents(13.8577725 + 26.16904));
    expect(report.byWorkload.map((w) => w.name)).toEqual(['one', 'web']); // top spender first
  });

  it('prices the running pods of a kubectl get -o yaml dump without Nodes once, not their Deployment again', () => {
    const web = deployment('shop', 'web', 2, [container('web', { cpu: '250m', memory: '384Mi' })]);
    const missingReplicaSet = replicaSet(web); // not in the dump, as with `kubectl get deployments,pods`
    const dumpedPod = (name: string) => {
      const p = pod(missingReplicaSet, name, 'ip-10-0-1-11', [container('web', { cpu: '250m', memory: '384Mi' })]);
      p.metadata.labels = { ...p.metadata.labels, 'pod-template-hash': 'abc123' };
      return p;
    };
    const report = analyze([web, dumpedPod('web-abc123-x1'), dumpedPod('web-abc123-x2')], undefined, 'manifests');
    expect(report.method).toBe('requests');
    // 2 pods × (0.25 × 0.031611 + 0.375 × 0.004237) × 730 = 13.8577725, and nothing more for the template
    expect(report.byWorkload).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'web', replicas: 2, monthly: 13.86, confidence: 'low' })]);
    expect(report.monthlyTotal).toBe(13.86);
    expect(report.basis).toBe('2 running pods in the manifests and no Node: pods charged their requests at default unit rates; idle unknown.');
    expect(report.assumptions[0]).toContain('The manifests hold running pods but no Node objects');
  });

  it('says which declared workloads are not charged when the manifests hold nodes but not their pods', () => {
    const batch = deployment('shop', 'batch', 3, [container('batch', { cpu: '2', memory: '4Gi' })]);
    const report = analyze(threeM5LargeWithApi([batch]), undefined, 'manifests');
    expect(report.method).toBe('nodes');
    expect(report.monthlyTotal).toBe(3 * M5_LARGE_MONTHLY);
    expect(report.byWorkload.map((w) => w.name)).not.toContain('batch');
    expect(report.assumptions).toContain(
      '1 workload declared in the manifests has no running pod there (Deployment shop/batch): not charged; the figures price the pods that run.',
    );
    expect(report.byWorkload.find((w) => w.name === 'api')).toMatchObject({ monthly: 28.93 });
  });

  it('counts a DaemonSet once, excludes CronJobs, raises replicas to the HPA minimum, all with assumptions', () => {
    const ds = { ...deployment('mon', 'agent', undefined, [container('agent', { cpu: '100m', memory: '128Mi' })]), kind: 'DaemonSet' };
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { namespace: 'shop', name: 'nightly', uid: 'uid-cron' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { containers: [container('job', { cpu: '2', memory: '4Gi' })] } } } } },
    };
    const web = deployment('shop', 'web', 1, [container('web', { cpu: '1', memory: '1Gi' })]);
    const report = analyze([ds, cron, web, hpa(web, [], 3)], parsePriceOverrides({ unitPrices: { cpuPerVcpuHour: 0.04 } }, 'p.yaml'), 'manifests');
    const text = report.assumptions.join('\n');
    expect(text).toContain('DaemonSets counted once');
    expect(text).toContain('CronJob shop/nightly');
    expect(text).toContain("HPA's minReplicas");
    expect(report.byWorkload.find((w) => w.name === 'nightly')).toBeUndefined();
    // web: (1 × 0.04 + 1 × 0.004237) × 730 × 3 = 96.87903
    expect(report.byWorkload.find((w) => w.name === 'web')).toMatchObject({ replicas: 3, monthly: 96.88 });
  });
});

function cents(value: number): number {
  return Math.round((value + Number.EPSILON) * 100) / 100;
}
