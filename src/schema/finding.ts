import { z } from 'zod';

export const SeveritySchema = z.enum(['critical', 'high', 'medium', 'low', 'info']);
export type Severity = z.infer<typeof SeveritySchema>;
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
/** Higher is worse. */
export function severityRank(s: Severity): number {
  return SEVERITY_ORDER.length - SEVERITY_ORDER.indexOf(s);
}

export const CategorySchema = z.enum(['reliability', 'security', 'cost', 'architecture']);
export type Category = z.infer<typeof CategorySchema>;

export const ResourceRefSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  uid: z.string().optional(),
});
export type ResourceRef = z.infer<typeof ResourceRefSchema>;

/**
 * One piece of evidence: a field of an object (path + value), located by file:line for manifests
 * or by object uid for live objects; or an event (object = the Event, timestamp set).
 */
export const EvidenceSchema = z.object({
  /** Field path in the object, e.g. `spec.template.spec.containers[1].resources.limits`. */
  path: z.string(),
  /** The value found there, rendered as a short string (`<unset>` when absent). */
  value: z.string().optional(),
  /** The object the path belongs to, when it is not the finding's resource. */
  object: ResourceRefSchema.optional(),
  file: z.string().optional(),
  line: z.number().int().positive().optional(),
  uid: z.string().optional(),
  /** For events and status: when it was observed. */
  timestamp: z.string().optional(),
  /** Free text, e.g. an event message. Never a Secret value. */
  message: z.string().optional(),
  /**
   * Set when `value` is computed (a sum across pods, a comparison with other objects) rather than read at `path`:
   * `path` then names the fields it was computed from (`[*]` = every element; a leading Kind, as in
   * `Node[*].status.allocatable`, = other objects of that kind). Without it, `value` is what `path` holds.
   */
  derived: z.literal(true).optional(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const PatchSchema = z.object({
  /** How the body is applied: `kubectl patch --type`. */
  type: z.enum(['strategic', 'merge', 'json']),
  target: ResourceRefSchema,
  /** strategic/merge: an object; json: an array of RFC 6902 operations. */
  body: z.unknown(),
  /** Set when the fix creates a new object (e.g. a PodDisruptionBudget) instead of patching. */
  create: z.record(z.string(), z.unknown()).optional(),
});
export type Patch = z.infer<typeof PatchSchema>;

export const RemediationSchema = z.object({
  summary: z.string(),
  patch: PatchSchema.optional(),
});
export type Remediation = z.infer<typeof RemediationSchema>;

export const FindingSchema = z.object({
  /** Stable fingerprint: hash of rule id + object identity + element path. */
  id: z.string(),
  ruleId: z.string(),
  category: CategorySchema,
  severity: SeveritySchema,
  title: z.string(),
  message: z.string(),
  resource: ResourceRefSchema,
  /** The element the finding is about (`container:app`, `volume:data`, `rule[2]`), if any. */
  element: z.string().optional(),
  evidence: z.array(EvidenceSchema).min(1),
  remediation: RemediationSchema,
  /** Number of pods the finding was folded from (findings on pods are reported on their owner). */
  podsAffected: z.number().int().nonnegative().optional(),
  exempted: z.boolean(),
  exemption: z
    .object({
      source: z.enum(['annotation', 'config']),
      reason: z.string().optional(),
      /** Where the exemption was declared: object/template/namespace annotation or config path. */
      declaredOn: z.string(),
    })
    .optional(),
});
export type Finding = z.infer<typeof FindingSchema>;
