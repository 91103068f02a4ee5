/** Where a field path is in a manifest; the paths themselves live in src/common/field-path.ts. */
import type { SourceLocation } from '../schema/snapshot.js';
import { formatPath, type PathSegment } from '../common/field-path.js';

export { formatPath, parsePath, renderValue, valueAt, type PathSegment } from '../common/field-path.js';

function plainPath(segments: readonly PathSegment[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/**
 * The line of `path` in a manifest; when the field is absent (a missing field), the line of the nearest
 * existing ancestor; finally the document's first line.
 */
export function lineOf(location: SourceLocation, segments: readonly PathSegment[]): number {
  const paths = location.paths ?? {};
  for (let n = segments.length; n > 0; n--) {
    const prefix = segments.slice(0, n);
    // The manifest loader joins every key with '.', even keys holding dots or slashes (annotations).
    const line = paths[formatPath(prefix)] ?? paths[plainPath(prefix)];
    if (line !== undefined) return line;
  }
  return location.line;
}
