/**
 * The diagnosis agent: what is broken right now, and why. It reads pod, workload and node status
 * plus the Events about them, finds one cause per failing pod, folds pods into their owning
 * workload (one diagnosis per cause per workload), and ranks the result by impact.
 *
 * Everything "recent" is measured against snapshot.capturedAt, so the same snapshot always gives
 * the same diagnoses.
 */
import { asList, fieldEvidence } from './format.js';
import type { Snapshot, K8sObject } from '../schema/snapshot.js';
import type { Diagnosis, DiagnosisCause } from '../schema/diagnosis.js';
import type { Evidence, ResourceRef } from '../schema/finding.js';
import type { ClusterGraph } from '../graph/types.js';
import { keyOf } from '../schema/snapshot.js';
import { shortHash, stableStringify } from '../common/stable-json.js';
import { EventIndex, eventEvidence, HOUR_MS, isRecent } from './events.js';
import { detectPodProblems } from './pod-problems.js';
import { detectNodeProblems, detectStuckRollout, nodeRemediation, podsOnNode } from './cluster-problems.js';
import { remediationFor } from './remediation.js';
import type { Alternative, DiagnosisContext, Problem } from './types.js';

export { detectPodProblems } from './pod-problems.js';
export { parseSchedulerMessage, classifyImagePullMessage, parseConfigErrorMessage, parseMountMessage, exitCodeMeaning } from './messages.js';
export { recommendMemoryLimit } from './remediation.js';

/** Evidence is quoted for this many pods of a workload; the rest are listed by name only. */
const MAX_PODS_WITH_EVIDENCE = 3;
/** Warning events on the ReplicaSet/workload older than this are not quoted. */
const OWNER_EVENT_WINDOW_MS = 24 * HOUR_MS;

/** How much a cause hurts when every replica has it (1 = the workload is down). */
const CAUSE_WEIGHT: Record<DiagnosisCause, number> = {
  'oom-killed': 1,
  'crash-loop': 1,
  'image-pull-failure': 1,
  unschedulable: 1,
  'config-error': 1,
  'mount-failure': 1,
  'not-ready': 0.9,
  evicted: 0.3,
  'rollout-stuck': 0.7,
  'node-not-ready': 1,
  'node-pressure': 0.4,
};

const CAUSE_PHRASE: Record<DiagnosisCause, string> = {
  'oom-killed': 'OOM-killed',
  'crash-loop': 'crash-looping',
  'image-pull-failure': 'unable to pull its image',
  unschedulable: 'unschedulable (Pending)',
  'config-error': 'blocked by a missing Secret/ConfigMap or key',
  'mount-failure': 'stuck mounting volumes',
  'not-ready': 'running but not Ready',
  evicted: 'evicted',
  'rollout-stuck': 'stuck in a rollout',
  'node-not-ready': 'on a NotReady node',
  'node-pressure': 'on a node under pressure',
};

export function diagnose(snapshot: Snapshot, graph: ClusterGraph): Diagnosis[] {
  const ctx = createContext(snapshot, graph);
  const pods = sortByKey(snapshot.objects.Pod ?? []);

  const groups = groupPodProblems(pods, ctx);
  const diagnoses: Diagnosis[] = [...groups.values()].map((g) => workloadDiagnosis(g, ctx));

  for (const deployment of sortByKey(snapshot.objects.Deployment ?? [])) {
    const problem = detectStuckRollout(deployment, ctx);
    if (problem) diagnoses.push(rolloutDiagnosis(problem, pods, groups, diagnoses, ctx));
  }
  for (const node of sortByKey(snapshot.objects.Node ?? [])) {
    for (const problem of detectNodeProblems(node, ctx)) diagnoses.push(nodeDiagnosis(problem, pods, ctx));
  }
  return diagnoses.sort((a, b) => b.impact - a.impact || a.id.localeCompare(b.id));
}

export function createContext(snapshot: Snapshot, graph: ClusterGraph): DiagnosisContext {
  const podMetrics = new Map<string, K8sObject>();
  for (const m of snapshot.objects.PodMetrics ?? []) podMetrics.set(`${m.metadata.namespace ?? ''}/${m.metadata.name ?? ''}`, m);
  const completeKinds = new Set(snapshot.source.type === 'cluster' ? snapshot.coverage.filter((c) => c.status === 'listed').map((c) => c.kind) : []);
  return { graph, events: new EventIndex(snapshot.objects.Event ?? []), capturedAt: referenceTime(snapshot), podMetrics, completeKinds };
}

/**
 * The "now" of the snapshot. A live capture has its capture time. A manifest snapshot (a
 * `kubectl get -o yaml` dump) has the epoch there, so the newest timestamp written in the objects
 * themselves stands in for it: the dump was taken no earlier than that, and it is deterministic.
 */
export function referenceTime(snapshot: Snapshot): string {
  const captured = Date.parse(snapshot.capturedAt);
  if (snapshot.source.type === 'cluster' && Number.isFinite(captured) && captured > 0) return snapshot.capturedAt;
  let newest = Number.isFinite(captured) ? captured : 0;
  const consider = (value: unknown) => {
    if (typeof value !== 'string') return;
    const t = Date.parse(value);
    if (Number.isFinite(t) && t > newest) newest = t;
  };
  for (const e of snapshot.objects.Event ?? []) {
    consider(e.lastTimestamp);
    consider(e.eventTime);
    consider(e.series?.lastObservedTime);
  }
  for (const p of snapshot.objects.Pod ?? []) {
    for (const c of asList(p.status?.conditions)) consider(c.lastTransitionTime);
    for (const cs of [...asList(p.status?.containerStatuses), ...asList(p.status?.initContainerStatuses)]) {
      consider(cs.state?.running?.startedAt);
      consider(cs.state?.terminated?.finishedAt);
      consider(cs.lastState?.terminated?.finishedAt);
    }
  }
  for (const n of snapshot.objects.Node ?? []) for (const c of asList(n.status?.conditions)) consider(c.lastHeartbeatTime);
  return newest > 0 ? new Date(newest).toISOString() : snapshot.capturedAt;
}

// ---------------------------------------------------------------------------------------------

interface ProblemGroup {
  cause: DiagnosisCause;
  workload: K8sObject;
  problems: Problem[];
}

function groupPodProblems(pods: K8sObject[], ctx: DiagnosisContext): Map<string, ProblemGroup> {
  const groups = new Map<string, ProblemGroup>();
  for (const pod of pods) {
    const problems = detectPodProblems(pod, ctx);
    if (problems.length === 0) continue;
    const workload = owningWorkload(pod, ctx.graph);
    for (const problem of problems) {
      const key = `${problem.cause}|${keyOf(workload)}`;
      const group = groups.get(key);
      if (group) group.problems.push(problem);
      else groups.set(key, { cause: problem.cause, workload, problems: [problem] });
    }
  }
  return groups;
}

/**
 * The workload a pod's diagnosis is reported on. In a `kubectl get pods,events -o yaml` dump the
 * owners are often absent; then the controller reference names it (a ReplicaSet named
 * `<deployment>-<pod-template-hash>` stands for its Deployment), so pods still fold together.
 */
export function owningWorkload(pod: K8sObject, graph: ClusterGraph): K8sObject {
  const top = graph.topOwner(pod);
  if (top !== pod) return top;
  const owners = asList(pod.metadata.ownerReferences);
  const ref = owners.find((o) => o.controller === true) ?? owners[0];
  if (!ref || typeof ref.kind !== 'string' || typeof ref.name !== 'string') return pod;
  const namespace = pod.metadata.namespace;
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (ref.kind === 'ReplicaSet' && hash && ref.name.endsWith(`-${hash}`)) {
    return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: ref.name.slice(0, -hash.length - 1), namespace } };
  }
  return {
    apiVersion: typeof ref.apiVersion === 'string' ? ref.apiVersion : 'v1',
    kind: ref.kind,
    metadata: { name: ref.name, namespace, ...(typeof ref.uid === 'string' ? { uid: ref.uid } : {}) },
  };
}

function workloadDiagnosis(group: ProblemGroup, ctx: DiagnosisContext): Diagnosis {
  const { cause, workload } = group;
  const problems = [...group.problems].sort((a, b) => (a.subject.metadata.name ?? '').localeCompare(b.subject.metadata.name ?? ''));
  const resource = ctx.graph.ref(workload);
  const pods = problems.map((p) => p.subject.metadata.name ?? '');
  const desired = desiredReplicas(workload, problems.length);
  const down = problems.filter((p) => p.down).length;
  const rollout = rolloutContext(workload, problems, ctx);

  const evidence = dedupeEvidence([
    ...problems.slice(0, MAX_PODS_WITH_EVIDENCE).flatMap((p) => p.evidence),
    ...workloadStatusEvidence(workload),
    ...ownerChainEvents(problems[0].subject, workload, ctx),
    ...rollout.evidence,
  ]);
  const confidence = Math.max(...problems.map((p) => p.confidence));
  const affected = `${problems.length} of ${desired} pod${desired === 1 ? '' : 's'}`;
  const others = problems.length > MAX_PODS_WITH_EVIDENCE ? ` Evidence quoted for ${MAX_PODS_WITH_EVIDENCE} of ${problems.length} pods.` : '';
  const summary = `${resource.kind} ${displayName(resource)}: ${affected} ${CAUSE_PHRASE[cause]}. ${problems[0].explanation}${rollout.sentence ? ` ${rollout.sentence}` : ''}${others}`;

  const remediation = remediationFor(problems, workload, resource, ctx);
  if (rollout.rollback) remediation.summary = `${remediation.summary} ${rollout.rollback}`;

  return {
    id: shortHash(cause, resource.kind, resource.namespace ?? '', resource.name),
    cause,
    resource,
    podsAffected: problems.length,
    pods,
    confidence,
    impact: workloadImpact(workload, cause, down, problems.length, desired, problems[0].subject, ctx),
    summary,
    hypotheses: hypotheses(cause, confidence, problems[0].explanation, problems.flatMap((p) => p.alternatives)),
    evidence,
    remediation,
  };
}

function rolloutDiagnosis(
  problem: Problem,
  allPods: K8sObject[],
  groups: Map<string, ProblemGroup>,
  existing: Diagnosis[],
  ctx: DiagnosisContext,
): Diagnosis {
  const deployment = problem.subject;
  const resource = ctx.graph.ref(deployment);
  const rsName = problem.details.replicaSet;
  // From the snapshot's pods rather than graph.podsOf, which is empty for manifest dumps.
  const stuckPods = allPods
    .filter((p) => p.metadata.namespace === deployment.metadata.namespace)
    .filter((p) => ctx.graph.topOwner(p) !== p && keyOf(ctx.graph.topOwner(p)) === keyOf(deployment))
    .filter((p) => !rsName || asList(p.metadata.ownerReferences).some((o) => o.name === rsName))
    .filter((p) => !isPodReady(p))
    .map((p) => p.metadata.name ?? '')
    .sort();
  const underlying = [...groups.values()].filter((g) => keyOf(g.workload) === keyOf(deployment) && g.cause !== 'evicted');
  const underlyingDiagnoses = existing.filter((d) => d.resource.kind === resource.kind && d.resource.namespace === resource.namespace && d.resource.name === resource.name);
  const alternatives: Alternative[] = underlying.map((g) => ({
    cause: g.cause,
    confidence: Math.max(...g.problems.map((p) => p.confidence)) * 0.9,
    explanation: `The rollout is blocked because its new pods are ${CAUSE_PHRASE[g.cause]}: ${g.problems[0].explanation}`,
  }));
  const because = underlying.length > 0 ? ` Its new pods are ${underlying.map((g) => CAUSE_PHRASE[g.cause]).join(' and ')}.` : '';
  const fix =
    underlyingDiagnoses.length > 0
      ? `Fix what blocks the new pods first: ${underlyingDiagnoses[0].remediation.summary}`
      : `Look at the new ReplicaSet${rsName ? ` ${rsName}` : ''} and its pods (\`kubectl describe rs\`) for what keeps them from becoming available.`;
  const previous = previousReplicaSet(deployment, rsName, ctx);
  const rollback = previous
    ? ` Or roll back to the previous revision: \`kubectl rollout undo deployment/${resource.name} -n ${resource.namespace}\`.`
    : '';
  const desired = desiredReplicas(deployment, stuckPods.length);
  const unavailable = Number(deployment.status?.unavailableReplicas ?? stuckPods.length);
  return {
    id: shortHash('rollout-stuck', resource.kind, resource.namespace ?? '', resource.name),
    cause: 'rollout-stuck',
    resource,
    podsAffected: stuckPods.length,
    pods: stuckPods,
    confidence: problem.confidence,
    impact: workloadImpact(deployment, 'rollout-stuck', unavailable, stuckPods.length, desired, deployment, ctx),
    summary: `${problem.explanation}${because}`,
    hypotheses: hypotheses('rollout-stuck', problem.confidence, problem.explanation, alternatives),
    evidence: problem.evidence,
    remediation: { summary: `${fix}${rollback}` },
  };
}

function nodeDiagnosis(problem: Problem, pods: K8sObject[], ctx: DiagnosisContext): Diagnosis {
  const node = problem.subject;
  const resource = ctx.graph.ref(node);
  const onNode = podsOnNode(node, pods);
  const running = pods.filter((p) => p.spec?.nodeName && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
  const share = running > 0 ? onNode.length / running : 0;
  const base = problem.cause === 'node-not-ready' ? 100 : 100 * CAUSE_WEIGHT['node-pressure'];
  return {
    id: shortHash(problem.cause, resource.kind, resource.namespace ?? '', resource.name),
    cause: problem.cause,
    resource,
    podsAffected: onNode.length,
    pods: onNode.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort(),
    confidence: problem.confidence,
    impact: round1(base * (0.5 + 0.5 * share)),
    summary: `${problem.explanation} ${onNode.length} pod${onNode.length === 1 ? ' runs' : 's run'} on it.`,
    hypotheses: hypotheses(problem.cause, problem.confidence, problem.explanation, problem.alternatives),
    evidence: problem.evidence,
    remediation: { summary: nodeRemediation(problem) },
  };
}

// ---------------------------------------------------------------------------------------------

interface RolloutContext {
  evidence: Evidence[];
  sentence?: string;
  rollback?: string;
}

/**
 * A Deployment whose failing pods all belong to its newest ReplicaSet while an older one still
 * has ready pods: the failure started with the last rollout, and rolling back is a real option.
 */
function rolloutContext(workload: K8sObject, problems: Problem[], ctx: DiagnosisContext): RolloutContext {
  if (workload.kind !== 'Deployment') return { evidence: [] };
  const sets = ownedReplicaSets(workload, ctx);
  if (sets.length < 2) return { evidence: [] };
  const newest = sets[sets.length - 1];
  const failingInNewest = problems.every((p) => asList(p.subject.metadata.ownerReferences).some((o) => o.name === newest.metadata.name));
  const previous = [...sets.slice(0, -1)].reverse().find((rs) => Number(rs.status?.readyReplicas ?? 0) > 0);
  if (!failingInNewest || !previous) return { evidence: [] };
  const revision = (rs: K8sObject) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '?';
  const changed = imageChanges(previous, newest);
  const evidence: Evidence[] = [
    fieldEvidence(newest, `metadata.annotations["deployment.kubernetes.io/revision"]`, { timestamp: createdAt(newest) }),
    fieldEvidence(previous, 'status.readyReplicas'),
  ];
  const sentence = `The failures started with the rollout to revision ${revision(newest)} (ReplicaSet ${newest.metadata.name}${changed ? `, ${changed}` : ''}); ReplicaSet ${previous.metadata.name} (revision ${revision(previous)}) still has ${previous.status?.readyReplicas} ready pod(s).`;
  const rollback = `If the new revision is at fault, roll back: \`kubectl rollout undo deployment/${workload.metadata.name} -n ${workload.metadata.namespace}\`.`;
  return { evidence, sentence, rollback };
}

function ownedReplicaSets(deployment: K8sObject, ctx: DiagnosisContext): K8sObject[] {
  const uid = deployment.metadata.uid;
  return safe(() => ctx.graph.objectsOfKind('ReplicaSet'), [])
    .filter((rs) => rs.metadata.namespace === deployment.metadata.namespace)
    .filter((rs) => asList(rs.metadata.ownerReferences).some((o) => o.kind === 'Deployment' && (uid ? o.uid === uid : o.name === deployment.metadata.name)))
    .sort((a, b) => revisionOf(a) - revisionOf(b) || (createdAt(a) ?? '').localeCompare(createdAt(b) ?? ''));
}

function previousReplicaSet(deployment: K8sObject, current: string | undefined, ctx: DiagnosisContext): K8sObject | undefined {
  return ownedReplicaSets(deployment, ctx).filter((rs) => rs.metadata.name !== current).pop();
}

function createdAt(obj: K8sObject): string | undefined {
  const t = obj.metadata.creationTimestamp;
  return typeof t === 'string' ? t : undefined;
}

function revisionOf(rs: K8sObject): number {
  return Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) || 0;
}

function imageChanges(previous: K8sObject, newest: K8sObject): string | undefined {
  const images = (rs: K8sObject) => new Map<string, string>(asList(rs.spec?.template?.spec?.containers).map((c: Record<string, any>) => [String(c.name), String(c.image)]));
  const before = images(previous);
  const changes: string[] = [];
  for (const [name, image] of images(newest)) {
    const old = before.get(name);
    if (old && old !== image) changes.push(`${name} image ${old} → ${image}`);
  }
  return changes.length > 0 ? changes.join(', ') : undefined;
}

/** What the controller itself reports as unavailable (Deployment/StatefulSet/DaemonSet status). */
function workloadStatusEvidence(workload: K8sObject): Evidence[] {
  const status = workload.status ?? {};
  const unavailable = workload.kind === 'DaemonSet' ? status.numberUnavailable : status.unavailableReplicas;
  if (typeof unavailable !== 'number' || unavailable <= 0) return [];
  return [fieldEvidence(workload, workload.kind === 'DaemonSet' ? 'status.numberUnavailable' : 'status.unavailableReplicas')];
}

/** Recent Warning events on the pod's ReplicaSet and on the workload (FailedCreate, quota, admission). */
function ownerChainEvents(pod: K8sObject, workload: K8sObject, ctx: DiagnosisContext): Evidence[] {
  const owners: K8sObject[] = [];
  for (const ref of asList(pod.metadata.ownerReferences)) {
    const owner = ctx.graph.get(String(ref.kind), pod.metadata.namespace, String(ref.name));
    if (owner && keyOf(owner) !== keyOf(workload)) owners.push(owner);
  }
  if (workload !== pod) owners.push(workload);
  return owners
    .flatMap((o) => ctx.events.about(o))
    .filter((e) => e.type === 'Warning' && isRecent(e.lastTimestamp, ctx.capturedAt, OWNER_EVENT_WINDOW_MS))
    .slice(0, 2)
    .map(eventEvidence);
}

function hypotheses(cause: DiagnosisCause, confidence: number, explanation: string, alternatives: Alternative[]): Diagnosis['hypotheses'] {
  const best = new Map<DiagnosisCause, Alternative>();
  for (const alt of alternatives) {
    if (alt.cause === cause) continue;
    const existing = best.get(alt.cause);
    if (!existing || alt.confidence > existing.confidence) best.set(alt.cause, alt);
  }
  const rest = [...best.values()]
    .map((a) => ({ ...a, confidence: round2(Math.min(a.confidence, confidence)) }))
    .sort((a, b) => b.confidence - a.confidence || a.cause.localeCompare(b.cause) || a.explanation.localeCompare(b.explanation));
  return [{ cause, confidence, explanation }, ...rest];
}

/**
 * Impact = share of replicas down × cause weight × 100, raised when a Service routes to the
 * workload (users see it), more when an Ingress exposes that Service, and for prioritised pods.
 * A workload whose pods are all still serving (a recent OOM kill on a Ready pod) gets a quarter.
 */
function workloadImpact(workload: K8sObject, cause: DiagnosisCause, down: number, affected: number, desired: number, samplePod: K8sObject, ctx: DiagnosisContext): number {
  const share = down > 0 ? Math.min(1, down / Math.max(desired, 1)) : 0.25 * Math.min(1, affected / Math.max(desired, 1));
  let factor = 1;
  const services = safe(() => ctx.graph.servicesFor(workload), []);
  if (services.length > 0) {
    factor *= 1.5;
    if (services.some((s) => safe(() => ctx.graph.ingressesFor(s), []).length > 0)) factor *= 1.2;
  }
  const priority = Number(samplePod.spec?.priority ?? 0);
  const className = String(samplePod.spec?.priorityClassName ?? podTemplateSpec(workload)?.priorityClassName ?? '');
  if (priority >= 1_000_000_000 || className.startsWith('system-')) factor *= 1.5;
  else if (priority > 0 || /critical|high/i.test(className)) factor *= 1.25;
  return round1(100 * share * CAUSE_WEIGHT[cause] * factor);
}

function podTemplateSpec(workload: K8sObject): Record<string, any> | undefined {
  if (workload.kind === 'Pod') return workload.spec;
  if (workload.kind === 'CronJob') return workload.spec?.jobTemplate?.spec?.template?.spec;
  return workload.spec?.template?.spec;
}

/** Replicas the workload should run; never fewer than the pods we saw failing (surge during a rollout). */
function desiredReplicas(workload: K8sObject, affected: number): number {
  let desired: number;
  switch (workload.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
      desired = Number(workload.spec?.replicas ?? 1);
      break;
    case 'DaemonSet':
      desired = Number(workload.status?.desiredNumberScheduled ?? 0);
      break;
    case 'Job':
      desired = Number(workload.spec?.parallelism ?? 1);
      break;
    default:
      desired = 1;
  }
  return Math.max(Number.isFinite(desired) ? desired : 0, affected, 1);
}

function isPodReady(pod: K8sObject): boolean {
  return asList(pod.status?.conditions).some((c: Record<string, any>) => c.type === 'Ready' && c.status === 'True');
}

function dedupeEvidence(evidence: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const key = stableStringify(e, 0);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function displayName(ref: ResourceRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

function sortByKey(objects: K8sObject[]): K8sObject[] {
  return [...objects].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

/** Graph queries the diagnosis can live without (a partial graph must not stop the diagnosis). */
function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
