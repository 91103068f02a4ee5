/**
 * Checks an LLM answer before anything of it reaches a report. The LLM may explain and prioritise; it may not
 * change the verdict: it may not invent ids, state a grade, score, count, severity or cost other than the
 * computed one, deny a diagnosis or a critical finding (claims.ts), or hand the user a command or patch we did
 * not generate (commands.ts: an allowlist of our own commands, byte for byte). Commands come only from the patch
 * generator, and the answer cites them by remediation id.
 */
import { ExplanationSchema, type Explanation } from '../schema/explanation.js';
import type { ExplainerFacts } from './facts.js';
import { findFalseClaims, type ClaimScope } from './claims.js';
import { findForeignCommands } from './commands.js';

export { findForeignCommands } from './commands.js';
export { findFalseClaims } from './claims.js';

export type ValidationResult =
  | { ok: true; explanation: Explanation }
  | { ok: false; problems: string[] };

/** Every string in the answer, labelled with where it is and what it is about, for the command and claim checks. */
function textFields(e: Explanation): [string, string, ClaimScope][] {
  const report: ClaimScope = { kind: 'report' };
  return [
    ['execSummary', e.execSummary, report],
    ['prText', e.prText, report],
    ...e.sreActions.flatMap((a, i): [string, string, ClaimScope][] => {
      const scope: ClaimScope = { kind: 'action', findingIds: a.findingIds, diagnosisIds: a.diagnosisIds };
      return [
        [`sreActions[${i}].title`, a.title, scope],
        [`sreActions[${i}].rationale`, a.rationale, scope],
      ];
    }),
    ...e.items.flatMap((item, i): [string, string, ClaimScope][] => [
      [`items[${i}].immediate`, item.immediate, { kind: 'item', id: item.id }],
      [`items[${i}].longTerm`, item.longTerm, { kind: 'item', id: item.id }],
    ]),
  ];
}

/** The generated commands an answer may quote. */
export function allowedCommands(facts: ExplainerFacts): Set<string> {
  return new Set(facts.remediations.flatMap((r) => r.commands.map((c) => c.trim())).filter(Boolean));
}

/**
 * Checks a parsed answer against the facts: shape, ids, remediation consistency, commands and stated figures.
 * Problems are phrased so they can be sent back to the model as they are.
 */
export function validateExplanation(answer: unknown, facts: ExplainerFacts): ValidationResult {
  const parsed = ExplanationSchema.safeParse(answer);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, problems: problems.map((p) => `The answer does not match the JSON schema: ${p}`) };
  }
  const explanation = parsed.data;
  const problems: string[] = [];
  if (!explanation.execSummary.trim()) problems.push('execSummary is empty.');
  if (!explanation.prText.trim()) problems.push('prText is empty.');
  const somethingToDo = facts.diagnoses.length > 0 || facts.findings.some((f) => f.severity === 'critical' || f.severity === 'high');
  if (somethingToDo && explanation.sreActions.length === 0) {
    problems.push('sreActions is empty, but the facts have diagnoses or critical/high findings: give at least one action.');
  }
  const findingIds = new Set(facts.findings.map((f) => f.id));
  const diagnosisIds = new Set(facts.diagnoses.map((d) => d.id));
  const remediations = new Map(facts.remediations.map((r) => [r.id, r]));

  explanation.sreActions.forEach((action, i) => {
    for (const id of action.findingIds) if (!findingIds.has(id)) problems.push(`sreActions[${i}] cites finding id "${id}", which is not in the facts.`);
    for (const id of action.diagnosisIds) if (!diagnosisIds.has(id)) problems.push(`sreActions[${i}] cites diagnosis id "${id}", which is not in the facts.`);
    if (action.findingIds.length === 0 && action.diagnosisIds.length === 0) {
      problems.push(`sreActions[${i}] cites no finding or diagnosis id; every action must cite at least one.`);
    }
    if (action.remediationId !== null) {
      const fix = remediations.get(action.remediationId);
      if (!fix) problems.push(`sreActions[${i}] cites remediation id "${action.remediationId}", which is not in the facts.`);
      else if (![...fix.findingIds, ...fix.diagnosisIds].some((id) => action.findingIds.includes(id) || action.diagnosisIds.includes(id))) {
        problems.push(`sreActions[${i}] cites remediation "${fix.id}", which fixes none of the findings/diagnoses the action cites.`);
      }
    }
  });

  const seen = new Set<string>();
  explanation.items.forEach((item, i) => {
    if (!findingIds.has(item.id) && !diagnosisIds.has(item.id)) problems.push(`items[${i}] has id "${item.id}", which is not a finding or diagnosis id in the facts.`);
    if (seen.has(item.id)) problems.push(`items[${i}] repeats id "${item.id}"; give one item per id.`);
    seen.add(item.id);
  });

  const allowed = allowedCommands(facts);
  for (const [field, text, scope] of textFields(explanation)) {
    for (const command of findForeignCommands(text, allowed)) {
      problems.push(`${field} contains a command or code we did not generate: "${command.slice(0, 120)}". Do not write commands, code blocks or patches; cite the remediation id instead.`);
    }
    for (const claim of findFalseClaims(text, facts, scope)) {
      problems.push(`${field} ${claim.slice(0, 300)}. State only the grade, score, counts, severities and costs in the facts, and do not contradict a finding or diagnosis.`);
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, explanation };
}

/** Parses the model's message content as JSON, tolerating a ```json fence around the whole answer. */
export function parseAnswer(content: string | null | undefined): { ok: true; json: unknown } | { ok: false; problems: string[] } {
  if (!content || !content.trim()) return { ok: false, problems: ['The answer was empty; answer with one JSON object.'] };
  const unfenced = content.trim().replace(/^```(?:json)?\s*\n([\s\S]*?)\n```$/, '$1');
  try {
    return { ok: true, json: JSON.parse(unfenced) };
  } catch (err) {
    return { ok: false, problems: [`The answer is not valid JSON (${(err as Error).message}); answer with one JSON object only.`] };
  }
}
