/**
 * Big JSON documents (report.json, snapshot files of large clusters) written and read piece by piece.
 *
 * Writing: the same bytes as `stableStringify(value) + '\n'` (keys sorted, two-space indent), but never one string
 * for the whole document: containers down to a given depth are written member by member (element by element), and
 * only what lies below is serialized in one go. Memory stays bounded by the largest such piece, and the output is not
 * limited by V8's maximum string length (about 512 MB: a report with 300,000 findings or the snapshot of a
 * 150,000-pod cluster is bigger).
 *
 * Reading: `JsonSplitParser` is fed the bytes in chunks and builds the containers down to a depth itself, handing
 * each value below to JSON.parse on its own (so no string ever holds the whole document).
 */
import { open } from 'node:fs/promises';
import { sortKeys } from './stable-json.js';

/** Flush to the file once this many characters are buffered. */
const CHUNK = 1 << 20;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && (value as object).constructor === Object;
}

/** JSON.stringify drops these object members (undefined, functions, symbols); in arrays it writes null. */
function dropped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** JSON.stringify(key), for the keys that repeat in every finding and object (bounded: cleared when full). */
const quotedKeys = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size >= 50_000) quotedKeys.clear();
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * `JSON.stringify(sortKeys(value), null, 2)`, every line after the first indented by `pad`; written directly for
 * plain data (no sorted copy, no re-indenting pass), through JSON.stringify for anything else.
 */
function stringifyAt(value: unknown, pad: string): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      const inner = pad + '  ';
      if (Array.isArray(value)) {
        if (value.length === 0) return '[]';
        let out = '[\n' + inner;
        for (let i = 0; i < value.length; i++) {
          const el = value[i];
          if (i > 0) out += ',\n' + inner;
          out += dropped(el) ? 'null' : stringifyAt(el, inner);
        }
        return out + '\n' + pad + ']';
      }
      if (isPlainObject(value) && typeof value.toJSON !== 'function') {
        const keys = Object.keys(value).sort();
        let out = '';
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i];
          const v = value[key];
          if (dropped(v)) continue;
          out += (out === '' ? '{\n' : ',\n') + inner + quotedKey(key) + ': ' + stringifyAt(v, inner);
        }
        return out === '' ? '{}' : out + '\n' + pad + '}';
      }
      break;
    }
  }
  const text = JSON.stringify(sortKeys(value), null, 2);
  // JSON strings never contain a raw newline, so every newline is a line break of the layout.
  return pad === '' || !text.includes('\n') ? text : text.replace(/\n/g, `\n${pad}`);
}

function* valueChunks(value: unknown, pad: string, depth: number): Generator<string> {
  if (depth <= 0) {
    yield stringifyAt(value, pad);
    return;
  }
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[\n';
    for (let i = 0; i < value.length; i++) {
      yield inner;
      const el = value[i];
      if (dropped(el)) yield 'null';
      else yield* valueChunks(el, inner, depth - 1);
      yield i < value.length - 1 ? ',\n' : '\n';
    }
    yield `${pad}]`;
    return;
  }
  if (isPlainObject(value) && typeof value.toJSON !== 'function') {
    const keys = Object.keys(value)
      .sort()
      .filter((k) => !dropped(value[k]));
    if (keys.length === 0) {
      yield '{}';
      return;
    }
    yield '{\n';
    for (let i = 0; i < keys.length; i++) {
      yield `${inner}${JSON.stringify(keys[i])}: `;
      yield* valueChunks(value[keys[i]], inner, depth - 1);
      yield i < keys.length - 1 ? ',\n' : '\n';
    }
    yield `${pad}}`;
    return;
  }
  yield stringifyAt(value, pad);
}

/**
 * The pieces of `JSON.stringify(sortKeys(value), null, 2) + '\n'`. Containers at depth < `depth` (the top level is
 * depth 0) are written member by member; deeper values in one piece each. The default (2) suits the report: its
 * top-level fields, and each finding of `findings`.
 */
export function* stableJsonChunks(value: unknown, depth = 2): Generator<string> {
  yield* valueChunks(value, '', depth);
  yield '\n';
}

/** Writes `stableStringify(value) + '\n'` to `file` in bounded chunks (see stableJsonChunks for `depth`). */
export async function writeStableJson(file: string, value: unknown, depth = 2): Promise<void> {
  const handle = await open(file, 'w');
  try {
    let buffer = '';
    for (const piece of stableJsonChunks(value, depth)) {
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

// ------------------------------------------------------------------------------------------------ reading

/** Where a value sits: object keys and array indexes from the top. */
export type JsonPath = Array<string | number>;

interface Frame {
  container: unknown[] | Record<string, unknown>;
  isArray: boolean;
  /** The key of the member being read (objects). */
  key: string | undefined;
  /** What comes next: a key (objects), a value, the `:` after a key, or a `,` / closing bracket. */
  expect: 'key-or-end' | 'key' | 'colon' | 'value-or-end' | 'value' | 'comma-or-end';
}

type Capture =
  | { kind: 'container'; parts: Buffer[]; start: number; depth: number; inString: boolean; escape: boolean }
  | { kind: 'string'; parts: Buffer[]; start: number; escape: boolean; isKey: boolean }
  | { kind: 'literal'; parts: Buffer[]; start: number };

const WS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;

/**
 * A JSON parser for documents too big for one string. Feed it the bytes (UTF-8) in chunks of any size; containers
 * at depth < `splitDepth` are built here, everything below is cut out and given to JSON.parse on its own, then to
 * `transform` (which may validate or replace it; its path says where it is). `end()` returns the document.
 * Errors are SyntaxErrors.
 */
export class JsonSplitParser {
  private readonly stack: Frame[] = [];
  private capture: Capture | undefined;
  private root: unknown;
  private done = false;
  private offset = 0;
  /**
   * Documents written with two-space indentation (JSON.stringify(value, null, 2), as every file of ours) close a
   * container at depth d with a newline, 2d spaces and the bracket, and nothing inside it can look like that
   * (strings hold no raw newline, deeper lines are indented more). So the end of a captured value is found with
   * one search instead of a byte-by-byte scan. The guess is checked by JSON.parse, which accepts exactly one
   * complete value; when it fails the parser falls back to scanning (and stops guessing after a few failures in
   * a row: the document is laid out some other way).
   */
  private guessEnds = true;
  private guessFailures = 0;
  private readonly closers = new Map<string, Buffer>();

  constructor(
    private readonly splitDepth: number,
    private readonly transform: (value: unknown, path: JsonPath) => unknown = (v) => v,
  ) {}

  feed(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const cap = this.capture;
      if (cap) {
        i = this.continueCapture(cap, chunk, i);
        continue;
      }
      const b = chunk[i];
      if (WS[b]) {
        i++;
        continue;
      }
      if (this.done) this.fail('unexpected data after the end of the document', i);
      const frame = this.stack[this.stack.length - 1];
      const expect = frame?.expect ?? 'value';
      if (expect === 'colon') {
        if (b !== 0x3a) this.fail("expected ':'", i);
        frame.expect = 'value';
        i++;
        continue;
      }
      if (expect === 'comma-or-end') {
        if (b === 0x2c) frame.expect = frame.isArray ? 'value' : 'key';
        else if (b === (frame.isArray ? 0x5d : 0x7d)) this.closeContainer();
        else this.fail("expected ',' or a closing bracket", i);
        i++;
        continue;
      }
      if (expect === 'key' || expect === 'key-or-end') {
        if (b === 0x7d && expect === 'key-or-end') {
          this.closeContainer();
          i++;
          continue;
        }
        if (b !== 0x22) this.fail('expected a string key', i);
        this.capture = { kind: 'string', parts: [], start: i, escape: false, isKey: true };
        i++;
        continue;
      }
      // A value (or the end of an empty array).
      if (b === 0x5d && expect === 'value-or-end') {
        this.closeContainer();
        i++;
        continue;
      }
      if (b === 0x7b || b === 0x5b) {
        if (this.stack.length >= this.splitDepth) {
          this.capture = { kind: 'container', parts: [], start: i, depth: 1, inString: false, escape: false };
        } else {
          const isArray = b === 0x5b;
          this.stack.push({ container: isArray ? [] : {}, isArray, key: undefined, expect: isArray ? 'value-or-end' : 'key-or-end' });
        }
        i++;
        continue;
      }
      if (b === 0x22) {
        this.capture = { kind: 'string', parts: [], start: i, escape: false, isKey: false };
        i++;
        continue;
      }
      if (b === 0x2d || (b >= 0x30 && b <= 0x39) || b === 0x74 || b === 0x66 || b === 0x6e) {
        this.capture = { kind: 'literal', parts: [], start: i };
        i++;
        continue;
      }
      this.fail(`unexpected character ${JSON.stringify(String.fromCharCode(b))}`, i);
    }
    // Keep the unfinished piece for the next chunk (a copy: the caller may reuse the chunk's memory).
    const cap = this.capture;
    if (cap) {
      if (cap.start < n) cap.parts.push(Buffer.from(chunk.subarray(cap.start)));
      cap.start = 0;
    }
    this.offset += n;
  }

  end(): unknown {
    const cap = this.capture;
    if (cap?.kind === 'literal') {
      this.capture = undefined;
      this.deliver(this.parsePiece(cap.parts, Buffer.alloc(0), 0, 0));
    }
    if (this.capture || this.stack.length > 0 || !this.done) this.fail('unexpected end of the document', 0);
    return this.root;
  }

  /** Scans a captured value from `i`; returns where scanning stopped (after its end, or the chunk's end). */
  private continueCapture(cap: Capture, chunk: Buffer, i: number): number {
    const n = chunk.length;
    if (cap.kind === 'container') {
      if (this.guessEnds && cap.parts.length === 0 && i === cap.start + 1) {
        const end = this.guessEnd(chunk, cap.start, i);
        if (end >= 0) return end;
      }
      let { depth, inString, escape } = cap;
      for (; i < n; i++) {
        if (inString) {
          if (escape) {
            escape = false;
            continue;
          }
          // Jump to the next quote (memchr), then count the backslashes before it: an odd number escapes it.
          const q = chunk.indexOf(0x22, i);
          const stop = q < 0 ? n : q;
          let k = stop - 1;
          while (k >= i && chunk[k] === 0x5c) k--;
          const escaped = (stop - 1 - k) % 2 === 1;
          if (q < 0) {
            escape = escaped;
            i = n;
            break;
          }
          if (!escaped) inString = false;
          i = q;
          continue;
        }
        const b = chunk[i];
        if (b === 0x22) inString = true;
        else if (b === 0x7b || b === 0x5b) depth++;
        else if (b === 0x7d || b === 0x5d) {
          depth--;
          if (depth === 0) {
            this.capture = undefined;
            this.deliver(this.parsePiece(cap.parts, chunk, cap.start, i + 1));
            return i + 1;
          }
        }
      }
      cap.depth = depth;
      cap.inString = inString;
      cap.escape = escape;
      return n;
    }
    if (cap.kind === 'string') {
      let escape = cap.escape;
      // The opening quote is at cap.start when the capture began in this chunk.
      let j = cap.parts.length === 0 && i === cap.start ? i + 1 : i;
      for (; j < n; j++) {
        const b = chunk[j];
        if (escape) escape = false;
        else if (b === 0x5c) escape = true;
        else if (b === 0x22) {
          this.capture = undefined;
          const text = this.parsePiece(cap.parts, chunk, cap.start, j + 1);
          if (cap.isKey) {
            const frame = this.stack[this.stack.length - 1];
            frame.key = text as string;
            frame.expect = 'colon';
          } else this.deliver(text);
          return j + 1;
        }
      }
      cap.escape = escape;
      return n;
    }
    // A number, true, false or null: ends at whitespace, a comma or a closing bracket.
    for (; i < n; i++) {
      const b = chunk[i];
      if (WS[b] || b === 0x2c || b === 0x5d || b === 0x7d) {
        this.capture = undefined;
        this.deliver(this.parsePiece(cap.parts, chunk, cap.start, i));
        return i;
      }
    }
    return n;
  }

  /** See guessEnds: the end of the value opened at `start`, delivered; -1 when not found in this chunk or wrong. */
  private guessEnd(chunk: Buffer, start: number, from: number): number {
    const opener = chunk[start];
    const key = `${this.stack.length}${opener === 0x7b ? '}' : ']'}`;
    let closer = this.closers.get(key);
    if (!closer) {
      closer = Buffer.from(`\n${' '.repeat(2 * this.stack.length)}${opener === 0x7b ? '}' : ']'}`, 'latin1');
      this.closers.set(key, closer);
    }
    const miss = () => {
      this.guessFailures += 1;
      if (this.guessFailures >= 8) this.guessEnds = false;
      return -1;
    };
    const at = findLine(chunk, closer, from);
    // Not in this chunk (the value goes on in the next one, or the layout is different).
    if (at < 0) return miss();
    const end = at + closer.length;
    let value: unknown;
    try {
      value = JSON.parse(chunk.toString('utf8', start, end));
    } catch {
      return miss();
    }
    this.guessFailures = 0;
    this.capture = undefined;
    this.deliver(value);
    return end;
  }

  private parsePiece(parts: Buffer[], chunk: Buffer, start: number, end: number): unknown {
    const tail = chunk.subarray(start, end);
    const bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new SyntaxError(`${(err as Error).message} (in the value at ${formatPath(this.path())})`);
    }
  }

  private path(): JsonPath {
    return this.stack.map((f) => (f.isArray ? (f.container as unknown[]).length : (f.key ?? '')));
  }

  private closeContainer(): void {
    const frame = this.stack.pop()!;
    this.deliverBuilt(frame.container);
  }

  /** A parsed value below the split depth (transformed) or a scalar above it. */
  private deliver(value: unknown): void {
    const deep = this.stack.length >= this.splitDepth;
    this.deliverBuilt(deep ? this.transform(value, this.path()) : value);
  }

  private deliverBuilt(value: unknown): void {
    const frame = this.stack[this.stack.length - 1];
    if (!frame) {
      this.root = value;
      this.done = true;
      return;
    }
    if (frame.isArray) (frame.container as unknown[]).push(value);
    else {
      const key = frame.key ?? '';
      // Like JSON.parse: "__proto__" is an ordinary own property.
      if (key === '__proto__') Object.defineProperty(frame.container, key, { value, enumerable: true, writable: true, configurable: true });
      else (frame.container as Record<string, unknown>)[key] = value;
      frame.key = undefined;
    }
    frame.expect = 'comma-or-end';
  }

  private fail(message: string, index: number): never {
    throw new SyntaxError(`${message} at byte ${this.offset + index}`);
  }
}

function formatPath(path: JsonPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out || '(root)';
}

/**
 * Where `line` (a newline, spaces, and a bracket) is in `chunk` from `from`, or -1. Looks for the bracket with
 * memchr and checks the bytes before it: much faster than Buffer#indexOf on whitespace-heavy text.
 */
function findLine(chunk: Buffer, line: Buffer, from: number): number {
  const bracket = line[line.length - 1];
  const before = line.length - 1;
  for (let at = chunk.indexOf(bracket, from + before); at >= 0; at = chunk.indexOf(bracket, at + 1)) {
    let k = 1;
    while (k <= before && chunk[at - k] === line[before - k]) k++;
    if (k > before) return at - before;
  }
  return -1;
}
