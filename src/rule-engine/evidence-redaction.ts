/**
 * Annotations are the one free-text map that sanitizing keeps (rules read them), but only the object's own
 * `kubectl.kubernetes.io/last-applied-configuration` is dropped: the same annotation on a pod template, or a
 * credential someone put in an annotation, would reach every report format through an evidence path that reads
 * annotations (`{podTemplate}.metadata.annotations`). Evidence shows annotation values the way sanitizing shows
 * messages: last-applied as the marker, the rest with credential-like parts replaced.
 */
import { LAST_APPLIED_ANNOTATION, REDACTED_IN_TEXT, redactCredentialsInText } from '../snapshot/sanitize.js';
import type { PathSegment } from './paths.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function redactedAnnotationValue(key: string, value: unknown): unknown {
  if (key === LAST_APPLIED_ANNOTATION) return REDACTED_IN_TEXT;
  return typeof value === 'string' ? redactCredentialsInText(value) : value;
}

function redactedAnnotations(map: unknown): unknown {
  if (!isPlainObject(map)) return map;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(map)) out[key] = redactedAnnotationValue(key, value);
  return out;
}

/** A copy of `value` with every `annotations` map below it redacted; `value` itself when it holds none. */
function redactedBelow(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth === 0) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = redactedBelow(item, depth - 1);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next = key === 'annotations' ? redactedAnnotations(item) : redactedBelow(item, depth - 1);
    if (next !== item) (out ??= { ...(value as Record<string, unknown>) })[key] = next;
  }
  return out ?? value;
}

/** The value read at `segments`, as evidence may show it. */
export function evidenceValue(value: unknown, segments: readonly PathSegment[]): unknown {
  const last = segments.length - 1;
  if (segments[last] === 'annotations') return redactedAnnotations(value);
  if (last >= 1 && segments[last - 1] === 'annotations' && typeof segments[last] === 'string') {
    return redactedAnnotationValue(segments[last] as string, value);
  }
  // Objects are at most 200 levels deep (src/snapshot/object-shape.ts); evidence shows 80 characters of them.
  return redactedBelow(value, 200);
}
