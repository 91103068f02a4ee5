/**
 * What keeps a Pending pod off every node. The scheduler's message says which filter each node
 * failed; this turns it into named blockers (no nodes, an unbound claim, node selector/affinity,
 * taints, capacity, ...) and checks each against the snapshot: which label no node has, which
 * taint and its effect, why the claim is Pending, the request against the largest node. The
 * summary and the remediation are both built from these blockers, so they cannot disagree.
 */
import type { K8sObject } from '../schema/snapshot.js';
import type { Evidence } from '../schema/finding.js';
import { formatCpu } from '../common/quantity.js';
import { asList, fieldEvidence, humanMemory } from './format.js';
import { eventEvidence } from './events.js';
import type { SchedulerMessage, SchedulingReason, SchedulingReasonKind } from './messages.js';
import type { DiagnosisContext } from './types.js';

export interface SchedulingBlocker {
  kind: SchedulingReasonKind;
  /** Nodes that failed on this blocker (undefined for pod-level blockers such as an unbound claim). */
  nodes?: number;
  /** What blocks, as a clause of the summary ("no node has the label disktype=ssd"). */
  what: string;
  /** What to do about it, one or two sentences of the remediation. */
  fix: string;
  evidence: Evidence[];
}

/** The pod's requests against the largest node, when capacity is (one of) the blockers or it can never fit. */
export interface CapacityFit {
  requests: { cpu: number; memory: number };
  largest: { cpu: number; memory: number; node: string };
  cpuNever: boolean;
  memNever: boolean;
}

export interface SchedulingAnalysis {
  blockers: SchedulingBlocker[];
  capacity?: CapacityFit;
}

/** Pod-level blockers first (no node is even tried), then the per-node filters, capacity last. */
const BLOCKER_ORDER: SchedulingReasonKind[] = [
  'no-nodes',
  'unbound-pvc',
  'node-selector',
  'taint',
  'volume',
  'pod-affinity',
  'cordoned',
  'ports',
  'insufficient',
  'too-many-pods',
  'other',
];

const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export function analyzeScheduling(pod: K8sObject, parsed: SchedulerMessage, requests: { cpu: number; memory: number }, ctx: DiagnosisContext): SchedulingAnalysis {
  const reasons = parsed.reasons;
  const of = (n: number | undefined) => nodeCount(n, parsed.total);
  const blockers: SchedulingBlocker[] = [];
  const noNodes = reasons.some((r) => r.kind === 'no-nodes');
  if (noNodes) blockers.push(noNodesBlocker(ctx));
  for (const r of reasons) {
    if (r.kind === 'unbound-pvc') blockers.push(claimBlocker(pod, r, ctx));
    if (r.kind === 'node-selector') blockers.push(selectorBlocker(pod, of(r.nodes), ctx));
    if (r.kind === 'taint') blockers.push(taintBlocker(r, of(r.nodes), ctx, reasons.some((o) => o.kind !== 'taint')));
    if (r.kind === 'volume') {
      blockers.push({
        kind: 'volume',
        nodes: r.nodes,
        what: `${of(r.nodes)} ${verb(r.nodes, 'conflicts', 'conflict')} with its volumes (${stripCount(r.text)})`,
        fix: `A volume blocks scheduling (${stripCount(r.text)}): check that the PersistentVolume's zone/node affinity matches a node with room.`,
        evidence: [],
      });
    }
    if (r.kind === 'pod-affinity') {
      blockers.push({
        kind: 'pod-affinity',
        nodes: r.nodes,
        what: `${of(r.nodes)} ${verb(r.nodes, 'fails', 'fail')} its pod (anti-)affinity or topology spread rules`,
        fix: `${of(r.nodes)} ${verb(r.nodes, 'fails', 'fail')} the pod (anti-)affinity or topology spread rules: relax them or add nodes in the needed zones.`,
        evidence: [],
      });
    }
    if (r.kind === 'cordoned') {
      blockers.push({ kind: 'cordoned', nodes: r.nodes, what: `${of(r.nodes)} ${verb(r.nodes, 'is', 'are')} cordoned`, fix: `${of(r.nodes)} ${verb(r.nodes, 'is', 'are')} cordoned: uncordon them or add nodes.`, evidence: [] });
    }
    if (r.kind === 'ports') {
      blockers.push({ kind: 'ports', nodes: r.nodes, what: `${of(r.nodes)} already ${verb(r.nodes, 'uses', 'use')} its hostPort`, fix: `${of(r.nodes)} already ${verb(r.nodes, 'uses', 'use')} the requested hostPort: drop the hostPort or add nodes.`, evidence: [] });
    }
    if (r.kind === 'too-many-pods') {
      blockers.push({
        kind: 'too-many-pods',
        nodes: r.nodes,
        what: `${of(r.nodes)} ${verb(r.nodes, 'has', 'have')} reached its pod limit (Too many pods)`,
        fix: `${of(r.nodes)} ${verb(r.nodes, 'has', 'have')} no pod slot left (status.allocatable.pods): add nodes or raise the kubelet's maxPods.`,
        evidence: [],
      });
    }
    if (r.kind === 'other') blockers.push({ kind: 'other', nodes: r.nodes, what: r.text, fix: `The scheduler also reports "${r.text}".`, evidence: [] });
  }

  const short = reasons.filter((r) => r.kind === 'insufficient');
  const largest = ctx.graph.largestNodeAllocatable();
  const shortOfCpuOrMemory = short.some((r) => r.detail === 'cpu' || r.detail === 'memory');
  const never = largest !== undefined && (requests.cpu > largest.cpu || requests.memory > largest.memory);
  // A pod too big for every node is worth saying whatever else blocks it; "it would fit once
  // capacity frees up" only when the scheduler itself says capacity is short.
  const capacity =
    largest && !noNodes && (shortOfCpuOrMemory || never)
      ? { requests, largest, cpuNever: requests.cpu > largest.cpu, memNever: requests.memory > largest.memory }
      : undefined;
  if (short.length > 0) blockers.push(insufficientBlocker(short, of, capacity));
  else if (capacity) blockers.push({ kind: 'insufficient', what: 'it is bigger than any node', fix: capacityFix(capacity, short), evidence: [] });

  const rank = (b: SchedulingBlocker) => BLOCKER_ORDER.indexOf(b.kind);
  return { blockers: blockers.map((b, i) => ({ b, i })).sort((x, y) => rank(x.b) - rank(y.b) || x.i - y.i).map(({ b }) => b), ...(capacity ? { capacity } : {}) };
}

/** "It requests 6 CPU / 24Gi; the largest node has 3920m CPU / 14.2Gi allocatable, so it can never fit on the current nodes." */
export function capacitySentence(fit: CapacityFit): string {
  const sentence = `It requests ${formatCpu(fit.requests.cpu)} CPU / ${humanMemory(fit.requests.memory)}; the largest node has ${formatCpu(fit.largest.cpu)} CPU / ${humanMemory(fit.largest.memory)} allocatable`;
  return fit.cpuNever || fit.memNever ? `${sentence}, so it can never fit on the current nodes.` : `${sentence}, so it would fit once capacity frees up.`;
}

// ---------------------------------------------------------------------------------------------

function noNodesBlocker(ctx: DiagnosisContext): SchedulingBlocker {
  const nodes = ctx.graph.objectsOfKind('Node').length;
  // The message can predate nodes that joined since; say so rather than contradict the snapshot.
  const now = nodes > 0 ? ` (the snapshot lists ${nodes} node${nodes === 1 ? '' : 's'} now, which joined after the message)` : '';
  return {
    kind: 'no-nodes',
    nodes: 0,
    what: `the cluster has no nodes to schedule it on${now}`,
    fix: 'There is no node to run it: add nodes, or check that the node group / cluster autoscaler is running and that its nodes registered (`kubectl get nodes`). The pod is scheduled as soon as a node that fits it joins; its requests are not the problem.',
    evidence: [],
  };
}

function insufficientBlocker(short: SchedulingReason[], of: (n: number | undefined) => string, capacity: CapacityFit | undefined): SchedulingBlocker {
  const what = short.map((r) => `insufficient ${r.detail ?? 'resources'} on ${of(r.nodes)}`).join(', ');
  return { kind: 'insufficient', nodes: Math.max(...short.map((r) => r.nodes ?? 0)), what, fix: capacityFix(capacity, short), evidence: [] };
}

function capacityFix(capacity: CapacityFit | undefined, short: SchedulingReason[]): string {
  const others = [...new Set(short.map((r) => r.detail ?? '').filter((d) => d && d !== 'cpu' && d !== 'memory'))];
  const otherText = others.length > 0 ? ` No node has enough free ${others.join(', ')}: add nodes that offer it (see their status.allocatable) or lower that request.` : '';
  if (!capacity) {
    return others.length > 0 ? otherText.trim() : 'The nodes have too little free CPU/memory for it: add nodes (or let the cluster autoscaler), lower the requests, or free capacity.';
  }
  const { requests, largest, cpuNever, memNever } = capacity;
  if (cpuNever || memNever) {
    const needs = [cpuNever ? `${formatCpu(requests.cpu)} CPU` : '', memNever ? `${humanMemory(requests.memory)} memory` : ''].filter(Boolean).join(' and ');
    const has = `${formatCpu(largest.cpu)} CPU / ${humanMemory(largest.memory)} allocatable`;
    return `It can never fit: it requests ${needs} but the largest node (${largest.node}) has ${has}. Lower the requests below that (minus what DaemonSets use), or add a node pool with at least ${formatCpu(Math.max(requests.cpu, largest.cpu))} CPU and ${humanMemory(Math.max(requests.memory, largest.memory))} allocatable.${otherText}`;
  }
  return `The pod (${formatCpu(requests.cpu)} CPU / ${humanMemory(requests.memory)} requested) would fit an empty node but no node has that much free: add nodes (or let the cluster autoscaler), lower the requests, or free capacity.${otherText}`;
}

function taintBlocker(reason: SchedulingReason, count: string, ctx: DiagnosisContext, otherBlockers: boolean): SchedulingBlocker {
  const detail = reason.detail ?? '';
  const colon = detail.indexOf(':');
  const key = (colon >= 0 ? detail.slice(0, colon) : detail).trim();
  const value = colon >= 0 ? detail.slice(colon + 1).trim() : '';
  const evidence: Evidence[] = [];
  let effect: string | undefined;
  for (const node of sortedNodes(ctx)) {
    const taints: Record<string, any>[] = asList(node.spec?.taints);
    const index = taints.findIndex((t) => t.key === key && String(t.value ?? '') === value);
    if (index < 0) continue;
    effect ??= typeof taints[index].effect === 'string' ? taints[index].effect : undefined;
    if (evidence.length < 2) evidence.push(fieldEvidence(node, `spec.taints[${index}].key`, { message: `${key}${value ? `=${value}` : ''}:${taints[index].effect ?? ''}` }));
  }
  const toleration = [`key: ${key}`, value ? `operator: Equal, value: ${value}` : 'operator: Exists', effect ? `effect: ${effect}` : ''].filter(Boolean).join(', ');
  const has = verb(reason.nodes, 'has', 'have');
  return {
    kind: 'taint',
    nodes: reason.nodes,
    what: `${count} ${has} the taint {${detail}} it does not tolerate`,
    fix: `${count} ${has} the taint {${detail}} the pod does not tolerate: if it is meant to run there, add the toleration {${toleration}} to its pod template; ${
      otherBlockers
        ? 'otherwise those nodes are reserved on purpose and the other blockers are the ones to fix.'
        : `otherwise give it nodes without that taint (add a node pool, or remove the taint: \`kubectl taint nodes NODE ${key}${value ? `=${value}` : ''}${effect ? `:${effect}` : ''}-\`).`
    }`,
    evidence,
  };
}

function selectorBlocker(pod: K8sObject, count: string, ctx: DiagnosisContext): SchedulingBlocker {
  const nodes = sortedNodes(ctx);
  const selector: Record<string, unknown> = isRecord(pod.spec?.nodeSelector) ? pod.spec.nodeSelector : {};
  const terms: Record<string, any>[] = asList(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms);
  const evidence: Evidence[] = [];
  const findings: string[] = [];
  const fixes: string[] = [];
  const entries = Object.entries(selector).map(([k, v]) => [k, String(v)] as const).sort(([a], [b]) => a.localeCompare(b));
  const labelsOf = (node: K8sObject): Record<string, string> => (isRecord(node.metadata.labels) ? (node.metadata.labels as Record<string, string>) : {});

  if (entries.length > 0) {
    const missing = nodes.length > 0 ? entries.filter(([k, v]) => !nodes.some((n) => labelsOf(n)[k] === v)) : entries;
    for (const [k, v] of missing.length > 0 ? missing : entries) evidence.push(fieldEvidence(pod, `spec.nodeSelector${keySegment(k)}`));
    const labels = (list: readonly (readonly [string, string])[]) => list.map(([k, v]) => `${k}=${v}`).join(', ');
    if (nodes.length === 0) {
      findings.push(`it asks for ${labels(entries)}`);
      fixes.push(`Its nodeSelector asks for ${labels(entries)}: check those labels against \`kubectl get nodes --show-labels\`.`);
    } else if (missing.length > 0) {
      findings.push(`no node has the label${missing.length > 1 ? 's' : ''} ${labels(missing)}`);
      fixes.push(
        `No node has the label${missing.length > 1 ? 's' : ''} ${labels(missing)} that its spec.nodeSelector asks for: label the nodes meant to run it (\`kubectl label node NODE ${missing.map(([k, v]) => `${k}=${v}`).join(' ')}\`) or fix the nodeSelector in the pod template.`,
      );
    } else if (!nodes.some((n) => entries.every(([k, v]) => labelsOf(n)[k] === v))) {
      findings.push(`no node has all of the labels ${labels(entries)}`);
      fixes.push(`No node has all of the labels ${labels(entries)} its spec.nodeSelector asks for together: label one node pool with all of them or drop the ones it does not need.`);
    }
  }
  if (terms.length > 0) {
    const described = terms.map((t) => asList(t.matchExpressions).map(describeExpression).join(' and ')).filter(Boolean);
    const satisfied = nodes.some((n) => terms.some((t) => termMatches(t, labelsOf(n))));
    if (described.length > 0 && (nodes.length === 0 || !satisfied)) {
      const text = described.join(' or ');
      terms.forEach((t, ti) =>
        asList(t.matchExpressions).forEach((e: Record<string, any>, ei: number) => {
          if (evidence.length < 4) {
            evidence.push(fieldEvidence(pod, `spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${ti}].matchExpressions[${ei}].key`, { message: describeExpression(e) }));
          }
        }),
      );
      findings.push(nodes.length === 0 ? `its required node affinity asks for ${text}` : `no node matches its required node affinity ${text}`);
      fixes.push(`${nodes.length === 0 ? 'Its required node affinity asks for' : 'No node satisfies its required node affinity:'} ${text}; fix the affinity in the pod template or label the nodes meant to run it.`);
    }
  }
  const does = count.startsWith('1 ') ? 'does' : 'do';
  return {
    kind: 'node-selector',
    what: `${count} ${does} not match its node selector/affinity${findings.length > 0 ? ` (${findings.join('; ')})` : ''}`,
    fix:
      fixes.length > 0
        ? fixes.join(' ')
        : `${count} ${does} not match the pod's nodeSelector/node affinity: check the labels it asks for against \`kubectl get nodes --show-labels\`.`,
    evidence,
  };
}

function claimBlocker(pod: K8sObject, reason: SchedulingReason, ctx: DiagnosisContext): SchedulingBlocker {
  const namespace = pod.metadata.namespace;
  const claims = asList(pod.spec?.volumes)
    .map((v: Record<string, any>, i: number) => ({ name: v.persistentVolumeClaim?.claimName as string | undefined, i }))
    .filter((c): c is { name: string; i: number } => typeof c.name === 'string');
  const evidence: Evidence[] = [];
  const whats: string[] = [];
  const fixes: string[] = [];
  const pvcListed = ctx.completeKinds.has('PersistentVolumeClaim');
  for (const claim of claims) {
    const pvc = ctx.graph.get('PersistentVolumeClaim', namespace, claim.name);
    if (!pvc) {
      if (reason.detail !== undefined && reason.detail !== claim.name) continue;
      const gone = reason.detail === claim.name || pvcListed;
      evidence.push(fieldEvidence(pod, `spec.volumes[${claim.i}].persistentVolumeClaim.claimName`));
      whats.push(`PersistentVolumeClaim ${claim.name} ${gone ? 'does not exist' : 'is not in the snapshot'}`);
      fixes.push(`Create PersistentVolumeClaim ${namespace}/${claim.name}, or fix the claimName in the pod template.`);
      continue;
    }
    const phase = typeof pvc.status?.phase === 'string' ? pvc.status.phase : undefined;
    if (phase === 'Bound') continue;
    evidence.push(fieldEvidence(pvc, 'status.phase'));
    const why = pendingClaimReason(pvc, ctx);
    evidence.push(...why.evidence);
    whats.push(`PersistentVolumeClaim ${claim.name} is not bound (${phase ?? 'no phase'}: ${why.what})`);
    fixes.push(`PersistentVolumeClaim ${claim.name} is not bound: ${why.what}. ${why.fix}`);
  }
  if (whats.length === 0) {
    return {
      kind: 'unbound-pvc',
      what: reason.text,
      fix: `The scheduler reports "${reason.text}" but every claim of the pod is Bound in the snapshot: check them again with \`kubectl get pvc -n ${namespace}\`.`,
      evidence,
    };
  }
  return { kind: 'unbound-pvc', what: whats.join('; '), fix: fixes.join(' '), evidence };
}

/** Why a claim is still Pending: its StorageClass, the lack of a default one, or what its events say. */
function pendingClaimReason(pvc: K8sObject, ctx: DiagnosisContext): { what: string; fix: string; evidence: Evidence[] } {
  const ns = pvc.metadata.namespace ?? 'default';
  const name = pvc.metadata.name ?? '';
  const describe = `\`kubectl describe pvc -n ${ns} ${name}\``;
  const events = ctx.events.about(pvc).filter((e) => e.type === 'Warning' || e.reason === 'ExternalProvisioning');
  const eventEv = events.slice(0, 2).map(eventEvidence);
  const classes = ctx.graph.objectsOfKind('StorageClass');
  const classNames = classes.map((c) => c.metadata.name ?? '').sort();
  const classesKnown = ctx.completeKinds.has('StorageClass') || classes.length > 0;
  const existing = classNames.length > 0 ? `; the cluster has ${classNames.join(', ')}` : '; the cluster has none';
  const recreate = 'delete and recreate the claim';
  const immutable = ' (storageClassName cannot be changed on an existing claim)';
  const scName: unknown = pvc.spec?.storageClassName;

  if (typeof scName === 'string' && scName !== '') {
    const classField = fieldEvidence(pvc, 'spec.storageClassName');
    if (classesKnown && !classNames.includes(scName)) {
      return {
        what: `StorageClass ${scName} does not exist${existing}`,
        fix: `Create StorageClass ${scName}, or ${recreate} with one that exists${immutable}.`,
        evidence: [classField, ...eventEv],
      };
    }
    if (!classNames.includes(scName)) {
      return {
        what: `StorageClass ${scName} is not in the snapshot, so it may not exist`,
        fix: `Check that StorageClass ${scName} exists (\`kubectl get storageclass\`); if not, create it, or ${recreate} with one that exists${immutable}. ${describe} shows its events.`,
        evidence: [classField, ...eventEv],
      };
    }
    const provisioner = classes.find((c) => c.metadata.name === scName)?.provisioner;
    const said = events[0]?.message;
    return {
      what: said ? `${events[0].reason}: ${said}` : `StorageClass ${scName}${provisioner ? ` (provisioner ${provisioner})` : ''} has not provided a volume`,
      fix: `Check that the provisioner${provisioner ? ` ${provisioner}` : ''} is running and can create the volume; ${describe} shows its events.`,
      evidence: [classField, ...eventEv],
    };
  }
  if (scName === '') {
    return {
      what: 'it sets storageClassName: "" (no dynamic provisioning) and no PersistentVolume has been bound to it',
      fix: `Create a PersistentVolume that matches its size and access mode, or ${recreate} with a StorageClass${immutable}.`,
      evidence: [fieldEvidence(pvc, 'spec.storageClassName'), ...eventEv],
    };
  }
  const hasDefault = classes.some((c) => DEFAULT_CLASS_ANNOTATIONS.some((a) => c.metadata.annotations?.[a] === 'true'));
  if (classesKnown && !hasDefault) {
    return {
      what: `it names no StorageClass and the cluster has no default one${classNames.length > 0 ? ` (only ${classNames.join(', ')})` : ''}`,
      fix: `Mark a StorageClass as the default (annotation storageclass.kubernetes.io/is-default-class: "true"), or ${recreate} with spec.storageClassName set${immutable}.`,
      evidence: [fieldEvidence(pvc, 'spec.storageClassName'), ...eventEv],
    };
  }
  const said = events[0]?.message;
  return {
    what: said ? `${events[0].reason}: ${said}` : 'no event says why',
    fix: `${describe} shows why it is not bound.`,
    evidence: eventEv,
  };
}

// ---------------------------------------------------------------------------------------------

function termMatches(term: Record<string, any>, labels: Record<string, string>): boolean {
  const expressions = asList(term.matchExpressions);
  // matchFields (metadata.name) is not evaluated; a term made of it alone counts as matching.
  return expressions.every((e: Record<string, any>) => {
    const value = labels[String(e.key)];
    const values = asList<string>(e.values).map(String);
    switch (e.operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      case 'Gt':
        return value !== undefined && Number(value) > Number(values[0]);
      case 'Lt':
        return value !== undefined && Number(value) < Number(values[0]);
      default:
        return true;
    }
  });
}

function describeExpression(e: Record<string, any>): string {
  const values = asList<string>(e.values).map(String);
  return values.length > 0 ? `${e.key} ${e.operator} [${values.join(', ')}]` : `${e.key} ${e.operator}`;
}

function sortedNodes(ctx: DiagnosisContext): K8sObject[] {
  return [...ctx.graph.objectsOfKind('Node')].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** "3 of 3 nodes", "1 of 3 nodes", or "3 nodes" when the total is not in the message. */
function nodeCount(n: number | undefined, total: number | undefined): string {
  if (n === undefined) return 'some nodes';
  const noun = (total ?? n) === 1 ? 'node' : 'nodes';
  return total !== undefined ? `${n} of ${total} ${noun}` : `${n} ${noun}`;
}

function verb(n: number | undefined, one: string, many: string): string {
  return n === 1 ? one : many;
}

function stripCount(text: string): string {
  return text.replace(/^\d+\s+/, '');
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `.disktype`, or `["kubernetes.io/arch"]` for a key that is not a plain identifier. */
function keySegment(key: string): string {
  return /^[A-Za-z0-9_$-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
