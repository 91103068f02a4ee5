import type { Finding, Patch, ResourceRef } from '../schema/finding.js';
import type { Diagnosis } from '../schema/diagnosis.js';
import type { GeneratedRemediation } from '../schema/remediation.js';
import { sortKeys } from '../common/stable-json.js';
import { toYaml } from './yaml-emit.js';

/**
 * Patch generator: turns the patch each rule or diagnosis filled in from the object into a
 * ready-to-run remediation (YAML body, `kubectl` dry-run and apply commands). Nothing here is
 * invented: a finding without a patch gets no remediation entry, only its summary in the report.
 */
export function generateRemediations(findings: Finding[], diagnoses: Diagnosis[]): GeneratedRemediation[] {
  const remediations: GeneratedRemediation[] = [];
  for (const diagnosis of diagnoses) {
    const patch = diagnosis.remediation.patch;
    if (!patch) continue;
    remediations.push(buildRemediation(`fix-${diagnosis.id}`, [], [diagnosis.id], diagnosis.remediation.summary, patch));
  }
  for (const finding of findings) {
    const patch = finding.remediation.patch;
    if (!patch || finding.exempted) continue;
    remediations.push(buildRemediation(`fix-${finding.id}`, [finding.id], [], finding.remediation.summary, patch));
  }
  return remediations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function buildRemediation(
  id: string,
  findingIds: string[],
  diagnosisIds: string[],
  summary: string,
  patch: Patch,
): GeneratedRemediation {
  const created = patch.create;
  const patchYaml = toYaml(sortKeys(created ?? patch.body));
  const { dryRunCommand, command } = created ? applyCommands(patchYaml) : patchCommands(patch);
  return { id, findingIds, diagnosisIds, summary, target: patch.target, patch, patchYaml, dryRunCommand, command };
}

/** `deployment/web -n shop` */
export function kubectlTarget(target: ResourceRef): string {
  const ns = target.namespace ? ` -n ${shellWord(target.namespace)}` : '';
  return `${target.kind.toLowerCase()}/${shellWord(target.name)}${ns}`;
}

function patchCommands(patch: Patch): { dryRunCommand: string; command: string } {
  const body = JSON.stringify(sortKeys(patch.body));
  const base = `kubectl patch ${kubectlTarget(patch.target)} --type=${patch.type} -p ${shellQuote(body)}`;
  return { dryRunCommand: `${base} --dry-run=server`, command: base };
}

function applyCommands(yamlText: string): { dryRunCommand: string; command: string } {
  const heredoc = `<<'EOF'\n${yamlText.trimEnd()}\nEOF`;
  return {
    dryRunCommand: `kubectl apply --dry-run=server -f - ${heredoc}`,
    command: `kubectl apply -f - ${heredoc}`,
  };
}

/** Single-quote for POSIX shells: the only character to escape is the quote itself. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function shellWord(text: string): string {
  return /^[A-Za-z0-9._\-/:]+$/.test(text) ? text : shellQuote(text);
}
