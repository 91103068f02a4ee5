/**
 * Inputs read the way kubectl reads them, through the real CLI: a repository with a kustomization and a Helm chart
 * beside plain manifests passes a CI gate; an object defined twice is a warning, not exit 2; custom workload kinds are
 * checked and unknown kinds listed; config typos are exit 2 with file:line and a suggestion; stale exemptions are said.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, runCli } from './cli-helpers.js';
import { ReportSchema, type Report } from '../../src/schema/report.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'clustergpt-inputs-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function readReport(dir: string): Report {
  return ReportSchema.parse(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')));
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const DEPLOYMENT = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: ${name}, image: "example/${name}:1.0"}]
`;

describe('analyze --manifests on a repository with a kustomization and a Helm chart', () => {
  it('skips them with an info line saying how to render them, audits the rest, and exits 0', async () => {
    const out = path.join(work, 'kustomize-out');
    const run = await runCli(['analyze', '--manifests', 'src/manifests/fixtures/repo', '--output', out, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'skipped src/manifests/fixtures/repo/deploy/base: a kustomization (kustomization.yaml); to audit what it renders, run `kustomize build src/manifests/fixtures/repo/deploy/base | clustergpt analyze --manifests -`',
    );
    expect(run.stderr).toContain('`helm template NAME src/manifests/fixtures/repo/chart | clustergpt analyze --manifests -`');
    expect(run.stderr).not.toMatch(/Kustomization has no metadata|error:/);
    const report = readReport(out);
    expect(report.inputProblems).toEqual([]);
    expect(report.inventory.byKind).toEqual([{ kind: 'ConfigMap', count: 1 }]);
  });

  it('refuses a chart alone (exit 2) with the render command as the hint', async () => {
    const run = await runCli(['analyze', '--manifests', 'src/manifests/fixtures/repo/chart', '--output', path.join(work, 'chart-out')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: nothing to analyze: src/manifests/fixtures/repo/chart is a Helm chart (Chart.yaml), not rendered manifests\n' +
        'hint: render it first: helm template NAME src/manifests/fixtures/repo/chart | clustergpt analyze --manifests -\n',
    );
  });
});

describe('analyze --manifests with an object defined twice and a repeated key', () => {
  it('uses the later object, warns with both file:line places, and exits 0', async () => {
    const dir = path.join(work, 'dup');
    write(path.join(dir, 'a.yaml'), DEPLOYMENT('web', 1));
    write(path.join(dir, 'b.yaml'), `# the production copy\n${DEPLOYMENT('web', 3)}`);
    write(path.join(dir, 'c.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {mode: a}\ndata: {mode: b}\n');
    const out = path.join(work, 'dup-out');
    const run = await runCli(['analyze', '--manifests', dir, '--output', out, '--format', 'json'], { cwd: work });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'warning: dup/b.yaml:2: Deployment shop/web is defined twice: dup/a.yaml:1 and dup/b.yaml:2; the later one is used, as with kubectl apply',
    );
    expect(run.stderr).toContain('warning: dup/c.yaml:5: duplicate key data (first at line 4); the last value (line 5) is used');
    const report = readReport(out);
    expect(report.inputProblems).toEqual([]);
    expect(report.findings.some((f) => f.ruleId === 'single-replica' && f.resource.name === 'web')).toBe(false); // 3 replicas won
    expect(report.findings.find((f) => f.resource.name === 'web')?.evidence[0].file).toBe('dup/b.yaml');
  });
});

describe('custom workload kinds and kinds no rule reads', () => {
  it('checks an Argo Rollout like a Deployment and lists a Certificate as not checked in report.json and report.md', async () => {
    const file = path.join(work, 'custom.yaml');
    write(
      file,
      DEPLOYMENT('shop', 1).replace('apiVersion: apps/v1\nkind: Deployment', 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout') +
        '---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: shop-tls, namespace: shop}\nspec: {secretName: shop-tls}\n',
    );
    const out = path.join(work, 'custom-out');
    const run = await runCli(['analyze', '--manifests', file, '--output', out, '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const report = readReport(out);
    expect(report.findings.filter((f) => f.resource.kind === 'Rollout').map((f) => f.ruleId)).toEqual(
      expect.arrayContaining(['single-replica', 'missing-memory-limit']),
    );
    expect(report.notChecked).toEqual([{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', count: 1 }]);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('| cert-manager.io/v1 | Certificate | 1 |');
  });
});

describe('config typos and stale exemptions', () => {
  it('an unknown key is exit 2 with file:line and the closest key, before any input is read', async () => {
    const dir = path.join(work, 'typo');
    write(path.join(dir, '.clustergpt.yaml'), '# CI settings\ndisabledRule: [missing-cpu-limit]\n');
    const run = await runCli(
      ['analyze', '--manifests', path.join(REPO, 'demos', 'well-configured'), '--config', '.clustergpt.yaml', '--output', path.join(dir, 'out')],
      { cwd: dir },
    );
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(
      'error: config file .clustergpt.yaml is invalid: .clustergpt.yaml:2: unknown key "disabledRule"; did you mean "disabledRules"?',
    );
    expect(run.stderr).toMatch(/^hint: /m);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('an unknown rule id or an exemption without a reason in --config is exit 2 with a suggestion', async () => {
    const config = path.join(work, 'rules-typo.yaml');
    write(config, 'exemptions:\n  - rule: missing-pbd\n    namespace: batch\n');
    const run = await runCli(['analyze', '--manifests', 'demos/well-configured', '--config', config, '--output', path.join(work, 'x')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(':2: exemptions[0] has no reason');
    expect(run.stderr).toContain(':2: unknown rule id "missing-pbd" at exemptions[0].rule; did you mean "missing-pdb"?');
  });

  it('an exemption that matches nothing is a warning on stderr and is listed in the report with where it was declared', async () => {
    const config = path.join(work, 'stale.yaml');
    write(config, 'exemptions:\n  - rule: single-replica\n    name: wbe\n    reason: dev cluster\n');
    const manifest = path.join(work, 'stale-input.yaml');
    write(manifest, DEPLOYMENT('web', 1));
    const out = path.join(work, 'stale-out');
    const run = await runCli(['analyze', '--manifests', manifest, '--config', config, '--output', out, '--format', 'md,json,html']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`warning: ${config}:2: stale exemption: single-replica name wbe matches no finding`);
    const report = readReport(out);
    expect(report.staleExemptions).toEqual([{ rule: 'single-replica', name: 'wbe', reason: 'dev cluster', declaredOn: `${config}:2` }]);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('### Stale exemptions');
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('id="stale-exemptions"');
  });
});
