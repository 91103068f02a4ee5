import { asList, fieldEvidence } from './format.js';
import type { K8sObject } from '../schema/snapshot.js';
import type { Evidence } from '../schema/finding.js';
import { eventEvidence } from './events.js';
import type { DiagnosisContext, Problem } from './types.js';

const PRESSURE_TYPES = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/** Deployments whose rollout hit its progress deadline (Progressing=False, ProgressDeadlineExceeded). */
export function detectStuckRollout(deployment: K8sObject, ctx: DiagnosisContext): Problem | undefined {
  const conditions: Record<string, any>[] = asList(deployment.status?.conditions);
  const index = conditions.findIndex((c) => c.type === 'Progressing');
  const cond = conditions[index];
  if (!cond || cond.status !== 'False' || cond.reason !== 'ProgressDeadlineExceeded') return undefined;
  const evidence: Evidence[] = [fieldEvidence(deployment, `status.conditions[${index}].reason`, { timestamp: cond.lastTransitionTime ?? cond.lastUpdateTime, message: cond.message })];
  const generation = deployment.metadata.generation;
  const observed = deployment.status?.observedGeneration;
  if (typeof generation === 'number' && typeof observed === 'number' && observed < generation) {
    evidence.push(fieldEvidence(deployment, 'status.observedGeneration', { message: `metadata.generation is ${generation}: the controller has not processed the latest spec yet` }));
  }
  const unavailable = deployment.status?.unavailableReplicas;
  if (typeof unavailable === 'number') evidence.push(fieldEvidence(deployment, 'status.unavailableReplicas'));
  for (const e of ctx.events.about(deployment).filter((e) => e.type === 'Warning').slice(0, 2)) evidence.push(eventEvidence(e));
  const newRs = /ReplicaSet "([^"]+)"/.exec(String(cond.message ?? ''))?.[1];
  return {
    cause: 'rollout-stuck',
    subject: deployment,
    confidence: 0.9,
    explanation: `Deployment ${deployment.metadata.namespace}/${deployment.metadata.name} stopped progressing: ${trimPeriod(String(cond.message ?? 'progress deadline exceeded'))}.`,
    evidence,
    alternatives: [],
    down: typeof unavailable === 'number' ? unavailable > 0 : true,
    details: { replicaSet: newRs },
  };
}

function trimPeriod(text: string): string {
  return text.replace(/\.+\s*$/, '');
}

/** Node Ready False/Unknown, and Memory/Disk/PID pressure. */
export function detectNodeProblems(node: K8sObject, ctx: DiagnosisContext): Problem[] {
  const conditions: Record<string, any>[] = asList(node.status?.conditions);
  const events = ctx.events.about(node).filter((e) => e.type === 'Warning' || /NotReady|Pressure/.test(e.reason));
  const out: Problem[] = [];
  const readyIndex = conditions.findIndex((c) => c.type === 'Ready');
  const ready = conditions[readyIndex];
  if (ready && (ready.status === 'False' || ready.status === 'Unknown')) {
    const unknown = ready.status === 'Unknown';
    out.push({
      cause: 'node-not-ready',
      subject: node,
      confidence: unknown ? 0.85 : 0.95,
      explanation: unknown
        ? `Node ${node.metadata.name} stopped reporting (Ready=Unknown since ${ready.lastTransitionTime ?? '?'}): the kubelet is down or the node is unreachable; its pods will be evicted after the toleration period.`
        : `Node ${node.metadata.name} is NotReady (${ready.reason ?? '?'}: ${ready.message ?? ''}).`,
      evidence: [
        fieldEvidence(node, `status.conditions[${readyIndex}].status`, { timestamp: ready.lastTransitionTime, message: [ready.reason, ready.message].filter(Boolean).join(': ') || undefined }),
        ...(ready.lastHeartbeatTime ? [fieldEvidence(node, `status.conditions[${readyIndex}].lastHeartbeatTime`)] : []),
        ...events.slice(0, 3).map(eventEvidence),
      ],
      alternatives: [],
      down: true,
      details: {},
    });
  }
  const pressures = PRESSURE_TYPES.map((type) => ({ type, index: conditions.findIndex((c) => c.type === type) })).filter(
    ({ index }) => index >= 0 && conditions[index].status === 'True',
  );
  if (pressures.length > 0) {
    const names = pressures.map((p) => p.type);
    out.push({
      cause: 'node-pressure',
      subject: node,
      confidence: 0.95,
      explanation: `Node ${node.metadata.name} reports ${names.join(', ')}: the kubelet is evicting pods and the scheduler avoids the node.`,
      evidence: [
        ...pressures.map(({ index }) => {
          const c = conditions[index];
          return fieldEvidence(node, `status.conditions[${index}].status`, { timestamp: c.lastTransitionTime, message: [c.type, c.reason, c.message].filter(Boolean).join(': ') });
        }),
        ...events.slice(0, 3).map(eventEvidence),
      ],
      alternatives: [],
      down: false,
      details: { pressures: names },
    });
  }
  return out;
}

export function nodeRemediation(problem: Problem): string {
  const node = problem.subject.metadata.name ?? '?';
  if (problem.cause === 'node-not-ready') {
    return `Check the node: \`kubectl describe node ${node}\`, the kubelet and container runtime logs on it (journalctl -u kubelet), disk and network. If it does not recover, cordon and drain it (\`kubectl drain ${node} --ignore-daemonsets --delete-emptydir-data\`) and replace it.`;
  }
  const kinds = problem.details.pressures ?? [];
  const advice: string[] = [];
  if (kinds.includes('DiskPressure')) {
    advice.push('free disk space: prune unused images (the kubelet image GC thresholds), find pods writing large emptyDir/log volumes and give them ephemeral-storage limits, or enlarge the node root volume');
  }
  if (kinds.includes('MemoryPressure')) advice.push('set memory requests close to real usage so the scheduler does not overcommit the node, or add capacity');
  if (kinds.includes('PIDPressure')) advice.push('find the pod spawning processes (fork bomb, leaked threads) and set a pod PID limit');
  return `On node ${node}: ${advice.join('; ')}.`;
}

/** Pods placed on a node (by spec.nodeName, which works for dumps too). */
export function podsOnNode(node: K8sObject, pods: K8sObject[]): K8sObject[] {
  return pods.filter((p) => p.spec?.nodeName === node.metadata.name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}
