/**
 * The built-in price model: on-demand list prices per instance type (data/prices/<provider>.yaml)
 * and default per-vCPU-hour / per-GiB-hour rates (data/prices/defaults.yaml). Shipped as data so
 * prices can be reviewed and updated without touching code.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const PROVIDERS = ['aws', 'gcp', 'azure'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const PROVIDER_LABELS: Record<Provider, string> = { aws: 'AWS', gcp: 'GCP', azure: 'Azure' };

const positivePrice = z.number().positive();

const InstanceTypeSchema = z.strictObject({
  vcpu: z.number().positive(),
  memoryGiB: z.number().positive(),
  hourly: positivePrice,
});
export type InstanceTypeShape = z.infer<typeof InstanceTypeSchema>;

const ProviderPricesSchema = z.strictObject({
  provider: z.enum(PROVIDERS),
  source: z.string().min(1),
  date: z.string().min(1),
  referenceRegion: z.string().min(1),
  /** Regions whose list prices equal the reference region's. */
  sameAsReference: z.array(z.string()).default([]),
  instanceTypes: z.record(z.string(), InstanceTypeSchema),
  /** region → instance type → hourly price, only where known. */
  regions: z.record(z.string(), z.record(z.string(), positivePrice)).default({}),
});
export type ProviderPrices = z.infer<typeof ProviderPricesSchema>;

const DefaultRatesSchema = z.strictObject({
  source: z.string().min(1),
  date: z.string().min(1),
  cpuPerVcpuHour: positivePrice,
  memoryPerGiBHour: positivePrice,
});
export type DefaultRates = z.infer<typeof DefaultRatesSchema>;

export interface PriceModel {
  defaults: DefaultRates;
  providers: Record<Provider, ProviderPrices>;
}

/** A built-in list price found for an instance type. */
export interface ListedPrice {
  provider: Provider;
  instanceType: string;
  shape: InstanceTypeShape;
  hourly: number;
  /** The region whose price was used. */
  pricedRegion: string;
  /** False when the node's region is not in the table and the reference-region price was used instead. */
  regionMatched: boolean;
  date: string;
}

/** data/prices, found from this module both in src/cost (tests) and dist/cost (the built CLI). */
export function defaultPriceDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'prices');
}

function loadYamlFile<T>(path: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(parseYaml(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Shipped data: a broken file is a bug in the package, not a user error.
    throw new Error(`built-in price file ${path} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

let cached: { dir: string; model: PriceModel } | undefined;

/** Loads (once) and validates the built-in price model. */
export function builtInPriceModel(dir = defaultPriceDir()): PriceModel {
  if (cached?.dir === dir) return cached.model;
  const providers = {} as Record<Provider, ProviderPrices>;
  for (const provider of PROVIDERS) {
    const prices = loadYamlFile(join(dir, `${provider}.yaml`), ProviderPricesSchema);
    if (prices.provider !== provider) throw new Error(`price file ${provider}.yaml declares provider ${prices.provider}`);
    providers[provider] = prices;
  }
  const model: PriceModel = { defaults: loadYamlFile(join(dir, 'defaults.yaml'), DefaultRatesSchema), providers };
  cached = { dir, model };
  return model;
}

/** Exact key first, then case-insensitive (AKS labels `Standard_D4s_v5`, users type `standard_d4s_v5`). */
export function lookupKey<V>(table: Record<string, V>, key: string): [string, V] | undefined {
  if (Object.hasOwn(table, key)) return [key, table[key] as V];
  const lower = key.toLowerCase();
  const found = Object.keys(table)
    .sort()
    .find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : [found, table[found] as V];
}

/**
 * The list price of an instance type. With a known provider only that provider's table is searched;
 * otherwise every table (type names do not collide across providers).
 */
export function findListedPrice(
  model: PriceModel,
  instanceType: string,
  provider: Provider | undefined,
  region: string | undefined,
): ListedPrice | undefined {
  for (const candidate of provider ? [provider] : PROVIDERS) {
    const prices = model.providers[candidate];
    const entry = lookupKey(prices.instanceTypes, instanceType);
    if (!entry) continue;
    const [name, shape] = entry;
    const base = { provider: candidate, instanceType: name, shape, date: prices.date };
    if (region) {
      const regional = prices.regions[region] ? lookupKey(prices.regions[region], name) : undefined;
      if (regional) return { ...base, hourly: regional[1], pricedRegion: region, regionMatched: true };
      if (region === prices.referenceRegion || prices.sameAsReference.includes(region)) {
        return { ...base, hourly: shape.hourly, pricedRegion: region, regionMatched: true };
      }
      return { ...base, hourly: shape.hourly, pricedRegion: prices.referenceRegion, regionMatched: false };
    }
    return { ...base, hourly: shape.hourly, pricedRegion: prices.referenceRegion, regionMatched: false };
  }
  return undefined;
}

/** One line for CostReport.priceModel. */
export function priceModelSummary(model: PriceModel): { source: string; date: string } {
  const parts = PROVIDERS.map((p) => `${PROVIDER_LABELS[p]}: ${model.providers[p].source} (${model.providers[p].referenceRegion})`);
  parts.push(`default unit rates: ${model.defaults.source}`);
  const dates = [...new Set([...PROVIDERS.map((p) => model.providers[p].date), model.defaults.date])].sort();
  return { source: `On-demand list prices. ${parts.join('; ')}`, date: dates[dates.length - 1] ?? '' };
}
