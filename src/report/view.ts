/**
 * The report as the Markdown and HTML templates see it: every value already formatted as text,
 * in display order. Templates only lay things out; the decisions (ordering, wording, which
 * remediation belongs to which finding) are made here once for both formats.
 */
import type { Report } from '../schema/report.js';
import type { Finding, Severity, Category } from '../schema/finding.js';
import { SEVERITY_ORDER } from '../schema/finding.js';
import { CategorySchema } from '../schema/finding.js';
import { KIND_SPECS } from '../common/kinds.js';
import type { GeneratedRemediation } from '../schema/remediation.js';
import {
  evidenceLine,
  formatHourly,
  formatMoney,
  formatPercent,
  refLabel,
  refPath,
  SEVERITY_LABEL,
  whereOf,
} from './format.js';
import { coveragePhrase, healthPhrase } from './health.js';
import { coveredByRightSizing, rightSizingCell, rightSizingView, type RightSizingView } from './right-sizing-view.js';

const OPTIONAL_KINDS = new Set(KIND_SPECS.filter((s) => s.optional).map((s) => s.kind));

/** How many findings the "Top findings" table lists. */
export const TOP_FINDINGS = 20;
/**
 * How many findings (most severe first) get a full detail section (evidence, explanation, patch) in report.md and
 * report.html. The others are listed one compact row each, grouped by rule: every finding appears, and its details
 * are in report.json. Keeps the human-readable reports readable and their size linear and bounded per finding on
 * clusters with hundreds of thousands of findings.
 */
export const DETAILED_FINDINGS = 200;
const TOP_COST_WORKLOADS = 10;

export interface FixView {
  id: string;
  summary: string;
  /** `Patch`, or `Patch: <summary>` when the summary says more than the remediation text above it. */
  title: string;
  patchYaml: string;
  dryRunCommand: string;
  command: string;
  /** Both commands, dry run first, one per line. */
  shell: string;
}

export interface FindingView {
  anchor: string;
  id: string;
  severity: Severity;
  severityLabel: string;
  category: Category;
  ruleId: string;
  title: string;
  message: string;
  resource: string;
  where: string;
  element?: string;
  podsAffected?: number;
  evidence: string[];
  remediation: string;
  immediate?: string;
  longTerm?: string;
  fixes: FixView[];
}

/** A finding listed without details (beyond DETAILED_FINDINGS). */
export interface CompactFindingView {
  id: string;
  severityLabel: string;
  resource: string;
  element: string;
  where: string;
  podsAffected: string;
}

/** The compact findings of one rule, in report order (the rule's first finding decides the group's place). */
export interface CompactFindingGroup {
  ruleId: string;
  title: string;
  category: Category;
  count: number;
  findings: CompactFindingView[];
}

/** A row of the HTML findings table (every active finding); `detailed` when it has a detail section to link to. */
export interface FindingRowView {
  anchor: string;
  detailed: boolean;
  severity: Severity;
  severityLabel: string;
  category: Category;
  ruleId: string;
  title: string;
  resource: string;
  where: string;
}

export interface DiagnosisView {
  anchor: string;
  id: string;
  cause: string;
  summary: string;
  workload: string;
  podsAffected: number;
  pods: string;
  confidence: string;
  evidence: string[];
  alternatives: string[];
  remediation: string;
  immediate?: string;
  longTerm?: string;
  fixes: FixView[];
}

export interface ReportView {
  toolVersion: string;
  /** Live cluster input: diagnoses could run. Manifests have no live state. */
  live: boolean;
  sourceLabel: string;
  sourceDetails: string[];
  clusterName: string;
  /** `Captured` and the time for snapshots; `Input` and where the manifests came from (manifests have no capture time). */
  captured: { label: string; value: string };
  /** The footer's "from …": when the snapshot was captured, or which manifests were read. */
  provenance: string;
  scope: string;
  excludedNamespaces: string;
  coverageGaps: Array<{ kind: string; status: string; error: string }>;
  /** Gaps that make the audit incomplete (optional metrics kinds only affect usage-based cost). */
  auditGaps: Array<{ kind: string; status: string; error: string }>;
  metadataOnlyKinds: string;
  /** `30 of 32 kinds read; not read: …`. */
  coverageLine: string;
  summary: {
    health: {
      graded: boolean;
      score: number | null;
      /** `A`..`F`, or `none` when there is nothing to grade (a CSS class in the HTML). */
      grade: string;
      provisional: boolean;
      provisionalKinds: string;
      /** `64/100, grade D` or `nothing to grade: …`. */
      phrase: string;
      /** `180 of 200 checks passed (90 %)`; empty when the rule engine's counts are not known. */
      checks: string;
      /** `4 of 6 workloads have a problem (1 broken now, …)`. */
      workloads: string;
      caps: string[];
    };
    monthlyCost: string | null;
    totalFindings: number;
    exemptedFindings: number;
    diagnoses: number;
    bySeverity: Array<{ severity: Severity; label: string; count: number }>;
    byCategory: Array<{ category: Category; count: number }>;
  };
  execSummary: string | null;
  explanationNote: string | null;
  diagnoses: DiagnosisView[];
  topFindings: FindingView[];
  moreFindings: number;
  /** The first DETAILED_FINDINGS active findings, with full details. */
  findings: FindingView[];
  /** Every active finding, one row each (the HTML findings table). */
  findingRows: FindingRowView[];
  /** Active findings beyond DETAILED_FINDINGS: their number, and their compact rows grouped by rule. */
  compactCount: number;
  compactGroups: CompactFindingGroup[];
  architecture: {
    namespaces: string;
    workloads: number;
    exposurePaths: string[];
    singlePointsOfFailure: string[];
    danglingReferences: Array<{ type: string; from: string; path: string; message: string }>;
  };
  cost: CostView | null;
  sreActions: Array<{ title: string; confidence: string; rationale: string; about: string[]; commands: string[] }>;
  exempted: Array<{ severity: string; ruleId: string; title: string; resource: string; where: string; reason: string; declaredOn: string }>;
  inputProblems: Array<{ where: string; message: string }>;
  /** Kinds no rule reads (custom resources), with counts. */
  notChecked: Array<{ apiVersion: string; kind: string; count: number }>;
  /** Config exemptions that matched no finding. */
  staleExemptions: Array<{ rule: string; matches: string; reason: string; declaredOn: string }>;
  /** What --config changed, one line each; empty without --config. */
  appliedConfig: { file: string; changes: string[] } | null;
  inventory: Report['inventory'];
  categories: Category[];
  severities: Array<{ severity: Severity; label: string }>;
}

export interface CostView {
  total: string;
  method: string;
  confidence: string;
  allocated: string;
  idle: string;
  waste: string;
  priceModel: string;
  byNamespace: Array<{ namespace: string; monthly: string; confidence: string }>;
  topWorkloads: Array<{ workload: string; replicas: number; cpu: string; memory: string; monthly: string; confidence: string }>;
  nodes: Array<{ name: string; instanceType: string; hourly: string; monthly: string; idle: string; priceSource: string }>;
  wasteItems: Array<{ workload: string; resource: string; requested: string; suggested: string; savings: string; confidence: string }>;
  /** What the figures were computed from (null for reports written before it existed). */
  basis: string | null;
  rightSizing: RightSizingView | null;
  assumptions: string[];
}

/** Code-point order: the same on every machine, unlike locale collation. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A fragment id safe in HTML and Markdown links. */
export function anchorFor(prefix: string, id: string): string {
  return `${prefix}-${id.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`;
}

function fixView(r: GeneratedRemediation, remediationSummary: string): FixView {
  const title = r.summary.trim() === remediationSummary.trim() ? 'Patch' : `Patch: ${r.summary}`;
  return { id: r.id, summary: r.summary, title, patchYaml: r.patchYaml.replace(/\s+$/, ''), dryRunCommand: r.dryRunCommand, command: r.command, shell: `${r.dryRunCommand}\n${r.command}` };
}

function sourceLabel(report: Report): { label: string; details: string[]; cluster: string } {
  const s = report.source;
  if (s.type === 'cluster') {
    const cluster = s.context ?? s.server;
    const details = [`API server: ${s.server}`];
    if (s.context) details.push(`Context: ${s.context}`);
    if (s.kubernetesVersion) details.push(`Kubernetes: ${s.kubernetesVersion}`);
    if (s.platform) details.push(`Platform: ${s.platform}`);
    return { label: `cluster ${cluster}`, details, cluster };
  }
  const paths = [...s.paths].sort();
  return { label: `manifests ${paths.join(', ')}`, details: paths.map((p) => `Manifest: ${p}`), cluster: paths.join(', ') || 'manifests' };
}

function costView(cost: NonNullable<Report['cost']>): CostView {
  const shownInRightSizing = coveredByRightSizing(cost);
  const method =
    cost.method === 'nodes'
      ? 'node prices (allocated share of each node plus idle capacity)'
      : 'resource requests × default unit rates (no node prices known)';
  return {
    total: formatMoney(cost.monthlyTotal),
    method,
    confidence: cost.confidence,
    allocated: formatMoney(cost.allocatedMonthly),
    idle: formatMoney(cost.idleMonthly),
    waste: rightSizingCell(cost),
    priceModel: `${cost.priceModel.source} (${cost.priceModel.date}), ${cost.hoursPerMonth} hours/month`,
    byNamespace: [...cost.byNamespace]
      .sort((a, b) => b.monthly - a.monthly || compareText(a.namespace, b.namespace))
      .map((n) => ({ namespace: n.namespace, monthly: formatMoney(n.monthly), confidence: n.confidence })),
    topWorkloads: [...cost.byWorkload]
      .sort((a, b) => b.monthly - a.monthly || compareText(refPath(a), refPath(b)))
      .slice(0, TOP_COST_WORKLOADS)
      .map((w) => ({
        workload: refLabel(w),
        replicas: w.replicas,
        cpu: `${Math.round(w.cpuCores * 1000) / 1000} cores`,
        memory: `${Math.round(w.memoryGiB * 100) / 100} GiB`,
        monthly: formatMoney(w.monthly),
        confidence: w.confidence,
      })),
    nodes: [...cost.byNode]
      .sort((a, b) => compareText(a.name, b.name))
      .map((n) => ({
        name: n.name,
        instanceType: n.instanceType ?? 'unknown',
        hourly: formatHourly(n.hourlyPrice),
        monthly: formatMoney(n.monthly),
        idle: formatMoney(n.idleMonthly),
        priceSource: n.priceSource,
      })),
    wasteItems: [...cost.waste]
      .filter((w) => !shownInRightSizing(w))
      .sort((a, b) => b.monthlySavings - a.monthlySavings || compareText(refPath(a), refPath(b)))
      .map((w) => ({
        workload: refLabel(w) + (w.container ? ` (container ${w.container})` : ''),
        resource: w.resource,
        requested: w.requested,
        suggested: w.suggested,
        savings: formatMoney(w.monthlySavings),
        confidence: w.confidence,
      })),
    basis: cost.basis ?? null,
    rightSizing: rightSizingView(cost),
    assumptions: [...cost.assumptions],
  };
}

function explanationNote(report: Report): string | null {
  const meta = report.explanationMeta;
  if (!meta) return null;
  if (meta.engine === 'llm') {
    const parts = [`Explanations written by an LLM${meta.model ? ` (${meta.model})` : ''} from the findings above; its ids, figures and claims were checked against the computed results, and it holds no command we did not generate.`];
    if (meta.anonymized) parts.push('Names were anonymized before sending.');
    if (meta.cached) parts.push('Answer served from the local cache.');
    return parts.join(' ');
  }
  const base = 'Explanations written from built-in templates (no LLM).';
  return meta.fallbackReason ? `${base} The LLM answer was not used: ${meta.fallbackReason}` : base;
}

/** A capture time at or before the epoch is a placeholder (manifests have none), never a time to print. */
function capturedOf(report: Report): ReportView['captured'] {
  const time = Date.parse(report.capturedAt);
  if (report.source.type === 'cluster' && Number.isFinite(time) && time > 0) return { label: 'Captured', value: report.capturedAt };
  if (report.source.type === 'manifests') {
    const paths = [...report.source.paths].sort();
    const from = paths.length ? paths.map((p) => (p === '-' ? 'stdin' : p)).join(', ') : 'stdin';
    return { label: 'Input', value: `manifests from ${from} (manifests have no capture time)` };
  }
  return { label: 'Captured', value: 'unknown (the snapshot records no capture time)' };
}

function provenanceOf(report: Report, captured: ReportView['captured']): string {
  if (report.source.type === 'manifests') return `manifests (${[...report.source.paths].sort().map((p) => (p === '-' ? 'stdin' : p)).join(', ') || 'stdin'}), which have no capture time`;
  return `a snapshot captured ${captured.value}`;
}

function healthView(h: Report['summary']['health']): ReportView['summary']['health'] {
  const w = h.workloads;
  const atRisk = w.total - w.clean;
  const states = (['broken', 'critical', 'high', 'medium', 'low'] as const)
    .filter((s) => w[s] > 0)
    .map((s) => `${w[s]} ${s === 'broken' ? 'broken now' : s}`);
  return {
    graded: h.status === 'graded',
    score: h.score,
    grade: h.grade ?? 'none',
    provisional: h.provisional,
    provisionalKinds: h.provisionalKinds.join(', '),
    phrase: healthPhrase(h),
    checks: h.checks.evaluated > 0 ? `${h.checks.passed} of ${h.checks.evaluated} checks passed (${h.checks.passRate} %)` : '',
    workloads:
      w.total === 0
        ? 'no workloads'
        : `${atRisk} of ${w.total} workload${w.total === 1 ? '' : 's'} with a problem${states.length ? ` (worst: ${states.join(', ')})` : ''}; workload health ${w.health} %`,
    caps: [...h.caps],
  };
}

export function buildView(report: Report): ReportView {
  const explained = new Map((report.explanation?.items ?? []).map((i) => [i.id, i]));
  // Remediations per finding / diagnosis id, indexed once (a filter per finding is quadratic on big clusters).
  const remediationsFor = new Map<string, GeneratedRemediation[]>();
  const index = (key: string, r: GeneratedRemediation) => {
    const list = remediationsFor.get(key);
    if (list) {
      if (list[list.length - 1] !== r) list.push(r);
    } else remediationsFor.set(key, [r]);
  };
  for (const r of report.remediations) {
    for (const id of r.findingIds) index(`f\u0000${id}`, r);
    for (const id of r.diagnosisIds) index(`d\u0000${id}`, r);
  }
  const fixesFor = (key: string, remediationSummary: string) =>
    (remediationsFor.get(key) ?? []).map((r) => fixView(r, remediationSummary));
  const remediationsById = new Map(report.remediations.map((r) => [r.id, r]));
  const findingTitles = new Map(report.findings.map((f) => [f.id, `${f.title} (${refLabel(f.resource)})`]));
  const diagnosisTitles = new Map(report.diagnoses.map((d) => [d.id, `${d.cause} (${refLabel(d.resource)})`]));

  const findingView = (f: Finding): FindingView => ({
    anchor: anchorFor('finding', f.id),
    id: f.id,
    severity: f.severity,
    severityLabel: SEVERITY_LABEL[f.severity],
    category: f.category,
    ruleId: f.ruleId,
    title: f.title,
    message: f.message,
    resource: refLabel(f.resource),
    where: whereOf(f.resource, f.evidence),
    ...(f.element ? { element: f.element } : {}),
    ...(f.podsAffected !== undefined ? { podsAffected: f.podsAffected } : {}),
    evidence: f.evidence.map(evidenceLine),
    remediation: f.remediation.summary,
    immediate: explained.get(f.id)?.immediate,
    longTerm: explained.get(f.id)?.longTerm,
    fixes: fixesFor(`f\u0000${f.id}`, f.remediation.summary),
  });

  const activeFindings = report.findings.filter((f) => !f.exempted);
  const active = activeFindings.slice(0, DETAILED_FINDINGS).map(findingView);
  const findingRows: FindingRowView[] = activeFindings.map((f, i) => ({
    anchor: anchorFor('finding', f.id),
    detailed: i < DETAILED_FINDINGS,
    severity: f.severity,
    severityLabel: SEVERITY_LABEL[f.severity],
    category: f.category,
    ruleId: f.ruleId,
    title: f.title,
    resource: refLabel(f.resource),
    where: whereOf(f.resource, f.evidence),
  }));
  const compactGroups = new Map<string, CompactFindingGroup>();
  for (let i = DETAILED_FINDINGS; i < activeFindings.length; i++) {
    const f = activeFindings[i];
    let group = compactGroups.get(f.ruleId);
    if (!group) {
      group = { ruleId: f.ruleId, title: f.title, category: f.category, count: 0, findings: [] };
      compactGroups.set(f.ruleId, group);
    }
    group.count += 1;
    group.findings.push({
      id: f.id,
      severityLabel: SEVERITY_LABEL[f.severity],
      resource: findingRows[i].resource,
      element: f.element ?? '',
      where: findingRows[i].where,
      podsAffected: f.podsAffected !== undefined ? String(f.podsAffected) : '',
    });
  }
  const source = sourceLabel(report);
  // A forbidden Secret list read nothing at all, not "metadata only".
  const metadataOnly = report.coverage.filter((c) => c.metadataOnly && c.status === 'listed').map((c) => c.kind);
  const captured = capturedOf(report);

  return {
    toolVersion: report.tool.version,
    live: report.source.type === 'cluster',
    sourceLabel: source.label,
    sourceDetails: source.details,
    clusterName: source.cluster,
    captured,
    provenance: provenanceOf(report, captured),
    scope: report.scope.namespaces ? `namespaces ${report.scope.namespaces.join(', ')}` : 'all namespaces',
    excludedNamespaces: report.scope.excludedNamespaces.join(', '),
    coverageGaps: report.coverageGaps.map((g) => ({ kind: g.kind, status: g.status, error: g.error ?? '' })),
    auditGaps: report.coverageGaps
      .filter((g) => !OPTIONAL_KINDS.has(g.kind))
      .map((g) => ({ kind: g.kind, status: g.status, error: g.error ?? '' })),
    metadataOnlyKinds: metadataOnly.join(', '),
    coverageLine: coveragePhrase(report.summary.readCoverage),
    summary: {
      health: healthView(report.summary.health),
      monthlyCost: report.summary.monthlyCost !== undefined ? formatMoney(report.summary.monthlyCost) : null,
      totalFindings: report.summary.totalFindings,
      exemptedFindings: report.summary.exemptedFindings,
      diagnoses: report.summary.diagnoses,
      bySeverity: SEVERITY_ORDER.map((s) => ({ severity: s, label: SEVERITY_LABEL[s], count: report.summary.bySeverity[s] ?? 0 })),
      byCategory: CategorySchema.options.map((c) => ({ category: c, count: report.summary.byCategory[c] ?? 0 })),
    },
    execSummary: report.explanation?.execSummary?.trim() || null,
    explanationNote: explanationNote(report),
    diagnoses: report.diagnoses.map((d) => ({
      anchor: anchorFor('diagnosis', d.id),
      id: d.id,
      cause: d.cause,
      summary: d.summary,
      workload: refLabel(d.resource),
      podsAffected: d.podsAffected,
      pods: d.pods.join(', '),
      confidence: formatPercent(d.confidence),
      evidence: d.evidence.map(evidenceLine),
      alternatives: d.hypotheses
        .filter((h) => h.cause !== d.cause)
        .map((h) => `${h.cause} (${formatPercent(h.confidence)}): ${h.explanation}`),
      remediation: d.remediation.summary,
      immediate: explained.get(d.id)?.immediate,
      longTerm: explained.get(d.id)?.longTerm,
      fixes: fixesFor(`d\u0000${d.id}`, d.remediation.summary),
    })),
    topFindings: active.slice(0, TOP_FINDINGS),
    moreFindings: Math.max(0, activeFindings.length - TOP_FINDINGS),
    findings: active,
    findingRows,
    compactCount: Math.max(0, activeFindings.length - DETAILED_FINDINGS),
    compactGroups: [...compactGroups.values()],
    architecture: {
      namespaces: report.architecture.namespaces.join(', '),
      workloads: report.architecture.workloads,
      exposurePaths: report.architecture.exposurePaths.map((p) => {
        const entry = p.ingress
          ? `${refLabel(p.ingress)}${p.host || p.path ? ` (${p.host ?? '*'}${p.path ?? ''})` : ''} → `
          : '';
        const behind = p.workloads.length ? p.workloads.map(refLabel).join(', ') : 'no workloads (selects nothing)';
        return `${entry}${refLabel(p.service)} (${p.serviceType}) → ${behind}`;
      }),
      singlePointsOfFailure: report.architecture.singlePointsOfFailure.map(refLabel),
      danglingReferences: report.architecture.danglingReferences.map((d) => ({
        type: d.type,
        from: refLabel(d.from),
        path: d.path,
        message: d.message,
      })),
    },
    cost: report.cost ? costView(report.cost) : null,
    sreActions: (report.explanation?.sreActions ?? []).map((a) => {
      const fix = a.remediationId ? remediationsById.get(a.remediationId) : undefined;
      return {
        title: a.title,
        confidence: a.confidence,
        rationale: a.rationale,
        about: [
          ...a.diagnosisIds.map((id) => diagnosisTitles.get(id) ?? id),
          ...a.findingIds.map((id) => findingTitles.get(id) ?? id),
        ],
        commands: fix ? [fix.dryRunCommand, fix.command] : [],
      };
    }),
    exempted: report.findings
      .filter((f) => f.exempted)
      .map((f) => ({
        severity: SEVERITY_LABEL[f.severity],
        ruleId: f.ruleId,
        title: f.title,
        resource: refLabel(f.resource),
        where: whereOf(f.resource, f.evidence),
        reason: f.exemption?.reason ?? 'no reason given',
        declaredOn: f.exemption ? `${f.exemption.source}: ${f.exemption.declaredOn}` : 'unknown',
      })),
    inputProblems: report.inputProblems.map((p) => ({
      where: p.file ? `${p.file}${p.line ? `:${p.line}` : ''}` : '—',
      message: p.message,
    })),
    notChecked: report.notChecked ?? [],
    appliedConfig: report.appliedConfig
      ? {
          file: report.appliedConfig.file,
          changes: [
            ...report.appliedConfig.disabledRules.map((rule) => `rule ${rule} disabled`),
            ...report.appliedConfig.severityOverrides.map((o) => `rule ${o.rule} reported as ${o.severity}`),
            ...(report.appliedConfig.exemptions > 0 ? [`${report.appliedConfig.exemptions} exemption(s) (exempted findings are listed above)`] : []),
          ],
        }
      : null,
    staleExemptions: (report.staleExemptions ?? []).map((e) => ({
      rule: e.rule,
      matches:
        [e.kind && `kind ${e.kind}`, e.namespace && `namespace ${e.namespace}`, e.name && `name ${e.name}`, e.element && `element ${e.element}`]
          .filter(Boolean)
          .join(', ') || 'everything',
      reason: e.reason,
      declaredOn: e.declaredOn,
    })),
    inventory: report.inventory,
    categories: [...CategorySchema.options],
    severities: SEVERITY_ORDER.map((s) => ({ severity: s, label: SEVERITY_LABEL[s] })),
  };
}
