/**
 * Bad input through the real CLI: exit 2 with one `error:` line naming file:line or the object, never exit 4 (an
 * internal error), and a snapshot with duplicated objects gives the same diagnoses as without them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, runCli } from './cli-helpers.js';

const DEMO = path.join(REPO, 'snapshots', 'demo.json');
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'clustergpt-bad-input-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function expectInputError(run: { code: number; stderr: string }): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).not.toMatch(/internal error|TypeError|RangeError|Maximum call stack/);
  expect(run.stderr.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(1);
}

describe('bad input is exit 2, never exit 4', () => {
  it('a container map where a list belongs names the file and line', async () => {
    const file = path.join(work, 'map.yaml');
    writeFileSync(file, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        web:\n          image: nginx\n');
    const run = await runCli(['analyze', '--manifests', file, '--output', path.join(work, 'out-map'), '--quiet']);
    expectInputError(run);
    expect(run.stderr).toContain('map.yaml:8: Deployment default/web: spec.template.spec.containers: must be a list of containers, not a map');
  });

  it('a snapshot object nested 50,000 levels deep is skipped by name, and --keep-going reports the rest', async () => {
    const demo = readFileSync(DEMO, 'utf8');
    const data = JSON.parse(demo);
    const first = data.objects.Pod[0];
    first.spec.containers[0].securityContext = '@@DEEP@@';
    const file = path.join(work, 'deep.json');
    writeFileSync(file, JSON.stringify(data).replace('"@@DEEP@@"', '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)));
    const run = await runCli(['analyze', '--snapshot', file, '--output', path.join(work, 'out-deep'), '--quiet']);
    expectInputError(run);
    expect(run.stderr).toContain(`(Pod ${first.metadata.namespace}/${first.metadata.name}): spec.containers[0].securityContext.a`);
    expect(run.stderr).toContain('nested more than 200 levels deep');
    const kept = await runCli(['analyze', '--snapshot', file, '--keep-going', '--output', path.join(work, 'out-deep-2'), '--quiet']);
    expect(kept.code, kept.stderr).toBe(0);
  });

  it('--manifests - with stdin closed says so', async () => {
    const run = await runCli(['analyze', '--manifests', '-', '--output', path.join(work, 'out-stdin')], { stdin: 'ignore' });
    expectInputError(run);
    expect(run.stderr).toContain('error: - reads manifests from stdin, but stdin is closed (or /dev/null)');
  });
});

describe('lists and duplicates', () => {
  it('a List nested in a List is flattened, as kubectl does', async () => {
    const pod = (name: string, indent: string) =>
      [`apiVersion: v1`, `kind: Pod`, `metadata:`, `  name: ${name}`, `spec:`, `  containers:`, `  - name: c`, `    image: nginx:1.25`]
        .map((line, i) => (i === 0 ? `${indent}- ${line}` : `${indent}  ${line}`))
        .join('\n');
    const text = ['apiVersion: v1', 'kind: List', 'items:', pod('outer', ''), '- apiVersion: v1', '  kind: List', '  items:', pod('inner', '  ')].join('\n');
    const out = path.join(work, 'out-list');
    const run = await runCli(['analyze', '--manifests', '-', '--format', 'json', '--output', out], { input: text });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('loaded 2 objects from 1 file');
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    const names = new Set(report.findings.map((f: { resource: { name: string } }) => f.resource.name));
    expect([...names].sort()).toEqual(['inner', 'outer']);
  });

  it('objects given twice in a snapshot are kept once, with a warning, and do not multiply diagnoses', async () => {
    const data = JSON.parse(readFileSync(DEMO, 'utf8'));
    for (const kind of Object.keys(data.objects)) data.objects[kind] = [...data.objects[kind], ...data.objects[kind]];
    const file = path.join(work, 'twice.json');
    writeFileSync(file, JSON.stringify(data));
    const once = await runCli(['analyze', '--snapshot', DEMO, '--format', 'json', '--output', path.join(work, 'out-once'), '--quiet']);
    const twice = await runCli(['analyze', '--snapshot', file, '--format', 'json', '--output', path.join(work, 'out-twice')]);
    expect(twice.code, twice.stderr).toBe(once.code);
    expect(twice.stderr).toMatch(/warning: .*twice\.json: Pod \S+ is in the snapshot twice \(objects\.Pod\[\d+\] and objects\.Pod\[\d+\]\); the later one is used/);
    const summary = (dir: string) => JSON.parse(readFileSync(path.join(work, dir, 'report.json'), 'utf8')).summary;
    expect(summary('out-twice').diagnoses).toBe(summary('out-once').diagnoses);
    expect(summary('out-twice').totalFindings).toBe(summary('out-once').totalFindings);
  });
});
