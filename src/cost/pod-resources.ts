/**
 * What a pod is charged for: per container max(request, usage) (OpenCost), combined the way the
 * scheduler sizes a pod (init containers run before the app containers, sidecars alongside them,
 * plus RuntimeClass overhead).
 */
import type { K8sObject } from '../schema/snapshot.js';
import { GiB, parseQuantity } from '../common/quantity.js';

export interface ContainerUsage {
  cpuCores: number;
  memoryBytes: number;
}

export interface ContainerResources {
  name: string;
  cpuRequest: number;
  memoryRequest: number;
  cpuLimit?: number;
  memoryLimit?: number;
  usage?: ContainerUsage;
}

export interface PodCharge {
  /** Cores and GiB the pod is charged for. */
  cpuCores: number;
  memoryGiB: number;
  containers: ContainerResources[];
  /** True when no container requests CPU or memory and no usage is known. */
  noRequests: boolean;
  /** True when usage was higher than the request for some container and resource. */
  usageAboveRequest: boolean;
  hasMetrics: boolean;
}

function quantity(value: unknown): number {
  const parsed = parseQuantity(value as string | number | undefined);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : 0;
}

function optionalQuantity(value: unknown): number | undefined {
  const parsed = parseQuantity(value as string | number | undefined);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function containerResources(container: any): ContainerResources {
  const requests = container?.resources?.requests ?? {};
  const limits = container?.resources?.limits ?? {};
  // A limit without a request means request = limit (API defaulting); manifests may not show that yet.
  return {
    name: String(container?.name ?? ''),
    cpuRequest: quantity(requests.cpu ?? limits.cpu),
    memoryRequest: quantity(requests.memory ?? limits.memory),
    cpuLimit: optionalQuantity(limits.cpu),
    memoryLimit: optionalQuantity(limits.memory),
  };
}

/** Container name → usage, from a metrics.k8s.io PodMetrics object. */
export function usageFromPodMetrics(metrics: K8sObject | undefined): Map<string, ContainerUsage> | undefined {
  if (!metrics || !Array.isArray(metrics.containers)) return undefined;
  const usage = new Map<string, ContainerUsage>();
  for (const container of metrics.containers) {
    usage.set(String(container?.name ?? ''), {
      cpuCores: quantity(container?.usage?.cpu),
      memoryBytes: quantity(container?.usage?.memory),
    });
  }
  return usage;
}

/** The charge for one pod spec (a live pod's spec or a workload's pod template spec). */
export function podCharge(podSpec: any, usage?: Map<string, ContainerUsage>): PodCharge {
  const containers: ContainerResources[] = (podSpec?.containers ?? []).map(containerResources);
  let cpu = 0;
  let memory = 0;
  let usageAboveRequest = false;
  for (const container of containers) {
    const used = usage?.get(container.name);
    if (used) container.usage = used;
    const cpuCharged = Math.max(container.cpuRequest, used?.cpuCores ?? 0);
    const memoryCharged = Math.max(container.memoryRequest, used?.memoryBytes ?? 0);
    if (cpuCharged > container.cpuRequest || memoryCharged > container.memoryRequest) usageAboveRequest = true;
    cpu += cpuCharged;
    memory += memoryCharged;
  }
  // Sidecars (restartPolicy: Always init containers) run for the pod's life; plain init containers
  // run first, so the pod needs the larger of their peak and the running set.
  let initCpu = 0;
  let initMemory = 0;
  for (const init of (podSpec?.initContainers ?? []).map((c: any) => ({ raw: c, res: containerResources(c) }))) {
    if (init.raw?.restartPolicy === 'Always') {
      cpu += init.res.cpuRequest;
      memory += init.res.memoryRequest;
    } else {
      initCpu = Math.max(initCpu, init.res.cpuRequest);
      initMemory = Math.max(initMemory, init.res.memoryRequest);
    }
  }
  cpu = Math.max(cpu, initCpu) + quantity(podSpec?.overhead?.cpu);
  memory = Math.max(memory, initMemory) + quantity(podSpec?.overhead?.memory);
  return {
    cpuCores: cpu,
    memoryGiB: memory / GiB,
    containers,
    noRequests: cpu === 0 && memory === 0,
    usageAboveRequest,
    hasMetrics: usage !== undefined,
  };
}
