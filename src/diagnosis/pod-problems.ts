import type { K8sObject } from '../schema/snapshot.js';
import type { Evidence } from '../schema/finding.js';
import { parseQuantity } from '../common/quantity.js';
import { asList, fieldEvidence } from './format.js';
import { eventEvidence, HOUR_MS, isRecent, msBetween, type ClusterEvent } from './events.js';
import {
  classifyImagePullMessage,
  evictionResource,
  exitCodeMeaning,
  parseConfigErrorMessage,
  parseMountMessage,
  parseSchedulerMessage,
} from './messages.js';
import { analyzeScheduling, capacitySentence } from './scheduling.js';
import type { Alternative, DiagnosisContext, Problem, ProblemDetails } from './types.js';

const IMAGE_PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);
const START_FAILURE_REASONS = new Set(['RunContainerError', 'CreateContainerError', 'StartError', 'ContainerCannotRun']);
/** An OOM kill on a pod that has recovered since still counts when it is this recent. */
const RECENT_TERMINATION_MS = HOUR_MS;
/** Restarts (with the last one recent) that make a running container a crash loop. */
const FLAPPING_RESTARTS = 3;
/** A pod still creating its containers this long after scheduling is stuck, not slow. */
const STUCK_CREATING_MS = 10 * 60 * 1000;
/** At most this many events are quoted per pod and cause. */
const MAX_EVENTS = 3;

interface ContainerStatusAt {
  status: Record<string, any>;
  /** `status.containerStatuses[0]` */
  path: string;
  list: 'containers' | 'initContainers';
}

/** The causes visible on one pod, each with its evidence. Healthy, completed and terminating pods give none. */
export function detectPodProblems(pod: K8sObject, ctx: DiagnosisContext): Problem[] {
  const status = pod.status ?? {};
  if (status.phase === 'Succeeded') return [];
  if (pod.metadata.deletionTimestamp) return [];
  const events = ctx.events.about(pod);

  if (status.reason === 'Evicted') return [evicted(pod, events)];

  const problems: Problem[] = [];
  const scheduled = condition(pod, 'PodScheduled');
  if (scheduled.cond?.status === 'False' && scheduled.cond.reason === 'Unschedulable') {
    problems.push(unschedulable(pod, scheduled.index, scheduled.cond, events, ctx));
    return problems;
  }

  const ready = condition(pod, 'Ready');
  const podReady = ready.cond?.status === 'True';
  // On a node that stopped reporting, container statuses are stale: the node is the cause.
  const lostNode = notReadyNode(pod, ctx);
  if (lostNode && !podReady) return [onNotReadyNode(pod, lostNode, ready.index, ready.cond)];
  for (const cs of containerStatuses(pod)) {
    const problem = containerProblem(pod, cs, podReady, events, ctx);
    if (problem) problems.push(problem);
  }
  if (problems.length === 0 && status.phase === 'Pending' && scheduled.cond?.status === 'True') {
    const mount = mountFailure(pod, scheduled.cond, events, ctx);
    if (mount) problems.push(mount);
  }
  if (problems.length === 0 && status.phase === 'Running' && ready.cond?.status === 'False') {
    problems.push(notReady(pod, ready.index, ready.cond, events));
  }
  return dedupeByCause(problems);
}

// ---------------------------------------------------------------------------------------------

function containerProblem(
  pod: K8sObject,
  cs: ContainerStatusAt,
  podReady: boolean,
  events: ClusterEvent[],
  ctx: DiagnosisContext,
): Problem | undefined {
  const s = cs.status;
  const name = String(s.name ?? '');
  const waiting = s.state?.waiting;
  const lastTerminated = s.lastState?.terminated;
  const terminated = s.state?.terminated;
  const containerEvents = events.filter((e) => !e.involved.fieldPath || e.involved.fieldPath.includes(`{${name}}`));

  if (waiting && IMAGE_PULL_REASONS.has(waiting.reason)) return imagePull(pod, cs, containerEvents);
  if (waiting?.reason === 'CreateContainerConfigError') return configError(pod, cs, containerEvents);

  const killed = terminated ?? lastTerminated;
  const killedPath = terminated ? `${cs.path}.state.terminated` : `${cs.path}.lastState.terminated`;
  const crashLooping = waiting?.reason === 'CrashLoopBackOff';
  const restartedRecently = killed && isRecent(killed.finishedAt, ctx.capturedAt, RECENT_TERMINATION_MS);
  // An old OOM kill on a container that has been running since is history, not a problem.
  const failing = crashLooping || Boolean(terminated);
  if (killed && (failing || restartedRecently)) {
    const oomEvents = events.filter((e) => /oom|out of memory/i.test(`${e.reason} ${e.message}`));
    const oomByNode = nodeOomEvents(pod, ctx);
    if (killed.reason === 'OOMKilled' || (killed.exitCode === 137 && (oomEvents.length > 0 || oomByNode.length > 0))) {
      const backOff = containerEvents.filter((e) => e.reason === 'BackOff');
      return oomKilled(pod, cs, killed, killedPath, [...oomEvents, ...oomByNode, ...backOff], !podReady || crashLooping);
    }
  }
  if (crashLooping || (waiting && START_FAILURE_REASONS.has(waiting.reason))) {
    return crashLoop(pod, cs, killed, killedPath, containerEvents, true);
  }
  // Running right now, but it keeps dying: caught between two crashes.
  const flapping = restartedRecently && killed.exitCode !== 0 && Number(s.restartCount ?? 0) >= FLAPPING_RESTARTS;
  if (flapping) return crashLoop(pod, cs, killed, killedPath, containerEvents, !podReady);
  return undefined;
}

function oomKilled(
  pod: K8sObject,
  cs: ContainerStatusAt,
  killed: Record<string, any>,
  killedPath: string,
  events: ClusterEvent[],
  down: boolean,
): Problem {
  const s = cs.status;
  const name = String(s.name);
  const spec = containerSpec(pod, cs.list, name);
  const memoryLimit = parseQuantity(spec?.resources?.limits?.memory);
  const memoryRequest = parseQuantity(spec?.resources?.requests?.memory);
  const byReason = killed.reason === 'OOMKilled';
  const evidence: Evidence[] = [
    fieldEvidence(pod, `${killedPath}.reason`, { timestamp: killed.finishedAt }),
    fieldEvidence(pod, `${killedPath}.exitCode`),
    fieldEvidence(pod, `${cs.path}.restartCount`),
    fieldEvidence(pod, `spec.${cs.list}[${containerIndex(pod, cs.list, name)}].resources.limits.memory`),
  ];
  if (s.state?.waiting?.reason) evidence.push(fieldEvidence(pod, `${cs.path}.state.waiting.reason`));
  evidence.push(...pickEvents(events));
  const limitText = Number.isFinite(memoryLimit) ? `its memory limit (${spec?.resources?.limits?.memory})` : 'the node memory (no limit set)';
  const alternatives: Alternative[] = [
    {
      cause: 'crash-loop',
      confidence: byReason ? 0.2 : 0.4,
      explanation: byReason
        ? 'The restarts could also come from the application failing on its own once memory is short; check the previous logs (`kubectl logs --previous`).'
        : 'Exit code 137 is also what a failed liveness probe or a forced stop gives.',
    },
  ];
  return {
    cause: 'oom-killed',
    subject: pod,
    confidence: byReason ? 0.95 : 0.75,
    explanation: `Container ${name} of pod ${pod.metadata.name} was OOM-killed (exit ${killed.exitCode ?? 137}) for exceeding ${limitText}; ${s.restartCount ?? 0} restarts.`,
    evidence,
    alternatives,
    down,
    details: {
      container: name,
      containerList: cs.list,
      exitCode: killed.exitCode,
      terminationReason: killed.reason,
      restartCount: s.restartCount ?? 0,
      memoryLimit: Number.isFinite(memoryLimit) ? memoryLimit : undefined,
      memoryRequest: Number.isFinite(memoryRequest) ? memoryRequest : undefined,
    },
  };
}

function crashLoop(
  pod: K8sObject,
  cs: ContainerStatusAt,
  killed: Record<string, any> | undefined,
  killedPath: string,
  events: ClusterEvent[],
  down: boolean,
): Problem {
  const s = cs.status;
  const name = String(s.name);
  const waiting = s.state?.waiting ?? {};
  const exitCode: number | undefined = typeof killed?.exitCode === 'number' ? killed.exitCode : undefined;
  const evidence: Evidence[] = waiting.reason ? [fieldEvidence(pod, `${cs.path}.state.waiting.reason`, { message: waiting.message })] : [];
  if (killed) {
    evidence.push(fieldEvidence(pod, `${killedPath}.exitCode`, { timestamp: killed.finishedAt, message: killed.message }));
    if (killed.reason) evidence.push(fieldEvidence(pod, `${killedPath}.reason`));
  }
  evidence.push(fieldEvidence(pod, `${cs.path}.restartCount`));
  const liveness = events.filter((e) => e.reason === 'Unhealthy' && /liveness probe failed/i.test(e.message));
  const backOff = events.filter((e) => e.reason === 'BackOff' || e.reason === 'Failed');
  evidence.push(...pickEvents([...liveness, ...backOff]));

  const meaning = exitCode !== undefined ? `exit code ${exitCode}: ${exitCodeMeaning(exitCode)}` : undefined;
  const why = [
    meaning,
    killed?.reason && killed.reason !== 'Error' ? `last termination reason ${killed.reason}` : undefined,
    liveness.length > 0 ? `liveness probe failing (${liveness[0].message})` : undefined,
    !killed && waiting.message ? waiting.message : undefined,
  ]
    .filter(Boolean)
    .join('; ');
  const alternatives: Alternative[] = [];
  if (exitCode === 137) {
    alternatives.push({ cause: 'oom-killed', confidence: 0.35, explanation: 'SIGKILL without an OOMKilled reason can still be the kernel OOM killer (node-level OOM).' });
  }
  if (exitCode === 1 || exitCode === 2) {
    alternatives.push({
      cause: 'config-error',
      confidence: 0.3,
      explanation: 'Applications often exit with status 1 on missing configuration, a bad environment variable or an unreachable dependency; read `kubectl logs --previous`.',
    });
  }
  if (liveness.length > 0) {
    alternatives.push({ cause: 'not-ready', confidence: 0.3, explanation: 'The container may be healthy but too slow for its liveness probe (raise initialDelaySeconds or use a startupProbe).' });
  }
  return {
    cause: 'crash-loop',
    subject: pod,
    confidence: exitCode !== undefined || liveness.length > 0 ? 0.9 : 0.8,
    explanation: `Container ${name} of pod ${pod.metadata.name} keeps crashing (${s.restartCount ?? 0} restarts${why ? `; ${why}` : ''}).`,
    evidence,
    alternatives,
    down,
    details: { container: name, containerList: cs.list, exitCode, terminationReason: killed?.reason, restartCount: s.restartCount ?? 0 },
  };
}

function imagePull(pod: K8sObject, cs: ContainerStatusAt, events: ClusterEvent[]): Problem {
  const s = cs.status;
  const name = String(s.name);
  const waiting = s.state.waiting;
  const image = String(containerSpec(pod, cs.list, name)?.image ?? s.image ?? '');
  const pullEvents = events.filter((e) => e.reason === 'Failed' || e.reason === 'BackOff' || e.reason === 'InspectFailed' || e.reason === 'ErrImageNeverPull');
  // The detailed registry error is in the "Failed to pull image" event; the waiting message of
  // ImagePullBackOff only says "Back-off pulling image".
  const texts = [waiting.message ?? '', ...pullEvents.map((e) => e.message)];
  const classified = texts.map(classifyImagePullMessage).find((p) => p !== 'unknown');
  const problem = waiting.reason === 'InvalidImageName' ? 'invalid-name' : waiting.reason === 'ErrImageNeverPull' ? 'never-pull' : (classified ?? 'unknown');
  const what: Record<string, string> = {
    'invalid-name': 'the image reference is invalid',
    'never-pull': 'the image is not on the node and imagePullPolicy is Never',
    'rate-limited': 'the registry rate-limited the pull',
    'not-found': 'the image tag or repository does not exist',
    auth: 'the registry denied access (missing or wrong pull credentials, or the repository does not exist)',
    unreachable: 'the registry could not be reached from the node',
    unknown: 'the pull failed',
  };
  // Evidence: the events that say what went wrong first, then the generic back-off ones.
  const telling = [...pullEvents].sort((a, b) => Number(classifyImagePullMessage(a.message) === 'unknown') - Number(classifyImagePullMessage(b.message) === 'unknown'));
  const evidence: Evidence[] = [
    fieldEvidence(pod, `${cs.path}.state.waiting.reason`, { message: waiting.message }),
    fieldEvidence(pod, `spec.${cs.list}[${containerIndex(pod, cs.list, name)}].image`),
    ...pickEvents(telling),
  ];
  const alternatives: Alternative[] = [];
  return {
    cause: 'image-pull-failure',
    subject: pod,
    confidence: problem === 'unknown' ? 0.85 : 0.95,
    explanation: `Container ${name} of pod ${pod.metadata.name} cannot start: pulling ${image} fails (${waiting.reason}); ${what[problem]}.`,
    evidence,
    alternatives,
    down: true,
    details: { container: name, containerList: cs.list, image, imageProblem: problem },
  };
}

function configError(pod: K8sObject, cs: ContainerStatusAt, events: ClusterEvent[]): Problem {
  const s = cs.status;
  const name = String(s.name);
  const waiting = s.state.waiting;
  const failed = events.filter((e) => e.reason === 'Failed');
  const texts = [waiting.message ?? '', ...failed.map((e) => e.message)];
  const parsed = texts.map(parseConfigErrorMessage).find((p) => p.kind !== 'other') ?? { kind: 'other' as const };
  const config = { ...parsed, namespace: parsed.namespace ?? pod.metadata.namespace };
  const missing =
    config.kind === 'missing-key'
      ? `key ${config.key} is missing from ${config.objectKind} ${config.namespace}/${config.name}`
      : config.kind === 'missing-object'
        ? `${config.objectKind} ${config.namespace}/${config.name} does not exist`
        : config.kind === 'run-as-root'
          ? 'runAsNonRoot is set but the image runs as root (set runAsUser to a non-zero UID)'
          : (waiting.message ?? 'its configuration cannot be built');
  return {
    cause: 'config-error',
    subject: pod,
    confidence: config.kind === 'other' ? 0.75 : 0.95,
    explanation: `Container ${name} of pod ${pod.metadata.name} cannot be created: ${missing}.`,
    evidence: [
      fieldEvidence(pod, `${cs.path}.state.waiting.reason`, { message: waiting.message }),
      ...referenceEvidence(pod, config.objectKind, config.name, config.key),
      ...pickEvents(failed),
    ],
    alternatives: [],
    down: true,
    details: { container: name, containerList: cs.list, config },
  };
}

function unschedulable(pod: K8sObject, index: number, cond: Record<string, any>, events: ClusterEvent[], ctx: DiagnosisContext): Problem {
  const message = String(cond.message ?? '');
  const scheduling = events.filter((e) => e.reason === 'FailedScheduling');
  // The condition holds the scheduler's last message; an event can be more telling (the
  // condition of a dump is sometimes empty). The first text with a recognised reason wins.
  const texts = [message, ...scheduling.map((e) => e.message)].filter((t) => t.trim().length > 0);
  const parsedTexts = texts.map((t) => ({ text: t, parsed: parseSchedulerMessage(t) }));
  const chosen = parsedTexts.find((p) => p.parsed.reasons.some((r) => r.kind !== 'other')) ?? parsedTexts[0] ?? { text: '', parsed: parseSchedulerMessage('') };
  const { text, parsed } = chosen;
  const requests = podRequests(pod);
  const analysis = analyzeScheduling(pod, parsed, requests, ctx);
  const alternatives: Alternative[] = [];
  if (parsed.reasons.some((r) => r.kind === 'volume')) {
    alternatives.push({ cause: 'mount-failure', confidence: 0.4, explanation: 'A volume the pod needs is bound to a PersistentVolume in a zone or on a node no schedulable node matches; check the PersistentVolume\'s node affinity and the PVC events.' });
  }
  const blockers = analysis.blockers.map((b) => b.what).join('; ');
  const fit = analysis.capacity ? ` ${capacitySentence(analysis.capacity)}` : '';
  return {
    cause: 'unschedulable',
    subject: pod,
    confidence: parsed.reasons.some((r) => r.kind !== 'other') ? 0.95 : 0.85,
    explanation: `Pod ${pod.metadata.name} cannot be scheduled: ${blockers || withoutPreemption(text) || 'the scheduler gave no reason'}.${fit}`,
    evidence: [
      fieldEvidence(pod, `status.conditions[${index}].reason`, { timestamp: cond.lastTransitionTime, message: message || undefined }),
      ...requestEvidence(pod),
      ...analysis.blockers.flatMap((b) => b.evidence),
      ...pickEvents(scheduling),
    ],
    alternatives,
    down: true,
    details: { schedulingReasons: parsed.reasons, schedulerMessage: text, requests, scheduling: analysis },
  };
}

function mountFailure(pod: K8sObject, scheduledCond: Record<string, any>, events: ClusterEvent[], ctx: DiagnosisContext): Problem | undefined {
  const mountEvents = events.filter((e) => e.reason === 'FailedMount' || e.reason === 'FailedAttachVolume');
  const stuckFor = msBetween(scheduledCond.lastTransitionTime, ctx.capturedAt);
  const creating = containerStatuses(pod).filter((cs) => cs.status.state?.waiting?.reason === 'ContainerCreating' || cs.status.state?.waiting?.reason === 'PodInitializing');
  const hasVolumes = asList(pod.spec?.volumes).some((v: Record<string, any>) => v.persistentVolumeClaim || v.secret || v.configMap || v.csi || v.nfs);
  const stuck = Number.isFinite(stuckFor) && stuckFor >= STUCK_CREATING_MS;
  if (mountEvents.length === 0 && !(stuck && hasVolumes && (creating.length > 0 || !pod.status?.containerStatuses))) return undefined;
  const mount = mountEvents.map((e) => parseMountMessage(e.message)).find((m) => m.kind !== 'other') ?? parseMountMessage(mountEvents[0]?.message ?? '');
  const evidence: Evidence[] = [];
  if (creating[0]) evidence.push(fieldEvidence(pod, `${creating[0].path}.state.waiting.reason`));
  evidence.push(fieldEvidence(pod, 'status.phase', { timestamp: scheduledCond.lastTransitionTime, message: Number.isFinite(stuckFor) ? `scheduled ${Math.round(stuckFor / 60000)} min before capture` : undefined }));
  evidence.push(...pickEvents(mountEvents));
  const what =
    mount.kind === 'missing-object'
      ? `${mount.objectKind} ${mount.name} used by volume ${mount.volume ?? '?'} does not exist`
      : mount.kind === 'multi-attach'
        ? `volume ${mount.volume ?? '?'} is still attached to another node (ReadWriteOnce)`
        : mount.kind === 'timeout'
          ? `volume ${mount.volume ?? '?'} could not be attached/mounted in time`
          : mountEvents.length > 0
            ? mountEvents[0].message
            : 'its volumes are not mounted';
  return {
    cause: 'mount-failure',
    subject: pod,
    confidence: mountEvents.length > 0 ? 0.9 : 0.5,
    explanation: `Pod ${pod.metadata.name} is stuck creating its containers: ${what}.`,
    evidence,
    alternatives: mountEvents.length > 0 ? [] : [{ cause: 'image-pull-failure', confidence: 0.2, explanation: 'A slow image pull also keeps a pod in ContainerCreating.' }],
    down: true,
    details: { mount },
  };
}

function notReady(pod: K8sObject, index: number, cond: Record<string, any>, events: ClusterEvent[]): Problem {
  const probeEvents = events.filter((e) => e.reason === 'Unhealthy' && /readiness probe/i.test(e.message));
  const unready = containerStatuses(pod).filter((cs) => cs.status.ready === false);
  const evidence: Evidence[] = [fieldEvidence(pod, `status.conditions[${index}].status`, { timestamp: cond.lastTransitionTime, message: cond.message })];
  for (const cs of unready) evidence.push(fieldEvidence(pod, `${cs.path}.ready`));
  evidence.push(...pickEvents(probeEvents));
  const probeMessage = probeEvents[0]?.message;
  return {
    cause: 'not-ready',
    subject: pod,
    confidence: probeEvents.length > 0 ? 0.85 : 0.6,
    explanation: `Pod ${pod.metadata.name} is running but not Ready${probeMessage ? `: ${probeMessage}` : ''}; Services send it no traffic.`,
    evidence,
    alternatives: [],
    down: true,
    details: { container: unready[0] ? String(unready[0].status.name) : undefined, probeMessage },
  };
}

function evicted(pod: K8sObject, events: ClusterEvent[]): Problem {
  const message = String(pod.status?.message ?? '');
  const resource = evictionResource(message) ?? evictionResource(events.find((e) => e.reason === 'Evicted')?.message ?? '');
  return {
    cause: 'evicted',
    subject: pod,
    confidence: 0.95,
    explanation: `Pod ${pod.metadata.name} was evicted${pod.spec?.nodeName ? ` from node ${pod.spec.nodeName}` : ''}: ${message || 'no message'}`,
    evidence: [
      fieldEvidence(pod, 'status.reason', { message: message || undefined }),
      ...pickEvents(events.filter((e) => e.reason === 'Evicted')),
    ],
    alternatives: [{ cause: 'node-pressure', confidence: 0.5, explanation: `The node was under ${resource ?? 'resource'} pressure; other pods on it may follow.` }],
    // The controller has replaced an evicted pod; it is a leftover, not a down replica.
    down: false,
    details: { evictedResource: resource },
  };
}

function onNotReadyNode(pod: K8sObject, node: { obj: K8sObject; index: number; cond: Record<string, any> }, readyIndex: number, readyCond: Record<string, any> | undefined): Problem {
  const nodeName = node.obj.metadata.name ?? '?';
  const evidence: Evidence[] = [];
  if (readyCond) evidence.push(fieldEvidence(pod, `status.conditions[${readyIndex}].status`, { timestamp: readyCond.lastTransitionTime, message: readyCond.message }));
  evidence.push(fieldEvidence(node.obj, `status.conditions[${node.index}].status`, { timestamp: node.cond.lastTransitionTime, message: node.cond.message }));
  return {
    cause: 'node-not-ready',
    subject: pod,
    confidence: 0.9,
    explanation: `Pod ${pod.metadata.name} runs on node ${nodeName}, which is ${node.cond.status === 'Unknown' ? 'not reporting (Ready=Unknown)' : 'NotReady'}; it serves nothing until it is recreated elsewhere.`,
    evidence,
    alternatives: [],
    down: true,
    details: { node: nodeName },
  };
}

// ---------------------------------------------------------------------------------------------

function notReadyNode(pod: K8sObject, ctx: DiagnosisContext): { obj: K8sObject; index: number; cond: Record<string, any> } | undefined {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return undefined;
  const obj = ctx.graph.get('Node', undefined, nodeName);
  const conditions: Record<string, any>[] = asList(obj?.status?.conditions);
  const index = conditions.findIndex((c) => c.type === 'Ready');
  if (!obj || index < 0 || conditions[index].status === 'True') return undefined;
  return { obj, index, cond: conditions[index] };
}

/** Pod-level OOM events the kernel/node-problem-detector attach to the node ("OOMKilling"). */
function nodeOomEvents(pod: K8sObject, ctx: DiagnosisContext): ClusterEvent[] {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return [];
  const node = ctx.graph.get('Node', undefined, nodeName);
  if (!node) return [];
  const podName = pod.metadata.name ?? '';
  return ctx.events.about(node).filter((e) => e.reason === 'OOMKilling' && e.message.includes(podName));
}

export function containerStatuses(pod: K8sObject): ContainerStatusAt[] {
  const out: ContainerStatusAt[] = [];
  asList(pod.status?.initContainerStatuses).forEach((status: Record<string, any>, i: number) =>
    out.push({ status, path: `status.initContainerStatuses[${i}]`, list: 'initContainers' }),
  );
  asList(pod.status?.containerStatuses).forEach((status: Record<string, any>, i: number) =>
    out.push({ status, path: `status.containerStatuses[${i}]`, list: 'containers' }),
  );
  return out;
}

function condition(pod: K8sObject, type: string): { cond?: Record<string, any>; index: number } {
  const conditions: Record<string, any>[] = asList(pod.status?.conditions);
  const index = conditions.findIndex((c) => c.type === type);
  return { cond: index >= 0 ? conditions[index] : undefined, index };
}

function containerSpec(pod: K8sObject, list: 'containers' | 'initContainers', name: string): Record<string, any> | undefined {
  return asList(pod.spec?.[list]).find((c: Record<string, any>) => c.name === name);
}

function containerIndex(pod: K8sObject, list: 'containers' | 'initContainers', name: string): number {
  return Math.max(0, asList(pod.spec?.[list]).findIndex((c: Record<string, any>) => c.name === name));
}

/** Where the pod spec references the missing Secret/ConfigMap (env valueFrom, envFrom, volumes). */
function referenceEvidence(pod: K8sObject, kind: 'Secret' | 'ConfigMap' | undefined, name: string | undefined, key: string | undefined): Evidence[] {
  if (!kind || !name) return [];
  const keyRef = kind === 'Secret' ? 'secretKeyRef' : 'configMapKeyRef';
  const fromRef = kind === 'Secret' ? 'secretRef' : 'configMapRef';
  const out: Evidence[] = [];
  for (const list of ['initContainers', 'containers'] as const) {
    asList(pod.spec?.[list]).forEach((c: Record<string, any>, ci: number) => {
      asList(c.env).forEach((env: Record<string, any>, ei: number) => {
        const ref = env.valueFrom?.[keyRef];
        if (ref?.name === name && (!key || ref.key === key)) out.push(fieldEvidence(pod, `spec.${list}[${ci}].env[${ei}].valueFrom.${keyRef}.name`, { message: `key ${ref.key}` }));
      });
      asList(c.envFrom).forEach((from: Record<string, any>, fi: number) => {
        if (from[fromRef]?.name === name) out.push(fieldEvidence(pod, `spec.${list}[${ci}].envFrom[${fi}].${fromRef}.name`));
      });
    });
  }
  asList(pod.spec?.volumes).forEach((v: Record<string, any>, vi: number) => {
    if (kind === 'Secret' && v.secret?.secretName === name) out.push(fieldEvidence(pod, `spec.volumes[${vi}].secret.secretName`));
    if (kind === 'ConfigMap' && v.configMap?.name === name) out.push(fieldEvidence(pod, `spec.volumes[${vi}].configMap.name`));
  });
  return out.slice(0, 3);
}

/** The scheduler's message without the preemption part, which repeats the count and adds nothing. */
function withoutPreemption(message: string): string {
  const cut = message.search(/\.?\s*preemption:/);
  return (cut >= 0 ? message.slice(0, cut) : message).replace(/\.+\s*$/, '');
}

/** The container requests, as the scheduler saw them: one field each, so every quantity is shown on its own. */
function requestEvidence(pod: K8sObject): Evidence[] {
  return asList(pod.spec?.containers).flatMap((c: Record<string, any>, i: number) =>
    Object.keys(c.resources?.requests ?? {})
      .sort()
      .map((resource) => fieldEvidence(pod, `spec.containers[${i}].resources.requests${fieldKey(resource)}`)),
  );
}

/** `.cpu`, or `["hugepages-2Mi"]`-style for a key that is not a plain identifier. */
function fieldKey(key: string): string {
  return /^[A-Za-z0-9_$-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** What the scheduler counts: sum over containers, or the largest init container when bigger. */
export function podRequests(pod: K8sObject): { cpu: number; memory: number } {
  const sum = { cpu: 0, memory: 0 };
  for (const c of asList(pod.spec?.containers)) {
    sum.cpu += quantityOrZero(c.resources?.requests?.cpu);
    sum.memory += quantityOrZero(c.resources?.requests?.memory);
  }
  for (const c of asList(pod.spec?.initContainers)) {
    sum.cpu = Math.max(sum.cpu, quantityOrZero(c.resources?.requests?.cpu));
    sum.memory = Math.max(sum.memory, quantityOrZero(c.resources?.requests?.memory));
  }
  return sum;
}

function quantityOrZero(q: unknown): number {
  const v = parseQuantity(q as string | undefined);
  return Number.isFinite(v) ? v : 0;
}

function pickEvents(events: ClusterEvent[]): Evidence[] {
  const seen = new Set<ClusterEvent>();
  const out: Evidence[] = [];
  for (const e of events) {
    if (seen.has(e)) continue;
    seen.add(e);
    out.push(eventEvidence(e));
    if (out.length >= MAX_EVENTS) break;
  }
  return out;
}

function dedupeByCause(problems: Problem[]): Problem[] {
  const byCause = new Map<string, Problem>();
  for (const p of problems) {
    const existing = byCause.get(p.cause);
    if (!existing || p.confidence > existing.confidence) byCause.set(p.cause, p);
  }
  return [...byCause.values()];
}

export type { ProblemDetails };
