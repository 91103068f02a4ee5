/**
 * `--prices FILE`: the user's own prices (negotiated, on-prem, spot), overriding the built-in model.
 * The format is documented in docs/cost.md.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError, errorMessage } from '../common/errors.js';

const hourlyPrice = z.number().nonnegative();

const NodeRuleSchema = z
  .strictObject({
    /** Exact node name. */
    name: z.string().min(1).optional(),
    /** Every label listed must be present with this value. */
    labels: z.record(z.string(), z.string()).optional(),
    hourly: hourlyPrice,
  })
  .refine((rule) => rule.name !== undefined || (rule.labels !== undefined && Object.keys(rule.labels).length > 0), {
    message: 'a node rule needs `name` or non-empty `labels`',
  });

export const PriceOverridesFileSchema = z.strictObject({
  /** Shown in the report's assumptions, e.g. "ACME EDP contract 2026". */
  source: z.string().min(1).optional(),
  currency: z.literal('USD').optional(),
  /** Rates for nodes of unknown type and for manifest estimates; their ratio also splits node prices. */
  unitPrices: z
    .strictObject({
      cpuPerVcpuHour: z.number().positive().optional(),
      memoryPerGiBHour: z.number().positive().optional(),
    })
    .optional(),
  /** Instance type → hourly price (or `{hourly}`), for every node of that type whatever the region. */
  instanceTypes: z.record(z.string(), z.union([hourlyPrice, z.strictObject({ hourly: hourlyPrice })])).optional(),
  /** One hourly price for every node (on-prem); `nodes` and `instanceTypes` entries win over it. */
  nodeHourly: hourlyPrice.optional(),
  /** Per-node rules, first match wins; they win over everything else. */
  nodes: z.array(NodeRuleSchema).optional(),
});

export interface NodePriceRule {
  name?: string;
  labels?: Record<string, string>;
  hourly: number;
}

/** Validated, normalized `--prices` content. */
export interface PriceOverrides {
  /** The file they came from (for assumptions and messages). */
  file?: string;
  source?: string;
  unitPrices?: { cpuPerVcpuHour?: number; memoryPerGiBHour?: number };
  instanceTypes?: Record<string, number>;
  nodeHourly?: number;
  nodes?: NodePriceRule[];
}

/** Validates already-parsed content; `file` only names the source in error messages. */
export function parsePriceOverrides(content: unknown, file: string): PriceOverrides {
  if (content === null || content === undefined) {
    throw new InputError(`price file ${file} is empty`, 'see docs/cost.md for the price file format');
  }
  const parsed = PriceOverridesFileSchema.safeParse(content);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    const unknownKeys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    throw new InputError(
      `price file ${file}: invalid field ${field}${unknownKeys}: ${issue.message}`,
      'see docs/cost.md for the price file format (prices are USD per hour)',
    );
  }
  const data = parsed.data;
  const instanceTypes = data.instanceTypes
    ? Object.fromEntries(
        Object.entries(data.instanceTypes).map(([type, price]) => [type, typeof price === 'number' ? price : price.hourly]),
      )
    : undefined;
  return {
    file,
    source: data.source,
    unitPrices: data.unitPrices,
    instanceTypes,
    nodeHourly: data.nodeHourly,
    nodes: data.nodes,
  };
}

/** Reads and validates a `--prices` YAML (or JSON) file. Errors name the file and the bad field. */
export async function loadPriceOverrides(path: string): Promise<PriceOverrides> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file or directory' : errorMessage(err);
    throw new InputError(`cannot read price file ${path}: ${reason}`, 'pass an existing YAML file to --prices', { cause: err });
  }
  let content: unknown;
  try {
    content = parseYaml(text);
  } catch (err) {
    throw new InputError(`price file ${path} is not valid YAML: ${errorMessage(err)}`, 'see docs/cost.md for the price file format', {
      cause: err,
    });
  }
  return parsePriceOverrides(content, path);
}
