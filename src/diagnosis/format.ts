import { GiB, MiB } from '../common/quantity.js';
import { renderValueAt } from '../common/field-path.js';
import type { Evidence } from '../schema/finding.js';
import type { K8sObject } from '../schema/snapshot.js';

/** Human-readable memory (`14.2Gi`, `240Mi`) for sentences; patches use formatMemory. */
export function humanMemory(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  if (bytes >= GiB) return `${Math.round((bytes / GiB) * 10) / 10}Gi`;
  return `${Math.round(bytes / MiB)}Mi`;
}

/**
 * A status/spec field read as an array. Hand-edited dumps can hold anything; a wrong type is
 * treated as absent rather than crashing the whole diagnosis.
 */
export function asList<T = Record<string, any>>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/**
 * A status/spec field of `obj` as evidence. The value is read from the object at `path`, never passed in, so the
 * path shown and the value shown cannot disagree.
 */
export function fieldEvidence(obj: K8sObject, path: string, extra: { timestamp?: string; message?: string } = {}): Evidence {
  const uid = obj.metadata.uid;
  return {
    path,
    value: renderValueAt(obj, path),
    object: {
      apiVersion: obj.apiVersion ?? 'v1',
      kind: obj.kind,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      name: obj.metadata.name ?? '',
      ...(uid ? { uid } : {}),
    },
    ...(uid ? { uid } : {}),
    ...(extra.timestamp ? { timestamp: extra.timestamp } : {}),
    ...(extra.message ? { message: extra.message } : {}),
  };
}
