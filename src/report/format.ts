/**
 * Small text helpers shared by every report writer, so a resource or a piece of evidence is
 * written the same way in Markdown, HTML, SARIF and JUnit.
 */
import type { Evidence, ResourceRef, Severity } from '../schema/finding.js';
import { humanBytes, humanCpu, parseQuantity } from '../common/quantity.js';

/** `namespace/Kind/name`, or `Kind/name` for cluster-scoped objects. */
export function refPath(ref: { kind: string; namespace?: string; name: string }): string {
  return ref.namespace ? `${ref.namespace}/${ref.kind}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** `Kind namespace/name`, the way kubectl users read an object. */
export function refLabel(ref: { kind: string; namespace?: string; name: string }): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

/** Sort key for a resource: namespace, kind, name. */
export function refSortKey(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.namespace ?? ''}\u0000${ref.kind}\u0000${ref.name}`;
}

/** Forward slashes and no leading `./`, so a manifest path reads the same on every OS. */
export function normalizeFile(file: string): string {
  return file.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/** The first evidence that has a manifest location, preferring evidence on the finding's own object. */
export function primaryFileLocation(evidence: readonly Evidence[]): { file: string; line?: number } | undefined {
  const withFile = evidence.filter((e) => e.file);
  const own = withFile.find((e) => !e.object && e.line) ?? withFile.find((e) => e.line) ?? withFile[0];
  return own?.file ? { file: normalizeFile(own.file), line: own.line } : undefined;
}

/** Where a finding is: `file:line` for manifests, else `namespace/Kind/name`. */
export function whereOf(resource: ResourceRef, evidence: readonly Evidence[]): string {
  const loc = primaryFileLocation(evidence);
  if (loc) return loc.line ? `${loc.file}:${loc.line}` : loc.file;
  return refPath(resource);
}

/** The last two keys of a field path: `["allocatable", "memory"]` for `status.allocatable.memory`. */
function lastKeys(path: string): [string, string] {
  const keys = [...path.matchAll(/(?:^|\.)([A-Za-z0-9_$-]+)|\["((?:[^"\\]|\\.)*)"\]|\[\d+\]/g)].map((m) => m[1] ?? m[2] ?? '');
  return [keys[keys.length - 2] ?? '', keys[keys.length - 1] ?? ''];
}

/** The maps whose values are resource quantities (container resources, Node status, quotas, LimitRanges, PVCs). */
const QUANTITY_MAPS = new Set(['requests', 'limits', 'allocatable', 'capacity', 'overhead', 'hard', 'used', 'default', 'defaultRequest', 'max', 'min']);

/**
 * The value of a field as people read it: a resource quantity under `cpu` in cores (`3920m` → `3.92 CPU`), under
 * memory or storage in binary units (`14879124Ki` → `14.2 GiB`); anything else as report.json holds it.
 */
export function displayValue(path: string, value: string): string {
  const [map, key] = lastKeys(path);
  const bytes = key === 'memory' || key === 'storage' || key === 'ephemeral-storage' || key.startsWith('hugepages-');
  if (!QUANTITY_MAPS.has(map) || (key !== 'cpu' && !bytes)) return value;
  const amount = parseQuantity(value);
  if (!Number.isFinite(amount)) return value;
  return key === 'cpu' ? humanCpu(amount) : humanBytes(amount);
}

/**
 * One evidence line: `path = value @ file:line` / `@ uid …`, plus the event time and message. A derived value (a
 * sum, a comparison) is not a field, so it is written as what it is and where it comes from, never as `path = value`.
 */
export function evidenceLine(e: Evidence): string {
  const parts: string[] = [];
  if (e.timestamp) parts.push(`[${e.timestamp}]`);
  if (e.object) parts.push(`${refLabel(e.object)}:`);
  if (e.derived) parts.push(`${e.value ?? '<unset>'} (derived from ${e.path})`);
  else parts.push(e.value !== undefined ? `${e.path} = ${displayValue(e.path, e.value)}` : e.path);
  if (e.file) parts.push(`@ ${normalizeFile(e.file)}${e.line ? `:${e.line}` : ''}`);
  else if (e.uid) parts.push(`@ uid ${e.uid}`);
  if (e.message) parts.push(`— ${e.message}`);
  return parts.join(' ');
}

/** US dollars with cents, thousands separated, locale-independent. */
export function formatMoney(amount: number): string {
  const fixed = Math.abs(amount).toFixed(2);
  const [whole, cents] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${amount < 0 ? '-' : ''}$${grouped}.${cents}`;
}

/** Hourly prices need more precision than monthly ones: `$0.192`, `$0.0416`. */
export function formatHourly(amount: number): string {
  const text = amount.toFixed(4).replace(/0{1,2}$/, '');
  return `$${text}`;
}

/** `0.82` → `82%`. */
export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};
