/**
 * Waste: requests well above what a workload needs, with the basis for each item.
 * - With PodMetrics: KRR's simple strategy on the one sample we have (CPU usage × 1.2, memory
 *   usage × 1.15, at least 10m / 64Mi); resources an HPA scales on are skipped (changing the
 *   request changes the HPA's behaviour).
 * - Without metrics: only the node-shape signal, conservatively: a container request above half
 *   of the largest node's allocatable is capped at half a node.
 */
import type { K8sObject } from '../schema/snapshot.js';
import type { ClusterGraph } from '../graph/types.js';
import type { CostReport } from '../schema/cost.js';
import { GiB, MiB, formatCpu, formatMemory } from '../common/quantity.js';
import { HOURS_PER_MONTH, cents, compareText, minConfidence, type Confidence } from './money.js';
import type { PodCharge } from './pod-resources.js';
import type { UnitRates } from './node-pricing.js';

type WasteItem = CostReport['waste'][number];
export type Resource = 'cpu' | 'memory';

/** One running pod as priced by the analyst. */
export interface PricedPod {
  pod: K8sObject;
  workload: K8sObject;
  charge: PodCharge;
  rates: UnitRates;
  priceConfidence: Confidence;
}

const CPU_HEADROOM = 1.2;
const MEMORY_HEADROOM = 1.15;
const MIN_CPU = 0.01;
const MIN_MEMORY = 64 * MiB;
/** How the recommendation is made, for bases and the report. */
export const HEADROOM_TEXT: Record<Resource, string> = { cpu: '× 1.2 (floor 10m)', memory: '× 1.15 (floor 64Mi)' };
/** Only report when the request is at least this many times the suggestion … */
const MIN_RATIO = 1.5;
/** … and the difference is at least this large per pod (noise otherwise). */
const MIN_CPU_DIFF = 0.05;
const MIN_MEMORY_DIFF = 64 * MiB;

/** Resources an HPA scales the workload on (autoscaling/v2 metrics, or v1's CPU target). */
export function hpaScaledResources(graph: ClusterGraph, workload: K8sObject): Set<Resource> {
  const scaled = new Set<Resource>();
  for (const hpa of graph.hpasFor(workload)) {
    const metrics: any[] | undefined = hpa.spec?.metrics;
    if (!metrics || metrics.length === 0) {
      // v1 targetCPUUtilizationPercentage, or v2 with no metrics (the controller defaults to CPU 80%).
      scaled.add('cpu');
      continue;
    }
    for (const metric of metrics) {
      const name = metric?.resource?.name ?? metric?.containerResource?.name;
      if (name === 'cpu' || name === 'memory') scaled.add(name);
    }
  }
  return scaled;
}

/** Math.max(...values) overflows the call stack on very large arrays (a DaemonSet on 100k nodes). */
export function maxOf(values: number[]): number {
  let max = -Infinity;
  for (const value of values) if (value > max) max = value;
  return max;
}

/** KRR's simple strategy on the one sample we have: peak usage × headroom, with a floor. */
export function recommendedRequest(resource: Resource, peakUsage: number): number {
  return resource === 'cpu'
    ? roundUpCpu(Math.max(peakUsage * CPU_HEADROOM, MIN_CPU))
    : roundUpMemory(Math.max(peakUsage * MEMORY_HEADROOM, MIN_MEMORY));
}

/** Lowering is only worth it (and only beyond one sample's noise) when the request is far above the recommendation. */
export function worthLowering(resource: Resource, request: number, recommended: number): boolean {
  const diffFloor = resource === 'cpu' ? MIN_CPU_DIFF : MIN_MEMORY_DIFF;
  return request >= recommended * MIN_RATIO && request - recommended >= diffFloor;
}

function roundUpCpu(cores: number): number {
  return Math.ceil(cores * 100 - 1e-9) / 100; // to 10m
}

function roundUpMemory(bytes: number): number {
  return Math.ceil(bytes / MiB - 1e-9) * MiB;
}

export function format(resource: Resource, value: number): string {
  return resource === 'cpu' ? formatCpu(value) : formatMemory(value);
}

/** Measured usage, to the millicore or the Mi above it: a sample's raw Ki would read as false precision. */
export function formatUsage(resource: Resource, value: number): string {
  return resource === 'cpu' ? formatCpu(value) : formatMemory(roundUpMemory(value));
}

export function perUnitMonthly(resource: Resource, amount: number, rates: UnitRates): number {
  return resource === 'cpu'
    ? amount * rates.cpuPerVcpuHour * HOURS_PER_MONTH
    : (amount / GiB) * rates.memoryPerGiBHour * HOURS_PER_MONTH;
}

export interface ContainerGroup {
  workload: K8sObject;
  container: string;
  pods: Array<{ request: number; usage?: number; rates: UnitRates; priceConfidence: Confidence }>;
}

export function groupByContainer(pods: PricedPod[], resource: Resource): Map<string, ContainerGroup> {
  const groups = new Map<string, ContainerGroup>();
  for (const priced of pods) {
    const w = priced.workload;
    for (const container of priced.charge.containers) {
      const key = `${w.kind}/${w.metadata.namespace ?? ''}/${w.metadata.name}/${container.name}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { workload: w, container: container.name, pods: [] }));
      const request = resource === 'cpu' ? container.cpuRequest : container.memoryRequest;
      const usage = container.usage ? (resource === 'cpu' ? container.usage.cpuCores : container.usage.memoryBytes) : undefined;
      group.pods.push({ request, usage, rates: priced.rates, priceConfidence: priced.priceConfidence });
    }
  }
  return groups;
}

export interface WasteResult {
  items: WasteItem[];
  assumptions: string[];
}

export function findWaste(graph: ClusterGraph, pods: PricedPod[]): WasteResult {
  const items: WasteItem[] = [];
  const skippedForHpa = new Set<string>();
  const largest = graph.largestNodeAllocatable();
  const scaledCache = new Map<K8sObject, Set<Resource>>();
  const scaledOn = (w: K8sObject) => {
    let scaled = scaledCache.get(w);
    if (!scaled) scaledCache.set(w, (scaled = hpaScaledResources(graph, w)));
    return scaled;
  };

  for (const resource of ['cpu', 'memory'] as const) {
    for (const group of groupByContainer(pods, resource).values()) {
      const request = maxOf(group.pods.map((p) => p.request));
      if (!(request > 0)) continue;
      const w = group.workload;
      const ref = `${w.kind} ${w.metadata.namespace ?? ''}/${w.metadata.name}`;
      const usages = group.pods.map((p) => p.usage).filter((u): u is number => u !== undefined);
      const withMetrics = usages.length === group.pods.length;
      let suggested: number;
      let basis: string;
      let confidence: Confidence;
      if (withMetrics) {
        const peak = maxOf(usages);
        suggested = recommendedRequest(resource, peak);
        if (!worthLowering(resource, request, suggested)) continue;
        const headroom = HEADROOM_TEXT[resource];
        basis =
          `metrics-server usage: peak ${formatUsage(resource, peak)} across ${group.pods.length} pod(s) vs request ${format(resource, request)}; ` +
          `suggestion = usage ${headroom} (KRR simple strategy). One sample, not a p95 over days: confirm with a longer history before applying.`;
        // A single sample cannot justify "high"; prices cap it further.
        confidence = minConfidence('medium', ...group.pods.map((p) => p.priceConfidence));
      } else {
        if (!largest) continue;
        const nodeAmount = resource === 'cpu' ? largest.cpu : largest.memory;
        if (!(nodeAmount > 0) || request <= nodeAmount / 2) continue;
        suggested = resource === 'cpu' ? roundUpCpu(nodeAmount / 2) : roundUpMemory(nodeAmount / 2);
        const share = Math.round((request / nodeAmount) * 100);
        basis =
          `no usage metrics; the request is ${share}% of the largest node's allocatable ${resource} ` +
          `(${format(resource, nodeAmount)} on ${largest.node}), leaving most of a node unusable for other pods; ` +
          `suggestion caps it at half a node. Check real usage before lowering.`;
        confidence = 'low';
      }
      const monthlySavings = group.pods.reduce(
        (sum, p) => sum + perUnitMonthly(resource, Math.max(0, p.request - suggested), p.rates),
        0,
      );
      if (!(monthlySavings > 0)) continue;
      // Checked last so the note only names resources that would otherwise have been flagged.
      if (scaledOn(w).has(resource)) {
        skippedForHpa.add(`${ref} (${resource})`);
        continue;
      }
      items.push({
        kind: w.kind,
        namespace: w.metadata.namespace ?? '',
        name: w.metadata.name ?? '',
        container: group.container,
        resource,
        requested: format(resource, request),
        suggested: format(resource, suggested),
        monthlySavings: cents(monthlySavings),
        basis,
        confidence,
      });
    }
  }

  items.sort(
    (a, b) =>
      b.monthlySavings - a.monthlySavings ||
      compareText(a.namespace, b.namespace) ||
      compareText(a.kind, b.kind) ||
      compareText(a.name, b.name) ||
      compareText(a.container ?? '', b.container ?? '') ||
      compareText(a.resource, b.resource),
  );
  const assumptions: string[] = [];
  if (skippedForHpa.size > 0) {
    assumptions.push(
      `Right-sizing skipped where an HPA scales on the resource (changing the request changes its scaling): ${[...skippedForHpa].sort().join(', ')}.`,
    );
  }
  return { items, assumptions };
}
