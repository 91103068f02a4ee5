import { podSpecSegments } from '../common/pod-template.js';
import { asList } from './format.js';
import type { K8sObject } from '../schema/snapshot.js';
import type { Patch, Remediation, ResourceRef } from '../schema/finding.js';
import { formatCpu, formatMemory, GiB, MiB, parseQuantity } from '../common/quantity.js';
import { imagePullAdvice } from './messages.js';
import { humanMemory } from './format.js';

export { humanMemory };
import type { DiagnosisContext, Problem } from './types.js';

/** Placeholder put where only the user knows the value (never a guessed secret). */
export const PLACEHOLDER_VALUE = 'REPLACE_ME';

/**
 * New memory limit after an OOM kill: 1.5× the current limit (the container was killed at it, so
 * usage is at least that), or observed usage + 30% when metrics say more, rounded up to 64Mi
 * below 1Gi and to 256Mi above, so the number looks like one a person would pick.
 */
export function recommendMemoryLimit(currentLimit: number | undefined, observedUsage?: number): number | undefined {
  const candidates: number[] = [];
  if (currentLimit !== undefined && Number.isFinite(currentLimit) && currentLimit > 0) candidates.push(currentLimit * 1.5);
  if (observedUsage !== undefined && Number.isFinite(observedUsage) && observedUsage > 0) candidates.push(observedUsage * 1.3);
  if (candidates.length === 0) return undefined;
  const target = Math.max(...candidates);
  const step = target < GiB ? 64 * MiB : 256 * MiB;
  return Math.ceil(target / step) * step;
}

/**
 * Where the pod spec sits in a workload, for strategic merge patches. Undefined for a bare Pod (its resources are
 * immutable) and for custom kinds (DeploymentConfig, Rollout): the API server accepts no strategic merge patch on them.
 */
export function podSpecPath(workload: K8sObject): string[] | undefined {
  if (workload.kind === 'Pod' || !BUILT_IN_WORKLOADS.has(workload.kind)) return undefined;
  return podSpecSegments(workload);
}

const BUILT_IN_WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

function nest(path: string[], leaf: Record<string, unknown>): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), leaf);
}

/** A strategic merge patch that changes one container's resources (containers merge by name). */
export function containerResourcesPatch(
  workload: K8sObject,
  target: ResourceRef,
  list: 'containers' | 'initContainers',
  container: string,
  resources: Record<string, Record<string, string>>,
): Patch | undefined {
  const path = podSpecPath(workload);
  if (!path) return undefined;
  return { type: 'strategic', target, body: nest(path, { [list]: [{ name: container, resources }] }) };
}

export function remediationFor(problems: Problem[], workload: K8sObject, target: ResourceRef, ctx: DiagnosisContext): Remediation {
  const first = problems[0];
  switch (first.cause) {
    case 'oom-killed':
      return oomRemediation(problems, workload, target, ctx);
    case 'crash-loop':
      return crashLoopRemediation(first);
    case 'image-pull-failure':
      return { summary: imagePullAdvice(first.details.imageProblem ?? 'unknown', first.details.image ?? '?') };
    case 'unschedulable':
      return unschedulableRemediation(first, workload, target);
    case 'config-error':
      return configRemediation(first);
    case 'mount-failure':
      return mountRemediation(first);
    case 'not-ready': {
      const probe = first.details.probeMessage ? ` (${first.details.probeMessage})` : '';
      return {
        summary: `The readiness probe of container ${first.details.container ?? '?'} fails${probe}. Check that the probe path and port match what the app serves, that its dependencies are reachable, and raise initialDelaySeconds/failureThreshold (or add a startupProbe) if it is only slow to start.`,
      };
    }
    case 'evicted': {
      const resource = first.details.evictedResource ?? 'a resource';
      const ns = first.subject.metadata.namespace ?? 'default';
      return {
        summary: `The kubelet evicted the pod because the node was low on ${resource}. Set requests${resource === 'ephemeral-storage' ? ' and limits for ephemeral-storage' : ` for ${resource}`} close to real usage so the scheduler accounts for it, and remove the leftover evicted pods: \`kubectl delete pod -n ${ns} --field-selector=status.phase=Failed\`.`,
      };
    }
    case 'node-not-ready':
      return {
        summary: `Node ${first.details.node ?? '?'} is not ready. Its pods are evicted and recreated elsewhere once their not-ready/unreachable toleration (300s by default) expires; if that does not happen (StatefulSet pods, local volumes), fix or remove the node (see the node's diagnosis). Running more than one replica spread across nodes avoids the outage.`,
      };
    default:
      return { summary: first.explanation };
  }
}

function oomRemediation(problems: Problem[], workload: K8sObject, target: ResourceRef, ctx: DiagnosisContext): Remediation {
  const first = problems[0];
  const container = first.details.container ?? '?';
  const list = first.details.containerList ?? 'containers';
  const limits = problems.map((p) => p.details.memoryLimit).filter((v): v is number => v !== undefined);
  const currentLimit = limits.length > 0 ? Math.max(...limits) : undefined;
  const usage = observedMemory(problems, container, ctx);
  const newLimit = recommendMemoryLimit(currentLimit, usage);
  if (newLimit === undefined) {
    return {
      summary: `Container ${container} has no memory limit, so the node itself ran out of memory. Set a memory request close to its real usage (measure it with \`kubectl top pod --containers\`) so the scheduler places it on a node with room.`,
    };
  }
  const resources: Record<string, Record<string, string>> = { limits: { memory: formatMemory(newLimit) } };
  // Keep a Guaranteed pod Guaranteed: when request == limit, raise both.
  const request = first.details.memoryRequest;
  if (request !== undefined && currentLimit !== undefined && request === currentLimit) resources.requests = { memory: formatMemory(newLimit) };
  const basis =
    usage !== undefined && usage * 1.3 > (currentLimit ?? 0) * 1.5
      ? `observed usage ${humanMemory(usage)} + 30%`
      : `1.5× the current limit ${currentLimit !== undefined ? formatMemory(currentLimit) : ''}`.trim();
  const patch = containerResourcesPatch(workload, target, list, container, resources);
  const where = patch ? `on ${workload.kind} ${target.namespace ?? ''}/${target.name}` : `(a bare Pod cannot be resized in place: recreate it with the new limit)`;
  return {
    summary: `Raise the memory limit of container ${container} to ${formatMemory(newLimit)} (${basis}) ${where}, then watch its usage; if it keeps growing, look for a leak.`,
    ...(patch ? { patch } : {}),
  };
}

/** Highest current memory usage of the container over the affected pods, from PodMetrics. */
function observedMemory(problems: Problem[], container: string, ctx: DiagnosisContext): number | undefined {
  let peak: number | undefined;
  for (const p of problems) {
    const metrics = ctx.podMetrics.get(`${p.subject.metadata.namespace ?? ''}/${p.subject.metadata.name ?? ''}`);
    for (const c of asList(metrics?.containers)) {
      if (c.name !== container) continue;
      const bytes = parseQuantity(c.usage?.memory);
      if (Number.isFinite(bytes)) peak = Math.max(peak ?? 0, bytes);
    }
  }
  return peak;
}

function crashLoopRemediation(problem: Problem): Remediation {
  const { container = '?', exitCode } = problem.details;
  const logs = `\`kubectl logs -n ${problem.subject.metadata.namespace ?? 'default'} ${problem.subject.metadata.name} -c ${container} --previous\``;
  let advice: string;
  if (exitCode === 126 || exitCode === 127) advice = 'The command or entrypoint cannot be run: check `command`/`args` and that the binary exists in the image.';
  else if (exitCode === 137 || exitCode === 143) {
    advice = 'The container is being killed: if its liveness probe fails, make the probe match the app (or add a startupProbe / raise initialDelaySeconds); otherwise check for OOM on the node.';
  } else if (exitCode === 139) advice = 'The process segfaults: check native libraries and that the image matches the node architecture.';
  else advice = 'The application exits on its own: read why in the previous logs.';
  return { summary: `${advice} Logs of the last crash: ${logs}.` };
}

function unschedulableRemediation(problem: Problem, workload: K8sObject, target: ResourceRef): Remediation {
  const analysis = problem.details.scheduling;
  const parts = [...new Set((analysis?.blockers ?? []).map((b) => b.fix))];
  if (parts.length === 0) parts.push(`Read the scheduler message: ${problem.details.schedulerMessage || '?'}`);
  const fit = analysis?.capacity;
  // Shrinking the requests is offered only when they are what can never fit.
  const patch = fit && (fit.cpuNever || fit.memNever) ? lowerRequestsPatch(problem, workload, target, fit.largest, fit.cpuNever, fit.memNever) : undefined;
  return { summary: parts.join(' '), ...(patch ? { patch } : {}) };
}

function lowerRequestsPatch(
  problem: Problem,
  workload: K8sObject,
  target: ResourceRef,
  largest: { cpu: number; memory: number },
  cpuNever: boolean,
  memNever: boolean,
): Patch | undefined {
  const containers: Record<string, any>[] = asList(problem.subject.spec?.containers);
  // Only a single-container pod has an obvious container to shrink.
  if (containers.length !== 1) return undefined;
  const requests: Record<string, string> = {};
  // Leave ~15% of the node for the system and DaemonSets.
  if (cpuNever) requests.cpu = formatCpu(Math.floor((largest.cpu * 0.85) * 10) / 10);
  if (memNever) requests.memory = formatMemory(Math.floor((largest.memory * 0.85) / (256 * MiB)) * 256 * MiB);
  const resources: Record<string, Record<string, string>> = { requests };
  const limit = parseQuantity(containers[0].resources?.limits?.memory);
  if (memNever && Number.isFinite(limit) && limit > largest.memory) resources.limits = { memory: requests.memory };
  return containerResourcesPatch(workload, target, 'containers', String(containers[0].name), resources);
}

function configRemediation(problem: Problem): Remediation {
  const config = problem.details.config;
  const container = problem.details.container ?? '?';
  if (!config || config.kind === 'other' || !config.name || !config.objectKind) {
    return { summary: `Container ${container} cannot be created; \`kubectl describe pod\` shows the exact configuration problem.` };
  }
  if (config.kind === 'run-as-root') {
    return { summary: `Container ${container} requires a non-root user but the image runs as root: set securityContext.runAsUser to a non-zero UID or use a non-root image.` };
  }
  const ns = config.namespace ?? problem.subject.metadata.namespace;
  const ref: ResourceRef = { apiVersion: 'v1', kind: config.objectKind, namespace: ns, name: config.name };
  const dataField = config.objectKind === 'Secret' ? 'stringData' : 'data';
  if (config.kind === 'missing-key') {
    return {
      summary: `Add key ${config.key} to ${config.objectKind} ${ns}/${config.name} (or mark the reference optional), then the pod starts on its next retry.`,
      patch: { type: 'merge', target: ref, body: { [dataField]: { [config.key ?? 'key']: PLACEHOLDER_VALUE } } },
    };
  }
  const keys = referencedKeys(problem.subject, config.objectKind, config.name);
  const manifest: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: config.objectKind,
    metadata: { name: config.name, namespace: ns },
    ...(config.objectKind === 'Secret' ? { type: 'Opaque' } : {}),
    [dataField]: Object.fromEntries(keys.map((k) => [k, PLACEHOLDER_VALUE])),
  };
  const keyText = keys.length > 0 ? ` with key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}` : '';
  return {
    summary: `Create ${config.objectKind} ${ns}/${config.name}${keyText} (fill in the real values), or fix the name the pod references.`,
    patch: { type: 'merge', target: ref, body: manifest, create: manifest },
  };
}

/** Keys the pod reads from a Secret/ConfigMap through env valueFrom, sorted. */
function referencedKeys(pod: K8sObject, kind: 'Secret' | 'ConfigMap', name: string): string[] {
  const keys = new Set<string>();
  const field = kind === 'Secret' ? 'secretKeyRef' : 'configMapKeyRef';
  for (const c of [...asList(pod.spec?.initContainers), ...asList(pod.spec?.containers)]) {
    for (const env of asList(c.env)) {
      const ref = env.valueFrom?.[field];
      if (ref?.name === name && ref.key) keys.add(String(ref.key));
    }
  }
  return [...keys].sort();
}

function mountRemediation(problem: Problem): Remediation {
  const mount = problem.details.mount;
  const ns = problem.subject.metadata.namespace ?? 'default';
  if (mount?.kind === 'missing-object' && mount.objectKind && mount.name) {
    if (mount.objectKind === 'PersistentVolumeClaim') {
      return { summary: `Create PersistentVolumeClaim ${ns}/${mount.name} used by volume ${mount.volume ?? '?'}, or fix the claimName.` };
    }
    return {
      summary: `Create ${mount.objectKind} ${ns}/${mount.name} used by volume ${mount.volume ?? '?'} (or set \`optional: true\` on the volume if the pod can start without it).`,
    };
  }
  if (mount?.kind === 'multi-attach') {
    return {
      summary: `Volume ${mount.volume ?? '?'} is ReadWriteOnce and still attached to another node: wait for the old pod to go away (for a Deployment with a RWO claim use strategy Recreate), or check for a stuck VolumeAttachment.`,
    };
  }
  return {
    summary: `Check that the pod's PersistentVolumeClaims are Bound and the CSI driver pods are healthy: \`kubectl describe pod -n ${ns} ${problem.subject.metadata.name}\` shows the mount error.`,
  };
}
