/**
 * Hostile or broken surroundings, through the real CLI: each gets one `error:` line, a `hint:` line and the
 * documented exit code, promptly, and nothing the input controls reaches the terminal as a control sequence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, runCli } from './cli-helpers.js';

const DEMO = path.join(REPO, 'snapshots', 'demo.json');
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'clustergpt-hardening-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function expectOneErrorAndHint(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines.filter((l) => l.startsWith('error: ')), stderr).toHaveLength(1);
  expect(lines.filter((l) => l.startsWith('hint: ')), stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(stderr).not.toMatch(/TypeError|internal error/);
}

describe('bad surroundings get one clear line and the documented exit code', () => {
  it('an output directory on procfs (-o /proc/x) fails at once instead of hanging', async () => {
    const run = await runCli(['analyze', '--snapshot', DEMO, '--output', '/proc/clustergpt-x', '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: cannot create the output directory \/proc\/clustergpt-x: /m);
    expectOneErrorAndHint(run.stderr);
  });

  it('an empty kubeconfig is named as such (exit 3), not a TypeError', async () => {
    const kubeconfig = path.join(work, 'empty-kubeconfig');
    writeFileSync(kubeconfig, '');
    const run = await runCli(['snapshot', '--kubeconfig', kubeconfig, '-o', path.join(work, 's.json')]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: cannot read the kubeconfig .*: it is empty or not a kubeconfig/m);
    expectOneErrorAndHint(run.stderr);
  });

  it('a --timeout past what a timer can hold is a usage error', async () => {
    const run = await runCli(['analyze', '--snapshot', DEMO, '--timeout', '3000000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected a number of seconds from 1 to 86400');
  });

  it('terminal escapes in a file name are shown as text, never sent to the terminal', async () => {
    const hostile = path.join(work, 'evil\u001b[2J\u001b]0;pwned\u0007.yaml');
    const run = await runCli(['analyze', '--manifests', hostile, '--output', path.join(work, 'x')]);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(CONTROL);
    expect(run.stderr).toContain('evil\\x1b[2J\\x1b]0;pwned\\x07.yaml');
  });

  it('terminal escapes in object names and messages reach no report and no terminal line as control characters', async () => {
    const manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: "web\\e[2J\\e]0;owned\\a"',
      '  namespace: "shop\\e[31m"',
      'spec:',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec:',
      '      containers:',
      '        - name: "app\\e]8;;https://evil.example\\a"',
      '          image: nginx:latest',
      '',
    ].join('\n');
    const out = path.join(work, 'escapes');
    const run = await runCli(['analyze', '--manifests', '-', '--output', out, '--format', 'md,html,junit,json'], { input: manifest });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(CONTROL);
    for (const file of ['report.md', 'report.html', 'report.junit.xml']) {
      const text = readFileSync(path.join(out, file), 'utf8');
      expect(text, file).not.toMatch(CONTROL);
      // md and html show them as text; the JUnit writer already drops what XML cannot hold.
      if (file !== 'report.junit.xml') expect(text, file).toContain('\\x1b[2J');
    }
    // report.json keeps the name exactly (JSON escapes it): scripts see the real value.
    expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toContain('web\\u001b[2J');
  });
});
