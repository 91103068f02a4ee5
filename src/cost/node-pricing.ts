/**
 * Prices one Node: finds its provider, instance type and region, picks the hourly price
 * (user rule → user instance type → user flat price → built-in list price → default unit rates)
 * and splits it into per-vCPU-hour and per-GiB-hour rates with OpenCost's CPU:RAM ratio.
 */
import type { K8sObject } from '../schema/snapshot.js';
import { GiB, parseQuantity } from '../common/quantity.js';
import { PROVIDER_LABELS, findListedPrice, lookupKey, type PriceModel, type Provider } from './price-model.js';
import type { PriceOverrides } from './overrides.js';
import type { Confidence } from './money.js';

export interface UnitRates {
  cpuPerVcpuHour: number;
  memoryPerGiBHour: number;
}

export interface NodePrice {
  name: string;
  provider?: Provider;
  instanceType?: string;
  region?: string;
  hourly: number;
  unitRates: UnitRates;
  /** Short label for CostReport.byNode[].priceSource and assumptions. */
  priceSource: string;
  kind: 'override' | 'listed' | 'listed-other-region' | 'default-rates';
  confidence: Confidence;
  spot: boolean;
  cpuCores: number;
  memoryGiB: number;
}

/** The default rates after `--prices unitPrices`. */
export function effectiveUnitRates(model: PriceModel, overrides: PriceOverrides | undefined): UnitRates {
  return {
    cpuPerVcpuHour: overrides?.unitPrices?.cpuPerVcpuHour ?? model.defaults.cpuPerVcpuHour,
    memoryPerGiBHour: overrides?.unitPrices?.memoryPerGiBHour ?? model.defaults.memoryPerGiBHour,
  };
}

function labelsOf(node: K8sObject): Record<string, string> {
  return node.metadata.labels ?? {};
}

export function nodeProvider(node: K8sObject): Provider | undefined {
  const providerId: string = node.spec?.providerID ?? '';
  if (providerId.startsWith('aws://')) return 'aws';
  if (providerId.startsWith('gce://')) return 'gcp';
  if (providerId.startsWith('azure://')) return 'azure';
  const keys = Object.keys(labelsOf(node));
  if (keys.some((k) => k.startsWith('eks.amazonaws.com/') || k.startsWith('karpenter.k8s.aws/') || k.startsWith('alpha.eksctl.io/'))) return 'aws';
  if (keys.some((k) => k.startsWith('cloud.google.com/gke-'))) return 'gcp';
  if (keys.some((k) => k.startsWith('kubernetes.azure.com/'))) return 'azure';
  return undefined;
}

export function nodeInstanceType(node: K8sObject): string | undefined {
  const labels = labelsOf(node);
  return labels['node.kubernetes.io/instance-type'] ?? labels['beta.kubernetes.io/instance-type'];
}

export function nodeRegion(node: K8sObject): string | undefined {
  const labels = labelsOf(node);
  return labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'];
}

/** Spot/preemptible capacity: list prices overstate what is paid. */
export function isSpotNode(node: K8sObject): boolean {
  const labels = labelsOf(node);
  return (
    labels['eks.amazonaws.com/capacityType'] === 'SPOT' ||
    labels['karpenter.sh/capacity-type'] === 'spot' ||
    labels['cloud.google.com/gke-spot'] === 'true' ||
    labels['cloud.google.com/gke-preemptible'] === 'true' ||
    labels['kubernetes.azure.com/scalesetpriority'] === 'spot'
  );
}

/** What the node offers: capacity (what is paid for), else allocatable. */
function nodeShape(node: K8sObject): { cpuCores: number; memoryGiB: number } {
  const pick = (resource: string): number => {
    for (const source of [node.status?.capacity, node.status?.allocatable]) {
      const value = parseQuantity(source?.[resource]);
      if (Number.isFinite(value) && value > 0) return value;
    }
    return NaN;
  };
  return { cpuCores: pick('cpu'), memoryGiB: pick('memory') / GiB };
}

function matchingRule(node: K8sObject, overrides: PriceOverrides | undefined) {
  const labels = labelsOf(node);
  return overrides?.nodes?.find(
    (rule) =>
      (rule.name === undefined || rule.name === node.metadata.name) &&
      Object.entries(rule.labels ?? {}).every(([k, v]) => labels[k] === v),
  );
}

/**
 * OpenCost's split (pkg/costmodel/costmodel.go): with k = defaultCPU/defaultRAM,
 * ramPrice = nodePrice / (cpu·k + ramGiB), cpuPrice = ramPrice·k.
 */
export function splitNodePrice(hourly: number, cpuCores: number, memoryGiB: number, ratioFrom: UnitRates): UnitRates {
  const k = ratioFrom.cpuPerVcpuHour / ratioFrom.memoryPerGiBHour;
  const cpu = Number.isFinite(cpuCores) ? cpuCores : 0;
  const mem = Number.isFinite(memoryGiB) ? memoryGiB : 0;
  const denominator = cpu * k + mem;
  // No shape at all: nothing can be split, so fall back to the default rates for pods on it.
  if (!(denominator > 0)) return { ...ratioFrom };
  const memoryPerGiBHour = hourly / denominator;
  return { cpuPerVcpuHour: memoryPerGiBHour * k, memoryPerGiBHour };
}

export function priceNode(node: K8sObject, model: PriceModel, overrides: PriceOverrides | undefined): NodePrice {
  const name = node.metadata.name ?? '';
  const provider = nodeProvider(node);
  const instanceType = nodeInstanceType(node);
  const region = nodeRegion(node);
  const spot = isSpotNode(node);
  const defaults = effectiveUnitRates(model, overrides);
  const userFile = overrides?.source ?? overrides?.file ?? '--prices';
  let shape = nodeShape(node);

  const done = (hourly: number, kind: NodePrice['kind'], priceSource: string, providerFound = provider): NodePrice => {
    const confidence: Confidence = kind === 'override' || kind === 'listed' ? (spot && kind === 'listed' ? 'medium' : 'high') : kind === 'listed-other-region' ? 'medium' : 'low';
    return {
      name,
      provider: providerFound,
      instanceType,
      region,
      hourly,
      unitRates: splitNodePrice(hourly, shape.cpuCores, shape.memoryGiB, defaults),
      priceSource,
      kind,
      confidence,
      spot,
      ...shape,
    };
  };

  const rule = matchingRule(node, overrides);
  if (rule) {
    const what = rule.name !== undefined ? `node ${rule.name}` : `labels ${Object.entries(rule.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}`;
    return done(rule.hourly, 'override', `${userFile} (rule for ${what})`);
  }
  const userType = instanceType && overrides?.instanceTypes ? lookupKey(overrides.instanceTypes, instanceType) : undefined;
  if (userType) return done(userType[1], 'override', `${userFile} (instance type ${userType[0]})`);
  if (overrides?.nodeHourly !== undefined) return done(overrides.nodeHourly, 'override', `${userFile} (flat per-node price)`);

  const listed = instanceType ? findListedPrice(model, instanceType, provider, region) : undefined;
  if (listed) {
    // Node status wins over the table's shape; the table fills in what the node does not report.
    shape = {
      cpuCores: Number.isFinite(shape.cpuCores) ? shape.cpuCores : listed.shape.vcpu,
      memoryGiB: Number.isFinite(shape.memoryGiB) ? shape.memoryGiB : listed.shape.memoryGiB,
    };
    const label = `${PROVIDER_LABELS[listed.provider]} ${listed.pricedRegion} on-demand list price (${listed.date})`;
    if (listed.regionMatched) return done(listed.hourly, 'listed', label, listed.provider);
    const why = region ? `region ${region} not in the price table` : 'region unknown';
    return done(listed.hourly, 'listed-other-region', `${label}; ${why}`, listed.provider);
  }

  const cpu = Number.isFinite(shape.cpuCores) ? shape.cpuCores : 0;
  const mem = Number.isFinite(shape.memoryGiB) ? shape.memoryGiB : 0;
  const hourly = cpu * defaults.cpuPerVcpuHour + mem * defaults.memoryPerGiBHour;
  const rates = overrides?.unitPrices ? `${userFile} unit prices` : 'default unit rates';
  return done(hourly, 'default-rates', `${rates} × capacity (${formatNumber(cpu)} vCPU, ${formatNumber(mem)} GiB)`);
}

function formatNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}
