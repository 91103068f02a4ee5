import { describe, expect, it } from 'vitest';
import type { Report } from '../schema/report.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
import { fixtureReport } from './test-support/fixture.js';

type RightSizing = NonNullable<NonNullable<Report['cost']>['rightSizing']>;

const METHOD = 'Recommended request = peak usage × 1.2 (CPU). Limit: one metrics-server sample, not a p95.';

function withRightSizing(rightSizing: RightSizing, wasteMonthly: number, keepWaste = true): Report {
  const report = fixtureReport();
  report.cost = { ...report.cost!, wasteMonthly, waste: keepWaste ? report.cost!.waste : [], rightSizing };
  return report;
}

function costSection(text: string, start: string, end: string): string {
  return text.slice(text.indexOf(start), text.indexOf(end, text.indexOf(start)));
}

const notComputed: RightSizing = {
  status: 'not-computed',
  method: METHOD,
  reason: 'No PodMetrics were captured (coverage: not-served, metrics-server not installed), so capacity that pods request but do not use cannot be measured. Install metrics-server and capture again.',
  monthlySavings: 0,
  confidence: 'low',
  containers: [],
};

const computed: RightSizing = {
  status: 'computed',
  method: METHOD,
  monthlySavings: 42.25,
  confidence: 'medium',
  containers: [
    {
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      container: 'app',
      pods: 3,
      cpu: { request: '2', usage: '410m', recommended: '500m', action: 'lower', monthlySavings: 42.25 },
      memory: { request: '1Gi', usage: '880Mi', recommended: '1012Mi', action: 'keep', monthlySavings: 0 },
      monthlySavings: 42.25,
      basis: 'metrics-server usage over 3 running pod(s)',
      confidence: 'medium',
    },
  ],
};

describe('the cost section explains idle and right-sizing', () => {
  it('says right-sizing was not computed, and why, instead of printing $0.00 (Markdown)', () => {
    const md = costSection(renderMarkdown(withRightSizing(notComputed, 0, false)), '## Cost', '**Assumptions**');
    expect(md).toContain('| Allocated | Idle | Right-sizing savings |');
    expect(md).toContain('| $900.00 | $334.50 | not computed: no usage metrics |');
    expect(md).toContain('*Idle* is node capacity that no pod requests');
    expect(md).toContain('*Right-sizing* is capacity pods request but do not use: it needs usage metrics');
    expect(md).toContain('**Right-sizing per container** — not computed');
    expect(md).toContain('No PodMetrics were captured (coverage: not-served, metrics-server not installed)');
    expect(md).not.toContain('Waste (right-sizing savings)');
  });

  it('says the same in HTML', () => {
    const html = costSection(renderHtml(withRightSizing(notComputed, 0, false)), '<section id="cost">', '</section>');
    expect(html).toContain('<th class="num">Right-sizing savings</th>');
    expect(html).toContain('<td class="num">not computed: no usage metrics</td>');
    expect(html).toContain('<em>Idle</em> is node capacity that no pod requests');
    expect(html).toContain('<p>Not computed. No PodMetrics were captured');
  });

  it('keeps a figure found without metrics (a request above half a node) and says it is partial', () => {
    const md = renderMarkdown(withRightSizing(notComputed, 42.25));
    expect(md).toContain('| $900.00 | $334.50 | $42.25 (requests above half a node only; usage-based right-sizing not computed: no usage metrics) |');
    expect(md).toContain('| Deployment shop/web (container app) | cpu | 2 | 500m | $42.25 | low |');
  });

  it('lists request → recommended per container with the method and its limit, without repeating the item as waste', () => {
    const report = withRightSizing(computed, 42.25);
    const md = costSection(renderMarkdown(report), '## Cost', '**Assumptions**');
    expect(md).toContain('| $900.00 | $334.50 | $42.25 |');
    expect(md).toContain('**Right-sizing per container** — $42.25 per month from lowering requests (confidence: medium)');
    expect(md).toContain(
      '| Deployment shop/web | app | 3 | 2 → 500m (used 410m; lower) | 1Gi → 1012Mi (used 880Mi; keep: within the margin) | $42.25 | medium |',
    );
    expect(md).toContain('Method: Recommended request = peak usage × 1.2 (CPU). Limit: one metrics-server sample, not a p95.');
    expect(md).not.toContain('**Waste (requests above what is used)**');

    const html = costSection(renderHtml(report), '<section id="cost">', '</section>');
    expect(html).toContain('<td>2 → 500m (used 410m; lower)</td>');
    expect(html).toContain('<p>$42.25 per month from lowering requests (confidence: medium).</p>');
    expect(html).not.toContain('<h3>Waste</h3>');
  });
});
