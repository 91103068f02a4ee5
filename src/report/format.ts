/**
 * Small text helpers shared by every report writer, so a resource or a piece of evidence is
 * written the same way in Markdown, HTML, SARIF and JUnit.
 */
import type { Evidence, ResourceRef, Severity } from '../schema/finding.js';

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

/** One evidence line: `path = value @ file:line` / `@ uid …`, plus the event time and message. */
export function evidenceLine(e: Evidence): string {
  const parts: string[] = [];
  if (e.timestamp) parts.push(`[${e.timestamp}]`);
  if (e.object) parts.push(`${refLabel(e.object)}:`);
  parts.push(e.value !== undefined ? `${e.path} = ${e.value}` : e.path);
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
