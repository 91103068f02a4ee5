import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterError, UserError } from '../common/errors.js';
import { KIND_SPECS } from '../common/kinds.js';
import type { Logger } from '../common/logger.js';
import type { Snapshot } from '../schema/snapshot.js';
import { readSnapshot, serializeSnapshot, writeSnapshot } from '../snapshot/io.js';
import { REDACTED_CREDENTIAL_ENV_VALUE } from '../snapshot/sanitize.js';
import { captureCluster, type CaptureOptions } from './index.js';

import * as fake from '../../test/k8s-api-server/server.js';
import type { FakeApiServer } from '../../test/k8s-api-server/server.js';
import { RECORDED_DIR } from '../../test/support/recorded-snapshot.js';

const RESPONSES = join(RECORDED_DIR, 'responses');
const recordedBody = (file: string) => JSON.parse(readFileSync(join(RESPONSES, file), 'utf8')).body;

const FIXED_CLOCK = () => new Date('2026-11-22T05:00:00.000Z');

function collectingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (prefix: string) => (m: string) => lines.push(prefix + m);
  return { color: new Chalk({ level: 0 }), lines, progress: push(''), info: push(''), warn: push('warning: '), debug: () => {} };
}

const servers: FakeApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(options: Record<string, unknown> = {}): Promise<{ server: FakeApiServer; kubeconfig: string }> {
  const server = await fake.startFakeApiServer(options);
  servers.push(server);
  return { server, kubeconfig: await fake.writeFakeKubeconfig(server) };
}

async function capture(kubeconfig: string, extra: Partial<CaptureOptions> = {}, log: Logger = collectingLogger()): Promise<Snapshot> {
  return captureCluster({ kubeconfig, now: FIXED_CLOCK, retryBaseMs: 5, ...extra }, log);
}

function coverageOf(snapshot: Snapshot, kind: string) {
  const entry = snapshot.coverage.find((c) => c.kind === kind);
  if (!entry) throw new Error(`no coverage for ${kind}`);
  return entry;
}

async function captureError(promise: Promise<unknown>): Promise<ClusterError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as UserError).exitCode).toBe(3);
    expect((err as Error).message).not.toContain('\n');
    return err as ClusterError;
  }
  throw new Error('captureCluster did not throw');
}

describe('captureCluster against the recorded bookstore cluster', () => {
  it('lists every kind with the counts of the recordings', async () => {
    const { server, kubeconfig } = await startServer();
    const snapshot = await capture(kubeconfig);

    const expected: Record<string, number> = {
      Namespace: recordedBody('list-core-namespaces.json').items.length,
      Node: 3,
      Pod: recordedBody('list-core-pods.json').items.length,
      Service: 5,
      ConfigMap: 8,
      Secret: 1,
      Event: 6,
      Deployment: 3,
      ReplicaSet: 3,
      StatefulSet: 1,
      DaemonSet: 1,
      Job: 0,
      CronJob: 1,
      ClusterRole: recordedBody('list-rbac-clusterroles.json').items.length,
      ClusterRoleBinding: 47,
      ServiceAccount: 12,
    };
    for (const [kind, count] of Object.entries(expected)) {
      expect(coverageOf(snapshot, kind), kind).toMatchObject({ status: 'listed', count });
      expect(snapshot.objects[kind], kind).toHaveLength(count);
    }
    expect(snapshot.coverage).toHaveLength(KIND_SPECS.length);
    expect(coverageOf(snapshot, 'Secret').metadataOnly).toBe(true);
    expect(snapshot.objects.Secret[0]).toMatchObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials' } });
    expect(snapshot.objects.Deployment.every((d) => d.apiVersion === 'apps/v1' && d.kind === 'Deployment')).toBe(true);

    expect(snapshot.source).toEqual({
      type: 'cluster',
      server: server.url,
      context: 'fake',
      kubernetesVersion: 'v1.26.4',
      platform: 'eks',
    });
    expect(snapshot.scope).toEqual({ namespaces: null, excludedNamespaces: [] });
    expect(snapshot.capturedAt).toBe('2026-11-22T05:00:00.000Z');

    // Read-only, authenticated, Secrets asked metadata-only.
    expect(server.requests.every((r) => r.method === 'GET' && r.authorized)).toBe(true);
    const secretRequests = server.requests.filter((r) => r.path === '/api/v1/secrets');
    expect(secretRequests.map((r) => r.accept)).toEqual([
      'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
    ]);
    expect(server.requests.find((r) => r.path === '/api/v1/pods')?.query.limit).toBe('500');
  });

  it('metrics.k8s.io not served (404 page not found) is recorded as not-served, not an error', async () => {
    const { kubeconfig } = await startServer();
    const log = collectingLogger();
    const snapshot = await capture(kubeconfig, {}, log);
    expect(coverageOf(snapshot, 'PodMetrics')).toMatchObject({ status: 'not-served', count: 0 });
    expect(coverageOf(snapshot, 'NodeMetrics')).toMatchObject({ status: 'not-served', count: 0 });
    expect(snapshot.objects.PodMetrics).toBeUndefined();
    expect(log.lines.filter((l) => l.startsWith('warning'))).toEqual([]);
    expect(log.lines).toContain('pods: 8 listed');
  });

  it('the snapshot carries no secret material, managedFields, env literals or ConfigMap values', async () => {
    const { kubeconfig } = await startServer();
    const text = serializeSnapshot(await capture(kubeconfig));

    expect(text).not.toContain('managedFields');
    expect(text).not.toContain('last-applied-configuration');
    // The recorded Secret list's last-applied annotation holds the password in clear text.
    expect(text).not.toContain('s3cr3t-never-leaks');
    expect(text).not.toContain(Buffer.from('s3cr3t-never-leaks').toString('base64'));
    expect(text).not.toContain('hunter2-literal-in-manifest');
    expect(text).toContain(REDACTED_CREDENTIAL_ENV_VALUE);

    const recordedConfigMaps = recordedBody('list-core-configmaps.json').items;
    const storefrontConfig = recordedConfigMaps.find((c: any) => c.metadata.name === 'storefront-config');
    for (const value of Object.values<string>(storefrontConfig.data)) expect(text).not.toContain(JSON.stringify(value));
    expect(text).not.toContain('BEGIN CERTIFICATE'); // kube-root-ca.crt values
    const snapshot = JSON.parse(text) as Snapshot;
    const cm = snapshot.objects.ConfigMap.find((c) => c.metadata.name === 'storefront-config')!;
    expect(cm.data).toEqual({ FEATURE_FLAGS: '', LOG_LEVEL: '' });
  });

  it('pagination with pageSize 3 follows the recorded continue tokens and returns every pod once', async () => {
    const { server, kubeconfig } = await startServer();
    const snapshot = await capture(kubeconfig, { pageSize: 3 });
    const names = snapshot.objects.Pod.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    const recordedNames = recordedBody('list-core-pods.json').items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(names).toEqual([...recordedNames].sort());
    const podRequests = server.requests.filter((r) => r.path === '/api/v1/pods');
    expect(podRequests).toHaveLength(3);
    expect(podRequests[1].query.continue).toBe(recordedBody('page1-core-pods-limit3.json').metadata.continue);
    expect(podRequests[2].query.continue).toBe(recordedBody('page2-core-pods-limit3.json').metadata.continue);
  });

  it('pagination over a long list (65 ClusterRoles, pageSize 7) returns each exactly once', async () => {
    const { server, kubeconfig } = await startServer();
    const snapshot = await capture(kubeconfig, { pageSize: 7 });
    const names = snapshot.objects.ClusterRole.map((r) => r.metadata.name);
    expect(names).toHaveLength(65);
    expect(new Set(names).size).toBe(65);
    expect(server.requests.filter((r) => r.path === '/apis/rbac.authorization.k8s.io/v1/clusterroles')).toHaveLength(10);
  });

  it('403 on secrets: coverage forbidden, the rest of the cluster is there', async () => {
    const { kubeconfig } = await startServer({ forbid: ['/api/v1/secrets'] });
    const log = collectingLogger();
    const snapshot = await capture(kubeconfig, {}, log);
    const secrets = coverageOf(snapshot, 'Secret');
    expect(secrets).toMatchObject({ status: 'forbidden', count: 0 });
    expect(secrets.metadataOnly).toBeUndefined(); // nothing was read, so nothing was read as metadata only
    expect(secrets.error).toMatch(/cannot list resource "secrets"/);
    expect(snapshot.objects.Secret).toBeUndefined();
    expect(snapshot.objects.Pod).toHaveLength(8);
    expect(log.lines).toContain('secrets: forbidden (403), skipped');
  });

  it('retries 429 (Retry-After), 503 and a dropped connection, then succeeds', async () => {
    const { server, kubeconfig } = await startServer({
      rateLimitOnce: ['/api/v1/pods'],
      serverErrorOnce: ['/apis/apps/v1/deployments'],
      dropConnectionOnce: ['/api/v1/nodes'],
    });
    const snapshot = await capture(kubeconfig);
    expect(coverageOf(snapshot, 'Pod')).toMatchObject({ status: 'listed', count: 8 });
    expect(coverageOf(snapshot, 'Deployment')).toMatchObject({ status: 'listed', count: 3 });
    expect(coverageOf(snapshot, 'Node')).toMatchObject({ status: 'listed', count: 3 });
    for (const path of ['/api/v1/pods', '/apis/apps/v1/deployments', '/api/v1/nodes']) {
      expect(server.requests.filter((r) => r.path === path), path).toHaveLength(2);
    }
  });

  it('a kind that keeps failing is recorded as failed after 4 attempts and does not abort the run', async () => {
    const { server, kubeconfig } = await startServer({ serverErrorAlways: ['/api/v1/services'] });
    const log = collectingLogger();
    const snapshot = await capture(kubeconfig, {}, log);
    const services = coverageOf(snapshot, 'Service');
    expect(services.status).toBe('failed');
    expect(services.error).toMatch(/HTTP 503/);
    expect(server.requests.filter((r) => r.path === '/api/v1/services')).toHaveLength(4);
    expect(snapshot.objects.Pod).toHaveLength(8);
    expect(log.lines.some((l) => l.startsWith('warning: services: listing failed'))).toBe(true);
  });

  it('the overall deadline records unfinished kinds as failed and keeps what was gathered', async () => {
    const { kubeconfig } = await startServer({ hang: ['/api/v1/events'] });
    const snapshot = await capture(kubeconfig, { timeoutMs: 4000 });
    expect(coverageOf(snapshot, 'Event')).toMatchObject({ status: 'failed', count: 0 });
    expect(coverageOf(snapshot, 'Event').error).toMatch(/deadline/);
    expect(coverageOf(snapshot, 'Namespace')).toMatchObject({ status: 'listed', count: 6 });
  });

  it('namespaces scope: namespaced kinds listed per namespace, cluster-scoped kinds once', async () => {
    const { server, kubeconfig } = await startServer();
    const snapshot = await capture(kubeconfig, { namespaces: ['bookstore'] });
    expect(snapshot.scope).toEqual({ namespaces: ['bookstore'], excludedNamespaces: [] });
    expect(snapshot.objects.Pod).toHaveLength(recordedBody('list-namespaced-bookstore-pods.json').items.length);
    expect(snapshot.objects.Pod.every((p) => p.metadata.namespace === 'bookstore')).toBe(true);
    expect(snapshot.objects.Node).toHaveLength(3);
    expect(snapshot.objects.Namespace.map((n) => n.metadata.name)).toEqual(['bookstore']);
    expect(server.requests.some((r) => r.path === '/api/v1/namespaces/bookstore/pods')).toBe(true);
    expect(server.requests.some((r) => r.path === '/api/v1/pods')).toBe(false);
  });

  it('excludeNamespaces drops the objects in those namespaces', async () => {
    const { kubeconfig } = await startServer();
    const snapshot = await capture(kubeconfig, { excludeNamespaces: ['monitoring'] });
    expect(snapshot.scope.excludedNamespaces).toEqual(['monitoring']);
    const text = JSON.stringify(snapshot.objects);
    expect(text).not.toContain('"namespace":"monitoring"');
    expect(snapshot.objects.Pod).toHaveLength(5);
    expect(coverageOf(snapshot, 'Pod').count).toBe(5);
    expect(snapshot.objects.Namespace.map((n) => n.metadata.name)).not.toContain('monitoring');
  });

  it('same cluster + fixed clock → byte-identical files; .json.gz round-trips', async () => {
    const { kubeconfig } = await startServer();
    const dir = await mkdtemp(join(tmpdir(), 'clustergpt-connector-test-'));
    await writeSnapshot(join(dir, 'a.json'), await capture(kubeconfig, { concurrency: 6 }));
    await writeSnapshot(join(dir, 'b.json'), await capture(kubeconfig, { concurrency: 1 }));
    const a = await readFile(join(dir, 'a.json'));
    expect(a.equals(await readFile(join(dir, 'b.json')))).toBe(true);

    await writeSnapshot(join(dir, 'a.json.gz'), await readSnapshot(join(dir, 'a.json')));
    const back = await readSnapshot(join(dir, 'a.json.gz'));
    expect(serializeSnapshot(back)).toBe(a.toString('utf8'));
  });
});

describe('captureCluster cluster-level errors (exit 3, one line)', () => {
  it('401: credentials rejected', async () => {
    const { server } = await startServer();
    const kubeconfig = await fake.writeFakeKubeconfig(server, { token: 'expired-token' });
    const err = await captureError(capture(kubeconfig));
    expect(err.message).toBe(
      'the API server rejected the credentials (401 Unauthorized): the token or certificate has expired or is invalid',
    );
    expect(err.hint).toMatch(/log in again/);
  });

  it('unreachable API server', async () => {
    const { server } = await startServer();
    const port = await closedPort();
    const kubeconfig = await fake.writeFakeKubeconfig(server, { server: `https://127.0.0.1:${port}` });
    const err = await captureError(capture(kubeconfig));
    expect(err.message).toBe(`cannot reach the Kubernetes API at https://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})`);
    expect(err.hint).toMatch(/VPN/);
  });

  it('a server certificate the kubeconfig does not trust', async () => {
    const { server } = await startServer();
    const dir = await mkdtemp(join(tmpdir(), 'clustergpt-kubeconfig-'));
    const kubeconfig = join(dir, 'kubeconfig');
    // No certificate-authority-data: the self-signed certificate cannot be verified.
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "' + server.url + '"}}]',
        'users: [{name: u, user: {token: "' + server.token + '"}}]',
        'contexts: [{name: notrust, context: {cluster: c, user: u}}]',
        'current-context: notrust',
      ].join('\n'),
    );
    const err = await captureError(capture(kubeconfig));
    expect(err.message).toMatch(new RegExp(`^the TLS certificate of the Kubernetes API at ${server.url} could not be verified \\(`));
    expect(err.hint).toMatch(/certificate-authority/);
  });

  it('unknown context names the available ones', async () => {
    const { kubeconfig } = await startServer();
    const err = await captureError(capture(kubeconfig, { context: 'prod' }));
    expect(err.message).toMatch(/^context "prod" not found in .* \(available: fake\)$/);
  });

  it('--kubeconfig pointing at a missing file', async () => {
    const err = await captureError(capture('/nonexistent/kubeconfig'));
    expect(err.message).toBe('kubeconfig not found: /nonexistent/kubeconfig');
  });

  it('no kubeconfig anywhere names the places tried', async () => {
    const home = await mkdtemp(join(tmpdir(), 'clustergpt-home-'));
    const err = await captureError(captureCluster({ env: { KUBECONFIG: '/nowhere/config' }, home }, collectingLogger()));
    expect(err.message).toBe(
      `no kubeconfig found (tried $KUBECONFIG (/nowhere/config), ${join(home, '.kube', 'config')}, in-cluster service account)`,
    );
  });

  it('KUBECONFIG is used when no --kubeconfig is given', async () => {
    const { kubeconfig } = await startServer();
    const snapshot = await captureCluster({ env: { KUBECONFIG: kubeconfig }, now: FIXED_CLOCK }, collectingLogger());
    expect(snapshot.source).toMatchObject({ type: 'cluster', context: 'fake' });
    expect(snapshot.objects.Pod).toHaveLength(8);
  });

  it('a hanging exec credential plugin is stopped at the --timeout deadline (exit 3), not left running', async () => {
    const { server } = await startServer();
    const dir = await mkdtemp(join(tmpdir(), 'clustergpt-exec-plugin-'));
    const pidFile = join(dir, 'plugin.pid');
    const plugin = join(dir, 'hanging-plugin.sh');
    await writeFile(plugin, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 600\n`, { mode: 0o755 });
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: server.url, 'certificate-authority-data': Buffer.from(server.caCertPem!).toString('base64') } }],
        users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: plugin, args: [], interactiveMode: 'Never' } } }],
        contexts: [{ name: 'sso', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'sso',
      }),
    );
    const attempt = capture(kubeconfig, { timeoutMs: 1500 });
    await expect(attempt).rejects.toBeInstanceOf(ClusterError);
    await expect(attempt).rejects.toThrow('the credential plugin of context "sso" did not answer within the --timeout of 2 s; it was stopped');
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toBe(false);
  });

  it('a response larger than the cap fails that kind with a clear reason and the rest is read', async () => {
    const filler = 'x'.repeat(4000); // a page of 500 is about 2 MiB
    const items = Array.from({ length: 1000 }, (_, i) => ({ metadata: { name: `cm-${i}`, namespace: 'bookstore' }, data: { filler } }));
    const { kubeconfig } = await startServer({ responses: { '/api/v1/configmaps': { status: 200, body: { kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items } } } });
    const snapshot = await capture(kubeconfig, { maxResponseBytes: 2 ** 20 });
    expect(coverageOf(snapshot, 'ConfigMap')).toMatchObject({ status: 'failed', count: 0 });
    expect(coverageOf(snapshot, 'ConfigMap').error).toBe('the response was larger than 1 MiB and was not read');
    expect(coverageOf(snapshot, 'Pod')).toMatchObject({ status: 'listed', count: 8 });
  });
});

/** A port nothing listens on: bind an ephemeral port, then release it. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
