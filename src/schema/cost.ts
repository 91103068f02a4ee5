import { z } from 'zod';

export const ConfidenceLevelSchema = z.enum(['high', 'medium', 'low']);

export const CostLineSchema = z.object({
  monthly: z.number(),
  cpuMonthly: z.number().optional(),
  memoryMonthly: z.number().optional(),
  /** How this figure was computed, in one sentence. */
  basis: z.string(),
  confidence: ConfidenceLevelSchema,
});

export const WorkloadCostSchema = CostLineSchema.extend({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  replicas: z.number(),
  cpuCores: z.number(),
  memoryGiB: z.number(),
});

export const NamespaceCostSchema = CostLineSchema.extend({ namespace: z.string() });

export const NodeCostSchema = CostLineSchema.extend({
  name: z.string(),
  instanceType: z.string().optional(),
  provider: z.string().optional(),
  hourlyPrice: z.number(),
  priceSource: z.string(),
  allocatedMonthly: z.number(),
  idleMonthly: z.number(),
});

export const WasteItemSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  container: z.string().optional(),
  resource: z.enum(['cpu', 'memory']),
  requested: z.string(),
  suggested: z.string(),
  monthlySavings: z.number(),
  basis: z.string(),
  confidence: ConfidenceLevelSchema,
});

export const RightSizingResourceSchema = z.object({
  /** The container's current request, human-readable ("none" when unset). */
  request: z.string(),
  /** Highest usage over the container's pods in the captured metrics-server sample. */
  usage: z.string(),
  recommended: z.string(),
  /**
   * lower: the request is well above the recommendation (counted in the savings); raise: usage with its headroom is
   * above the request; keep: within the margin; set: no request is set; hpa-scaled: an HPA scales on it, left alone.
   */
  action: z.enum(['lower', 'raise', 'keep', 'set', 'hpa-scaled']),
  monthlySavings: z.number(),
});

export const RightSizingContainerSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  container: z.string(),
  /** Running pods of the workload this recommendation covers (all of them had metrics). */
  pods: z.number(),
  cpu: RightSizingResourceSchema,
  memory: RightSizingResourceSchema,
  monthlySavings: z.number(),
  basis: z.string(),
  confidence: ConfidenceLevelSchema,
});

/** Requested but unused capacity, per container, from captured usage (KRR-style recommendations). */
export const RightSizingSchema = z.object({
  /** 'not-computed' when no usage metrics were in the input (`reason` says why). */
  status: z.enum(['computed', 'not-computed']),
  /** How the recommendation is computed, and its limit, in one or two sentences. */
  method: z.string(),
  reason: z.string().optional(),
  monthlySavings: z.number(),
  confidence: ConfidenceLevelSchema,
  containers: z.array(RightSizingContainerSchema),
});

export const CostReportSchema = z.object({
  currency: z.literal('USD'),
  /** 'nodes' when node prices were known (allocated + idle), 'requests' for a requests-based estimate. */
  method: z.enum(['nodes', 'requests']),
  monthlyTotal: z.number(),
  allocatedMonthly: z.number(),
  idleMonthly: z.number(),
  wasteMonthly: z.number(),
  confidence: ConfidenceLevelSchema,
  hoursPerMonth: z.number(),
  byNamespace: z.array(NamespaceCostSchema),
  byWorkload: z.array(WorkloadCostSchema),
  byNode: z.array(NodeCostSchema),
  waste: z.array(WasteItemSchema),
  /** What the figures were computed from (Nodes, running pods, pod templates; which source), in one sentence. */
  basis: z.string().optional(),
  rightSizing: RightSizingSchema.optional(),
  assumptions: z.array(z.string()),
  priceModel: z.object({ source: z.string(), date: z.string() }),
});
export type CostReport = z.infer<typeof CostReportSchema>;
