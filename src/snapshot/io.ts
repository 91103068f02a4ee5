/**
 * Reading and writing snapshot files (`.json`, or `.json.gz` when the name ends in `.gz`).
 * Output is deterministic: the same snapshot always gives the same bytes (objects grouped by
 * kind and sorted by namespace then name, coverage sorted by kind, object keys sorted).
 */
import { lstat, mkdir, open, readFile, readlink, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { dirname, resolve as resolvePath } from 'node:path';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { InputError, errorMessage } from '../common/errors.js';
import { describeFsError } from '../common/fs-errors.js';
import { ensureDirectory } from '../common/directories.js';
import { stableStringify } from '../common/stable-json.js';
import { JsonSplitParser, stableJsonChunks, type JsonPath } from '../common/json-stream.js';
import { sanitizeObjectInPlace } from './sanitize.js';
import { describeObject, nameGeneratedObject, objectShapeProblem } from './object-shape.js';
import { apiGroupOf } from '../common/kinds.js';
import type { InputProblem } from '../pipeline-types.js';
import {
  K8sObjectSchema,
  SNAPSHOT_SCHEMA_VERSION,
  SnapshotSchema,
  keyOf,
  type K8sObject,
  type Snapshot,
} from '../schema/snapshot.js';

/**
 * Snapshots up to this size (text) are written and read as one string, as always. Bigger ones (a cluster of
 * 100,000+ pods; V8 strings stop at about 512 MB) are streamed: written object by object, and read by cutting the
 * file into objects that are parsed and validated one at a time (JsonSplitParser). Same bytes, same data.
 * (An object so tests can lower the threshold.)
 */
export const snapshotStreaming = { thresholdBytes: 128 * 2 ** 20 };
/** Depth of the objects in a snapshot file: document → objects → kind → object. */
const OBJECT_DEPTH = 3;

const GZIP_MAGIC = [0x1f, 0x8b] as const;

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Namespace, then name (generateName for unnamed manifests), then uid as a last tie-breaker. */
export function compareObjects(a: K8sObject, b: K8sObject): number {
  const ma = a.metadata ?? {};
  const mb = b.metadata ?? {};
  return (
    compareText(ma.namespace ?? '', mb.namespace ?? '') ||
    compareText(ma.name ?? ma.generateName ?? '', mb.name ?? mb.generateName ?? '') ||
    compareText(ma.uid ?? '', mb.uid ?? '')
  );
}

/**
 * Returns a copy with objects grouped by their own `kind` (existing groups are kept even when
 * empty: an empty group means "listed, none found"), each group sorted, coverage sorted by kind
 * and scope namespaces sorted. Objects themselves are not copied.
 */
export function normalizeSnapshot(snapshot: Snapshot): Snapshot {
  const groups: Record<string, K8sObject[]> = {};
  for (const kind of Object.keys(snapshot.objects)) groups[kind] ??= [];
  for (const list of Object.values(snapshot.objects)) {
    for (const obj of list) (groups[obj.kind] ??= []).push(obj);
  }
  const objects: Record<string, K8sObject[]> = {};
  for (const kind of Object.keys(groups).sort(compareText)) objects[kind] = groups[kind].sort(compareObjects);

  const coverage = [...snapshot.coverage].sort(
    (a, b) => compareText(a.kind, b.kind) || compareText(a.apiVersion, b.apiVersion),
  );
  const scope = {
    namespaces: snapshot.scope.namespaces === null ? null : [...snapshot.scope.namespaces].sort(compareText),
    excludedNamespaces: [...(snapshot.scope.excludedNamespaces ?? [])].sort(compareText),
  };
  return { ...snapshot, scope, coverage, objects };
}

/** The canonical text of a snapshot file (normalized, keys sorted, trailing newline). */
export function serializeSnapshot(snapshot: Snapshot): string {
  return stableStringify(normalizeSnapshot(snapshot)) + '\n';
}

function isGzipPath(path: string): boolean {
  return path.toLowerCase().endsWith('.gz');
}

/** Writes `snapshot` to `path` (gzip when the name ends in `.gz`), via a temp file + rename. */
export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<void> {
  if (path === '-') {
    // `-o -`: uncompressed JSON on stdout, for a pipe (`clustergpt snapshot -o - | gzip > s.json.gz`).
    for (const piece of stableJsonChunks(normalizeSnapshot(snapshot), OBJECT_DEPTH)) {
      await new Promise<void>((resolve, reject) => process.stdout.write(piece, (err) => (err ? reject(err) : resolve())));
    }
    return;
  }
  const target = await writableTarget(path);
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    await ensureDirectory(dirname(target));
    await writeSnapshotFile(tmp, normalizeSnapshot(snapshot), isGzipPath(path));
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new InputError(
      `cannot write the snapshot to ${path}: ${describeFsError(err)}`,
      'check that the directory exists and is writable',
      { cause: err },
    );
  }
}

/**
 * The regular file a snapshot may replace: `path` itself, or the file a symlink points to (written through, so the
 * link stays). Anything else that exists there (a device such as /dev/null, a FIFO, a directory, a socket) is refused:
 * the temp-file-and-rename would replace it, and as root that replaces a system file.
 */
async function writableTarget(path: string): Promise<string> {
  let link;
  try {
    link = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return path;
    throw new InputError(`cannot write the snapshot to ${path}: ${describeFsError(err)}`, 'choose another --output file', { cause: err });
  }
  let target = path;
  if (link.isSymbolicLink()) {
    // Written through to where the link points (a dangling link too), so the link itself stays.
    target = await realpath(path).catch(async () => resolvePath(dirname(path), await readlink(path)));
  }
  const stats = await stat(target).catch(() => undefined);
  if (stats && !stats.isFile()) {
    const what = stats.isDirectory() ? 'a directory' : stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : 'not a regular file';
    throw new InputError(
      `cannot write the snapshot to ${path}: it is ${what}`,
      stats.isDirectory() ? 'give a file name, e.g. --output DIR/snapshot.json.gz' : 'give a regular file, or -o - to write the snapshot to stdout',
    );
  }
  return target;
}

/** The bytes of serializeSnapshot (gzipped or not); in one piece when small, streamed object by object when big. */
async function writeSnapshotFile(file: string, normalized: Snapshot, gzip: boolean): Promise<void> {
  const chunks = stableJsonChunks(normalized, OBJECT_DEPTH);
  let text = '';
  for (let next = chunks.next(); !next.done; next = chunks.next()) {
    text += next.value;
    if (text.length > snapshotStreaming.thresholdBytes) {
      await streamSnapshotFile(file, text, chunks, gzip);
      return;
    }
  }
  // gzip's header has no timestamp from Node's zlib (mtime 0), so the bytes stay deterministic.
  await writeFile(file, gzip ? gzipSync(Buffer.from(text, 'utf8'), { level: 9 }) : Buffer.from(text, 'utf8'));
}

async function streamSnapshotFile(file: string, head: string, rest: Iterator<string>, gzip: boolean): Promise<void> {
  const out = createWriteStream(file);
  const sink: NodeJS.WritableStream = gzip ? createGzip({ level: 9 }) : out;
  if (gzip) (sink as ReturnType<typeof createGzip>).pipe(out);
  const failed = new Promise<never>((_, reject) => {
    out.once('error', reject);
    if (gzip) (sink as ReturnType<typeof createGzip>).once('error', reject);
  });
  failed.catch(() => undefined);
  const write = async (text: string) => {
    if (!sink.write(text)) await Promise.race([once(sink as NodeJS.EventEmitter, 'drain'), failed]);
  };
  await write(head);
  let buffer = '';
  for (let next = rest.next(); !next.done; next = rest.next()) {
    buffer += next.value;
    if (buffer.length >= 2 ** 20) {
      await write(buffer);
      buffer = '';
    }
  }
  if (buffer) await write(buffer);
  sink.end();
  await Promise.race([once(out, 'close'), failed]);
}


/** `objects.Pod[0].metadata.name` style path of a zod issue. */
function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeSnapshotBytes(path: string, bytes: Buffer): string {
  const gzipped = bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
  if (!gzipped) {
    if (isGzipPath(path)) {
      throw new InputError(`snapshot ${path} is not a gzip file`, 'a .gz snapshot must be written by `clustergpt snapshot`');
    }
    return bytes.toString('utf8');
  }
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (err) {
    throw new InputError(
      `snapshot ${path} is a corrupt gzip file (${errorMessage(err)})`,
      'the file may be truncated; capture a new snapshot with `clustergpt snapshot`',
      { cause: err },
    );
  }
}

/** Reads and validates a snapshot file written by writeSnapshot (or any tool emitting the schema). */
export async function readSnapshot(path: string): Promise<Snapshot> {
  return (await readSnapshotChecked(path)).snapshot;
}

export interface CheckedSnapshot {
  snapshot: Snapshot;
  /** Objects skipped for their shape (kind/namespace/name, field, reason): input problems, exit 2 unless --keep-going. */
  problems: InputProblem[];
  /** Said but not failing: an object given twice (the later one is used). */
  warnings: InputProblem[];
}

/**
 * readSnapshot, with what was done to the objects: each passes the same shape checks as a manifest
 * (src/snapshot/object-shape.ts) or is skipped as a problem naming it, and an object given twice
 * (same API group, kind, namespace and name) is kept once, the later one, with a warning.
 */
export async function readSnapshotChecked(path: string): Promise<CheckedSnapshot> {
  const snapshot = await readSnapshotFile(path);
  const problems: InputProblem[] = [];
  const warnings: InputProblem[] = [];
  const seen = new Map<string, { group: string; index: number; at: string }>();
  const kept: Record<string, Array<K8sObject | undefined>> = {};
  for (const [group, list] of Object.entries(snapshot.objects)) {
    const out: Array<K8sObject | undefined> = (kept[group] = []);
    list.forEach((obj, index) => {
      const at = `objects.${group}[${index}]`;
      // Before sanitizing: sanitizing walks the object, and a hostile one must be refused before anything walks it.
      const shape = objectShapeProblem(obj);
      if (shape) {
        problems.push({ file: path, message: `${at} (${describeObject(obj)}): ${shape.path}: ${shape.message}; skipped` });
        return;
      }
      // A snapshot file may come from anyone (another tool, a hand edit): it is never trusted to be sanitized already.
      // The objects were just parsed and belong to nobody else, so they are sanitized in place.
      nameGeneratedObject(sanitizeObjectInPlace(obj));
      const key = `${apiGroupOf(obj.apiVersion)}/${keyOf(obj)}`;
      const earlier = seen.get(key);
      if (earlier) {
        warnings.push({ file: path, message: `${describeObject(obj)} is in the snapshot twice (${earlier.at} and ${at}); the later one is used` });
        kept[earlier.group][earlier.index] = undefined;
      }
      seen.set(key, { group, index: out.length, at });
      out.push(obj);
    });
  }
  const objects: Record<string, K8sObject[]> = {};
  for (const [group, list] of Object.entries(kept)) objects[group] = list.filter((o): o is K8sObject => o !== undefined);
  return { snapshot: { ...snapshot, objects }, problems, warnings };
}

async function readSnapshotFile(path: string): Promise<Snapshot> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw readError(path, err);
  }
  if (size > snapshotStreaming.thresholdBytes) return readBigSnapshot(path);

  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw readError(path, err);
  }
  const gzipped = bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
  if (gzipped) {
    const raw = gunzipBytes(path, bytes);
    if (raw.length > snapshotStreaming.thresholdBytes) return parseSnapshotInPieces(path, [raw]);
    return parseSnapshotText(path, raw.toString('utf8'));
  }
  return parseSnapshotText(path, decodeSnapshotBytes(path, bytes));
}

function readError(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new InputError(`snapshot file not found: ${path}`, 'capture one with `clustergpt snapshot --output FILE`');
  }
  return new InputError(`cannot read the snapshot ${path}: ${describeFsError(err)}`, undefined, { cause: err });
}

function notJson(path: string, err: unknown): InputError {
  return new InputError(
    `snapshot ${path} is not valid JSON (${errorMessage(err)})`,
    'a snapshot is the JSON (or .json.gz) file written by `clustergpt snapshot`',
    { cause: err },
  );
}

function checkVersion(path: string, data: unknown): void {
  // Checked before the schema so an old/new file gets a version message, not a field error.
  if (isRecord(data) && data.schemaVersion !== undefined && data.schemaVersion !== SNAPSHOT_SCHEMA_VERSION) {
    throw new InputError(
      `snapshot ${path} has unsupported schemaVersion ${JSON.stringify(data.schemaVersion)} (this clustergpt reads version ${SNAPSHOT_SCHEMA_VERSION})`,
      'capture the snapshot again with this version of clustergpt',
    );
  }
}

function schemaMismatch(path: string, issuePath: readonly PropertyKey[], message: string): InputError {
  return new InputError(
    `snapshot ${path} does not match the snapshot schema at ${formatIssuePath(issuePath)}: ${message}`,
    'a snapshot is the file written by `clustergpt snapshot`; was it edited by hand?',
  );
}

function parseSnapshotText(path: string, text: string): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw notJson(path, err);
  }
  checkVersion(path, data);
  const parsed = SnapshotSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw schemaMismatch(path, issue.path, issue.message);
  }
  return parsed.data as Snapshot;
}

/** A big file, read in chunks (through gunzip when compressed) and parsed object by object. */
async function readBigSnapshot(path: string): Promise<Snapshot> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw readError(path, err);
  }
  try {
    const first = Buffer.alloc(2);
    await handle.read(first, 0, 2, 0);
    if (first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1]) {
      // Compressed: the decompressed bytes are parsed in pieces (never one string).
      return parseSnapshotInPieces(path, [gunzipBytes(path, await handle.readFile())]);
    }
    if (isGzipPath(path)) {
      throw new InputError(`snapshot ${path} is not a gzip file`, 'a .gz snapshot must be written by `clustergpt snapshot`');
    }
    const parser = newSnapshotParser(path);
    // Two buffers: the next chunk is read (in libuv's thread pool) while this one is parsed.
    const buffers = [Buffer.alloc(16 * 2 ** 20), Buffer.alloc(16 * 2 ** 20)];
    let position = 0;
    let next = 0;
    let pending: Promise<{ bytesRead: number }> | undefined = handle.read(buffers[0], 0, buffers[0].length, 0);
    try {
      for (;;) {
        const { bytesRead }: { bytesRead: number } = await pending;
        pending = undefined;
        if (bytesRead === 0) break;
        const current = buffers[next];
        position += bytesRead;
        next ^= 1;
        pending = handle.read(buffers[next], 0, buffers[next].length, position);
        // The parser keeps copies of what it needs beyond this chunk, so the buffer can be read into again.
        feed(path, parser, current.subarray(0, bytesRead));
      }
    } finally {
      // Never close the file (below) under a read still in flight (when parsing failed).
      if (pending) await pending.catch(() => undefined);
    }
    return finishSnapshot(path, parser);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw readError(path, err);
  } finally {
    await handle.close();
  }
}

function gunzipBytes(path: string, bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new InputError(
      `snapshot ${path} is a corrupt gzip file (${errorMessage(err)})`,
      'the file may be truncated; capture a new snapshot with `clustergpt snapshot`',
      { cause: err },
    );
  }
}

function parseSnapshotInPieces(path: string, buffers: Buffer[]): Snapshot {
  const parser = newSnapshotParser(path);
  for (const b of buffers) {
    for (let i = 0; i < b.length; i += 16 * 2 ** 20) feed(path, parser, b.subarray(i, i + 16 * 2 ** 20));
  }
  return finishSnapshot(path, parser);
}

const ENVELOPE_META_KEYS = ['name', 'generateName', 'namespace', 'uid', 'labels', 'annotations', 'ownerReferences'] as const;
const ENVELOPE_META_KEY_SET = new Set<string>(ENVELOPE_META_KEYS);

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A plain object (a z.record) without a `__proto__` key, every value a string when `strings`. */
function isSimpleRecord(value: unknown, strings: boolean): boolean {
  if (!isPlainRecord(value)) return false;
  for (const key in value) {
    if (key === '__proto__') return false;
    if (strings && typeof value[key] !== 'string') return false;
  }
  return true;
}

/**
 * What `K8sObjectSchema.parse(value)` returns, for a freshly parsed object (JSON.parse output) that plainly passes
 * the envelope schema; undefined when it might not (the caller then asks zod, for the same result or error). zod's
 * passthrough copies the object, its metadata and the records/arrays in it, and lists the schema's keys first
 * (apiVersion, kind, metadata; name, generateName, namespace, uid, labels, annotations, ownerReferences), then the
 * others in their order. Here nothing below metadata is copied, only its key order is reproduced: the data and the
 * key order are the same, so is everything computed from them.
 */
function validObjectFast(value: unknown): Record<string, unknown> | undefined {
  if (!isPlainRecord(value) || Object.hasOwn(value, '__proto__')) return undefined;
  if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') return undefined;
  const meta = value.metadata;
  if (!isPlainRecord(meta)) return undefined;
  let ordered = true;
  let expected = 0;
  for (const key in meta) {
    if (key === '__proto__') return undefined;
    if (!ENVELOPE_META_KEY_SET.has(key)) {
      expected = ENVELOPE_META_KEYS.length;
      continue;
    }
    // A schema key after an unknown one, or out of the schema's order, is moved by zod.
    const at = ENVELOPE_META_KEYS.indexOf(key as (typeof ENVELOPE_META_KEYS)[number]);
    if (at < expected) ordered = false;
    expected = at + 1;
    const v = meta[key];
    if (at < 4) {
      if (typeof v !== 'string') return undefined;
    } else if (at < 6) {
      if (!isSimpleRecord(v, true)) return undefined;
    } else {
      if (!Array.isArray(v)) return undefined;
      for (const ref of v) if (!isSimpleRecord(ref, false)) return undefined;
    }
  }
  let metadata = meta;
  if (!ordered) {
    metadata = {};
    for (const key of ENVELOPE_META_KEYS) if (Object.hasOwn(meta, key)) metadata[key] = meta[key];
    for (const key in meta) if (!ENVELOPE_META_KEY_SET.has(key)) metadata[key] = meta[key];
  }
  // Top level: apiVersion, kind, metadata first (JSON.parse output holds only own, enumerable data properties).
  const keys = Object.keys(value);
  if (keys[0] === 'apiVersion' && keys[1] === 'kind' && keys[2] === 'metadata') {
    if (metadata !== meta) value.metadata = metadata;
    return value;
  }
  const out: Record<string, unknown> = { apiVersion: value.apiVersion, kind: value.kind, metadata };
  for (const key of keys) if (key !== 'apiVersion' && key !== 'kind' && key !== 'metadata') out[key] = value[key];
  return out;
}

/** Objects (objects.<Kind>[i]) are validated as they are read, so the raw copy of each is dropped at once. */
function newSnapshotParser(path: string): JsonSplitParser {
  return new JsonSplitParser(OBJECT_DEPTH, (value: unknown, at: JsonPath) => {
    if (at.length !== OBJECT_DEPTH || at[0] !== 'objects') return value;
    const fast = validObjectFast(value);
    if (fast !== undefined) return fast;
    const parsed = K8sObjectSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw schemaMismatch(path, [...at, ...issue.path], issue.message);
    }
    return parsed.data;
  });
}

function feed(path: string, parser: JsonSplitParser, chunk: Buffer): void {
  try {
    parser.feed(chunk);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw notJson(path, err);
  }
}

function finishSnapshot(path: string, parser: JsonSplitParser): Snapshot {
  let data: unknown;
  try {
    data = parser.end();
  } catch (err) {
    throw notJson(path, err);
  }
  checkVersion(path, data);
  // The objects are validated already: check the rest, with each kind's list standing in empty.
  const objects = isRecord(data) ? data.objects : undefined;
  const lists = isRecord(objects) ? objects : undefined;
  const shallow = isRecord(data) && lists
    ? { ...data, objects: Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, Array.isArray(v) ? [] : v])) }
    : data;
  const parsed = SnapshotSchema.safeParse(shallow);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw schemaMismatch(path, issue.path, issue.message);
  }
  return { ...(parsed.data as Snapshot), objects: lists as Snapshot['objects'] };
}
