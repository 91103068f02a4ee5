import { z } from 'zod';
import { EvidenceSchema, RemediationSchema, ResourceRefSchema } from './finding.js';

export const DiagnosisCauseSchema = z.enum([
  'oom-killed',
  'crash-loop',
  'image-pull-failure',
  'unschedulable',
  'config-error',
  'mount-failure',
  'not-ready',
  'evicted',
  'rollout-stuck',
  'node-not-ready',
  'node-pressure',
]);
export type DiagnosisCause = z.infer<typeof DiagnosisCauseSchema>;

export const HypothesisSchema = z.object({
  cause: DiagnosisCauseSchema,
  confidence: z.number().min(0).max(1),
  explanation: z.string(),
});

export const DiagnosisSchema = z.object({
  /** Stable id: hash of cause + owning workload. */
  id: z.string(),
  cause: DiagnosisCauseSchema,
  /** The owning workload (Deployment, StatefulSet, ...) or the bare Pod / Node. */
  resource: ResourceRefSchema,
  podsAffected: z.number().int().nonnegative(),
  /** Names of the affected pods (sorted). */
  pods: z.array(z.string()).default([]),
  confidence: z.number().min(0).max(1),
  /** Higher = more urgent; used to rank diagnoses. */
  impact: z.number(),
  summary: z.string(),
  /** Ranked alternatives, most likely first (the first one is `cause`). */
  hypotheses: z.array(HypothesisSchema).default([]),
  evidence: z.array(EvidenceSchema).min(1),
  remediation: RemediationSchema,
});
export type Diagnosis = z.infer<typeof DiagnosisSchema>;
