import { z } from 'zod';

/**
 * What the explainer (template or LLM) returns. The LLM must answer in exactly this shape
 * (JSON schema derived from this zod schema); every id it cites is checked against the facts.
 * It never returns commands or patches: those are referenced by `remediationId`.
 */
export const SreActionSchema = z.object({
  title: z.string(),
  findingIds: z.array(z.string()),
  diagnosisIds: z.array(z.string()),
  remediationId: z.string().nullable(),
  confidence: z.enum(['high', 'medium', 'low']),
  rationale: z.string(),
});

export const ItemExplanationSchema = z.object({
  /** A finding id or a diagnosis id. */
  id: z.string(),
  immediate: z.string(),
  longTerm: z.string(),
});

export const ExplanationSchema = z.object({
  execSummary: z.string(),
  sreActions: z.array(SreActionSchema),
  prText: z.string(),
  items: z.array(ItemExplanationSchema),
});
export type Explanation = z.infer<typeof ExplanationSchema>;

export const ExplanationMetaSchema = z.object({
  /** Which explainer produced the text that is in the report. */
  engine: z.enum(['template', 'llm']),
  model: z.string().optional(),
  /** Set when an LLM was asked but its answer was not used. */
  fallbackReason: z.string().optional(),
  cached: z.boolean().optional(),
  anonymized: z.boolean().optional(),
});
export type ExplanationMeta = z.infer<typeof ExplanationMetaSchema>;
