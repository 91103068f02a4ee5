import { z } from 'zod';
import { PatchSchema, ResourceRefSchema } from './finding.js';

/**
 * A concrete fix produced by the patch generator from a finding's or diagnosis's remediation.
 * The explainer may only reference these by id; it never writes commands or patches itself.
 */
export const GeneratedRemediationSchema = z.object({
  /** Stable id: `fix-` + the finding/diagnosis id it came from. */
  id: z.string(),
  findingIds: z.array(z.string()),
  diagnosisIds: z.array(z.string()),
  summary: z.string(),
  target: ResourceRefSchema,
  patch: PatchSchema,
  /** The patch as YAML, ready to paste into a manifest or a `kubectl patch --patch-file`. */
  patchYaml: z.string(),
  /** `kubectl patch ... --dry-run=server` / `kubectl apply --dry-run=server` first, then the real one. */
  dryRunCommand: z.string(),
  command: z.string(),
});
export type GeneratedRemediation = z.infer<typeof GeneratedRemediationSchema>;
