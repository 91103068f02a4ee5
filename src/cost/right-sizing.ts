/**
 * Right-sizing: what each container requests, what it used in the captured metrics-server sample,
 * and the request KRR's simple strategy would recommend (peak usage × headroom, with a floor).
 * Savings count only requests worth lowering (the same margin as waste items), at the unit prices
 * of each pod's node. Without usage metrics nothing is recommended, and the result says why.
 */
import type { K8sObject, Snapshot } from '../schema/snapshot.js';
import type { ClusterGraph } from '../graph/types.js';
import type { CostReport } from '../schema/cost.js';
import { cents, compareText, minConfidence, type Confidence } from './money.js';
import {
  HEADROOM_TEXT,
  format,
  formatUsage,
  groupByContainer,
  hpaScaledResources,
  maxOf,
  perUnitMonthly,
  recommendedRequest,
  worthLowering,
  type ContainerGroup,
  type PricedPod,
  type Resource,
} from './waste.js';

type RightSizing = NonNullable<CostReport['rightSizing']>;
type RightSizingContainer = RightSizing['containers'][number];
type RightSizingResource = RightSizingContainer['cpu'];

export const RIGHT_SIZING_METHOD =
  'Recommended request = the highest usage over the container\'s running pods × 1.2 for CPU (at least 10m) and × 1.15 for memory (at least 64Mi), KRR\'s simple strategy; ' +
  'savings = (request − recommended) × the unit prices of each pod\'s node × 730 h, counted only where the request is at least 1.5× the recommendation and 50m CPU / 64Mi memory above it. ' +
  'Limit: the usage is one metrics-server sample, not a p95 over days, so confirm with a longer history before lowering.';

function resourceLine(resource: Resource, group: ContainerGroup, hpaScaled: boolean): RightSizingResource {
  const request = maxOf(group.pods.map((p) => p.request));
  const peak = maxOf(group.pods.map((p) => p.usage ?? 0));
  const recommended = recommendedRequest(resource, peak);
  let action: RightSizingResource['action'];
  if (hpaScaled) action = 'hpa-scaled';
  else if (!(request > 0)) action = 'set';
  else if (worthLowering(resource, request, recommended)) action = 'lower';
  else if (recommended > request) action = 'raise';
  else action = 'keep';
  const monthlySavings =
    action === 'lower' ? group.pods.reduce((sum, p) => sum + perUnitMonthly(resource, Math.max(0, p.request - recommended), p.rates), 0) : 0;
  return {
    request: request > 0 ? format(resource, request) : 'none',
    usage: formatUsage(resource, peak),
    recommended: format(resource, recommended),
    action,
    monthlySavings: cents(monthlySavings),
  };
}

function containerBasis(line: RightSizingContainer): string {
  const part = (resource: Resource, r: RightSizingResource) => {
    const what = resource === 'cpu' ? 'CPU' : 'memory';
    return `${what} peak ${r.usage} ${HEADROOM_TEXT[resource]} → ${r.recommended} (request ${r.request}: ${r.action})`;
  };
  return `metrics-server usage over ${line.pods} running pod(s): ${part('cpu', line.cpu)}; ${part('memory', line.memory)}. One sample, not a p95 history.`;
}

/** Why usage is unknown, in the words of the input the user gave. */
function notComputedReason(snapshot: Snapshot): string {
  const coverage = snapshot.coverage.find((c) => c.kind === 'PodMetrics');
  if (snapshot.source.type === 'manifests') {
    return 'The input holds no PodMetrics (usage), so capacity that pods request but do not use cannot be measured. Add the output of "kubectl get pods.metrics.k8s.io -A -o yaml" to the dump, or capture a snapshot of a cluster running metrics-server.';
  }
  const status = coverage && coverage.status !== 'listed' ? ` (coverage: ${coverage.status}${coverage.status === 'not-served' ? ', metrics-server not installed' : ''})` : '';
  const fix =
    coverage?.status === 'not-served'
      ? 'Install metrics-server and capture again.'
      : coverage?.status === 'forbidden'
        ? 'Grant list on pods.metrics.k8s.io and capture again.'
        : 'Capture again with metrics-server running (and list allowed on pods.metrics.k8s.io).';
  return `No PodMetrics were captured${status}, so capacity that pods request but do not use cannot be measured. ${fix}`;
}

export function rightSizeContainers(snapshot: Snapshot, graph: ClusterGraph, pods: PricedPod[]): RightSizing {
  const metricsCaptured = (snapshot.objects.PodMetrics ?? []).length > 0;
  if (!metricsCaptured) {
    return { status: 'not-computed', method: RIGHT_SIZING_METHOD, reason: notComputedReason(snapshot), monthlySavings: 0, confidence: 'low', containers: [] };
  }
  const scaledCache = new Map<K8sObject, Set<Resource>>();
  const scaledOn = (w: K8sObject) => {
    let scaled = scaledCache.get(w);
    if (!scaled) scaledCache.set(w, (scaled = hpaScaledResources(graph, w)));
    return scaled;
  };
  const cpuGroups = groupByContainer(pods, 'cpu');
  const memoryGroups = groupByContainer(pods, 'memory');
  const containers: RightSizingContainer[] = [];
  let unmeasured = 0;
  for (const [key, cpuGroup] of cpuGroups) {
    const memoryGroup = memoryGroups.get(key)!;
    // A recommendation from some of the pods would ignore the ones that were not measured.
    if (!cpuGroup.pods.every((p) => p.usage !== undefined)) {
      unmeasured++;
      continue;
    }
    const w = cpuGroup.workload;
    const scaled = scaledOn(w);
    const cpu = resourceLine('cpu', cpuGroup, scaled.has('cpu'));
    const memory = resourceLine('memory', memoryGroup, scaled.has('memory'));
    const line: RightSizingContainer = {
      kind: w.kind,
      namespace: w.metadata.namespace ?? '',
      name: w.metadata.name ?? '',
      container: cpuGroup.container,
      pods: cpuGroup.pods.length,
      cpu,
      memory,
      monthlySavings: cents(cpu.monthlySavings + memory.monthlySavings),
      basis: '',
      // One sample cannot justify "high"; the node prices cap it further.
      confidence: minConfidence('medium', ...cpuGroup.pods.map((p) => p.priceConfidence)),
    };
    line.basis = containerBasis(line);
    containers.push(line);
  }
  containers.sort(
    (a, b) =>
      b.monthlySavings - a.monthlySavings ||
      compareText(a.namespace, b.namespace) ||
      compareText(a.kind, b.kind) ||
      compareText(a.name, b.name) ||
      compareText(a.container, b.container),
  );
  const reason =
    unmeasured > 0 ? `${unmeasured} container(s) had no metrics for every running pod (pods started after the sample, or metrics-server lagging): not right-sized.` : undefined;
  return {
    status: 'computed',
    method: RIGHT_SIZING_METHOD,
    ...(reason ? { reason } : {}),
    monthlySavings: cents(containers.reduce((sum, c) => sum + c.cpu.monthlySavings + c.memory.monthlySavings, 0)),
    confidence: minConfidence('medium', ...containers.map((c) => c.confidence)),
    containers,
  };
}
