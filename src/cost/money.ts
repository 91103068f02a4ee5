/** Small shared helpers for money, confidence and formatting. */

/** Hours in an average month (8760 h / 12), as OpenCost and the cloud price pages use. */
export const HOURS_PER_MONTH = 730;

export type Confidence = 'high' | 'medium' | 'low';

const RANK: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };

/** The weakest of the given confidences (a figure is only as good as its weakest input). */
export function minConfidence(...levels: Confidence[]): Confidence {
  return levels.reduce<Confidence>((worst, level) => (RANK[level] < RANK[worst] ? level : worst), 'high');
}

/** Money in the output is rounded to cents; computations keep full precision. */
export function cents(value: number): number {
  return Math.round((value + Number.EPSILON) * 100) / 100;
}

/** Rates ($/h) keep more digits than totals: $0.0416/h would lose meaning at cents. */
export function rate(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Quantities (cores, GiB) in the output: three decimals are enough to read and stay stable. */
export function amount(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function usd(value: number): string {
  return `$${cents(value).toFixed(2)}`;
}

export function usdRate(value: number): string {
  return `$${String(rate(value))}/h`;
}

/** "$0.031611 per vCPU-hour and $0.004237 per GiB-hour". */
export function unitRatesText(rates: { cpuPerVcpuHour: number; memoryPerGiBHour: number }): string {
  return `$${String(rate(rates.cpuPerVcpuHour))} per vCPU-hour and $${String(rate(rates.memoryPerGiBHour))} per GiB-hour`;
}

/** "a, b, c and 4 more" — keeps assumptions readable on big clusters. */
export function listNames(names: string[], max = 5): string {
  const sorted = [...names].sort();
  if (sorted.length <= max) return sorted.join(', ');
  return `${sorted.slice(0, max).join(', ')} and ${sorted.length - max} more`;
}

export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}

/** Locale-independent string order (localeCompare depends on the ICU locale: not deterministic). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
