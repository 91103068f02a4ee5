/**
 * The health score as a user meets it through the real CLI: the terminal line, report.md, report.html and
 * report.json agree, say which way is better, give no grade on nothing, and do not punish least-privilege RBAC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, runCli } from './cli-helpers.js';
import { ReportSchema, type Report } from '../../src/schema/report.js';

const DEMO = path.join(REPO, 'snapshots', 'demo.json');
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'clustergpt-health-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function analyze(args: string[], name: string) {
  const out = path.join(work, name);
  const run = await runCli(['analyze', ...args, '--format', 'json,md,html', '--output', out]);
  const read = (file: string) => readFileSync(path.join(out, file), 'utf8');
  return {
    run,
    report: ReportSchema.parse(JSON.parse(read('report.json'))) as Report,
    md: read('report.md'),
    html: read('report.html'),
  };
}

describe('health score through the CLI', () => {
  it('gives no grade, in any format, to an input without workloads', async () => {
    const file = path.join(work, 'no-workloads.yaml');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {mode: prod}\n---\n' +
        'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n',
    );
    const { run, report, md, html } = await analyze(['--manifests', file], 'no-workloads');
    expect(run.code).toBe(0);
    expect(report.summary.health).toMatchObject({ status: 'nothing-to-grade', score: null, grade: null });
    expect(report.summary.riskGrade).toBeNull();
    expect(run.stderr).toContain('health nothing to grade: the input holds no workloads');
    expect(md).toContain('**Health score: nothing to grade');
    expect(html).toContain('nothing to grade: no workloads');
    for (const text of [run.stderr, md, html]) expect(text).not.toMatch(/grade [A-F]\b|class="grade [A-F]"/);
    expect(report.explanation?.execSummary).toMatch(/^Nothing to grade \(no workloads in the input\)/);
  });

  it('prints no capture time for manifests, but where they came from', async () => {
    const { md, html } = await analyze(['--manifests', path.join(REPO, 'demos', 'bookstore')], 'manifests');
    for (const text of [md, html]) {
      expect(text).not.toContain('1970');
      expect(text).toContain('no capture time');
    }
    expect(md).toMatch(/\| Input \| manifests from .*demos\/bookstore/);
  });

  it('does not lower the grade when Secrets are forbidden (the shipped least-privilege RBAC), and says what was not read', async () => {
    const demo = JSON.parse(readFileSync(DEMO, 'utf8'));
    const secrets = demo.coverage.find((c: { kind: string }) => c.kind === 'Secret');
    Object.assign(secrets, { status: 'forbidden', count: 0, error: 'secrets is forbidden: User "clustergpt" cannot list resource "secrets"' });
    demo.objects.Secret = [];
    const file = path.join(work, 'demo-no-secrets.json');
    writeFileSync(file, JSON.stringify(demo));

    const full = await analyze(['--snapshot', DEMO], 'demo');
    const least = await analyze(['--snapshot', file], 'demo-no-secrets');
    expect(least.report.summary.health.grade).toBe(full.report.summary.health.grade);
    expect(least.report.summary.health.provisional).toBe(false);
    expect(least.run.stderr).toContain('coverage 29 of 32 kinds read; not read: NodeMetrics (not-served, no effect on the grade), PodMetrics (not-served, no effect on the grade), Secret (forbidden, no effect on the grade)');
    expect(least.md).toContain('| Secret | forbidden | secrets is forbidden');
    expect(least.md).not.toContain('Read as metadata only');
    expect(least.html).not.toContain('Read as metadata only');
    expect(full.md).toContain('Read as metadata only, values never fetched: Secret.');
  });

  it('marks the grade provisional when Pods could not be read', async () => {
    const demo = JSON.parse(readFileSync(DEMO, 'utf8'));
    Object.assign(demo.coverage.find((c: { kind: string }) => c.kind === 'Pod'), { status: 'forbidden', count: 0 });
    demo.objects.Pod = [];
    const file = path.join(work, 'demo-no-pods.json');
    writeFileSync(file, JSON.stringify(demo));
    const { run, report, md } = await analyze(['--snapshot', file], 'demo-no-pods');
    expect(report.summary.health).toMatchObject({ status: 'graded', provisional: true, provisionalKinds: ['Pod'] });
    expect(run.stderr).toMatch(/health \d+\/100, grade [A-F] \(provisional\)/);
    expect(md).toContain('> **Provisional grade:** Pod could not be read');
  });
});
