/**
 * Kubernetes resource quantities (`500m`, `2`, `1.5Gi`, `15896980Ki`, `76224326324`, `1e3`).
 * Returns the value in base units (cores for CPU, bytes for memory); NaN when unparseable.
 */
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/**
 * Parsed strings: a cluster repeats the same few quantities (`100m`, `128Mi`) hundreds of thousands of times. Bounded,
 * so odd inputs cannot grow it without limit (it is cleared when full).
 */
const parsed = new Map<string, number>();
const PARSED_MAX = 10_000;

export function parseQuantity(input: string | number | undefined | null): number {
  if (input === undefined || input === null) return NaN;
  if (typeof input === 'number') return input;
  let value = parsed.get(input);
  if (value === undefined) {
    value = parseQuantityText(input);
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(input, value);
  }
  return value;
}

function parseQuantityText(input: string): number {
  const text = input.trim();
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec(text);
  if (!match) return NaN;
  const value = Number(match[1]);
  const suffix = match[2] ?? '';
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  return factor === undefined ? NaN : value * factor;
}

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

/** `0.25` cores → `250m`, `2` → `2`. */
export function formatCpu(cores: number): string {
  if (!Number.isFinite(cores)) return '?';
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes → the largest binary unit that keeps an integer (`512Mi`, `2Gi`), else Mi rounded up. */
export function formatMemory(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  for (const [unit, factor] of [['Gi', GiB], ['Mi', MiB], ['Ki', 1024]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  if (bytes >= MiB) return `${Math.ceil(bytes / MiB)}Mi`;
  return String(Math.round(bytes));
}

/** Up to `decimals` decimals, without trailing zeros: `3.92`, `6`, `14.2`. */
function trimmed(value: number, decimals: number): string {
  return String(Number(value.toFixed(decimals)));
}

/** Cores for people: `3.92 CPU`, `6 CPU`, `300m CPU` (below one core, millicores read better). */
export function humanCpu(cores: number): string {
  if (!Number.isFinite(cores)) return '?';
  if (Math.abs(cores) >= 1) return `${trimmed(cores, 2)} CPU`;
  return `${trimmed(cores * 1000, 1)}m CPU`;
}

/**
 * Bytes for people, in binary units to three significant digits (so within 0.5 % of the raw value): `14.2 GiB`,
 * `1.06 GiB`, `160 MiB`, `512 B`.
 */
export function humanBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  for (const [unit, factor] of [['PiB', 2 ** 50], ['TiB', 2 ** 40], ['GiB', GiB], ['MiB', MiB], ['KiB', 1024]] as const) {
    // 1023.999 MiB would print as "1024 MiB": the next unit up reads better.
    if (Math.abs(bytes) >= factor * 0.9995) {
      const amount = bytes / factor;
      return `${trimmed(amount, Math.abs(amount) < 10 ? 2 : Math.abs(amount) < 100 ? 1 : 0)} ${unit}`;
    }
  }
  return `${Math.round(bytes)} B`;
}
