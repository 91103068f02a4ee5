import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeApiServer, writeFakeKubeconfig, type FakeApiServer } from '../k8s-api-server/server.js';
import { runCliAsync } from './cli-helpers.js';
import { readSnapshot } from '../../src/snapshot/io.js';

let server: FakeApiServer;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'clustergpt-snap-'));
  server = await startFakeApiServer({ forbid: ['/api/v1/secrets'], rateLimitOnce: ['/api/v1/pods'], dropConnectionOnce: ['/apis/apps/v1/deployments'] });
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

describe('clustergpt snapshot against a Kubernetes API server (recorded responses)', () => {
  it('writes a gzip snapshot whose coverage lists the forbidden kind, and analyze reads it', async () => {
    const kubeconfig = await writeFakeKubeconfig(server, { path: path.join(work, 'kubeconfig') });
    const file = path.join(work, 'snap.json.gz');
    const run = await runCliAsync(['snapshot', '--kubeconfig', kubeconfig, '-o', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('secrets');
    expect(run.stderr).toMatch(/not readable: .*Secret \(forbidden\)/);

    const snapshot = await readSnapshot(file);
    expect(snapshot.coverage.find((c) => c.kind === 'Secret')?.status).toBe('forbidden');
    expect(snapshot.coverage.find((c) => c.kind === 'Pod')?.status).toBe('listed');
    expect(snapshot.coverage.find((c) => c.kind === 'Deployment')?.count).toBe(3);
    expect(snapshot.objects.Secret ?? []).toHaveLength(0);

    const out = path.join(work, 'report');
    const analyze = await runCliAsync(['analyze', '--snapshot', file, '--output', out, '--quiet']);
    expect(analyze.code, analyze.stderr).toBe(0);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('Secret');
  });

  it('--quiet prints nothing on success', async () => {
    const kubeconfig = await writeFakeKubeconfig(server, { path: path.join(work, 'kubeconfig2') });
    const run = await runCliAsync(['snapshot', '--kubeconfig', kubeconfig, '-o', path.join(work, 'q.json'), '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('rejected credentials: exit 3 and one line', async () => {
    const kubeconfig = await writeFakeKubeconfig(server, { token: 'wrong', path: path.join(work, 'kubeconfig-bad') });
    const run = await runCliAsync(['snapshot', '--kubeconfig', kubeconfig, '-o', path.join(work, 'bad.json')]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: .*401/m);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
