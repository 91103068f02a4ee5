import { lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../common/errors.js';
import type { Snapshot } from '../schema/snapshot.js';
import { normalizeSnapshot, readSnapshot, serializeSnapshot, snapshotStreaming, writeSnapshot } from './io.js';

function pod(namespace: string, name: string): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name }, spec: { containers: [{ name: 'c', image: 'x' }] } };
}

function sampleSnapshot(): Snapshot {
  return {
    schemaVersion: 1,
    capturedAt: '2026-11-22T05:00:00.000Z',
    source: { type: 'cluster', server: 'https://example:6443', context: 'prod', kubernetesVersion: 'v1.26.4' },
    scope: { namespaces: null, excludedNamespaces: ['kube-system', 'b-ns'] },
    coverage: [
      { kind: 'Pod', apiVersion: 'v1', status: 'listed', count: 3 },
      { kind: 'Deployment', apiVersion: 'apps/v1', status: 'listed', count: 1 },
      { kind: 'Secret', apiVersion: 'v1', status: 'forbidden', count: 0, error: 'forbidden' },
    ],
    objects: {
      Pod: [pod('web', 'b'), pod('api', 'z'), pod('web', 'a')],
      Deployment: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'web', name: 'd' }, spec: { replicas: 1 } }],
      Job: [],
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clustergpt-io-test-'));
});

describe('normalizeSnapshot / serializeSnapshot', () => {
  it('sorts objects by namespace then name, coverage by kind, and keeps empty groups', () => {
    const normal = normalizeSnapshot(sampleSnapshot());
    expect(normal.objects.Pod.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['api/z', 'web/a', 'web/b']);
    expect(normal.coverage.map((c) => c.kind)).toEqual(['Deployment', 'Pod', 'Secret']);
    expect(Object.keys(normal.objects)).toEqual(['Deployment', 'Job', 'Pod']);
    expect(normal.scope.excludedNamespaces).toEqual(['b-ns', 'kube-system']);
  });

  it('regroups an object filed under the wrong kind', () => {
    const snapshot = sampleSnapshot();
    snapshot.objects.Pod.push({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'web', name: 'svc' } });
    const normal = normalizeSnapshot(snapshot);
    expect(normal.objects.Service.map((s) => s.metadata.name)).toEqual(['svc']);
    expect(normal.objects.Pod).toHaveLength(3);
  });

  it('gives the same text whatever the input order', () => {
    const a = sampleSnapshot();
    const b = sampleSnapshot();
    b.objects.Pod.reverse();
    b.coverage.reverse();
    b.objects = { Job: [], Pod: b.objects.Pod, Deployment: b.objects.Deployment };
    expect(serializeSnapshot(a)).toBe(serializeSnapshot(b));
    expect(serializeSnapshot(a).endsWith('}\n')).toBe(true);
  });
});

describe('writeSnapshot / readSnapshot', () => {
  it('round-trips .json and writes identical bytes twice', async () => {
    const path = join(dir, 'snap.json');
    await writeSnapshot(path, sampleSnapshot());
    const first = await readFile(path);
    await writeSnapshot(path, sampleSnapshot());
    expect((await readFile(path)).equals(first)).toBe(true);
    const back = await readSnapshot(path);
    expect(back.objects.Pod).toHaveLength(3);
    expect(serializeSnapshot(back)).toBe(first.toString('utf8'));
  });

  it('round-trips .json.gz (gzipped, deterministic bytes)', async () => {
    const path = join(dir, 'nested', 'snap.json.gz');
    await writeSnapshot(path, sampleSnapshot());
    const bytes = await readFile(path);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    await writeSnapshot(path, sampleSnapshot());
    expect((await readFile(path)).equals(bytes)).toBe(true);
    const back = await readSnapshot(path);
    expect(serializeSnapshot(back)).toBe(serializeSnapshot(sampleSnapshot()));
  });

  it('writes through a symlink (the link stays a link) and refuses devices, FIFOs and directories', async () => {
    const real = join(dir, 'real-target.json');
    const link = join(dir, 'link.json');
    await writeFile(real, 'old');
    await symlink(real, link);
    await writeSnapshot(link, sampleSnapshot());
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await readSnapshot(real)).source.type).toBe('cluster');

    const fifo = join(dir, 'a-fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [target, what] of [['/dev/null', 'a device'], [fifo, 'not a regular file'], [dir, 'a directory']] as const) {
      const err = await writeSnapshot(target, sampleSnapshot()).then(() => undefined, (e: unknown) => e);
      expect(err, target).toBeInstanceOf(InputError);
      expect((err as InputError).message).toBe(`cannot write the snapshot to ${target}: it is ${what}`);
    }
    expect((await stat('/dev/null')).isCharacterDevice()).toBe(true);
  });

  it('a write that fails half-way leaves no temp file behind and the previous snapshot intact', async () => {
    const folder = await mkdtemp(join(dir, 'half-'));
    const target = join(folder, 'snap.json');
    await writeSnapshot(target, sampleSnapshot());
    const before = await readFile(target);
    const broken = sampleSnapshot();
    (broken.objects.Pod[2] as any).spec.unserializable = 10n; // JSON cannot write a BigInt: fails after streaming began
    const threshold = snapshotStreaming.thresholdBytes;
    snapshotStreaming.thresholdBytes = 10;
    try {
      const err = await writeSnapshot(target, broken).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
    } finally {
      snapshotStreaming.thresholdBytes = threshold;
    }
    expect(await readdir(folder)).toEqual(['snap.json']);
    expect((await readFile(target)).equals(before)).toBe(true);
  });

  it('detects gzip by its magic bytes even without the .gz extension', async () => {
    const path = join(dir, 'gzipped-but-named.json');
    await writeFile(path, gzipSync(serializeSnapshot(sampleSnapshot())));
    expect((await readSnapshot(path)).source.type).toBe('cluster');
  });
});

async function readError(path: string): Promise<InputError> {
  try {
    await readSnapshot(path);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    expect((err as InputError).message).not.toContain('\n');
    return err as InputError;
  }
  throw new Error('readSnapshot did not throw');
}

describe('readSnapshot errors', () => {
  it('missing file', async () => {
    const err = await readError(join(dir, 'nope.json'));
    expect(err.message).toBe(`snapshot file not found: ${join(dir, 'nope.json')}`);
  });

  it('not JSON', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, 'apiVersion: v1\nkind: Pod\n');
    expect((await readError(path)).message).toMatch(/is not valid JSON/);
  });

  it('corrupt gzip', async () => {
    const path = join(dir, 'bad.json.gz');
    const good = gzipSync(serializeSnapshot(sampleSnapshot()));
    await writeFile(path, good.subarray(0, good.length / 2));
    expect((await readError(path)).message).toMatch(/corrupt gzip/);
  });

  it('schema mismatch names the first bad field', async () => {
    const path = join(dir, 'mismatch.json');
    const snapshot: any = sampleSnapshot();
    delete snapshot.objects.Pod[1].kind;
    await writeFile(path, JSON.stringify(snapshot));
    expect((await readError(path)).message).toMatch(/at objects\.Pod\[1\]\.kind/);
  });

  it('unsupported schemaVersion', async () => {
    const path = join(dir, 'v9.json');
    await writeFile(path, JSON.stringify({ ...sampleSnapshot(), schemaVersion: 9 }));
    expect((await readError(path)).message).toMatch(/unsupported schemaVersion 9/);
  });
});

describe('big snapshots (streamed when over the threshold)', () => {
  const saved = snapshotStreaming.thresholdBytes;
  afterEach(() => {
    snapshotStreaming.thresholdBytes = saved;
  });
  function big(): Snapshot {
    const s = sampleSnapshot();
    s.objects.Pod = Array.from({ length: 300 }, (_, i) => ({ ...pod(`ns-${i % 7}`, `pod-${i}`), metadata: { namespace: `ns-${i % 7}`, name: `pod-${i}`, labels: { app: `a${i}`, 'x/y': '"}]' } } }));
    return s;
  }

  it('writes the same bytes as serializeSnapshot and reads back the same data, .json and .json.gz', async () => {
    const expected = serializeSnapshot(big());
    snapshotStreaming.thresholdBytes = 1000;
    const path = join(dir, 'big.json');
    await writeSnapshot(path, big());
    expect((await readFile(path, 'utf8')) === expected).toBe(true);
    const back = await readSnapshot(path);
    expect(serializeSnapshot(back) === expected).toBe(true);

    const gz = join(dir, 'big.json.gz');
    await writeSnapshot(gz, big());
    const bytes = await readFile(gz);
    expect(gzipSync(expected, { level: 9 }).equals(bytes)).toBe(true);
    expect(serializeSnapshot(await readSnapshot(gz)) === expected).toBe(true);
  });

  it('reports bad JSON, schema mismatches (with the object path) and versions like the whole-file reader', async () => {
    snapshotStreaming.thresholdBytes = 100;
    const bad = join(dir, 'big-bad.json');
    await writeFile(bad, serializeSnapshot(big()).slice(0, -10));
    expect((await readError(bad)).message).toMatch(/is not valid JSON/);

    const mismatch = join(dir, 'big-mismatch.json');
    const snapshot: any = big();
    delete snapshot.objects.Pod[250].kind;
    await writeFile(mismatch, JSON.stringify(snapshot));
    expect((await readError(mismatch)).message).toMatch(/at objects\.Pod\[250\]\.kind/);

    const version = join(dir, 'big-v9.json');
    await writeFile(version, JSON.stringify({ ...big(), schemaVersion: 9 }));
    expect((await readError(version)).message).toMatch(/unsupported schemaVersion 9/);

    const notSnapshot = join(dir, 'big-yaml.json');
    await writeFile(notSnapshot, 'apiVersion: v1\nkind: Pod\n'.repeat(20));
    expect((await readError(notSnapshot)).message).toMatch(/is not valid JSON/);
  });
});
