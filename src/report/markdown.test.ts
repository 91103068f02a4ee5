import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';
import { emptyReport, fixtureReport, manyFindingsReport, F_PRIVILEGED } from './test-support/fixture.js';
import { DETAILED_FINDINGS } from './view.js';
import { escapeMarkdownCell, markdownCode, markdownFence, tidyMarkdown } from './templates.js';

describe('renderMarkdown', () => {
  const md = renderMarkdown(fixtureReport());

  it('has every section, in order', () => {
    const headings = md.split('\n').filter((l) => /^## /.test(l));
    expect(headings).toEqual([
      '## Contents',
      '## Summary',
      '## Executive summary',
      '## What is broken right now',
      '## Top findings',
      '## Architecture',
      '## Cost',
      '## SRE actions',
      '## Findings in detail',
      '## Appendix',
    ]);
  });

  it('shows the title block, coverage gaps and the dashboard', () => {
    expect(md).toMatch(/^# ClusterGPT report: cluster bookstore-prod\n/);
    expect(md).toContain('| Captured | 2026-05-20T10:00:00Z |');
    expect(md).toContain('| Scope | all namespaces (excluding kube-system) |');
    expect(md).toContain('> **Incomplete audit:** 1 kind(s) could not be read');
    expect(md).toContain('**Health score: 45/100, grade F**. Higher is better: 100 means every check passed and every workload is clean; grade A is best, F worst.');
    expect(md).toContain('| Checks (rule × object) | 36 of 40 checks passed (90 %) |');
    expect(md).toContain('| Workloads | 2 of 2 workloads with a problem (worst: 1 broken now, 1 critical); workload health 0 % |');
    expect(md).toContain('| Coverage | 1 of 2 kinds read; not read: Secret (forbidden, no effect on the grade) |');
    expect(md).toContain('| Monthly cost | $1,234.50 |');
    expect(md).toContain('| Critical | 1 |');
    expect(md).toContain('| security | 1 |');
  });

  it('escapes pipes and newlines in table cells so rows stay intact', () => {
    const row = md.split('\n').find((l) => l.includes('privileged-container') && l.startsWith('| 1 |'));
    expect(row).toContain('Container runs privileged \\| full host access');
    // 6 columns → 7 unescaped pipes.
    expect(row!.replace(/\\\|/g, '').split('|').length - 1).toBe(7);
    expect(md).toContain('| `deploy/bad.yaml:3` | not a Kubernetes object \\| skipped |');
  });

  it('lists top findings with where = file:line for manifests and namespace/Kind/name for live objects', () => {
    expect(md).toMatch(/\| 1 \| Critical \| `privileged-container` \| \[.*\]\(#finding-a1b2c3d4e5f6\) \| Deployment shop\/web \| `deploy\/web\.yaml:22` \|/);
    expect(md).toMatch(/\| 2 \| High \| `missing-liveness-probe` .* \| `shop\/Deployment\/inventory` \|/);
    // The exempted finding is not in the top findings, only in the appendix.
    expect(md.split('## Appendix')[0]).not.toContain('host-network');
  });

  it('shows diagnoses with evidence, event timestamps, confidence and the fix', () => {
    const section = md.split('## What is broken right now')[1].split('## Top findings')[0];
    expect(section).toContain('### 1. crash-loop: Deployment shop/inventory');
    expect(section).toContain('**Pods affected:** 2 (inventory-7d9f-abc, inventory-7d9f-def)');
    expect(section).toContain('**Confidence:** 90%');
    expect(section).toContain('[2026-05-20T09:58:12Z] Event shop/inventory-7d9f-abc.17a');
    expect(section).toContain('oom-killed (60%)');
    expect(section).toContain('memory: 512Mi');
  });

  it('details each finding with evidence, explanation, patch and dry-run + apply commands', () => {
    const detail = md.split('### [Critical]')[1].split('### [High]')[0];
    expect(detail).toContain('`spec.template.spec.containers[0].securityContext.privileged = true @ deploy/web.yaml:22`');
    expect(detail).toContain('**Do now:** Drop privileged mode.');
    expect(detail).toContain('**Long term:** Enforce Pod Security "restricted".');
    expect(detail).toContain('```yaml\nspec:\n  template:');
    expect(detail).toContain('--dry-run=server\nkubectl patch deployment web -n shop --type strategic --patch-file fix-a1b2.yaml\n```');
    expect(detail).toContain(`Finding id \`${F_PRIVILEGED}\``);
    expect(md).toContain('`spec.template.spec.containers[0].livenessProbe = <unset> @ uid uid-inventory-1`');
  });

  it('titles a patch with its summary only when it says more than the fix above it', () => {
    expect(md).toContain('**Patch: Raise the memory limit of inventory to 512Mi**');
    const report = fixtureReport();
    report.remediations[0].summary = report.findings[0].remediation.summary;
    const detail = renderMarkdown(report).split('### [Critical]')[1].split('### [High]')[0];
    expect(detail).toContain('**Patch**\n\n```yaml');
  });

  it('does not let cluster text inject HTML', () => {
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('has architecture, cost and SRE actions', () => {
    expect(md).toContain('- Ingress shop/shop (shop.example.com/) → Service shop/web (ClusterIP) → Deployment shop/web');
    expect(md).toMatch(/\*\*Single points of failure\*\*.*\n\n- Deployment shop\/web/);
    expect(md).toContain('| ingress-missing-service | Ingress shop/shop |');
    expect(md).toContain('**$1,234.50 per month** (confidence: medium)');
    expect(md).toContain('| node-a | m6i.xlarge | $0.192 |');
    expect(md).toContain('| Deployment shop/web (container app) | cpu | 2 | 500m | $42.25 | low |');
    expect(md).toContain('1. **Stop the inventory crash loop** (confidence: high)');
  });

  it('has an appendix with exempted findings (reason, where declared), input problems and what was not checked', () => {
    const appendix = md.split('## Appendix')[1];
    expect(appendix).toContain(
      '| High | `host-network` | DaemonSet monitoring/node-exporter | `monitoring/DaemonSet/node-exporter` | node metrics need the host network | annotation: DaemonSet monitoring/node-exporter |',
    );
    expect(appendix).toContain('| Secret | forbidden | 403 Forbidden. Not checked: missing Secret references. |');
    // Forbidden means nothing was read, not "metadata only".
    expect(md).not.toContain('Read as metadata only');
  });

  it('renders sensibly with no findings, cost, explanation or diagnoses', () => {
    const empty = renderMarkdown(emptyReport());
    expect(empty).not.toMatch(/undefined|null|\[object|NaN/);
    expect(empty).toContain('No findings.');
    expect(empty).toContain('Cost was not estimated for this run.');
    expect(empty).toContain('No executive summary: the explainer did not run.');
    expect(empty).toContain('Nothing is failing right now');
    expect(empty).not.toMatch(/\n\n\n/);
  });

  it('gives no grade when the input holds no workloads', () => {
    const empty = renderMarkdown(emptyReport());
    expect(empty).toContain('**Health score: nothing to grade: the input holds no workloads');
    expect(empty).not.toMatch(/grade [A-F]\b/);
  });

  it('says a grade is provisional when kinds that may hold problems were not read', () => {
    const report = fixtureReport();
    report.summary.health = { ...report.summary.health, provisional: true, provisionalKinds: ['Pod', 'Role'] };
    expect(renderMarkdown(report)).toContain('**Health score: 45/100, grade F (provisional)**');
    expect(renderMarkdown(report)).toContain('> **Provisional grade:** Pod, Role could not be read');
  });

  it('says why a grade is worse than its score', () => {
    const report = fixtureReport();
    report.summary.health = { ...report.summary.health, score: 95, grade: 'C', caps: ['1 open critical finding: at best C'] };
    expect(renderMarkdown(report)).toContain('**Health score: 95/100, grade C**');
    expect(renderMarkdown(report)).toContain('Grade capped: 1 open critical finding: at best C.');
  });

  it('says "Read as metadata only" only for kinds that were listed', () => {
    const report = fixtureReport();
    report.coverage = report.coverage.map((c) => (c.kind === 'Secret' ? { ...c, status: 'listed' as const, error: undefined } : c));
    expect(renderMarkdown(report)).toContain('Read as metadata only, values never fetched: Secret.');
  });

  it('prints no capture time for manifests, but where they came from', () => {
    const report = { ...emptyReport(), source: { type: 'manifests' as const, paths: ['k8s/', '-'] }, capturedAt: '1970-01-01T00:00:00.000Z' };
    const text = renderMarkdown(report);
    expect(text).not.toContain('1970');
    expect(text).not.toContain('| Captured |');
    expect(text).toContain('| Input | manifests from stdin, k8s/ (manifests have no capture time) |');
  });

  it('says diagnoses need a live cluster when the input was manifests', () => {
    const report = { ...emptyReport(), source: { type: 'manifests' as const, paths: ['k8s/'] } };
    const text = renderMarkdown(report);
    expect(text).toContain('# ClusterGPT report: manifests k8s/');
    expect(text).toContain('Not diagnosed: this report was made from manifests');
  });

  it('is deterministic', () => {
    expect(renderMarkdown(fixtureReport())).toBe(md);
  });

  it('details the most severe findings and lists every other one as a compact row, grouped by rule', () => {
    const report = manyFindingsReport(DETAILED_FINDINGS + 50);
    const active = report.findings.filter((f) => !f.exempted);
    const text = renderMarkdown(report);
    // Full details for exactly DETAILED_FINDINGS findings.
    expect(text.match(/^<sub>Finding id /gm)?.length).toBe(DETAILED_FINDINGS);
    const rest = active.length - DETAILED_FINDINGS;
    expect(text).toContain(`### Other findings (${rest})`);
    expect(text).toContain(`The other ${rest} are listed below, one row each, grouped by rule; their evidence, explanations and patches are in report.json.`);
    expect(text).toContain(`#### \`missing-readiness-probe\`: No readiness probe on service-${String(DETAILED_FINDINGS - 4).padStart(3, '0')} (${rest})`);
    // Nothing is dropped: every active finding id appears in the report.
    for (const f of active) expect(text).toContain(f.id);
    const last = active[active.length - 1];
    expect(text).toContain(`| Medium | Deployment shop/${last.resource.name} |  | \`deploy/service-${DETAILED_FINDINGS + 49}.yaml:20\` |  | \`${last.id}\` |`);
    expect(text.split('## Appendix')[0]).not.toMatch(/\n\n\n/);
  });

  it('has no compact section when every finding is detailed', () => {
    expect(md).not.toContain('### Other findings');
  });
});

describe('markdown escaping helpers', () => {
  it('escapes table cells', () => {
    expect(escapeMarkdownCell('a|b\nc <d>')).toBe('a\\|b<br>c &lt;d&gt;');
  });
  it('makes code spans and fences that survive backticks', () => {
    expect(markdownCode('a `b` c')).toBe('``a `b` c``');
    expect(markdownCode('x|y', true)).toBe('`x\\|y`');
    expect(markdownFence('```\ninner\n```', 'yaml')).toBe('````yaml\n```\ninner\n```\n````');
  });
  it('collapses blank lines outside code blocks only', () => {
    expect(tidyMarkdown('a\n\n\n\nb\n```\nx\n\n\ny\n```\n')).toBe('a\n\nb\n```\nx\n\n\ny\n```\n');
  });
});
