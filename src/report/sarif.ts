/**
 * report.sarif: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Manifest findings
 * carry a physical location (file + line); live findings a logical one (namespace/Kind/name).
 * Diagnoses are results too, under rule ids `diagnosis/<cause>`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Report, RuleInfo } from '../schema/report.js';
import type { Finding, Severity, ResourceRef } from '../schema/finding.js';
import { severityRank } from '../schema/finding.js';
import type { Diagnosis } from '../schema/diagnosis.js';
import { evidenceLine, normalizeFile, primaryFileLocation, refLabel, refPath } from './format.js';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Where users read about the tool; shown by SARIF viewers next to each rule. */
export const TOOL_INFORMATION_URI = 'https://github.com/clustergpt/clustergpt';

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(severity: Severity): SarifLevel {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium') return 'warning';
  return 'note';
}

/** GitHub's security-severity (CVSS-like, 0-10); only for security rules. */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: undefined,
};

export interface SarifOptions {
  /** Absolute manifest paths are made relative to this directory (the repository root). */
  baseDir?: string;
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; 'security-severity'?: string; precision?: string };
}

/** Manifests read from stdin have no file to point at: such findings keep their logical location only. */
const STDIN_FILE = '<stdin>';

/**
 * The artifact location as SARIF requires it, a valid URI reference: a path inside baseDir (the repository) is
 * relative with each segment percent-encoded (`a#b c.yaml` → `a%23b%20c.yaml`); a file outside it (`../x.yaml`) is an
 * absolute `file://` URI, since a code-scanning upload resolves relative URIs inside the repository only.
 */
export function artifactUri(file: string, options: SarifOptions): string {
  const base = options.baseDir ?? process.cwd();
  const absolute = path.resolve(base, file);
  const relative = normalizeFile(path.relative(base, absolute));
  if (relative === '' || relative.startsWith('../') || relative === '..' || path.isAbsolute(relative)) {
    return pathToFileURL(absolute).href;
  }
  return relative.split('/').map(encodeURIComponent).join('/');
}

function logicalLocation(ref: ResourceRef) {
  return { fullyQualifiedName: refPath(ref), kind: 'resource' };
}

function findingLocations(f: Finding, options: SarifOptions) {
  const loc = primaryFileLocation(f.evidence);
  if (!loc || loc.file === STDIN_FILE) return [{ logicalLocations: [logicalLocation(f.resource)] }];
  return [
    {
      physicalLocation: {
        artifactLocation: { uri: artifactUri(loc.file, options) },
        ...(loc.line ? { region: { startLine: loc.line } } : {}),
      },
      logicalLocations: [logicalLocation(f.resource)],
    },
  ];
}

function worstSeverity(findings: readonly Finding[]): Severity {
  return findings.reduce<Severity>((worst, f) => (severityRank(f.severity) > severityRank(worst) ? f.severity : worst), 'info');
}

function ruleFromFindings(ruleId: string, findings: readonly Finding[], info: RuleInfo | undefined): SarifRule {
  const first = findings[0];
  const severity = worstSeverity(findings);
  const securitySeverity = first.category === 'security' ? SECURITY_SEVERITY[severity] : undefined;
  const fix = info?.remediation ?? first.remediation.summary;
  const why = info?.rationale ? `${info.rationale.trim()}\n\n` : '';
  const refs = info?.references ?? [];
  const refsText = refs.length ? `\n\nReferences:\n${refs.map((u) => `- ${u}`).join('\n')}` : '';
  return {
    id: ruleId,
    name: ruleId,
    shortDescription: { text: info?.title ?? first.title },
    fullDescription: { text: info?.description?.trim() ?? `${first.title}. Fix: ${fix}` },
    help: { text: `${why}Fix: ${fix}${refsText}`, markdown: `${why}**Fix:** ${fix}${refsText}` },
    ...(refs[0] ? { helpUri: refs[0] } : {}),
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: { tags: [first.category], ...(securitySeverity ? { 'security-severity': securitySeverity } : {}) },
  };
}

function diagnosisRuleId(d: Diagnosis): string {
  return `diagnosis/${d.cause}`;
}

function ruleFromDiagnosis(d: Diagnosis): SarifRule {
  const text = `Live problem diagnosed: ${d.cause}`;
  return {
    id: diagnosisRuleId(d),
    name: diagnosisRuleId(d),
    shortDescription: { text },
    fullDescription: { text: `${text}. Diagnosed from pod status and events.` },
    help: { text: d.remediation.summary, markdown: `**Fix:** ${d.remediation.summary}` },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['diagnosis', 'reliability'] },
  };
}

export function buildSarif(report: Report, options: SarifOptions = {}): Record<string, unknown> {
  const findingsByRule = new Map<string, Finding[]>();
  for (const f of report.findings) findingsByRule.set(f.ruleId, [...(findingsByRule.get(f.ruleId) ?? []), f]);
  const ruleInfo = new Map((report.rules ?? []).map((r) => [r.id, r]));
  const rules: SarifRule[] = [...findingsByRule].map(([id, list]) => ruleFromFindings(id, list, ruleInfo.get(id)));
  const diagnosisRules = new Map<string, SarifRule>();
  for (const d of report.diagnoses) if (!diagnosisRules.has(diagnosisRuleId(d))) diagnosisRules.set(diagnosisRuleId(d), ruleFromDiagnosis(d));
  rules.push(...diagnosisRules.values());
  rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));

  const findingResults = report.findings.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: ruleIndex.get(f.ruleId),
    level: sarifLevel(f.severity),
    message: { text: `${f.title}: ${f.message} (${refLabel(f.resource)}${f.element ? `, ${f.element}` : ''})` },
    locations: findingLocations(f, options),
    partialFingerprints: { 'clustergpt/v1': f.id },
    ...(f.exempted
      ? {
          suppressions: [
            {
              kind: 'inSource',
              justification: f.exemption
                ? `${f.exemption.reason ?? 'no reason given'} (exempted by ${f.exemption.source} on ${f.exemption.declaredOn})`
                : 'exempted',
            },
          ],
        }
      : {}),
    properties: {
      severity: f.severity,
      category: f.category,
      resource: refPath(f.resource),
      evidence: f.evidence.map(evidenceLine),
    },
  }));
  const diagnosisResults = report.diagnoses.map((d) => ({
    ruleId: diagnosisRuleId(d),
    ruleIndex: ruleIndex.get(diagnosisRuleId(d)),
    level: 'error' as const,
    message: { text: `${d.summary} (${refLabel(d.resource)}, ${d.podsAffected} pod(s) affected)` },
    locations: [{ logicalLocations: [logicalLocation(d.resource)] }],
    partialFingerprints: { 'clustergpt/v1': d.id },
    properties: { confidence: d.confidence, resource: refPath(d.resource), evidence: d.evidence.map(evidenceLine) },
  }));

  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: 'clustergpt',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: TOOL_INFORMATION_URI,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            // Kinds that could not be read: viewers show these as run warnings.
            toolExecutionNotifications: report.coverageGaps.map((g) => ({
              level: 'warning',
              message: { text: `${g.kind} not checked (${g.status}): ${g.error ?? ''}`.trim() },
              descriptor: { id: 'coverage-gap' },
            })),
          },
        ],
        columnKind: 'utf16CodeUnits',
        results: [...diagnosisResults, ...findingResults],
      },
    ],
  };
}

/** report.sarif as text (stable key order comes from building objects in a fixed shape). */
export function renderSarif(report: Report, options: SarifOptions = {}): string {
  return JSON.stringify(buildSarif(report, options), null, 2) + '\n';
}
