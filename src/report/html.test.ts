import { describe, expect, it } from 'vitest';
import { renderHtml } from './html.js';
import { emptyReport, fixtureReport, manyFindingsReport } from './test-support/fixture.js';

/** Void elements never close; every other opened tag must close in order (a quick well-formedness check). */
const VOID = new Set(['meta', 'br', 'input', 'link', 'img', 'hr']);
function unbalancedTags(html: string): string[] {
  const withoutScript = html.replace(/<script>[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, '');
  const stack: string[] = [];
  const problems: string[] = [];
  for (const m of withoutScript.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, rawName, selfClosing] = m;
    const name = rawName.toLowerCase();
    if (VOID.has(name) || selfClosing) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) problems.push(`</${name}> at ${m.index}`);
  }
  return [...problems, ...stack.map((s) => `<${s}> not closed`)];
}

describe('renderHtml', () => {
  const html = renderHtml(fixtureReport());

  it('is one self-contained file: no external resource loads', () => {
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/<script\s+src/i);
    // A CSP that forbids any network load, in case a future template change adds one.
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
  });

  it('is well-formed', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(unbalancedTags(html)).toEqual([]);
  });

  it('escapes everything from the cluster', () => {
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('has a table of contents, a dashboard and severity badges with text', () => {
    for (const id of ['summary', 'executive-summary', 'broken-now', 'findings', 'architecture', 'cost', 'sre-actions', 'details', 'appendix']) {
      expect(html).toContain(`<li><a href="#${id}">`);
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).toMatch(/Health score<\/div><div class="value">45<span[^>]*>\/100<\/span><span class="grade F"/);
    expect(html).toContain('higher is better: 100 = every check passed, A best');
    expect(html).toContain('<li>Coverage: 1 of 2 kinds read; not read: Secret (forbidden, no effect on the grade).</li>');
    expect(html).not.toContain('Read as metadata only');
    expect(html).toContain('<span class="badge critical">Critical</span>');
    expect(html).toContain('$1,234.50');
  });

  it('has a findings table that filters by severity, category and text, and shows everything with JS off', () => {
    // Controls are hidden until the script runs, so without JS nothing is filtered.
    expect(html).toContain('<div class="filters" id="filters" hidden>');
    expect(html).toContain('box.hidden = false;');
    expect(html).toContain('<select id="filter-severity">');
    expect(html).toContain('<select id="filter-category">');
    expect(html).toContain('<input id="filter-text"');
    const rows = html.match(/<tr data-severity="[a-z]+" data-category="[a-z]+">/g) ?? [];
    expect(rows).toHaveLength(4); // non-exempted findings; none hidden in the markup
    expect(html).not.toMatch(/<tr[^>]* hidden/);
  });

  it('prints well: page breaks before major sections, rows never cut', () => {
    expect(html).toContain('section.major { break-before: page; }');
    expect(html).toContain('tr, .card, pre, li, .fix { break-inside: avoid; }');
    expect(html).toContain('thead { display: table-header-group; }');
  });

  it('shows the fix with dry-run and apply commands next to the finding', () => {
    const article = html.split('id="finding-a1b2c3d4e5f6"')[1].split('</article>')[0];
    expect(article).toContain('privileged: false');
    // Handlebars escapes = as &#x3D; (renders as =).
    expect(article).toContain('--dry-run&#x3D;server\nkubectl patch deployment web');
    expect(article).toContain('<strong>Do now:</strong> Drop privileged mode.');
  });

  it('renders an empty report without placeholders leaking', () => {
    const empty = renderHtml(emptyReport());
    expect(empty).not.toMatch(/undefined|\[object|NaN/);
    expect(empty).toContain('<p>No findings.</p>');
    expect(empty).toContain('nothing to grade: no workloads');
    expect(empty).not.toMatch(/class="grade [A-F]"/);
    expect(empty).not.toContain('id="findings-table"');
    expect(unbalancedTags(empty)).toEqual([]);
  });

  it('prints no capture time for manifests, in the header or the footer', () => {
    const manifests = renderHtml({ ...emptyReport(), source: { type: 'manifests', paths: ['k8s/'] }, capturedAt: '1970-01-01T00:00:00.000Z' });
    expect(manifests).not.toContain('1970');
    expect(manifests).toContain('<dt>Input</dt><dd>manifests from k8s/ (manifests have no capture time)</dd>');
    expect(manifests).toContain('from manifests (k8s/), which have no capture time.</footer>');
  });

  it('is deterministic', () => {
    expect(renderHtml(fixtureReport())).toBe(html);
  });

  it('lists every finding in the table, not only the top ones', () => {
    const many = renderHtml(manyFindingsReport(30));
    expect(many.match(/<tr data-severity=/g)).toHaveLength(34);
  });
});
