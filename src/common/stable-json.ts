import { hash } from 'node:crypto';

/** JSON with object keys sorted, so the same data always gives the same bytes. */
export function stableStringify(value: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && (value as object).constructor === Object) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** A short stable hash for fingerprints (12 hex chars of sha256; crypto.hash is the one-shot form, same digest). */
export function shortHash(...parts: string[]): string {
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 12);
}
