import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAKE_CONTEXT,
  PARTIAL_METADATA_ACCEPT,
  loadRecordedResponses,
  recordedItems,
  startFakeApiServer,
  writeFakeKubeconfig,
  type FakeApiServer,
} from './server.js';

interface Got {
  status: number;
  contentType: string;
  text: string;
  headers: Record<string, unknown>;
}

function get(server: FakeApiServer, path: string, options: { accept?: string; token?: string | null } = {}): Promise<Got> {
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
  const token = options.token === undefined ? server.token : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = https.get(server.url + path, { ca: server.caCertPem, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type']),
          text: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
  });
}

let server: FakeApiServer;
beforeAll(async () => {
  server = await startFakeApiServer({
    forbid: ['/apis/apps/v1/daemonsets'],
    rateLimitOnce: ['/api/v1/nodes'],
    dropConnectionOnce: ['/api/v1/services'],
  });
});
afterAll(() => server.close());

describe('fake API server serves the recordings', () => {
  it('serves /version over HTTPS signed by the kubeconfig CA', async () => {
    const res = await get(server, '/version');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).gitVersion).toBe('v1.26.4');
  });

  it('serves recorded lists as recorded', async () => {
    const all = await loadRecordedResponses();
    const recorded = all.find((r) => r.request.path === '/apis/apps/v1/deployments')!;
    const res = await get(server, '/apis/apps/v1/deployments');
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json');
    expect(JSON.parse(res.text)).toEqual(recorded.body);
  });

  it('answers unserved groups with the plain-text 404', async () => {
    const res = await get(server, '/apis/metrics.k8s.io/v1beta1/pods');
    expect(res.status).toBe(404);
    expect(res.contentType).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe('404 page not found\n');
  });

  it('requires the bearer token (recorded 401 body)', async () => {
    for (const token of [null, 'wrong']) {
      const res = await get(server, '/api/v1/pods', { token });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
  });

  it('serves the recorded limit=3 pages, whose tokens chain', async () => {
    const page1 = JSON.parse((await get(server, '/api/v1/pods?limit=3')).text);
    const page2 = JSON.parse((await get(server, `/api/v1/pods?limit=3&continue=${page1.metadata.continue}`)).text);
    const page3 = JSON.parse((await get(server, `/api/v1/pods?limit=3&continue=${page2.metadata.continue}`)).text);
    expect([page1.items.length, page2.items.length, page3.items.length]).toEqual([3, 3, 2]);
    expect(page1.metadata.remainingItemCount).toBe(5);
    expect(page3.metadata.continue).toBeUndefined();
  });

  it('pages any list with any limit like the apiserver', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = `limit=2${token ? `&continue=${token}` : ''}`;
      const body = JSON.parse((await get(server, `/api/v1/pods?${query}`)).text);
      names.push(...body.items.map((p: any) => p.metadata.name));
      token = body.metadata.continue;
      pages++;
    } while (token);
    expect(pages).toBe(4);
    expect(names.sort()).toEqual((await recordedItems('/api/v1/pods')).map((p) => p.metadata.name).sort());
    const bad = await get(server, '/api/v1/pods?limit=2&continue=%%%');
    expect(bad.status).toBe(400);
  });

  it('filters namespaced lists', async () => {
    const body = JSON.parse((await get(server, '/api/v1/namespaces/monitoring/pods')).text);
    expect(body.items.map((p: any) => p.metadata.namespace)).toEqual(['monitoring', 'monitoring', 'monitoring']);
  });

  it('secrets: metadata-only with the PartialObjectMetadataList header, full data without it', async () => {
    const partial = JSON.parse((await get(server, '/api/v1/secrets', { accept: PARTIAL_METADATA_ACCEPT })).text);
    expect(partial.kind).toBe('PartialObjectMetadataList');
    expect(partial.items[0].data).toBeUndefined();
    const full = JSON.parse((await get(server, '/api/v1/secrets')).text);
    expect(full.kind).toBe('SecretList');
    expect(Buffer.from(full.items[0].data.password, 'base64').toString()).toBe('s3cr3t-never-leaks');
  });

  it('injects faults per path', async () => {
    const forbidden = await get(server, '/apis/apps/v1/daemonsets');
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.text)).toMatchObject({ reason: 'Forbidden', code: 403 });

    const limited = await get(server, '/api/v1/nodes');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('0');
    expect((await get(server, '/api/v1/nodes')).status).toBe(200);

    await expect(get(server, '/api/v1/services')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await get(server, '/api/v1/services')).status).toBe(200);
  });

  it('records every request', async () => {
    expect(server.requests.some((r) => r.path === '/version' && r.authorized)).toBe(true);
  });
});

describe('writeFakeKubeconfig', () => {
  it('writes a kubeconfig that @kubernetes/client-node loads, context "fake"', async () => {
    const path = await writeFakeKubeconfig(server);
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    expect(kc.getCurrentContext()).toBe(FAKE_CONTEXT);
    expect(kc.getCurrentCluster()?.server).toBe(server.url);
    expect(kc.getCurrentUser()?.token).toBe(server.token);
    expect(Buffer.from(kc.getCurrentCluster()!.caData!, 'base64').toString()).toBe(server.caCertPem);
  });
});
