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
  assumptions: z.array(z.string()),
  priceModel: z.object({ source: z.string(), date: z.string() }),
});
export type CostReport = z.infer<typeof CostReportSchema>;
