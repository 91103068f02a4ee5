import { z } from 'zod';
import { CoverageEntrySchema, SnapshotSourceSchema } from './snapshot.js';
import { CategorySchema, FindingSchema, ResourceRefSchema, SeveritySchema } from './finding.js';
import { DiagnosisSchema } from './diagnosis.js';
import { CostReportSchema } from './cost.js';
import { ExplanationMetaSchema, ExplanationSchema } from './explanation.js';
import { GeneratedRemediationSchema } from './remediation.js';

export const REPORT_SCHEMA_VERSION = 2 as const;

export const DanglingReferenceSchema = z.object({
  /** e.g. `service-selects-nothing`, `ingress-missing-service`, `hpa-missing-target`, `missing-secret`. */
  type: z.string(),
  from: ResourceRefSchema,
  /** What was referenced and not found. */
  missing: z.object({ kind: z.string(), namespace: z.string().optional(), name: z.string() }),
  /** Field path in `from` that holds the reference. */
  path: z.string(),
  message: z.string(),
});
export type DanglingReferenceJson = z.infer<typeof DanglingReferenceSchema>;

export const InventorySchema = z.object({
  totalObjects: z.number(),
  byKind: z.array(z.object({ kind: z.string(), count: z.number() })),
  byNamespace: z.array(z.object({ namespace: z.string(), count: z.number(), workloads: z.number() })),
});

export const ExposurePathSchema = z.object({
  ingress: ResourceRefSchema.optional(),
  host: z.string().optional(),
  path: z.string().optional(),
  service: ResourceRefSchema,
  serviceType: z.string(),
  workloads: z.array(ResourceRefSchema),
});

export const ArchitectureSchema = z.object({
  namespaces: z.array(z.string()),
  workloads: z.number(),
  exposurePaths: z.array(ExposurePathSchema),
  /** Workloads with one replica that a Service or Ingress routes traffic to. */
  singlePointsOfFailure: z.array(ResourceRefSchema),
  danglingReferences: z.array(DanglingReferenceSchema),
});

export const GradeSchema = z.enum(['A', 'B', 'C', 'D', 'F']);
export type Grade = z.infer<typeof GradeSchema>;

/** The health score: higher is better, grade A best; formula in docs/report-json.md ("Health score"). */
export const HealthSchema = z.object({
  /** `nothing-to-grade` when the input holds no workload: score and grade are then null. */
  status: z.enum(['graded', 'nothing-to-grade']),
  /** 0 (everything failing) .. 100 (every check passed, every workload clean). */
  score: z.number().min(0).max(100).nullable(),
  grade: GradeSchema.nullable(),
  /** Kinds that may hold problems could not be read (forbidden, failed): the grade may be better than the truth. */
  provisional: z.boolean(),
  provisionalKinds: z.array(z.string()),
  /** Why the grade is worse than the score's band, one sentence each. */
  caps: z.array(z.string()),
  /** Rule × object checks: `passRate` is passed / evaluated in percent (one decimal). */
  checks: z.object({ evaluated: z.number(), passed: z.number(), failed: z.number(), passRate: z.number() }),
  /** Graded workloads by their worst state; `health` is 100 × (1 − weighted share at risk), one decimal. */
  workloads: z.object({
    total: z.number(),
    broken: z.number(),
    critical: z.number(),
    high: z.number(),
    medium: z.number(),
    low: z.number(),
    clean: z.number(),
    health: z.number(),
  }),
});
export type Health = z.infer<typeof HealthSchema>;

/** How many of the kinds ClusterGPT reads were read; `gradeEffect` says whether a kind not read makes the grade provisional. */
export const ReadCoverageSchema = z.object({
  kindsRead: z.number(),
  kindsExpected: z.number(),
  notRead: z.array(z.object({ kind: z.string(), status: z.string(), gradeEffect: z.enum(['none', 'provisional']) })),
});
export type ReadCoverage = z.infer<typeof ReadCoverageSchema>;

export const SummarySchema = z.object({
  totalFindings: z.number(),
  exemptedFindings: z.number(),
  bySeverity: z.record(SeveritySchema, z.number()),
  byCategory: z.record(CategorySchema, z.number()),
  health: HealthSchema,
  readCoverage: ReadCoverageSchema,
  /** Kept for earlier scripts: 100 − health.score (higher is worse); null when there is nothing to grade. */
  riskScore: z.number().min(0).max(100).nullable(),
  /** Kept for earlier scripts: the same letter as health.grade. */
  riskGrade: GradeSchema.nullable(),
  diagnoses: z.number(),
  monthlyCost: z.number().optional(),
});

/** A rule that ran, as the reports describe it (SARIF rule help, the Markdown rule index). */
export const RuleInfoSchema = z.object({
  id: z.string(),
  title: z.string(),
  category: CategorySchema,
  severity: SeveritySchema,
  description: z.string(),
  rationale: z.string(),
  references: z.array(z.string()),
  remediation: z.string(),
});
export type RuleInfo = z.infer<typeof RuleInfoSchema>;

export const NotCheckedKindSchema = z.object({ apiVersion: z.string(), kind: z.string(), count: z.number() });

export const AppliedConfigSchema = z.object({
  /** The --config path as given. */
  file: z.string(),
  disabledRules: z.array(z.string()),
  severityOverrides: z.array(z.object({ rule: z.string(), severity: z.string() })),
  /** Number of exemption entries. */
  exemptions: z.number().int().nonnegative(),
});

export const StaleExemptionSchema = z.object({
  rule: z.string(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  kind: z.string().optional(),
  element: z.string().optional(),
  reason: z.string(),
  /** `file:line` of the entry in the config file. */
  declaredOn: z.string(),
});

export const ReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('clustergpt'), version: z.string() }),
  source: SnapshotSourceSchema,
  capturedAt: z.string(),
  scope: z.object({
    namespaces: z.array(z.string()).nullable(),
    excludedNamespaces: z.array(z.string()),
  }),
  coverage: z.array(CoverageEntrySchema),
  /** Kinds that could not be checked and the rules that could therefore not run fully. */
  coverageGaps: z.array(z.object({ kind: z.string(), status: z.string(), error: z.string().optional() })),
  inventory: InventorySchema,
  summary: SummarySchema,
  /** Every rule that was evaluated, sorted by id (rules with no finding passed). */
  rules: z.array(RuleInfoSchema),
  findings: z.array(FindingSchema),
  diagnoses: z.array(DiagnosisSchema),
  cost: CostReportSchema.nullable(),
  architecture: ArchitectureSchema,
  remediations: z.array(GeneratedRemediationSchema),
  explanation: ExplanationSchema.nullable(),
  explanationMeta: ExplanationMetaSchema.nullable(),
  /** Problems met while loading input (bad documents skipped with --keep-going, etc.). */
  inputProblems: z.array(z.object({ file: z.string().optional(), line: z.number().optional(), message: z.string() })),
  /**
   * Kinds in the input that no rule reads (custom resources other than the Deployment-like DeploymentConfig and
   * Rollout), with their object counts. Always written; optional so reports of earlier versions still parse.
   */
  notChecked: z.array(NotCheckedKindSchema).optional(),
  /** Config exemptions that matched no finding, with where they were declared. Always written; optional as above. */
  staleExemptions: z.array(StaleExemptionSchema).optional(),
  /** What the --config file changed (absent without --config, or with --no-exemptions, where none of it applies). */
  appliedConfig: AppliedConfigSchema.optional(),
});
export type Report = z.infer<typeof ReportSchema>;
