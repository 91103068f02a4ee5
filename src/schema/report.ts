import { z } from 'zod';
import { CoverageEntrySchema, SnapshotSourceSchema } from './snapshot.js';
import { CategorySchema, FindingSchema, ResourceRefSchema, SeveritySchema } from './finding.js';
import { DiagnosisSchema } from './diagnosis.js';
import { CostReportSchema } from './cost.js';
import { ExplanationMetaSchema, ExplanationSchema } from './explanation.js';
import { GeneratedRemediationSchema } from './remediation.js';

export const REPORT_SCHEMA_VERSION = 1 as const;

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

export const SummarySchema = z.object({
  totalFindings: z.number(),
  exemptedFindings: z.number(),
  bySeverity: z.record(SeveritySchema, z.number()),
  byCategory: z.record(CategorySchema, z.number()),
  /** 0 (nothing wrong) .. 100 (on fire); formula in docs/report-json.md. */
  riskScore: z.number().min(0).max(100),
  riskGrade: z.enum(['A', 'B', 'C', 'D', 'F']),
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
});
export type Report = z.infer<typeof ReportSchema>;
