/**
 * A CI gate (`--fail-on`) must never pass on nothing: not on an empty input, not on an audit that could not read what
 * it needed, and not because the pull request under review brought a config that switches rules off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO, runCli } from './cli-helpers.js';
import type { Report } from '../../src/schema/report.js';

const DEMO = path.join(REPO, 'snapshots', 'demo.json');
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'clustergpt-gates-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function readReport(dir: string): Report {
  return JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as Report;
}

/** A snapshot of the well-configured demo app in which listing Pods failed. */
function snapshotWithPodsUnread(): string {
  const objects: Record<string, unknown[]> = {};
  for (const file of ['namespace.yaml', 'app.yaml', 'availability.yaml', 'network-policy.yaml']) {
    for (const doc of parseAllDocuments(readFileSync(path.join(REPO, 'demos', 'well-configured', file), 'utf8'))) {
      const obj = doc.toJS() as { kind: string } | null;
      if (obj) (objects[obj.kind] ??= []).push(obj);
    }
  }
  const coverage = Object.keys(objects).map((kind) => ({ kind, apiVersion: 'v1', status: 'listed', count: objects[kind]!.length }));
  coverage.push({ kind: 'Pod', apiVersion: 'v1', status: 'failed', count: 0, error: 'HTTP 500: etcdserver: request timed out' } as never);
  const file = path.join(work, 'pods-unread.json');
  writeFileSync(
    file,
    JSON.stringify({
      schemaVersion: 1,
      capturedAt: '2026-12-01T00:00:00.000Z',
      source: { type: 'cluster', server: 'https://prod.example:6443', context: 'prod' },
      scope: { namespaces: null, excludedNamespaces: [] },
      coverage,
      objects,
    }),
  );
  return file;
}

describe('an input with no objects is exit 2, never a passing gate', () => {
  for (const [label, input] of [
    ['empty stdin', ''],
    ['only document separators', '---\n---\n'],
    ['only comments', '# nothing here\n---\n# nor here\n'],
  ] as const) {
    it(`${label} on stdin`, async () => {
      const run = await runCli(['analyze', '--manifests', '-', '--fail-on', 'low', '--output', path.join(work, 'empty')], { input });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/^error: stdin holds no Kubernetes objects/m);
      expect(run.stderr).toMatch(/^hint: /m);
    });
  }

  it('an empty file and an empty snapshot', async () => {
    const emptyFile = path.join(work, 'empty.yaml');
    writeFileSync(emptyFile, '');
    const file = await runCli(['analyze', '--manifests', emptyFile, '--fail-on', 'low', '--output', path.join(work, 'e1')]);
    expect(file.code).toBe(2);
    const snapshot = JSON.parse(readFileSync(DEMO, 'utf8'));
    snapshot.objects = {};
    const emptySnapshot = path.join(work, 'empty-snapshot.json');
    writeFileSync(emptySnapshot, JSON.stringify(snapshot));
    const snap = await runCli(['analyze', '--snapshot', emptySnapshot, '--fail-on', 'low', '--output', path.join(work, 'e2')]);
    expect(snap.code).toBe(2);
    expect(snap.stderr).toMatch(/^error: the snapshot .*empty-snapshot.json holds no Kubernetes objects/m);
  });

  it('every document broken with --keep-going is still exit 2, naming the first broken document', async () => {
    const run = await runCli(['analyze', '--manifests', '-', '--keep-going', '--output', path.join(work, 'e3')], { input: 'kind: [\n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: no Kubernetes object could be loaded from stdin: 1 document\(s\) failed/m);
  });
});

describe('an incomplete audit fails --fail-on unless --allow-incomplete', () => {
  it('Pods could not be listed: exit 1 with the reason; --allow-incomplete gates on what was read', async () => {
    const snapshot = snapshotWithPodsUnread();
    const gated = await runCli(['analyze', '--snapshot', snapshot, '--fail-on', 'high', '--output', path.join(work, 'inc')]);
    expect(gated.code, gated.stderr).toBe(1);
    expect(gated.stderr).toMatch(/^warning: the audit is incomplete \(not read: Pod\): --fail-on fails it; pass --allow-incomplete/m);
    const allowed = await runCli(['analyze', '--snapshot', snapshot, '--fail-on', 'high', '--allow-incomplete', '--output', path.join(work, 'inc2'), '--quiet']);
    expect(allowed.code, allowed.stderr).toBe(0);
  });
});

describe('the config is explicit and says what it changes', () => {
  const silencer = 'disabledRules: [run-as-root, image-latest-tag]\nseverityOverrides:\n  cluster-admin-binding: info\n';

  it('a .clustergpt.yaml in the working directory is not read unasked', async () => {
    const cwd = path.join(work, 'pr-checkout');
    mkdirSync(cwd);
    writeFileSync(path.join(cwd, '.clustergpt.yaml'), silencer);
    const out = path.join(work, 'unasked');
    const run = await runCli(['analyze', '--snapshot', DEMO, '--output', out, '--format', 'json'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('.clustergpt.yaml in the working directory is not read unless asked: pass --config .clustergpt.yaml to apply it');
    const report = readReport(out);
    expect(report.findings.some((f) => f.ruleId === 'image-latest-tag')).toBe(true);
    expect(report.appliedConfig).toBeUndefined();
  });

  it('--config applies it and every override is printed and listed in the report', async () => {
    const config = path.join(work, 'silencer.yaml');
    writeFileSync(config, silencer);
    const out = path.join(work, 'asked');
    const run = await runCli(['analyze', '--snapshot', DEMO, '--config', config, '--output', out, '--format', 'json,md']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`config ${config}: disabled rules: image-latest-tag, run-as-root; severity overrides: cluster-admin-binding → info`);
    const report = readReport(out);
    expect(report.appliedConfig).toEqual({
      file: config,
      disabledRules: ['image-latest-tag', 'run-as-root'],
      severityOverrides: [{ rule: 'cluster-admin-binding', severity: 'info' }],
      exemptions: 0,
    });
    expect(report.findings.some((f) => f.ruleId === 'image-latest-tag')).toBe(false);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('### Configuration applied');
    expect(md).toContain('- rule run-as-root disabled');
  });

  it('--no-exemptions: the config is checked but nothing in it applies', async () => {
    const config = path.join(work, 'silencer2.yaml');
    writeFileSync(config, silencer);
    const out = path.join(work, 'strict');
    const run = await runCli(['analyze', '--snapshot', DEMO, '--config', config, '--no-exemptions', '--output', out, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`--no-exemptions: ${config} is checked, but none of its overrides or exemptions apply`);
    const report = readReport(out);
    expect(report.findings.some((f) => f.ruleId === 'image-latest-tag')).toBe(true);
    expect(report.appliedConfig).toBeUndefined();
  });
});
