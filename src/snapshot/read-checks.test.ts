/** A snapshot file is checked like a manifest: broken objects are skipped as problems, duplicates kept once. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSnapshotChecked } from './io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clustergpt-read-checks-'));
});

function snapshotText(objects: Record<string, unknown[]>, deepField = ''): string {
  const text = JSON.stringify({
    schemaVersion: 1,
    capturedAt: '2026-11-22T05:00:00.000Z',
    source: { type: 'cluster', server: 'https://example:6443' },
    scope: { namespaces: null, excludedNamespaces: [] },
    coverage: [],
    objects,
  });
  return deepField ? text.replace('"@@DEEP@@"', deepField) : text;
}

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'shop', name, uid: `uid-${name}` },
  spec: { containers: [{ name: 'c', image: 'x', ...extra }] },
});

async function read(name: string, text: string) {
  const path = join(dir, name);
  await writeFile(path, text);
  return { path, ...(await readSnapshotChecked(path)) };
}

describe('readSnapshotChecked', () => {
  it('skips an object of a broken shape with a problem naming kind, namespace and name', async () => {
    const { path, snapshot, problems } = await read('broken.json', snapshotText({ Pod: [pod('ok'), pod('bad', { resources: { requests: { memory: '1.5.3Gi' } } })] }));
    expect(snapshot.objects.Pod.map((p) => p.metadata.name)).toEqual(['ok']);
    expect(problems).toEqual([
      { file: path, message: 'objects.Pod[1] (Pod shop/bad): spec.containers[0].resources.requests.memory: "1.5.3Gi" is not a quantity (e.g. 500m, 1.5Gi, 2); skipped' },
    ]);
  });

  it('skips an object nested 100,000 levels deep instead of overflowing the stack', async () => {
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const { snapshot, problems } = await read('deep.json', snapshotText({ Pod: [pod('ok'), pod('deep', { securityContext: '@@DEEP@@' })] }, deep));
    expect(snapshot.objects.Pod.map((p) => p.metadata.name)).toEqual(['ok']);
    expect(problems[0].message).toMatch(/^objects\.Pod\[1\] \(Pod shop\/deep\): spec\.containers\[0\]\.securityContext\.a.*: nested more than 200 levels deep/);
  });

  it('keeps an object given twice once (the later one), with a warning, not as a problem', async () => {
    const later = pod('web', { image: 'later' });
    const { snapshot, problems, warnings } = await read('twice.json', snapshotText({ Pod: [pod('web'), pod('other'), later] }));
    expect(snapshot.objects.Pod.map((p) => `${p.metadata.name}:${p.spec.containers[0].image}`)).toEqual(['other:x', 'web:later']);
    expect(problems).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual(['Pod shop/web is in the snapshot twice (objects.Pod[0] and objects.Pod[2]); the later one is used']);
  });

  it('an object without a name is a problem; with only generateName it is shown as `generateName*`', async () => {
    const nameless = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop' }, spec: {} };
    const generated = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop', generateName: 'job-' }, spec: {} };
    const { snapshot, problems } = await read('names.json', snapshotText({ Pod: [nameless, generated] }));
    expect(problems.map((p) => p.message)).toEqual(['objects.Pod[0] (Pod shop/(no name)): metadata.name: is missing (and there is no metadata.generateName); skipped']);
    expect(snapshot.objects.Pod.map((p) => p.metadata.name)).toEqual(['job-*']);
  });
});
