/**
 * Field paths (`spec.template.spec.containers[1].resources`, `metadata.annotations["a/b"]`): parse, read, render.
 * Shared by every stage that writes evidence, so a path and the value shown for it are read the same way.
 */
export type PathSegment = string | number;

/** Parses a field path; throws on malformed input (rule files are validated at load time with this). */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const re = /\.?([A-Za-z0-9_$-]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/y;
  let pos = 0;
  while (pos < path.length) {
    re.lastIndex = pos;
    const m = re.exec(path);
    const dotted = m?.[0].startsWith('.') ?? false;
    // A key needs a leading dot except at the start of the path.
    if (!m || (m[1] !== undefined && dotted !== pos > 0)) {
      throw new Error(`malformed field path "${path}" at character ${pos + 1}`);
    }
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push(JSON.parse(`"${m[3]}"`) as string);
    pos = re.lastIndex;
  }
  return segments;
}

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

export function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let current: unknown = root;
  for (const s of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[s];
  }
  return current;
}

const MAX_VALUE_CHARS = 80;

/** A short string for evidence: scalars as is, objects/lists as compact JSON, `<unset>` when absent. */
export function renderValue(value: unknown): string {
  if (value === undefined || value === null) return '<unset>';
  const text = typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : compactJson(value, MAX_VALUE_CHARS);
  return text.length > MAX_VALUE_CHARS ? text.slice(0, MAX_VALUE_CHARS - 1) + '…' : text;
}

/**
 * JSON.stringify's compact text of `value`, cut off once longer than `limit` characters. Every level adds at least
 * one character, so the recursion stops within `limit` levels: a value nested thousands deep cannot overflow the
 * stack, and a huge one is not serialized whole to show 80 characters of it.
 */
function compactJson(value: unknown, limit: number): string {
  let out = '';
  const write = (v: unknown, inArray: boolean): void => {
    if (out.length > limit) return;
    if (typeof v === 'bigint') v = Number(v);
    if (v === null || (typeof v === 'number' && !Number.isFinite(v))) {
      out += 'null';
    } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      out += JSON.stringify(v);
    } else if (typeof v !== 'object') {
      if (inArray) out += 'null'; // undefined and functions: null in a list, left out of a map (as JSON.stringify)
    } else if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length && out.length <= limit; i++) {
        if (i > 0) out += ',';
        write(v[i], true);
      }
      out += ']';
    } else {
      out += '{';
      let first = true;
      for (const key of Object.keys(v)) {
        if (out.length > limit) break;
        const item = (v as Record<string, unknown>)[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(key)}:`;
        write(item, false);
      }
      out += '}';
    }
  };
  write(value, true);
  return out;
}

/** The evidence value of `path` on `object`: what is really there, so a path and its value cannot disagree. */
export function renderValueAt(object: unknown, path: string): string {
  return renderValue(valueAt(object, parsePath(path)));
}

