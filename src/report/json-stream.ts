/**
 * report.json written piece by piece: the same bytes as `stableStringify(report) + '\n'` (keys sorted, two-space
 * indent), but never one string for the whole report. Each top-level field is serialized on its own and arrays
 * element by element, so memory stays bounded by the largest single element and the output is not limited by
 * V8's maximum string length (a 300,000-finding report is hundreds of MB).
 */
import { open } from 'node:fs/promises';
import { sortKeys } from '../common/stable-json.js';

/** Flush to the file once this many characters are buffered. */
const CHUNK = 1 << 20;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && (value as object).constructor === Object;
}

/** `JSON.stringify(sortKeys(value), null, 2)`, every line after the first indented by `pad`. */
function stringifyAt(value: unknown, pad: string): string {
  const text = JSON.stringify(sortKeys(value), null, 2);
  // JSON strings never contain a raw newline, so every newline is a line break of the layout.
  return pad === '' || !text.includes('\n') ? text : text.replace(/\n/g, `\n${pad}`);
}

/**
 * Yields the pieces of `JSON.stringify(sortKeys(value), null, 2) + '\n'`: a plain top-level object field by field,
 * and arrays (top-level, or the value of a top-level field) element by element.
 */
export function* stableJsonChunks(value: unknown): Generator<string> {
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .sort()
      .filter((k) => !dropped(value[k]));
    if (keys.length === 0) {
      yield '{}\n';
      return;
    }
    yield '{\n';
    for (let i = 0; i < keys.length; i++) {
      const v = value[keys[i]];
      yield `  ${JSON.stringify(keys[i])}: `;
      if (Array.isArray(v)) yield* arrayChunks(v, '  ');
      else yield stringifyAt(v, '  ');
      yield i < keys.length - 1 ? ',\n' : '\n';
    }
    yield '}\n';
    return;
  }
  if (Array.isArray(value)) {
    yield* arrayChunks(value, '');
    yield '\n';
    return;
  }
  yield `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/** JSON.stringify drops these object members (undefined, functions, symbols); in arrays it writes null. */
function dropped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function* arrayChunks(list: readonly unknown[], pad: string): Generator<string> {
  if (list.length === 0) {
    yield '[]';
    return;
  }
  const inner = `${pad}  `;
  yield '[\n';
  for (let i = 0; i < list.length; i++) {
    const el = list[i];
    // In arrays JSON.stringify writes null for what it would drop from an object.
    const text = dropped(el) ? 'null' : stringifyAt(el, inner);
    yield i < list.length - 1 ? `${inner}${text},\n` : `${inner}${text}\n`;
  }
  yield `${pad}]`;
}

/** Writes `stableStringify(value) + '\n'` to `file` in bounded chunks. */
export async function writeStableJson(file: string, value: unknown): Promise<void> {
  const handle = await open(file, 'w');
  try {
    let buffer = '';
    for (const piece of stableJsonChunks(value)) {
      buffer += piece;
      if (buffer.length >= CHUNK) {
        await handle.write(buffer);
        buffer = '';
      }
    }
    if (buffer) await handle.write(buffer);
  } finally {
    await handle.close();
  }
}
