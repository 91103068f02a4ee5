import type { K8sObject } from '../schema/snapshot.js';
import type { Evidence, ResourceRef } from '../schema/finding.js';
import { renderValueAt } from '../common/field-path.js';

/**
 * core/v1 Events as found in a snapshot (live list or a `kubectl get events -o yaml` dump), with
 * the events.k8s.io/v1 field names accepted too (regarding/note/deprecatedCount), so that both
 * shapes go through the same code.
 */
export interface ClusterEvent {
  object: K8sObject;
  uid?: string;
  name: string;
  namespace?: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  component?: string;
  involved: { kind?: string; namespace?: string; name?: string; uid?: string; fieldPath?: string };
}

export function normaliseEvent(obj: K8sObject): ClusterEvent {
  const involved = (obj.involvedObject ?? obj.regarding ?? {}) as ClusterEvent['involved'];
  const last = obj.lastTimestamp ?? obj.deprecatedLastTimestamp ?? obj.series?.lastObservedTime ?? obj.eventTime ?? undefined;
  const first = obj.firstTimestamp ?? obj.deprecatedFirstTimestamp ?? obj.eventTime ?? obj.metadata?.creationTimestamp ?? undefined;
  return {
    object: obj,
    uid: obj.metadata.uid,
    name: obj.metadata.name ?? '',
    namespace: obj.metadata.namespace,
    type: String(obj.type ?? 'Normal'),
    reason: String(obj.reason ?? ''),
    message: String(obj.message ?? obj.note ?? '').trim(),
    count: Number(obj.count ?? obj.deprecatedCount ?? obj.series?.count ?? 1) || 1,
    firstTimestamp: first ?? undefined,
    lastTimestamp: last ?? first ?? obj.metadata?.creationTimestamp ?? undefined,
    component: obj.source?.component ?? obj.reportingController ?? obj.reportingComponent ?? undefined,
    involved,
  };
}

/** Events looked up by the uid of the object they are about, or by kind/namespace/name when uids are absent (dumps). */
export class EventIndex {
  private readonly byUid = new Map<string, ClusterEvent[]>();
  private readonly byName = new Map<string, ClusterEvent[]>();

  constructor(events: K8sObject[]) {
    for (const obj of events) {
      const event = normaliseEvent(obj);
      const { uid, kind, namespace, name } = event.involved;
      if (uid) push(this.byUid, uid, event);
      // Cluster-scoped objects (Nodes) have no namespace in involvedObject even though the Event has one.
      if (kind && name) push(this.byName, nameKey(kind, namespace, name), event);
    }
  }

  /** Events about this object, most recent first (ties broken by reason then name, for stable output). */
  about(obj: K8sObject): ClusterEvent[] {
    const uid = obj.metadata.uid;
    const key = nameKey(obj.kind, obj.metadata.namespace, obj.metadata.name ?? '');
    const found = new Map<ClusterEvent, true>();
    for (const e of (uid && this.byUid.get(uid)) || []) found.set(e, true);
    for (const e of this.byName.get(key) ?? []) {
      // An event naming an older object with the same name (uid differs) is not about this one.
      if (!uid || !e.involved.uid || e.involved.uid === uid) found.set(e, true);
    }
    return [...found.keys()].sort(compareEvents);
  }
}

function nameKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function compareEvents(a: ClusterEvent, b: ClusterEvent): number {
  const t = (b.lastTimestamp ?? '').localeCompare(a.lastTimestamp ?? '');
  if (t !== 0) return t;
  return a.reason.localeCompare(b.reason) || a.name.localeCompare(b.name);
}

export function eventRef(event: ClusterEvent): ResourceRef {
  return {
    apiVersion: event.object.apiVersion ?? 'v1',
    kind: 'Event',
    namespace: event.namespace,
    name: event.name,
    ...(event.uid ? { uid: event.uid } : {}),
  };
}

/**
 * An event as evidence: its `reason` field (what the Event object holds there), its uid and last timestamp, and its
 * text as the message. The text is not the value because a value is cut at 80 characters and a scheduler message is
 * longer.
 */
export function eventEvidence(event: ClusterEvent): Evidence {
  return {
    path: 'reason',
    value: renderValueAt(event.object, 'reason'),
    object: eventRef(event),
    ...(event.uid ? { uid: event.uid } : {}),
    ...(event.lastTimestamp ? { timestamp: event.lastTimestamp } : {}),
    ...(event.message ? { message: event.message } : {}),
  };
}

/** Milliseconds between two RFC 3339 times; NaN when either is missing/unparseable. */
export function msBetween(earlier: string | undefined, later: string | undefined): number {
  if (!earlier || !later) return NaN;
  return Date.parse(later) - Date.parse(earlier);
}

/** True when `time` is within `windowMs` before `reference` (the snapshot's capture time, never the wall clock). */
export function isRecent(time: string | undefined, reference: string, windowMs: number): boolean {
  const age = msBetween(time, reference);
  return Number.isFinite(age) && age <= windowMs;
}

export const HOUR_MS = 60 * 60 * 1000;
