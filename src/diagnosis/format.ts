import { GiB, MiB } from '../common/quantity.js';

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
