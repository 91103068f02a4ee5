import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, runCli } from './cli-helpers.js';
import { ReportSchema, type Report } from '../../src/schema/report.js';

const DEMO = path.join(REPO, 'snapshots', 'demo.json');
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'clustergpt-e2e-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function readReport(dir: string): Report {
  return ReportSchema.parse(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')));
}

/** No line of stderr may look like a stack frame. */
function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
}

describe('clustergpt analyze on the bundled demo snapshot (the README command)', () => {
  let out: string;
  let report: Report;
  beforeAll(async () => {
    out = path.join(work, 'demo');
    const run = await runCli(['analyze', '--snapshot', DEMO, '--output', out]);
    expect(run.stderr).toMatch(/health \d+\/100, grade [A-F] \(higher is better, A best\) · \d+ of \d+ checks passed/);
    expect(run.stderr).toContain('coverage 30 of 32 kinds read; not read: NodeMetrics (not-served, no effect on the grade)');
    expect(run.code).toBe(0);
    report = readReport(out);
  });

  it('writes report.md and report.json by default', async () => {
    expect(existsSync(path.join(out, 'report.md'))).toBe(true);
    expect(existsSync(path.join(out, 'report.json'))).toBe(true);
  });

  it('finds the problems planted in the bookstore cluster, each anchored to evidence', async () => {
    const rules = new Set(report.findings.map((f) => f.ruleId));
    for (const ruleId of ['ingress-backend-missing', 'service-selects-no-pods', 'pvc-missing-storage-class', 'rbac-wildcard', 'cluster-admin-binding', 'host-path-mount']) {
      expect(rules, ruleId).toContain(ruleId);
    }
    for (const finding of report.findings) {
      expect(finding.evidence.length).toBeGreaterThan(0);
      expect(finding.evidence[0].uid ?? finding.evidence[0].object?.uid, `${finding.ruleId} on ${finding.resource.name}`).toBeTruthy();
    }
  });

  it('says what is broken right now: the OOM-killed inventory and the unschedulable recommender', async () => {
    const causes = report.diagnoses.map((d) => `${d.cause} ${d.resource.kind}/${d.resource.name}`);
    expect(causes).toContain('oom-killed Deployment/inventory');
    expect(causes).toContain('unschedulable Deployment/recommender');
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('## What is broken right now');
    expect(md).toContain('kubectl patch deployment/inventory -n bookstore');
  });

  it('records what could not be checked (metrics API not served)', async () => {
    expect(report.coverage.find((c) => c.kind === 'PodMetrics')?.status).toBe('not-served');
  });

  it('costs the three m6i.xlarge nodes', async () => {
    expect(report.cost?.method).toBe('nodes');
    expect(report.cost?.byNode).toHaveLength(3);
    expect(report.cost?.monthlyTotal).toBeGreaterThan(300);
  });

  it('is reproducible: a second run gives byte-identical report.json and report.md', async () => {
    const again = path.join(work, 'demo-again');
    expect((await runCli(['analyze', '--snapshot', DEMO, '--output', again, '--quiet'])).code).toBe(0);
    for (const file of ['report.json', 'report.md']) {
      expect(readFileSync(path.join(again, file), 'utf8')).toBe(readFileSync(path.join(out, file), 'utf8'));
    }
  });

  it('--fail-on high exits 1 and --fail-on critical with exemptions still counts non-exempted findings', async () => {
    const run = await runCli(['analyze', '--snapshot', DEMO, '--output', path.join(work, 'gate'), '--quiet', '--fail-on', 'high']);
    expect(run.code).toBe(1);
  });
});

describe('clustergpt analyze --manifests', () => {
  it('points findings at file:line in the demo manifests', async () => {
    const out = path.join(work, 'bookstore');
    const run = await runCli(['analyze', '--manifests', 'demos/bookstore', '--output', out, '--format', 'json,sarif', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const report = readReport(out);
    const located = report.findings.filter((f) => f.evidence.some((e) => e.file && e.line));
    expect(located.length).toBe(report.findings.length);
    expect(report.findings.map((f) => f.ruleId)).toContain('ingress-backend-missing');
    const sarif = JSON.parse(readFileSync(path.join(out, 'report.sarif'), 'utf8'));
    const uri = sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri as string;
    expect(uri.startsWith('demos/bookstore/')).toBe(true);
  });

  it('a well-configured workload draws no high or critical finding', async () => {
    const out = path.join(work, 'good');
    const run = await runCli(['analyze', '--manifests', 'demos/well-configured', '--output', out, '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const serious = readReport(out).findings.filter((f) => !f.exempted && (f.severity === 'high' || f.severity === 'critical'));
    expect(serious.map((f) => `${f.ruleId} ${f.resource.kind}/${f.resource.name}`)).toEqual([]);
  });

  it('our own in-cluster CronJob manifests draw no high or critical finding', async () => {
    const out = path.join(work, 'k8s');
    expect((await runCli(['analyze', '--manifests', 'k8s', '--output', out, '--quiet'])).code).toBe(0);
    const serious = readReport(out).findings.filter((f) => f.severity === 'high' || f.severity === 'critical');
    expect(serious.map((f) => `${f.ruleId} ${f.resource.kind}/${f.resource.name}`)).toEqual([]);
  });

  it('reads stdin with "-", as in `helm template | clustergpt analyze --manifests -`', async () => {
    const out = path.join(work, 'stdin');
    const manifest = readFileSync(path.join(REPO, 'demos', 'well-configured', readdirYaml('demos/well-configured')[0]), 'utf8');
    const run = await runCli(['analyze', '--manifests', '-', '--output', out, '--quiet'], { input: manifest });
    expect(run.code, run.stderr).toBe(0);
    expect(readReport(out).inventory.totalObjects).toBeGreaterThan(0);
  });

  it('a broken document is reported with file:line, the rest still loads, and the run exits 2 (0 with --keep-going)', async () => {
    const out = path.join(work, 'broken');
    const run = await runCli(['analyze', '--manifests', 'demos/broken', '--output', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/demos\/broken\/[^:]+\.ya?ml:\d+/);
    expectNoStackTrace(run.stderr);
    expect(readReport(out).inventory.totalObjects).toBeGreaterThan(0);
    expect((await runCli(['analyze', '--manifests', 'demos/broken', '--output', out, '--keep-going', '--quiet'])).code).toBe(0);
  });
});

function readdirYaml(dir: string): string[] {
  return readdirSync(path.join(REPO, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

describe('bad input gives one clear line and a documented exit code', () => {
  it('a missing snapshot file: exit 2', async () => {
    const run = await runCli(['analyze', '--snapshot', 'nope.json', '--output', path.join(work, 'x')]);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(/^error: .*nope\.json/);
    expectNoStackTrace(run.stderr);
  });

  it('a file that is not a snapshot: exit 2', async () => {
    const bad = path.join(work, 'bad.json');
    writeFileSync(bad, '{"hello": "world"}');
    const run = await runCli(['analyze', '--snapshot', bad, '--output', path.join(work, 'x')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: /);
    expectNoStackTrace(run.stderr);
  });

  it('an unknown format or severity: exit 2', async () => {
    expect((await runCli(['analyze', '--snapshot', DEMO, '--format', 'docx'])).code).toBe(2);
    expect((await runCli(['analyze', '--snapshot', DEMO, '--fail-on', 'urgent'])).code).toBe(2);
  });

  it('an unreachable cluster: exit 3 with one line', async () => {
    const kubeconfig = path.join(work, 'kubeconfig-unreachable');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: abc}}]',
        'contexts: [{name: ctx, context: {cluster: c, user: u}}]',
        'current-context: ctx',
      ].join('\n'),
    );
    const run = await runCli(['snapshot', '--kubeconfig', kubeconfig, '-o', path.join(work, 's.json'), '--timeout', '10']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: .*127\.0\.0\.1:1/m);
    expectNoStackTrace(run.stderr);
  });

  it('an unknown kubeconfig context: exit 3', async () => {
    const run = await runCli(['analyze', '--kubeconfig', path.join(work, 'kubeconfig-unreachable'), '--kube-context', 'nope', '--output', path.join(work, 'x')]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('nope');
  });

  it('an unknown rule id: exit 2', async () => {
    const run = await runCli(['rules', 'show', 'no-such-rule']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: no rule with id "no-such-rule"/);
  });
});

describe('exemptions, config and custom rules', () => {
  it('a config exemption keeps the finding, marked exempted with its reason; --no-exemptions refuses it', async () => {
    const config = path.join(work, 'exempt.yaml');
    writeFileSync(config, 'exemptions:\n  - rule: host-network\n    namespace: monitoring\n    reason: node-exporter needs the host network\n');
    const out = path.join(work, 'exempt');
    expect((await runCli(['analyze', '--snapshot', DEMO, '--output', out, '--config', config, '--quiet'])).code).toBe(0);
    const exempted = readReport(out).findings.find((f) => f.ruleId === 'host-network');
    expect(exempted?.exempted).toBe(true);
    expect(exempted?.exemption?.reason).toBe('node-exporter needs the host network');
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('node-exporter needs the host network');

    const strict = path.join(work, 'strict');
    expect((await runCli(['analyze', '--snapshot', DEMO, '--output', strict, '--config', config, '--no-exemptions', '--quiet'])).code).toBe(0);
    expect(readReport(strict).findings.find((f) => f.ruleId === 'host-network')?.exempted).toBe(false);
  });

  it('an invalid config file is an input error (exit 2) naming the file', async () => {
    const config = path.join(work, 'bad-config.yaml');
    writeFileSync(config, 'severityOverrides:\n  image-latest-tag: catastrophic\n');
    const run = await runCli(['analyze', '--snapshot', DEMO, '--output', path.join(work, 'x'), '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad-config.yaml');
    expectNoStackTrace(run.stderr);
  });

  it('a custom rule from --rules DIR runs; one whose CEL does not compile stops the run naming file and expression', async () => {
    const dir = path.join(work, 'my-rules');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'require-team-label.yaml'),
      [
        'id: require-team-label',
        'title: Workload has no team label',
        'category: architecture',
        'severity: low',
        'description: Every workload names its owning team.',
        'rationale: On-call needs to know whom to page.',
        'references: [https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/]',
        'match: {kinds: [workload]}',
        "violation: \"!has(object.metadata.labels) || !('team' in object.metadata.labels)\"",
        'evidence: [{path: metadata.labels}]',
        'remediation: {summary: Add a team label.}',
      ].join('\n'),
    );
    const out = path.join(work, 'custom');
    expect((await runCli(['analyze', '--snapshot', DEMO, '--output', out, '--rules', dir, '--quiet'])).code).toBe(0);
    expect(readReport(out).findings.some((f) => f.ruleId === 'require-team-label')).toBe(true);

    writeFileSync(path.join(dir, 'broken.yaml'), readFileSync(path.join(dir, 'require-team-label.yaml'), 'utf8').replace('require-team-label', 'broken-rule').replace("'team' in", "'team' in in"));
    const run = await runCli(['analyze', '--snapshot', DEMO, '--output', out, '--rules', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('broken.yaml');
    expectNoStackTrace(run.stderr);
  });
});

describe('help and rules', () => {
  it('every command has complete --help', async () => {
    for (const args of [['--help'], ['analyze', '--help'], ['snapshot', '--help'], ['rules', '--help'], ['rules', 'list', '--help'], ['rules', 'show', '--help']]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toContain('Usage: clustergpt');
    }
    expect((await runCli(['--help'])).stdout).toContain('Exit codes:');
    expect((await runCli(['analyze', '--help'])).stdout).toContain('--fail-on <severity>');
  });

  it('rules list prints the table and --json an array with the required ids', async () => {
    const table = await runCli(['rules', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+CATEGORY\s+SEVERITY\s+TITLE/);
    const rules = JSON.parse((await runCli(['rules', 'list', '--json'])).stdout) as Array<{ id: string }>;
    expect(rules.length).toBeGreaterThanOrEqual(45);
    expect(rules.map((r) => r.id)).toContain('missing-memory-limit');
  });

  it('rules show prints one rule', async () => {
    const run = await runCli(['rules', 'show', 'missing-memory-limit']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('missing-memory-limit');
    expect(run.stdout).toContain('Condition (CEL):');
  });
});
