/**
 * A snapshot file is input like any other: one written by another tool (or edited by hand) may carry env values,
 * Secret data or a log tail with a password. None of it may reach any report format, and the rules that look for
 * literal credentials must still fire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, runCli } from './cli-helpers.js';
import type { Report } from '../../src/schema/report.js';

const PLANTED = ['hunter2-env-literal', 'c3VwZXItc2VjcmV0LWRhdGE=', 'super-secret-data', 'pg-log-password', 'configmap-value-api-key', '1234567'];
let work: string;
let foreignSnapshot: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'clustergpt-foreign-'));
  const snapshot = JSON.parse(readFileSync(path.join(REPO, 'snapshots', 'demo.json'), 'utf8'));
  const storefront = snapshot.objects.Deployment.find((d: any) => d.metadata.name === 'storefront');
  storefront.spec.template.spec.containers[0].env = [
    { name: 'DB_PASSWORD', value: 'hunter2-env-literal' },
    { name: 'PIN', value: 1234567 },
  ];
  const secret = snapshot.objects.Secret[0];
  secret.data = { password: 'c3VwZXItc2VjcmV0LWRhdGE=' };
  secret.stringData = { plain: 'super-secret-data' };
  snapshot.objects.ConfigMap[0].data = { 'settings.ini': 'configmap-value-api-key' };
  const inventoryPod = snapshot.objects.Pod.find((p: any) => p.metadata.name.startsWith('inventory'));
  inventoryPod.status.containerStatuses[0].lastState.terminated.message =
    'FATAL: could not connect to postgres://inventory:pg-log-password@postgres.bookstore:5432/inventory';
  foreignSnapshot = path.join(work, 'foreign.json');
  writeFileSync(foreignSnapshot, JSON.stringify(snapshot));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a snapshot written by someone else', () => {
  it('is sanitized on read: no planted value in md, html, json, sarif or junit, and secret-in-env-literal fires', async () => {
    const out = path.join(work, 'report');
    const run = await runCli(['analyze', '--snapshot', foreignSnapshot, '--output', out, '--format', 'md,html,json,sarif,junit', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    for (const file of ['report.md', 'report.html', 'report.json', 'report.sarif', 'report.junit.xml']) {
      const text = readFileSync(path.join(out, file), 'utf8');
      for (const planted of PLANTED) expect(text, `${planted} in ${file}`).not.toContain(planted);
    }
    expect(run.stderr + run.stdout).not.toMatch(/hunter2|pg-log-password/);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
    const literal = report.findings.find((f) => f.ruleId === 'secret-in-env-literal' && f.resource.name === 'storefront');
    expect(literal?.message).toContain('DB_PASSWORD');
  });
});
