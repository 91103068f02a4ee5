/**
 * `kubectl apply -f k8s/` on a fresh cluster, simulated against the fake API server: kubectl
 * visits a directory's .json/.yaml/.yml files in lexical order (filepath.Walk), the documents of
 * each file in order, and for each object GETs it and POSTs it when the GET is a 404.
 */
import https from 'node:https';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, collectionPathFor, knownResources, loadRecordedResponses, startFakeApiServer, type FakeApiServer } from './server.js';

const K8S_DIR = join(REPO_ROOT, 'k8s');
const KUBECTL_EXTENSIONS = ['.json', '.yaml', '.yml'];

interface Reply {
  status: number;
  text: string;
}

function call(server: FakeApiServer, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${server.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = https.request(server.url + path, { method, ca: server.caCertPem, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The objects of k8s/ in the order kubectl applies them, with the file each came from. */
function objectsInKubectlOrder(): { file: string; obj: any }[] {
  const files = readdirSync(K8S_DIR)
    .filter((f) => KUBECTL_EXTENSIONS.some((ext) => f.endsWith(ext)))
    .sort();
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8'))
      .map((doc) => doc.toJS())
      .filter((obj) => obj !== null && obj !== undefined)
      .map((obj) => ({ file, obj })),
  );
}

async function kubectlApply(server: FakeApiServer, objects: { file: string; obj: any }[]): Promise<string[]> {
  const resources = knownResources(await loadRecordedResponses());
  const lines: string[] = [];
  for (const { file, obj } of objects) {
    const collection = collectionPathFor(obj, resources);
    const existing = await call(server, 'GET', `${collection}/${encodeURIComponent(obj.metadata.name)}`);
    if (existing.status === 200) {
      lines.push(`${obj.kind}/${obj.metadata.name} unchanged`);
      continue;
    }
    expect(existing.status, `${file}: GET ${obj.kind}/${obj.metadata.name}`).toBe(404);
    const created = await call(server, 'POST', collection, obj);
    lines.push(created.status === 201 ? `${obj.kind}/${obj.metadata.name} created` : `${file}: Error from server (${created.status}): ${JSON.parse(created.text).message}`);
  }
  return lines;
}

const servers: FakeApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function freshCluster(): Promise<FakeApiServer> {
  const server = await startFakeApiServer();
  servers.push(server);
  return server;
}

describe('kubectl apply -f k8s/ on a fresh cluster', () => {
  it('creates every object on the first run: the namespace comes first in kubectl order', async () => {
    const server = await freshCluster();
    const objects = objectsInKubectlOrder();
    expect(objects[0].obj).toMatchObject({ kind: 'Namespace', metadata: { name: 'clustergpt' } });
    const lines = await kubectlApply(server, objects);
    expect(lines).toEqual([
      'Namespace/clustergpt created',
      'ServiceAccount/clustergpt created',
      'ClusterRole/clustergpt-reader created',
      'ClusterRoleBinding/clustergpt-reader created',
      'NetworkPolicy/clustergpt-egress created',
      'PersistentVolumeClaim/clustergpt-reports created',
      'CronJob/clustergpt created',
    ]);
    const cronJob = JSON.parse((await call(server, 'GET', '/apis/batch/v1/namespaces/clustergpt/cronjobs/clustergpt')).text);
    expect(cronJob).toMatchObject({ kind: 'CronJob', metadata: { namespace: 'clustergpt' }, spec: { schedule: '0 6 * * *' } });
    // A second run changes nothing (kubectl would compute an empty patch).
    expect((await kubectlApply(server, objects)).every((l) => l.endsWith('unchanged'))).toBe(true);
  });

  it('rejects a namespaced object before its namespace exists, with the real apiserver Status', async () => {
    const server = await freshCluster();
    const pvc = objectsInKubectlOrder().find(({ obj }) => obj.kind === 'PersistentVolumeClaim')!.obj;
    const reply = await call(server, 'POST', '/api/v1/namespaces/clustergpt/persistentvolumeclaims', pvc);
    expect(reply.status).toBe(404);
    expect(reply.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \\"clustergpt\\" not found","reason":"NotFound","details":{"name":"clustergpt","kind":"namespaces"},"code":404}',
    );
    // The old file names (cronjob.yaml < namespace.yaml) applied in this order and failed this way.
    const oldOrder = [...objectsInKubectlOrder()].sort((a, b) => Number(b.obj.kind === 'CronJob' || b.obj.kind === 'PersistentVolumeClaim') - Number(a.obj.kind === 'CronJob' || a.obj.kind === 'PersistentVolumeClaim'));
    const lines = await kubectlApply(await freshCluster(), oldOrder);
    expect(lines[0]).toBe('30-cronjob.yaml: Error from server (404): namespaces "clustergpt" not found');
  });

  it('answers a second create of the same name with 409 AlreadyExists', async () => {
    const server = await freshCluster();
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'clustergpt' } };
    expect((await call(server, 'POST', '/api/v1/namespaces', ns)).status).toBe(201);
    const again = await call(server, 'POST', '/api/v1/namespaces', ns);
    expect(again.status).toBe(409);
    expect(JSON.parse(again.text)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'namespaces "clustergpt" already exists',
      reason: 'AlreadyExists',
      details: { name: 'clustergpt', kind: 'namespaces' },
      code: 409,
    });
    const listed = JSON.parse((await call(server, 'GET', '/api/v1/namespaces')).text);
    expect(listed.items.map((n: any) => n.metadata.name)).toContain('clustergpt');
  });
});
