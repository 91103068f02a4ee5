import { describe, expect, it } from 'vitest';
import { renderJunit, xmlEscape } from './junit.js';
import { emptyReport, fixtureReport } from './test-support/fixture.js';
import type { Finding } from '../schema/finding.js';

function attrsOf(xml: string, tag: string): Array<Record<string, string>> {
  return [...xml.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

describe('JUnit writer', () => {
  const xml = renderJunit(fixtureReport());

  it('has one suite per category plus diagnoses, with correct counts', () => {
    const suites = attrsOf(xml, 'testsuite');
    expect(suites.map((s) => [s.name, s.tests, s.failures, s.skipped])).toEqual([
      ['reliability', '1', '1', '0'],
      ['security', '2', '1', '1'],
      ['cost', '1', '1', '0'],
      ['architecture', '1', '1', '0'],
      ['diagnoses', '1', '1', '0'],
    ]);
    expect(attrsOf(xml, 'testsuites')[0]).toMatchObject({ tests: '6', failures: '5', skipped: '1', errors: '0' });
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml.match(/<failure /g)).toHaveLength(5);
    expect(xml.match(/<skipped /g)).toHaveLength(1);
  });

  it('names test cases rule × resource and types failures by severity', () => {
    expect(xml).toContain('<testcase classname="privileged-container" name="Deployment shop/web" time="0">');
    expect(xml).toContain('<failure message="Container runs privileged | full host access" type="critical">');
    expect(xml).toContain('<skipped message="exempted: node metrics need the host network (annotation: DaemonSet monitoring/node-exporter)"/>');
    expect(xml).toContain('<testcase classname="diagnosis/crash-loop" name="Deployment shop/inventory" time="0">');
  });

  it('folds several findings of one rule on one resource into one test case', () => {
    const report = fixtureReport();
    const first = report.findings[0];
    const second: Finding = { ...first, id: 'other', element: 'container:sidecar', title: 'Sidecar runs privileged' };
    report.findings = [first, second];
    const folded = renderJunit(report);
    expect(folded.match(/<testcase classname="privileged-container"/g)).toHaveLength(1);
    expect(folded).toContain('message="Container runs privileged | full host access; Sidecar runs privileged"');
  });

  it('XML-escapes everything, including newlines in attributes and control characters', () => {
    expect(xml).toContain('Container app runs with privileged: true and can &lt;script&gt;alert(1)&lt;/script&gt; take over the node.');
    expect(xml).not.toContain('<script>');
    expect(xmlEscape('a & b < c > "d" \'e\'\u0001')).toBe('a &amp; b &lt; c &gt; &quot;d&quot; &apos;e&apos;');
    const report = fixtureReport();
    report.findings = [{ ...report.findings[1], title: 'line one\nline "two"' }];
    expect(renderJunit(report)).toContain('message="line one&#10;line &quot;two&quot;"');
  });

  it('writes empty suites for a report with nothing in it', () => {
    const empty = renderJunit(emptyReport());
    expect(attrsOf(empty, 'testsuites')[0]).toMatchObject({ tests: '0', failures: '0', skipped: '0' });
    expect(empty).toContain('<testsuite name="security" tests="0" failures="0" skipped="0" errors="0" time="0"/>');
  });
});
