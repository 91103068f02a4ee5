/**
 * Reading and writing snapshot files (`.json`, or `.json.gz` when the name ends in `.gz`).
 * Output is deterministic: the same snapshot always gives the same bytes (objects grouped by
 * kind and sorted by namespace then name, coverage sorted by kind, object keys sorted).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError, errorMessage } from '../common/errors.js';
import { stableStringify } from '../common/stable-json.js';
import {
  SNAPSHOT_SCHEMA_VERSION,
  SnapshotSchema,
  type K8sObject,
  type Snapshot,
} from '../schema/snapshot.js';

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
  const text = serializeSnapshot(snapshot);
  // gzip's header has no timestamp from Node's zlib (mtime 0), so the bytes stay deterministic.
  const bytes = isGzipPath(path) ? gzipSync(Buffer.from(text, 'utf8'), { level: 9 }) : Buffer.from(text, 'utf8');
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    throw new InputError(
      `cannot write the snapshot to ${path}: ${describeFsError(err)}`,
      'check that the directory exists and is writable',
      { cause: err },
    );
  }
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return errorMessage(err);
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
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') {
      throw new InputError(`snapshot file not found: ${path}`, 'capture one with `clustergpt snapshot --output FILE`');
    }
    throw new InputError(`cannot read the snapshot ${path}: ${describeFsError(err)}`, undefined, { cause: err });
  }

  const text = decodeSnapshotBytes(path, bytes);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(
      `snapshot ${path} is not valid JSON (${errorMessage(err)})`,
      'a snapshot is the JSON (or .json.gz) file written by `clustergpt snapshot`',
      { cause: err },
    );
  }

  // Checked before the schema so an old/new file gets a version message, not a field error.
  if (isRecord(data) && data.schemaVersion !== undefined && data.schemaVersion !== SNAPSHOT_SCHEMA_VERSION) {
    throw new InputError(
      `snapshot ${path} has unsupported schemaVersion ${JSON.stringify(data.schemaVersion)} (this clustergpt reads version ${SNAPSHOT_SCHEMA_VERSION})`,
      'capture the snapshot again with this version of clustergpt',
    );
  }

  const parsed = SnapshotSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `snapshot ${path} does not match the snapshot schema at ${formatIssuePath(issue.path)}: ${issue.message}`,
      'a snapshot is the file written by `clustergpt snapshot`; was it edited by hand?',
    );
  }
  return parsed.data as Snapshot;
}
