/**
 * The explainer never sees the snapshot, raw logs or object bodies: only these structured facts,
 * built from the outputs of the other stages. The same facts feed the template explainer and the
 * LLM prompt, so what the LLM may talk about is exactly what the template could have said.
 */
import { z } from 'zod';
import type { Finding, Severity } from '../schema/finding.js';
import { SeveritySchema, CategorySchema, SEVERITY_ORDER, severityRank } from '../schema/finding.js';
import type { Diagnosis } from '../schema/diagnosis.js';
import { DiagnosisCauseSchema } from '../schema/diagnosis.js';
import type { CostReport } from '../schema/cost.js';
import type { GeneratedRemediation } from '../schema/remediation.js';
import type { Health } from '../schema/report.js';

/** At most this many findings are passed on (highest severity first); diagnoses are never capped. */
export const MAX_FINDINGS_IN_FACTS = 60;
/** Evidence entries kept per finding/diagnosis: enough to explain, small enough for a prompt. */
const MAX_EVIDENCE_PER_ITEM = 5;
/** Evidence text longer than this is cut: event messages can be long. */
const MAX_EVIDENCE_CHARS = 300;

export const FactResourceSchema = z.object({
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
});
export type FactResource = z.infer<typeof FactResourceSchema>;

export const FactEvidenceSchema = z.object({
  path: z.string(),
  value: z.string().optional(),
  message: z.string().optional(),
});

export const FindingFactSchema = z.object({
  id: z.string(),
  ruleId: z.string(),
  severity: SeveritySchema,
  category: CategorySchema,
  title: z.string(),
  message: z.string(),
  resource: FactResourceSchema,
  element: z.string().optional(),
  podsAffected: z.number().optional(),
  evidence: z.array(FactEvidenceSchema),
  /** The generated fix for this finding, if the patch generator made one. */
  remediationId: z.string().nullable(),
});
export type FindingFact = z.infer<typeof FindingFactSchema>;

export const DiagnosisFactSchema = z.object({
  id: z.string(),
  cause: DiagnosisCauseSchema,
  resource: FactResourceSchema,
  podsAffected: z.number(),
  confidence: z.number(),
  impact: z.number(),
  summary: z.string(),
  /** Event/status messages that support the diagnosis. */
  evidence: z.array(z.string()),
  remediationSummary: z.string(),
  remediationId: z.string().nullable(),
});
export type DiagnosisFact = z.infer<typeof DiagnosisFactSchema>;

export const RemediationFactSchema = z.object({
  id: z.string(),
  summary: z.string(),
  target: FactResourceSchema,
  findingIds: z.array(z.string()),
  diagnosisIds: z.array(z.string()),
  /**
   * The dry-run and apply commands we generated. Used by the template explainer and by the LLM
   * answer validator (the only commands an answer may contain); never sent to the LLM.
   */
  commands: z.array(z.string()),
});
export type RemediationFact = z.infer<typeof RemediationFactSchema>;

export const CostFactSchema = z.object({
  currency: z.literal('USD'),
  method: z.enum(['nodes', 'requests']),
  confidence: z.enum(['high', 'medium', 'low']),
  monthlyTotal: z.number(),
  idleMonthly: z.number(),
  wasteMonthly: z.number(),
  topNamespaces: z.array(z.object({ namespace: z.string(), monthly: z.number() })),
  topWaste: z.array(
    z.object({ workload: z.string(), resource: z.enum(['cpu', 'memory']), requested: z.string(), suggested: z.string(), monthlySavings: z.number() }),
  ),
});
export type CostFact = z.infer<typeof CostFactSchema>;

/** The report's health score: higher is better, grade A best; null score and grade when there is nothing to grade. */
export const HealthFactSchema = z.object({
  status: z.enum(['graded', 'nothing-to-grade']),
  score: z.number().nullable(),
  grade: z.enum(['A', 'B', 'C', 'D', 'F']).nullable(),
  provisional: z.boolean(),
  checksPassed: z.number(),
  checksEvaluated: z.number(),
});
export type HealthFact = z.infer<typeof HealthFactSchema>;

export function healthFactOf(health: Health): HealthFact {
  return {
    status: health.status,
    score: health.score,
    grade: health.grade,
    provisional: health.provisional,
    checksPassed: health.checks.passed,
    checksEvaluated: health.checks.evaluated,
  };
}

export const ExplainerFactsSchema = z.object({
  health: HealthFactSchema.nullable(),
  totals: z.object({
    /** Non-exempted findings before the cap. */
    findings: z.number(),
    exempted: z.number(),
    bySeverity: z.record(SeveritySchema, z.number()),
    diagnoses: z.number(),
    /** How many findings are in `findings` (the cap may leave some out). */
    findingsIncluded: z.number(),
  }),
  findings: z.array(FindingFactSchema),
  diagnoses: z.array(DiagnosisFactSchema),
  cost: CostFactSchema.nullable(),
  remediations: z.array(RemediationFactSchema),
  graph: z.object({
    namespaces: z.array(z.string()),
    workloads: z.number(),
    exposurePaths: z.number(),
    singlePointsOfFailure: z.array(z.string()),
  }),
  coverageGaps: z.array(z.object({ kind: z.string(), status: z.string() })),
  userContext: z.string().nullable(),
});
export type ExplainerFacts = z.infer<typeof ExplainerFactsSchema>;

export interface BuildFactsInput {
  findings: Finding[];
  diagnoses: Diagnosis[];
  cost: CostReport | null;
  remediations: GeneratedRemediation[];
  graphSummary: { namespaces: string[]; workloads: number; exposurePaths: number; singlePointsOfFailure: string[] };
  coverageGaps: { kind: string; status: string }[];
  userContext?: string;
  /**
   * The report's health score and grade (src/report computes them). Optional so the explainer can run alone;
   * without it the summary says the grade is not known rather than inventing one.
   */
  health?: HealthFact;
  /** Override the cap (tests, or a model with a bigger context). */
  maxFindings?: number;
}

/** The sanitizer writes `<redacted>` / `<redacted:credential-like>`: such values carry nothing worth saying. */
export function isRedacted(value: string | undefined): boolean {
  return value !== undefined && value.trim().startsWith('<redacted');
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_EVIDENCE_CHARS ? oneLine.slice(0, MAX_EVIDENCE_CHARS - 1) + '…' : oneLine;
}

function factResource(ref: { kind: string; namespace?: string; name: string }): FactResource {
  return ref.namespace ? { kind: ref.kind, namespace: ref.namespace, name: ref.name } : { kind: ref.kind, name: ref.name };
}

/** `Deployment bookstore/inventory` — how resources are named in every text the explainer writes. */
export function resourceLabel(ref: FactResource): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    a.ruleId.localeCompare(b.ruleId) ||
    (a.resource.namespace ?? '').localeCompare(b.resource.namespace ?? '') ||
    a.resource.kind.localeCompare(b.resource.kind) ||
    a.resource.name.localeCompare(b.resource.name) ||
    (a.element ?? '').localeCompare(b.element ?? '') ||
    a.id.localeCompare(b.id)
  );
}

function remediationIndex(remediations: GeneratedRemediation[]) {
  const byFinding = new Map<string, string>();
  const byDiagnosis = new Map<string, string>();
  // Sorted so that when two fixes cite the same item the choice is stable.
  for (const r of [...remediations].sort((a, b) => a.id.localeCompare(b.id))) {
    for (const id of r.findingIds) if (!byFinding.has(id)) byFinding.set(id, r.id);
    for (const id of r.diagnosisIds) if (!byDiagnosis.has(id)) byDiagnosis.set(id, r.id);
  }
  return { byFinding, byDiagnosis };
}

function findingFact(f: Finding, remediationId: string | null): FindingFact {
  const evidence = f.evidence
    .slice(0, MAX_EVIDENCE_PER_ITEM)
    .map((e) => {
      const out: z.infer<typeof FactEvidenceSchema> = { path: e.path };
      if (e.value !== undefined && !isRedacted(e.value)) out.value = clip(e.value);
      if (e.message !== undefined && !isRedacted(e.message)) out.message = clip(e.message);
      return out;
    });
  const fact: FindingFact = {
    id: f.id,
    ruleId: f.ruleId,
    severity: f.severity,
    category: f.category,
    title: f.title,
    message: f.message,
    resource: factResource(f.resource),
    evidence,
    remediationId,
  };
  if (f.element) fact.element = f.element;
  if (f.podsAffected !== undefined) fact.podsAffected = f.podsAffected;
  return fact;
}

function diagnosisFact(d: Diagnosis, remediationId: string | null): DiagnosisFact {
  const evidence = d.evidence
    .map((e) => e.message ?? (e.value !== undefined && !isRedacted(e.value) ? `${e.path} = ${e.value}` : undefined))
    .filter((m): m is string => m !== undefined && !isRedacted(m))
    .slice(0, MAX_EVIDENCE_PER_ITEM)
    .map(clip);
  return {
    id: d.id,
    cause: d.cause,
    resource: factResource(d.resource),
    podsAffected: d.podsAffected,
    confidence: d.confidence,
    impact: d.impact,
    summary: d.summary,
    evidence,
    remediationSummary: d.remediation.summary,
    remediationId,
  };
}

function costFact(cost: CostReport): CostFact {
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    currency: cost.currency,
    method: cost.method,
    confidence: cost.confidence,
    monthlyTotal: round(cost.monthlyTotal),
    idleMonthly: round(cost.idleMonthly),
    wasteMonthly: round(cost.wasteMonthly),
    topNamespaces: [...cost.byNamespace]
      .sort((a, b) => b.monthly - a.monthly || a.namespace.localeCompare(b.namespace))
      .slice(0, 5)
      .map((n) => ({ namespace: n.namespace, monthly: round(n.monthly) })),
    topWaste: [...cost.waste]
      .sort((a, b) => b.monthlySavings - a.monthlySavings || `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))
      .slice(0, 5)
      .map((w) => ({
        workload: `${w.kind} ${w.namespace}/${w.name}`,
        resource: w.resource,
        requested: w.requested,
        suggested: w.suggested,
        monthlySavings: round(w.monthlySavings),
      })),
  };
}

/** Builds the facts the explainers work from. Deterministic: the same inputs give the same facts. */
export function buildFacts(input: BuildFactsInput): ExplainerFacts {
  const cap = input.maxFindings ?? MAX_FINDINGS_IN_FACTS;
  const active = input.findings.filter((f) => !f.exempted).sort(compareFindings);
  const included = active.slice(0, cap);
  const { byFinding, byDiagnosis } = remediationIndex(input.remediations);
  const bySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of active) bySeverity[f.severity] += 1;
  const diagnoses = [...input.diagnoses].sort((a, b) => b.impact - a.impact || a.id.localeCompare(b.id));
  const includedIds = new Set(included.map((f) => f.id));
  const diagnosisIds = new Set(diagnoses.map((d) => d.id));

  return {
    health: input.health ?? null,
    totals: {
      findings: active.length,
      exempted: input.findings.length - active.length,
      bySeverity,
      diagnoses: diagnoses.length,
      findingsIncluded: included.length,
    },
    findings: included.map((f) => findingFact(f, byFinding.get(f.id) ?? null)),
    diagnoses: diagnoses.map((d) => diagnosisFact(d, byDiagnosis.get(d.id) ?? null)),
    cost: input.cost ? costFact(input.cost) : null,
    // Only fixes for items that made it into the facts: the rest could not be explained or cited.
    remediations: input.remediations
      .filter((r) => r.findingIds.some((id) => includedIds.has(id)) || r.diagnosisIds.some((id) => diagnosisIds.has(id)))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((r) => ({
        id: r.id,
        summary: r.summary,
        target: factResource(r.target),
        findingIds: [...r.findingIds].sort(),
        diagnosisIds: [...r.diagnosisIds].sort(),
        commands: [r.dryRunCommand, r.command],
      })),
    graph: {
      namespaces: [...input.graphSummary.namespaces].sort(),
      workloads: input.graphSummary.workloads,
      exposurePaths: input.graphSummary.exposurePaths,
      singlePointsOfFailure: [...input.graphSummary.singlePointsOfFailure].sort(),
    },
    coverageGaps: [...input.coverageGaps]
      .map((g) => ({ kind: g.kind, status: g.status }))
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.status.localeCompare(b.status)),
    userContext: input.userContext?.trim() ? input.userContext.trim() : null,
  };
}
