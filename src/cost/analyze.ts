/**
 * The cost analyst prices what the input holds, whatever its source (cluster capture or manifests such
 * as a `kubectl get nodes,pods -A -o yaml` dump). Three situations:
 * - Nodes present: method 'nodes' — every node is priced, its price split into per-vCPU and per-GiB
 *   rates, running pods are charged max(request, usage) at their node's rates, idle = node − scheduled;
 * - running pods but no Nodes: method 'requests' on the running pods at default rates;
 * - neither (manifests someone wrote): method 'requests' on the workload templates × replicas at default rates.
 */
import type { Snapshot, K8sObject } from '../schema/snapshot.js';
import type { ClusterGraph } from '../graph/types.js';
import type { CostReport } from '../schema/cost.js';
import { builtInPriceModel, priceModelSummary, type PriceModel } from './price-model.js';
import type { PriceOverrides } from './overrides.js';
import { effectiveUnitRates, priceNode, type NodePrice, type UnitRates } from './node-pricing.js';
import { podCharge, usageFromPodMetrics, type PodCharge } from './pod-resources.js';
import { findWaste, type PricedPod } from './waste.js';
import { rightSizeContainers } from './right-sizing.js';
import {
  HOURS_PER_MONTH,
  amount,
  cents,
  compareText,
  listNames,
  minConfidence,
  plural,
  rate,
  usd,
  usdRate,
  unitRatesText,
  type Confidence,
} from './money.js';

export interface AnalyzeCostOptions {
  /** `--prices FILE`, loaded with loadPriceOverrides. */
  prices?: PriceOverrides;
  /** Tests and embedders may pass their own model; defaults to data/prices. */
  priceModel?: PriceModel;
}

type WorkloadLine = CostReport['byWorkload'][number];
type NodeLine = CostReport['byNode'][number];
type NamespaceLine = CostReport['byNamespace'][number];

interface WorkloadTotals {
  workload: K8sObject;
  replicas: number;
  pendingPods: number;
  cpuCores: number;
  memoryGiB: number;
  cpuMonthly: number;
  memoryMonthly: number;
  confidence: Confidence;
  podsWithMetrics: number;
  usageAboveRequest: boolean;
  noRequests: boolean;
  basis?: string;
}

const ownerKey = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
const podKey = (o: K8sObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
const refText = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? ''}`;

function monthlyCharge(charge: { cpuCores: number; memoryGiB: number }, rates: UnitRates, replicas = 1) {
  const cpuMonthly = charge.cpuCores * rates.cpuPerVcpuHour * HOURS_PER_MONTH * replicas;
  const memoryMonthly = charge.memoryGiB * rates.memoryPerGiBHour * HOURS_PER_MONTH * replicas;
  return { cpuMonthly, memoryMonthly };
}

function newTotals(workload: K8sObject): WorkloadTotals {
  return {
    workload,
    replicas: 0,
    pendingPods: 0,
    cpuCores: 0,
    memoryGiB: 0,
    cpuMonthly: 0,
    memoryMonthly: 0,
    confidence: 'high',
    podsWithMetrics: 0,
    usageAboveRequest: false,
    noRequests: false,
  };
}

function addCharge(totals: WorkloadTotals, charge: PodCharge, rates: UnitRates, confidence: Confidence, replicas = 1): void {
  const money = monthlyCharge(charge, rates, replicas);
  totals.replicas += replicas;
  totals.cpuCores += charge.cpuCores * replicas;
  totals.memoryGiB += charge.memoryGiB * replicas;
  totals.cpuMonthly += money.cpuMonthly;
  totals.memoryMonthly += money.memoryMonthly;
  totals.confidence = minConfidence(totals.confidence, confidence);
  if (charge.hasMetrics) totals.podsWithMetrics += replicas;
  if (charge.usageAboveRequest) totals.usageAboveRequest = true;
  if (charge.noRequests) totals.noRequests = true;
}

function sortByMoney<T extends { monthly: number }>(lines: T[], key: (line: T) => string): T[] {
  return lines.sort((a, b) => b.monthly - a.monthly || compareText(key(a), key(b)));
}

function workloadLines(totals: Iterable<WorkloadTotals>, describe: (t: WorkloadTotals) => string): WorkloadLine[] {
  const lines = [...totals].map((t): WorkloadLine => ({
    kind: t.workload.kind,
    namespace: t.workload.metadata.namespace ?? '',
    name: t.workload.metadata.name ?? '',
    replicas: t.replicas,
    cpuCores: amount(t.cpuCores),
    memoryGiB: amount(t.memoryGiB),
    monthly: cents(t.cpuMonthly + t.memoryMonthly),
    cpuMonthly: cents(t.cpuMonthly),
    memoryMonthly: cents(t.memoryMonthly),
    basis: describe(t),
    confidence: t.confidence,
  }));
  return sortByMoney(lines, (l) => `${l.namespace}/${l.kind}/${l.name}`);
}

function namespaceLines(totals: Iterable<WorkloadTotals>, basis: string): NamespaceLine[] {
  const byNamespace = new Map<string, { cpu: number; memory: number; confidence: Confidence }>();
  for (const t of totals) {
    const ns = t.workload.metadata.namespace ?? '';
    const entry = byNamespace.get(ns) ?? { cpu: 0, memory: 0, confidence: 'high' as Confidence };
    entry.cpu += t.cpuMonthly;
    entry.memory += t.memoryMonthly;
    entry.confidence = minConfidence(entry.confidence, t.confidence);
    byNamespace.set(ns, entry);
  }
  const lines = [...byNamespace].map(([namespace, e]): NamespaceLine => ({
    namespace,
    monthly: cents(e.cpu + e.memory),
    cpuMonthly: cents(e.cpu),
    memoryMonthly: cents(e.memory),
    basis,
    confidence: e.confidence,
  }));
  return sortByMoney(lines, (l) => l.namespace);
}

/** Groups node price assumptions: "3 nodes (a, b, c): m6i.xlarge priced at $0.214/h (…)". */
function nodePriceAssumptions(prices: NodePrice[]): string[] {
  const groups = new Map<string, string[]>();
  for (const p of prices) {
    const what = p.instanceType ? `${p.instanceType} ` : '';
    const text = `${what}priced at ${usdRate(p.hourly)} (${p.priceSource})`;
    groups.set(text, [...(groups.get(text) ?? []), p.name]);
  }
  const out = [...groups].map(([text, names]) => `${plural(names.length, 'node')} (${listNames(names)}): ${text}.`);
  const otherRegion = prices.filter((p) => p.kind === 'listed-other-region');
  if (otherRegion.length > 0) {
    out.push(
      `${plural(otherRegion.length, 'node')} run in a region the price table does not list: priced at the provider's reference-region list price; real prices differ by region (often 5–30%). Use --prices to set yours.`,
    );
  }
  const defaulted = prices.filter((p) => p.kind === 'default-rates');
  if (defaulted.length > 0) {
    const noType = defaulted.filter((p) => !p.instanceType);
    const unknownType = defaulted.filter((p) => p.instanceType);
    if (noType.length > 0) out.push(`${plural(noType.length, 'node')} had no instance-type label: default unit rates used (low confidence).`);
    if (unknownType.length > 0) {
      const types = [...new Set(unknownType.map((p) => p.instanceType!))];
      out.push(`Instance type(s) ${listNames(types)} not in the price table: default unit rates used (low confidence).`);
    }
  }
  const spot = prices.filter((p) => p.spot && p.kind !== 'override');
  if (spot.length > 0) {
    out.push(
      `${plural(spot.length, 'node')} (${listNames(spot.map((p) => p.name))}) are spot/preemptible: priced at the on-demand list price, an upper bound (spot is usually 60–90% cheaper).`,
    );
  }
  return out;
}

function priceOverrideAssumptions(prices: PriceOverrides | undefined, rates: UnitRates, model: PriceModel): string[] {
  const out: string[] = [];
  if (prices) out.push(`Prices from ${prices.file ?? '--prices'}${prices.source ? ` (${prices.source})` : ''} override the built-in list prices where they apply.`);
  const ratesSource = prices?.unitPrices ? (prices.file ?? '--prices') : model.defaults.source;
  out.push(
    `Default unit rates: ${unitRatesText(rates)} (${ratesSource}); their ratio splits each node's price into CPU and memory (OpenCost's method).`,
  );
  return out;
}

function podMetricsIndex(snapshot: Snapshot): Map<string, K8sObject> {
  const index = new Map<string, K8sObject>();
  for (const metrics of snapshot.objects.PodMetrics ?? []) index.set(podKey(metrics), metrics);
  return index;
}

function coverageStatus(snapshot: Snapshot, kind: string): string | undefined {
  return snapshot.coverage.find((c) => c.kind === kind)?.status;
}

/** Sorted by namespace/name, keys computed once (this runs over every pod of big clusters). */
function sortedByName(objects: K8sObject[]): K8sObject[] {
  return objects
    .map((obj) => ({ obj, key: podKey(obj) }))
    .sort((a, b) => compareText(a.key, b.key))
    .map((entry) => entry.obj);
}

export function analyzeCost(snapshot: Snapshot, graph: ClusterGraph, options: AnalyzeCostOptions = {}): CostReport {
  const model = options.priceModel ?? builtInPriceModel();
  const nodes = sortedByName(graph.objectsOfKind('Node'));
  // A Pod manifest someone wrote is a template, not a running pod; a pod from a `kubectl get -o yaml` dump has a status.
  const pods = sortedByName(graph.objectsOfKind('Pod').filter((p) => !graph.fromManifests || p.status?.phase));
  if (nodes.length > 0 || pods.length > 0) return liveReport(snapshot, graph, model, options.prices, nodes, pods);
  return manifestReport(snapshot, graph, model, options.prices);
}

/** "in the cluster capture" / "in the manifests": where the priced objects came from, for bases and assumptions. */
function inputText(snapshot: Snapshot): string {
  return snapshot.source.type === 'manifests' ? 'in the manifests' : 'in the cluster capture';
}

/**
 * The workload a pod's cost belongs to. `kubectl get nodes,deployments,pods -o yaml` leaves out the ReplicaSets,
 * so the owner chain stops at the pod: a ReplicaSet is named <deployment>-<pod-template-hash>, which finds the
 * Deployment; any other missing owner still groups its pods under the owner they name, so replicas read as one line.
 */
function costOwner(graph: ClusterGraph, pod: K8sObject, missingOwners: Map<string, K8sObject>): K8sObject {
  const top = graph.topOwner(pod);
  if (top !== pod) return top;
  const refs: any[] = Array.isArray(pod.metadata.ownerReferences) ? pod.metadata.ownerReferences : [];
  const ref = refs.find((r) => r?.controller === true && WORKLOAD_OWNER_KINDS.has(String(r?.kind)));
  if (!ref || typeof ref.name !== 'string') return pod;
  const namespace = pod.metadata.namespace;
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (ref.kind === 'ReplicaSet' && typeof hash === 'string' && ref.name.endsWith(`-${hash}`)) {
    const deployment = graph.get('Deployment', namespace, ref.name.slice(0, -(hash.length + 1)));
    if (deployment) return deployment;
  }
  const key = `${ref.kind}/${namespace ?? ''}/${ref.name}`;
  let owner = missingOwners.get(key);
  if (!owner) {
    owner = { apiVersion: String(ref.apiVersion ?? ''), kind: String(ref.kind), metadata: { namespace, name: ref.name } };
    missingOwners.set(key, owner);
  }
  return owner;
}

const WORKLOAD_OWNER_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** Live pods priced at their node's rates (method 'nodes'), or at default rates when no Node was captured. */
function liveReport(
  snapshot: Snapshot,
  graph: ClusterGraph,
  model: PriceModel,
  prices: PriceOverrides | undefined,
  nodes: K8sObject[],
  pods: K8sObject[],
): CostReport {
  const defaults = effectiveUnitRates(model, prices);
  const method: CostReport['method'] = nodes.length > 0 ? 'nodes' : 'requests';
  const nodePrices = new Map<string, NodePrice>(nodes.map((n) => [n.metadata.name ?? '', priceNode(n, model, prices)]));
  const allocatedByNode = new Map<string, number>();
  const metrics = podMetricsIndex(snapshot);
  const metricsCaptured = (snapshot.objects.PodMetrics ?? []).length > 0;
  const workloads = new Map<string, WorkloadTotals>();
  const priced: PricedPod[] = [];
  const pending: Array<{ pod: K8sObject; charge: PodCharge }> = [];
  const unknownNodePods: string[] = [];
  let unknownNodeMonthly = 0;
  let finishedPods = 0;

  const missingOwners = new Map<string, K8sObject>();
  const totalsFor = (workload: K8sObject) => {
    const key = ownerKey(workload);
    let totals = workloads.get(key);
    if (!totals) workloads.set(key, (totals = newTotals(workload)));
    return totals;
  };

  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      finishedPods++; // finished pods hold no resources
      continue;
    }
    const workload = costOwner(graph, pod, missingOwners);
    const usage = usageFromPodMetrics(metrics.get(podKey(pod)));
    const charge = podCharge(pod.spec, usage);
    if (!pod.spec?.nodeName) {
      pending.push({ pod, charge });
      totalsFor(workload).pendingPods++;
      continue;
    }
    const nodeName: string = pod.spec.nodeName;
    const nodePrice = nodePrices.get(nodeName);
    const rates = nodePrice?.unitRates ?? defaults;
    const priceConfidence: Confidence = nodePrice?.confidence ?? 'low';
    const dataConfidence: Confidence = usage ? 'high' : 'medium';
    addCharge(totalsFor(workload), charge, rates, minConfidence(priceConfidence, dataConfidence));
    const money = monthlyCharge(charge, rates);
    if (nodePrice) {
      allocatedByNode.set(nodeName, (allocatedByNode.get(nodeName) ?? 0) + money.cpuMonthly + money.memoryMonthly);
    } else if (method === 'nodes') {
      unknownNodePods.push(podKey(pod));
      unknownNodeMonthly += money.cpuMonthly + money.memoryMonthly;
    }
    priced.push({ pod, workload, charge, rates, priceConfidence });
  }

  const metricsConfidence: Confidence = metricsCaptured && priced.every((p) => p.charge.hasMetrics) ? 'high' : 'medium';

  // Nodes
  const byNode: NodeLine[] = sortByMoney(
    [...nodePrices.values()].map((p): NodeLine => {
      const monthly = p.hourly * HOURS_PER_MONTH;
      const allocated = allocatedByNode.get(p.name) ?? 0;
      const cpuMonthly = (Number.isFinite(p.cpuCores) ? p.cpuCores : 0) * p.unitRates.cpuPerVcpuHour * HOURS_PER_MONTH;
      const memoryMonthly = (Number.isFinite(p.memoryGiB) ? p.memoryGiB : 0) * p.unitRates.memoryPerGiBHour * HOURS_PER_MONTH;
      return {
        name: p.name,
        instanceType: p.instanceType,
        provider: p.provider,
        hourlyPrice: rate(p.hourly),
        priceSource: p.priceSource,
        monthly: cents(monthly),
        cpuMonthly: cents(cpuMonthly),
        memoryMonthly: cents(memoryMonthly),
        allocatedMonthly: cents(allocated),
        idleMonthly: cents(Math.max(0, monthly - allocated)),
        basis:
          `${usdRate(p.hourly)} × ${HOURS_PER_MONTH} h, split into ${unitRatesText(p.unitRates)} ` +
          `over its capacity by the default CPU:RAM price ratio; allocated = max(request, usage) of the pods scheduled on it; idle = node − allocated.`,
        confidence: minConfidence(p.confidence, metricsConfidence),
      };
    }),
    (l) => l.name,
  );
  const nodesMonthly = [...nodePrices.values()].reduce((sum, p) => sum + p.hourly * HOURS_PER_MONTH, 0);
  const allocatedOnNodes = [...allocatedByNode.values()].reduce((sum, v) => sum + v, 0);
  const idleMonthly = [...nodePrices.values()].reduce(
    (sum, p) => sum + Math.max(0, p.hourly * HOURS_PER_MONTH - (allocatedByNode.get(p.name) ?? 0)),
    0,
  );

  const describeWorkload = (t: WorkloadTotals): string => {
    if (t.replicas === 0) {
      return `no pod running: ${plural(t.pendingPods, 'pending pod')} not scheduled on any node, so nothing is charged now.`;
    }
    const what = t.podsWithMetrics > 0 ? 'max(request, usage) per container' : 'requests (no usage metrics)';
    const where = method === 'nodes' ? "× the unit prices of each pod's node" : '× default unit rates (nodes unknown)';
    const pendingNote = t.pendingPods > 0 ? `; ${plural(t.pendingPods, 'pending pod')} not charged` : '';
    return `${what} of ${plural(t.replicas, 'running pod')} ${where} × ${HOURS_PER_MONTH} h${pendingNote}.`;
  };
  const totalsList = [...workloads.values()];
  const byWorkload = workloadLines(totalsList, describeWorkload);
  const byNamespace = namespaceLines(
    totalsList,
    'Sum of the namespace\'s workload costs (pods charged max(request, usage) at their node\'s unit prices); idle node capacity is not attributed to namespaces.',
  );

  const allocatedMonthly = totalsList.reduce((sum, t) => sum + t.cpuMonthly + t.memoryMonthly, 0);
  const waste = findWaste(graph, priced);
  const rightSizing = rightSizeContainers(snapshot, graph, priced);

  // Assumptions, most important first.
  const assumptions: string[] = [];
  if (method === 'nodes') {
    assumptions.push(...nodePriceAssumptions([...nodePrices.values()]));
    assumptions.push(
      `Monthly = hourly × ${HOURS_PER_MONTH} h. Total = Σ node costs (${usd(nodesMonthly)})${unknownNodeMonthly > 0 ? ` + pods on nodes not in the snapshot` : ''}; idle = node cost − cost of the pods scheduled on it, never below 0.`,
    );
  } else {
    const status = coverageStatus(snapshot, 'Node');
    const noNodes = graph.fromManifests
      ? 'The manifests hold running pods but no Node objects'
      : `No Node objects were captured${status ? ` (coverage: ${status})` : ''}`;
    assumptions.push(`${noNodes}: running pods are priced at default unit rates from their requests; idle capacity is unknown (reported as 0).`);
  }
  assumptions.push(...priceOverrideAssumptions(prices, defaults, model));
  assumptions.push(
    metricsCaptured
      ? 'Pods are charged max(request, usage) per container (OpenCost), usage from one metrics-server sample.'
      : `No PodMetrics ${graph.fromManifests ? 'in the manifests' : 'were captured'}: pods are charged their requests (usage unknown; medium confidence at best).`,
  );
  if (graph.fromManifests) {
    // Declared workloads whose pods are not in the input: pricing their templates too would count what runs twice.
    // A Pod with a status is a dumped running pod (charged, perhaps under the owner it names), not a declaration.
    const declared = (w: K8sObject) => (w.kind === 'Pod' ? !w.status?.phase : w.kind !== 'Job' && w.kind !== 'CronJob');
    const notRunning = graph.workloads().filter((w) => declared(w) && !workloads.has(ownerKey(w)));
    if (notRunning.length > 0) {
      assumptions.push(
        `${plural(notRunning.length, 'workload')} declared in the manifests ${notRunning.length === 1 ? 'has' : 'have'} no running pod there (${listNames(notRunning.map(refText))}): not charged; the figures price the pods that run.`,
      );
    }
  }
  if (coverageStatus(snapshot, 'Pod') && coverageStatus(snapshot, 'Pod') !== 'listed') {
    assumptions.push(`Pods were not listed (coverage: ${coverageStatus(snapshot, 'Pod')}): allocation is unknown and node cost shows as idle.`);
  }
  const noRequestPods = priced.filter((p) => p.charge.noRequests);
  if (noRequestPods.length > 0) {
    assumptions.push(
      `${plural(noRequestPods.length, 'running pod')} set no CPU or memory requests (${listNames([...new Set(noRequestPods.map((p) => refText(p.workload)))])}): they cost $0 allocated; what they really use shows up as idle.`,
    );
  }
  if (pending.length > 0) {
    const fleet = fleetAverageRates(nodePrices, defaults);
    const wouldCost = pending.reduce((sum, p) => {
      const m = monthlyCharge(p.charge, fleet);
      return sum + m.cpuMonthly + m.memoryMonthly;
    }, 0);
    assumptions.push(
      `${plural(pending.length, 'pod')} not scheduled (${listNames(pending.map((p) => podKey(p.pod)))}): ${pending.length === 1 ? 'it costs' : 'they cost'} nothing now; once scheduled, the requests would add about ${usd(wouldCost)}/month at the cluster's average unit prices.`,
    );
  }
  if (unknownNodePods.length > 0) {
    assumptions.push(
      `${plural(unknownNodePods.length, 'pod')} run on nodes missing from the snapshot (${listNames(unknownNodePods)}): priced at default unit rates (${usd(unknownNodeMonthly)}/month) and added to the total.`,
    );
  }
  if (finishedPods > 0) assumptions.push(`${plural(finishedPods, 'finished pod')} (Succeeded/Failed) ${finishedPods === 1 ? 'holds' : 'hold'} no resources and cost${finishedPods === 1 ? 's' : ''} nothing.`);
  const idleJobs = graph.objectsOfKind('CronJob').filter((c) => !workloads.has(ownerKey(c)));
  if (idleJobs.length > 0) {
    assumptions.push(
      `Jobs and CronJobs cost only while their pods run; ${plural(idleJobs.length, 'CronJob')} had no running pod at capture time (${listNames(idleJobs.map((c) => podKey(c)))}): not included.`,
    );
  }
  assumptions.push(...waste.assumptions);
  if (waste.items.length === 0) {
    assumptions.push(
      metricsCaptured
        ? 'No request is well above measured usage (≥1.5× the suggestion): no waste reported.'
        : 'Without usage metrics, waste is only reported for requests above half of the largest node; none found.',
    );
  }

  const wasteMonthly = waste.items.reduce((sum, item) => sum + item.monthlySavings, 0);
  const priceConfidences = method === 'nodes' ? [...nodePrices.values()].map((p) => p.confidence) : ['low' as Confidence];
  const total = method === 'nodes' ? nodesMonthly + unknownNodeMonthly : allocatedMonthly;
  const runningPods = priced.length;
  const basis =
    method === 'nodes'
      ? `${plural(nodes.length, 'Node')} and ${plural(runningPods, 'running pod')} ${inputText(snapshot)}: each node priced by its instance type, pods charged ${metricsCaptured ? 'max(request, usage)' : 'their requests'} at their node's unit prices, idle = node − pods.`
      : `${plural(runningPods, 'running pod')} ${inputText(snapshot)} and no Node: pods charged ${metricsCaptured ? 'max(request, usage)' : 'their requests'} at default unit rates; idle unknown.`;
  return {
    currency: 'USD',
    method,
    monthlyTotal: cents(total),
    allocatedMonthly: cents(method === 'nodes' ? allocatedOnNodes + unknownNodeMonthly : allocatedMonthly),
    idleMonthly: cents(method === 'nodes' ? idleMonthly : 0),
    wasteMonthly: cents(wasteMonthly),
    confidence: minConfidence(...priceConfidences, metricsConfidence, ...(unknownNodePods.length > 0 ? ['low' as Confidence] : [])),
    hoursPerMonth: HOURS_PER_MONTH,
    byNamespace,
    byWorkload,
    byNode,
    waste: waste.items,
    basis,
    rightSizing,
    assumptions,
    priceModel: priceModelFor(model, prices),
  };
}

/** Capacity-weighted average unit rates over the nodes (default rates when there are none). */
function fleetAverageRates(nodePrices: Map<string, NodePrice>, defaults: UnitRates): UnitRates {
  let cpu = 0;
  let cpuCost = 0;
  let memory = 0;
  let memoryCost = 0;
  for (const p of nodePrices.values()) {
    if (!Number.isFinite(p.cpuCores) || !Number.isFinite(p.memoryGiB)) continue;
    cpu += p.cpuCores;
    cpuCost += p.cpuCores * p.unitRates.cpuPerVcpuHour;
    memory += p.memoryGiB;
    memoryCost += p.memoryGiB * p.unitRates.memoryPerGiBHour;
  }
  if (!(cpu > 0) || !(memory > 0)) return defaults;
  return { cpuPerVcpuHour: cpuCost / cpu, memoryPerGiBHour: memoryCost / memory };
}

function priceModelFor(model: PriceModel, prices: PriceOverrides | undefined): CostReport['priceModel'] {
  const summary = priceModelSummary(model);
  if (!prices) return summary;
  return { source: `${prices.file ?? '--prices'}${prices.source ? ` (${prices.source})` : ''}, then ${summary.source}`, date: summary.date };
}

/** The pod spec a workload runs, and how many copies to count; undefined = not estimated. */
function templateOf(workload: K8sObject): any {
  return workload.kind === 'Pod' ? workload.spec : workload.spec?.template?.spec;
}

/** Manifests (no live pods, no nodes): requests × default unit rates × replicas. */
function manifestReport(snapshot: Snapshot, graph: ClusterGraph, model: PriceModel, prices: PriceOverrides | undefined): CostReport {
  const rates = effectiveUnitRates(model, prices);
  const totals: WorkloadTotals[] = [];
  const excludedJobs: string[] = [];
  const daemonSets: string[] = [];
  const hpaFloors: string[] = [];
  const noRequests: string[] = [];

  const workloads = [...graph.workloads()].sort((a, b) => compareText(ownerKey(a), ownerKey(b)));
  for (const workload of workloads) {
    if (workload.kind === 'Job' || workload.kind === 'CronJob') {
      excludedJobs.push(refText(workload));
      continue;
    }
    const spec = templateOf(workload);
    if (!spec) continue;
    let replicas = 1;
    let replicasBasis = '1 copy';
    if (workload.kind === 'DaemonSet') {
      daemonSets.push(refText(workload));
      replicasBasis = '1 copy (node count unknown)';
    } else if (workload.kind !== 'Pod') {
      const declared = typeof workload.spec?.replicas === 'number' ? workload.spec.replicas : 1;
      replicas = declared;
      replicasBasis = typeof workload.spec?.replicas === 'number' ? `spec.replicas ${declared}` : 'spec.replicas unset (1)';
      const hpaMin = Math.max(0, ...graph.hpasFor(workload).map((h) => (typeof h.spec?.minReplicas === 'number' ? h.spec.minReplicas : 1)));
      if (graph.hpasFor(workload).length > 0 && hpaMin > replicas) {
        replicas = hpaMin;
        replicasBasis = `HPA minReplicas ${hpaMin}`;
        hpaFloors.push(refText(workload));
      }
    }
    const charge = podCharge(spec);
    if (charge.noRequests) noRequests.push(refText(workload));
    const t = newTotals(workload);
    addCharge(t, charge, rates, 'low', replicas);
    t.basis = `requests of the pod template × ${replicasBasis} × default unit rates (${unitRatesText(rates)}) × ${HOURS_PER_MONTH} h — an estimate from requests, not a bill.`;
    totals.push(t);
  }

  const byWorkload = workloadLines(totals, (t) => t.basis ?? '');
  const byNamespace = namespaceLines(totals, 'Sum of the namespace\'s workload estimates (requests × replicas × default unit rates); no node or idle cost is known from manifests.');
  const allocated = totals.reduce((sum, t) => sum + t.cpuMonthly + t.memoryMonthly, 0);

  const assumptions: string[] = [
    `Estimate from requests: manifests have no nodes, so the total is Σ workload requests × replicas × default unit rates × ${HOURS_PER_MONTH} h; node overhead and idle capacity are not included (real bills are usually higher).`,
    ...priceOverrideAssumptions(prices, rates, model),
  ];
  if (prices && (prices.instanceTypes || prices.nodes || prices.nodeHourly !== undefined)) {
    assumptions.push(`Node prices in ${prices.file ?? '--prices'} do not apply to a manifest estimate (no nodes); only its unitPrices are used.`);
  }
  if (daemonSets.length > 0) assumptions.push(`DaemonSets counted once (node count unknown; multiply by your node count): ${listNames(daemonSets)}.`);
  if (hpaFloors.length > 0) assumptions.push(`Replicas raised to the HPA's minReplicas: ${listNames(hpaFloors)}.`);
  if (excludedJobs.length > 0) assumptions.push(`Jobs and CronJobs excluded (their run time is unknown from manifests): ${listNames(excludedJobs)}.`);
  if (noRequests.length > 0) assumptions.push(`Workloads with no CPU or memory requests cost $0 in this estimate: ${listNames(noRequests)}.`);
  assumptions.push('No usage metrics or node shapes in manifests: no waste is estimated.');

  return {
    currency: 'USD',
    method: 'requests',
    monthlyTotal: cents(allocated),
    allocatedMonthly: cents(allocated),
    idleMonthly: 0,
    wasteMonthly: 0,
    confidence: 'low',
    hoursPerMonth: HOURS_PER_MONTH,
    byNamespace,
    byWorkload,
    byNode: [],
    waste: [],
    basis: `${plural(totals.length, 'workload template')} ${inputText(snapshot)} (no Node, no running pod): requests × replicas at default unit rates, an estimate.`,
    rightSizing: rightSizeContainers(snapshot, graph, []),
    assumptions,
    priceModel: priceModelFor(model, prices),
  };
}
