/**
 * The CronJob's path: no kubeconfig anywhere, only the in-cluster environment (KUBERNETES_SERVICE_HOST/PORT and
 * the mounted service-account token and CA), with exactly the permissions k8s/10-rbac.yaml grants.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_SPECS, type KindSpec } from '../common/kinds.js';
import type { Logger } from '../common/logger.js';
import type { Snapshot } from '../schema/snapshot.js';
import { captureCluster } from './index.js';
import { REPO_ROOT, recordedItems, startFakeApiServer, type FakeApiServer } from '../../test/k8s-api-server/server.js';

const SERVICE_ACCOUNT_DIR = 'var/run/secrets/kubernetes.io/serviceaccount';

function listPath(spec: KindSpec): string {
  return spec.group ? `/apis/${spec.group}/${spec.version}/${spec.plural}` : `/api/${spec.version}/${spec.plural}`;
}

/** `group/resource` pairs the shipped ClusterRole allows to list. */
function listableByShippedRbac(): Set<string> {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, 'k8s', '10-rbac.yaml'), 'utf8')).map((d) => d.toJS());
  const role = docs.find((d) => d?.kind === 'ClusterRole' && d.metadata?.name === 'clustergpt-reader');
  const allowed = new Set<string>();
  for (const rule of role.rules) {
    if (!rule.verbs.includes('list')) continue;
    for (const group of rule.apiGroups) for (const resource of rule.resources) allowed.add(`${group}/${resource}`);
  }
  return allowed;
}

const quietLogger: Logger = { color: new Chalk({ level: 0 }), progress: () => {}, info: () => {}, warn: () => {}, debug: () => {} };

let server: FakeApiServer;
let snapshot: Snapshot;
let forbidden: string[];

beforeAll(async () => {
  const allowed = listableByShippedRbac();
  forbidden = KIND_SPECS.filter((spec) => !allowed.has(`${spec.group}/${spec.plural}`)).map(listPath);
  server = await startFakeApiServer({ forbid: forbidden });

  // What the kubelet mounts into the CronJob's pod, under a stand-in root.
  const root = await mkdtemp(join(tmpdir(), 'clustergpt-in-cluster-'));
  await mkdir(join(root, SERVICE_ACCOUNT_DIR), { recursive: true });
  await writeFile(join(root, SERVICE_ACCOUNT_DIR, 'token'), server.token);
  await writeFile(join(root, SERVICE_ACCOUNT_DIR, 'ca.crt'), server.caCertPem!);
  await writeFile(join(root, SERVICE_ACCOUNT_DIR, 'namespace'), 'clustergpt');
  const home = await mkdtemp(join(tmpdir(), 'clustergpt-no-kubeconfig-'));
  const port = new URL(server.url).port;

  snapshot = await captureCluster(
    {
      env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port },
      home,
      serviceAccountRoot: root,
      now: () => new Date('2026-11-22T05:00:00.000Z'),
      retryBaseMs: 5,
    },
    quietLogger,
  );
});
afterAll(() => server.close());

describe('in-cluster service account with the RBAC of k8s/', () => {
  it('the shipped ClusterRole lists every kind the connector reads except Secrets', () => {
    expect(forbidden).toEqual(['/api/v1/secrets']);
  });

  it('reads the API server from KUBERNETES_SERVICE_HOST/PORT with the mounted token and CA', () => {
    expect(snapshot.source).toMatchObject({ type: 'cluster', server: server.url, context: 'inClusterContext', kubernetesVersion: 'v1.26.4' });
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.every((r) => r.authorized)).toBe(true);
  });

  it('records Secrets as forbidden and reads the rest', async () => {
    const secret = snapshot.coverage.find((c) => c.kind === 'Secret');
    expect(secret).toMatchObject({ status: 'forbidden', count: 0 });
    expect(snapshot.objects.Secret).toBeUndefined();
    const notListed = snapshot.coverage.filter((c) => c.status !== 'listed').map((c) => `${c.kind}:${c.status}`);
    // metrics.k8s.io is not served by the recorded cluster (no metrics-server): not a permission problem.
    expect(notListed.sort()).toEqual(['NodeMetrics:not-served', 'PodMetrics:not-served', 'Secret:forbidden']);
    expect(snapshot.objects.Pod?.length).toBe((await recordedItems('/api/v1/pods')).length);
    expect(snapshot.objects.Deployment?.map((d) => d.metadata.name)).toContain('recommender');
  });
});
