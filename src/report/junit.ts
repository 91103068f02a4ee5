/**
 * report.junit.xml: one <testsuite> per category (plus one for diagnoses), one <testcase> per
 * rule × resource. Non-exempted findings fail the test case; exempted ones skip it. CI systems
 * (GitLab, Jenkins, Azure DevOps) show these as test results.
 */
import { printable } from '../common/printable.js';
import type { Report } from '../schema/report.js';
import type { Finding, Severity } from '../schema/finding.js';
import { CategorySchema, severityRank } from '../schema/finding.js';
import { evidenceLine, refLabel, whereOf } from './format.js';

/** Characters XML 1.0 cannot carry at all, even escaped. */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Attribute values also keep their newlines and tabs as character references. */
function attr(text: string): string {
  return xmlEscape(text).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

interface TestCase {
  classname: string;
  name: string;
  failure?: { message: string; type: string; body: string };
  skipped?: { message: string };
}

interface TestSuite {
  name: string;
  cases: TestCase[];
}

function worst(findings: readonly Finding[]): Severity {
  return findings.reduce<Severity>((w, f) => (severityRank(f.severity) > severityRank(w) ? f.severity : w), 'info');
}

function findingDetails(f: Finding): string {
  return [
    `${f.title}${f.element ? ` (${f.element})` : ''}`,
    f.message,
    `Where: ${whereOf(f.resource, f.evidence)}`,
    ...f.evidence.map((e) => `Evidence: ${evidenceLine(e)}`),
    `Fix: ${f.remediation.summary}`,
  ].join('\n');
}

function caseFor(ruleId: string, resourceLabel: string, findings: readonly Finding[]): TestCase {
  const active = findings.filter((f) => !f.exempted);
  const base = { classname: ruleId, name: resourceLabel };
  if (active.length > 0) {
    const titles = [...new Set(active.map((f) => f.title))];
    return {
      ...base,
      failure: { message: titles.join('; '), type: worst(active), body: active.map(findingDetails).join('\n\n') },
    };
  }
  const reasons = [
    ...new Set(
      findings.map((f) =>
        f.exemption ? `${f.exemption.reason ?? 'no reason given'} (${f.exemption.source}: ${f.exemption.declaredOn})` : 'exempted',
      ),
    ),
  ];
  return { ...base, skipped: { message: `exempted: ${reasons.join('; ')}` } };
}

function compareCases(a: TestCase, b: TestCase): number {
  const ka = `${a.classname}\u0000${a.name}`;
  const kb = `${b.classname}\u0000${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function buildSuites(report: Report): TestSuite[] {
  const suites: TestSuite[] = CategorySchema.options.map((category) => {
    const groups = new Map<string, { ruleId: string; label: string; findings: Finding[] }>();
    for (const f of report.findings.filter((x) => x.category === category)) {
      const label = refLabel(f.resource);
      const key = `${f.ruleId}\u0000${label}`;
      const group = groups.get(key) ?? { ruleId: f.ruleId, label, findings: [] };
      group.findings.push(f);
      groups.set(key, group);
    }
    return { name: category, cases: [...groups.values()].map((g) => caseFor(g.ruleId, g.label, g.findings)).sort(compareCases) };
  });
  suites.push({
    name: 'diagnoses',
    cases: report.diagnoses
      .map((d) => ({
        classname: `diagnosis/${d.cause}`,
        name: refLabel(d.resource),
        failure: {
          message: d.summary,
          type: 'diagnosis',
          body: [
            d.summary,
            `Pods affected: ${d.podsAffected}${d.pods.length ? ` (${d.pods.join(', ')})` : ''}`,
            ...d.evidence.map((e) => `Evidence: ${evidenceLine(e)}`),
            `Fix: ${d.remediation.summary}`,
          ].join('\n'),
        },
      }))
      .sort(compareCases),
  });
  return suites;
}

function counts(cases: readonly TestCase[]) {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    skipped: cases.filter((c) => c.skipped).length,
  };
}

function renderCase(c: TestCase): string {
  const open = `    <testcase classname="${attr(c.classname)}" name="${attr(c.name)}" time="0"`;
  if (c.failure) {
    return `${open}>\n      <failure message="${attr(c.failure.message)}" type="${attr(c.failure.type)}">${xmlEscape(c.failure.body)}</failure>\n    </testcase>`;
  }
  if (c.skipped) return `${open}>\n      <skipped message="${attr(c.skipped.message)}"/>\n    </testcase>`;
  return `${open}/>`;
}

export function renderJunit(report: Report): string {
  const suites = buildSuites(report);
  const total = counts(suites.flatMap((s) => s.cases));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="clustergpt" tests="${total.tests}" failures="${total.failures}" skipped="${total.skipped}" errors="0" time="0">`,
  ];
  for (const suite of suites) {
    const c = counts(suite.cases);
    const open = `  <testsuite name="${attr(suite.name)}" tests="${c.tests}" failures="${c.failures}" skipped="${c.skipped}" errors="0" time="0"`;
    if (suite.cases.length === 0) {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(`${open}>`, ...suite.cases.map(renderCase), '  </testsuite>');
  }
  lines.push('</testsuites>', '');
  // XML 1.0 does not allow most control characters at all, escaped or not: they are shown as text.
  return printable(lines.join('\n'));
}
