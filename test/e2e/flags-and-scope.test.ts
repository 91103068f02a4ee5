/**
 * One meaning per flag, through the real CLI: `--context` is the kubeconfig context in every command, `-n` and
 * `--exclude-namespace` scope every input, credentials that can read nothing are exit 3, and stdout behaves like a
 * Unix tool's (closed pipes, `-o -`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { startFakeApiServer, writeFakeKubeconfig, type FakeApiServer } from '../k8s-api-server/server.js';
import { KIND_SPECS } from '../../src/common/kinds.js';
import { REPO, runCli } from './cli-helpers.js';
import type { Report } from '../../src/schema/report.js';

const DEMO = path.join(REPO, 'snapshots', 'demo.json');
let server: FakeApiServer;
let work: string;

/** A kubeconfig whose current context ("dev") points at a closed port, with a second context "fake" that works. */
async function twoContextKubeconfig(): Promise<string> {
  const file = await writeFakeKubeconfig(server, { path: path.join(work, 'kubeconfig-two') });
  const config = parseYaml(readFileSync(file, 'utf8'));
  config.clusters.push({ name: 'dev-cluster', cluster: { server: 'https://127.0.0.1:9', 'insecure-skip-tls-verify': true } });
  config.users.push({ name: 'dev-user', user: { token: 'dev' } });
  config.contexts.push({ name: 'dev', context: { cluster: 'dev-cluster', user: 'dev-user' } });
  config['current-context'] = 'dev';
  writeFileSync(file, toYaml(config), { mode: 0o600 });
  return file;
}

function readReport(dir: string): Report {
  return JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as Report;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'clustergpt-flags-'));
  server = await startFakeApiServer({ forbid: ['/api/v1/secrets'] });
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

describe('--context is the kubeconfig context in every command', () => {
  it('analyze --context reads that context, not the current one, and says which cluster it reads first', async () => {
    const kubeconfig = await twoContextKubeconfig();
    const out = path.join(work, 'ctx');
    const run = await runCli(['analyze', '--kubeconfig', kubeconfig, '--context', 'fake', '--output', out, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const announce = run.stderr.split('\n').findIndex((line) => line.includes(`reading context "fake" at ${server.url}`));
    expect(announce, run.stderr).toBeGreaterThanOrEqual(0);
    expect(run.stderr.split('\n').findIndex((line) => line.startsWith('listing '))).toBeGreaterThan(announce);
    const report = readReport(out);
    expect(report.source).toMatchObject({ type: 'cluster', context: 'fake', server: server.url });
  });

  it('--kube-context is an alias; the same for snapshot', async () => {
    const kubeconfig = await twoContextKubeconfig();
    const viaAlias = await runCli(['analyze', '--kubeconfig', kubeconfig, '--kube-context', 'fake', '--output', path.join(work, 'alias'), '--quiet']);
    expect(viaAlias.code, viaAlias.stderr).toBe(0);
    const snap = await runCli(['snapshot', '--kubeconfig', kubeconfig, '--context', 'fake', '-o', path.join(work, 'ctx.json'), '--quiet']);
    expect(snap.code, snap.stderr).toBe(0);
    const conflicting = await runCli(['analyze', '--kubeconfig', kubeconfig, '--context', 'fake', '--kube-context', 'dev']);
    expect(conflicting.code).toBe(2);
    expect(conflicting.stderr).toMatch(/^error: --context "fake" and --kube-context "dev" name different contexts$/m);
  });

  it('without --context the current context is read (and fails loudly when it is unreachable)', async () => {
    const kubeconfig = await twoContextKubeconfig();
    const run = await runCli(['analyze', '--kubeconfig', kubeconfig, '--output', path.join(work, 'dev'), '--timeout', '20']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('reading context "dev" at https://127.0.0.1:9');
  });

  it('--context and --kubeconfig are refused with --snapshot or --manifests instead of being ignored', async () => {
    const run = await runCli(['analyze', '--snapshot', DEMO, '--context', 'prod', '--output', path.join(work, 'x')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --context chooses a live cluster, but the input is --snapshot$/m);
    expect(run.stderr).toMatch(/^hint: /m);
  });

  it('--notes carries the LLM notes; analyze --help lists it and no longer uses --context for them', async () => {
    const help = await runCli(['analyze', '--help']);
    expect(help.stdout).toContain('--notes <text>');
    expect(help.stdout).toMatch(/--context <name>\s+kubeconfig context/);
    const run = await runCli(['analyze', '--snapshot', DEMO, '--notes', 'black friday next week', '--output', path.join(work, 'notes'), '--quiet']);
    expect(run.code, run.stderr).toBe(0);
  });
});

describe('-n and --exclude-namespace scope every input', () => {
  it('a snapshot: -n keeps only that namespace, and the report says so', async () => {
    const out = path.join(work, 'ns-snap');
    const run = await runCli(['analyze', '--snapshot', DEMO, '-n', 'monitoring', '--output', out, '--format', 'json', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const report = readReport(out);
    expect(report.scope.namespaces).toEqual(['monitoring']);
    const namespaces = new Set(report.findings.map((f) => f.resource.namespace).filter(Boolean));
    expect([...namespaces]).toEqual(['monitoring']);
    expect(report.diagnoses.every((d) => d.resource.namespace === undefined || d.resource.namespace === 'monitoring')).toBe(true);
  });

  it('manifests: --exclude-namespace drops that namespace', async () => {
    const out = path.join(work, 'ns-manifests');
    const run = await runCli(['analyze', '--manifests', 'demos/bookstore', '--exclude-namespace', 'bookstore', '--output', out, '--format', 'json', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const report = readReport(out);
    expect(report.scope.excludedNamespaces).toEqual(['bookstore']);
    expect(report.findings.some((f) => f.resource.namespace === 'bookstore')).toBe(false);
    expect(report.findings.some((f) => f.resource.namespace === 'monitoring')).toBe(true);
  });

  it('a namespace that matches nothing is exit 2 naming the ones that exist (snapshot, manifests, live)', async () => {
    for (const input of [['--snapshot', DEMO], ['--manifests', 'demos/bookstore']]) {
      const run = await runCli(['analyze', ...input, '-n', 'nosuchns', '--output', path.join(work, 'nosuch')]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/^error: namespace nosuchns not found in the (snapshot|manifests)$/m);
      expect(run.stderr).toMatch(/^hint: namespaces in the (snapshot|manifests): .*bookstore.*monitoring/m);
    }
    const kubeconfig = await writeFakeKubeconfig(server, { path: path.join(work, 'kubeconfig-ns') });
    const live = await runCli(['snapshot', '--kubeconfig', kubeconfig, '-n', 'nosuchns', '-o', path.join(work, 'nosuch.json')]);
    expect(live.code, live.stderr).toBe(2);
    expect(live.stderr).toMatch(/^error: namespace nosuchns not found in the cluster \(context "fake"\)$/m);
    expect(live.stderr).toMatch(/^hint: namespaces in the cluster: .*bookstore/m);
    expect(existsSync(path.join(work, 'nosuch.json'))).toBe(false);
  });
});

describe('credentials that can read nothing', () => {
  it('snapshot and live analyze exit 3 naming the kinds, with an RBAC hint, and write nothing', async () => {
    const everyList = KIND_SPECS.map((spec) => (spec.group ? `/apis/${spec.group}/${spec.version}/${spec.plural}` : `/api/${spec.version}/${spec.plural}`));
    const locked = await startFakeApiServer({ forbid: everyList });
    try {
      const kubeconfig = await writeFakeKubeconfig(locked, { path: path.join(work, 'kubeconfig-none') });
      const snap = await runCli(['snapshot', '--kubeconfig', kubeconfig, '-o', path.join(work, 'none.json')]);
      expect(snap.code, snap.stderr).toBe(3);
      expect(snap.stderr).toMatch(/^error: these credentials \(context "fake"\) can list none of: pods, deployments, .*cronjobs \(403 Forbidden\)$/m);
      expect(snap.stderr).toMatch(/^hint: .*kubectl auth can-i list pods/m);
      expect(existsSync(path.join(work, 'none.json'))).toBe(false);
      const out = path.join(work, 'none-report');
      const analyze = await runCli(['analyze', '--kubeconfig', kubeconfig, '--output', out]);
      expect(analyze.code).toBe(3);
      expect(existsSync(path.join(out, 'report.json'))).toBe(false);
    } finally {
      await locked.close();
    }
  });
});

describe('an API server that answers nothing useful', () => {
  const everyList = () =>
    KIND_SPECS.map((spec) => (spec.group ? `/apis/${spec.group}/${spec.version}/${spec.plural}` : `/api/${spec.version}/${spec.plural}`));

  it('every list answered 500: exit 3, not a graded report of nothing', async () => {
    const broken = await startFakeApiServer({ serverErrorAlways: everyList() });
    try {
      const kubeconfig = await writeFakeKubeconfig(broken, { path: path.join(work, 'kubeconfig-500') });
      const out = path.join(work, 'r500');
      const run = await runCli(['analyze', '--kubeconfig', kubeconfig, '--output', out, '--fail-on', 'low', '--timeout', '60']);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toMatch(/^error: no workload kind could be listed from https:\/\/127\.0\.0\.1:\d+ \(pods, .*\): HTTP 503/m);
      expect(existsSync(path.join(out, 'report.json'))).toBe(false);
    } finally {
      await broken.close();
    }
  });

  it('every list answered with an HTML page (not Kubernetes): exit 3 naming that', async () => {
    const html = { status: 200, bodyText: '<html><body>Welcome to nginx!</body></html>', contentType: 'text/html' };
    const notKubernetes = await startFakeApiServer({ responses: Object.fromEntries(everyList().map((p) => [p, html])) });
    try {
      const kubeconfig = await writeFakeKubeconfig(notKubernetes, { path: path.join(work, 'kubeconfig-html') });
      const run = await runCli(['snapshot', '--kubeconfig', kubeconfig, '-o', path.join(work, 'html.json')]);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toMatch(/^error: no workload kind could be listed .*: the API server answered with something that is not JSON$/m);
    } finally {
      await notKubernetes.close();
    }
  });
});

describe('stdout behaves like a Unix tool', () => {
  it('a reader that closes the pipe early ends the program quietly (no EPIPE stack trace)', async () => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin', 'clustergpt.js'), 'rules', 'list', '--json'], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Like `| head -1`: read one chunk, then close our end.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('--output - writes the one report format to stdout and creates no directory named "-"', async () => {
    const cwd = mkdtempSync(path.join(work, 'stdout-'));
    const run = await runCli(['analyze', '--snapshot', DEMO, '--format', 'json', '--output', '-', '--quiet'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as Report).summary.totalFindings).toBeGreaterThan(0);
    expect(existsSync(path.join(cwd, '-'))).toBe(false);
    const two = await runCli(['analyze', '--snapshot', DEMO, '--format', 'md,json', '--output', '-'], { cwd });
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/^error: --output - writes one report to stdout, but 2 formats were asked for \(md, json\)$/m);
    expect(existsSync(path.join(cwd, '-'))).toBe(false);
  });

  it('snapshot -o - writes the snapshot JSON to stdout', async () => {
    const kubeconfig = await writeFakeKubeconfig(server, { path: path.join(work, 'kubeconfig-stdout') });
    const cwd = mkdtempSync(path.join(work, 'snap-stdout-'));
    const run = await runCli(['snapshot', '--kubeconfig', kubeconfig, '-o', '-', '--quiet'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).source.type).toBe('cluster');
    expect(existsSync(path.join(cwd, '-'))).toBe(false);
  });
});
