/**
 * The default explainer: deterministic text from the facts, with no network. Handlebars templates in
 * templates/explainer/ hold the prose of the executive summary and the PR description; the per-item
 * steps come from the phrase tables in phrases.ts. Same facts → byte-identical explanation.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Explanation } from '../schema/explanation.js';
import { SEVERITY_ORDER, severityRank, type Severity } from '../schema/finding.js';
import type { DiagnosisCause } from '../schema/diagnosis.js';
import { resourceLabel, type DiagnosisFact, type ExplainerFacts, type FindingFact } from './facts.js';
import { diagnosisSteps, findingSteps } from './phrases.js';

/** templates/explainer/, found relative to this module so it works from src/ (vitest) and dist/ (tsc). */
export const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/explainer/', import.meta.url));

type SreAction = Explanation['sreActions'][number];

const CAUSE_TITLES: Record<DiagnosisCause, string> = {
  'oom-killed': 'Stop OOM kills',
  'crash-loop': 'Stop the crash loop',
  'image-pull-failure': 'Fix the image pull',
  unschedulable: 'Make the pods schedulable',
  'config-error': 'Fix the missing configuration',
  'mount-failure': 'Fix the failing volume mount',
  'not-ready': 'Get the pods ready',
  evicted: 'Stop evictions',
  'rollout-stuck': 'Unblock the stuck rollout',
  'node-not-ready': 'Recover the NotReady node',
  'node-pressure': 'Relieve node pressure',
};

/** How many example resources an action or issue line names before "and N more". */
const EXAMPLES_SHOWN = 3;

export function formatMoney(amount: number): string {
  const [whole, cents] = (Math.round(amount * 100) / 100).toFixed(2).split('.');
  return `$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

function listWithMore(items: string[], shown = EXAMPLES_SHOWN): string {
  const head = items.slice(0, shown).join(', ');
  return items.length > shown ? `${head} and ${items.length - shown} more` : head;
}

/** Ends a fragment with a full stop unless it already ends with punctuation. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function confidenceWord(value: number): 'high' | 'medium' | 'low' {
  if (value >= 0.8) return 'high';
  if (value >= 0.5) return 'medium';
  return 'low';
}

/** Findings grouped by rule, worst first (severity, then how many, then rule id). */
export interface RuleGroup {
  ruleId: string;
  severity: Severity;
  title: string;
  findings: FindingFact[];
}

export function groupFindingsByRule(findings: FindingFact[]): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const f of findings) {
    const group = groups.get(f.ruleId);
    if (!group) groups.set(f.ruleId, { ruleId: f.ruleId, severity: f.severity, title: f.title, findings: [f] });
    else {
      group.findings.push(f);
      if (severityRank(f.severity) > severityRank(group.severity)) group.severity = f.severity;
    }
  }
  return [...groups.values()].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      b.findings.length - a.findings.length ||
      a.ruleId.localeCompare(b.ruleId),
  );
}

function uniqueSorted(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function diagnosisAction(d: DiagnosisFact): SreAction {
  const evidence = d.evidence[0] ? ` Evidence: ${sentence(d.evidence[0])}` : '';
  return {
    title: `${CAUSE_TITLES[d.cause]} in ${resourceLabel(d.resource)} (${d.podsAffected} pod${d.podsAffected === 1 ? '' : 's'} affected)`,
    findingIds: [],
    diagnosisIds: [d.id],
    remediationId: d.remediationId,
    confidence: confidenceWord(d.confidence),
    rationale: `${d.summary}${evidence} ${diagnosisSteps(d).immediate}`.trim(),
  };
}

function ruleGroupAction(group: RuleGroup): SreAction {
  const resources = uniqueSorted(group.findings.map((f) => resourceLabel(f.resource)));
  const fixes = uniqueSorted(group.findings.flatMap((f) => (f.remediationId ? [f.remediationId] : [])));
  const count = group.findings.length;
  const fixText = fixes.length ? ` Generated fix${fixes.length === 1 ? '' : 'es'}: ${listWithMore(fixes, 5)}.` : ' No automatic fix: change the manifests by hand.';
  return {
    title: `${group.title} (${group.severity}, ${count} finding${count === 1 ? '' : 's'})`,
    findingIds: group.findings.map((f) => f.id).sort(),
    diagnosisIds: [],
    remediationId: fixes[0] ?? null,
    confidence: 'high',
    rationale: `${sentence(group.findings[0].message)} Affects ${listWithMore(resources)}.${fixText}`,
  };
}

/** Diagnoses first (broken now, by impact), then critical and high findings grouped by rule. */
export function buildSreActions(facts: ExplainerFacts): SreAction[] {
  const urgent = facts.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
  return [...facts.diagnoses.map(diagnosisAction), ...groupFindingsByRule(urgent).map(ruleGroupAction)];
}

export function buildItems(facts: ExplainerFacts): Explanation['items'] {
  return [
    ...facts.diagnoses.map((d) => ({ id: d.id, ...diagnosisSteps(d) })),
    ...facts.findings.map((f) => ({ id: f.id, ...findingSteps(f) })),
  ];
}

/**
 * The three things that matter: first what is broken now (all diagnoses in one line, grouped by the
 * workload or node they hit, since one root cause often shows as several causes), then the worst rule
 * groups (severity, then count), each with its count.
 */
function topIssues(facts: ExplainerFacts): string[] {
  const lines: string[] = [];
  if (facts.diagnoses.length) {
    const causesByResource = new Map<string, DiagnosisCause[]>();
    for (const d of facts.diagnoses) {
      const label = resourceLabel(d.resource);
      causesByResource.set(label, [...(causesByResource.get(label) ?? []), d.cause]);
    }
    const hits = [...causesByResource.entries()].map(([label, causes]) => `${label} (${causes.join(', ')})`);
    const pods = facts.diagnoses.reduce((sum, d) => sum + d.podsAffected, 0);
    lines.push(
      `Get what is broken running again: ${facts.diagnoses.length} problem${facts.diagnoses.length === 1 ? '' : 's'} on ${hits.length} resource${hits.length === 1 ? '' : 's'}, ${pods} pod${pods === 1 ? '' : 's'}: ${listWithMore(hits)}.`,
    );
  }
  for (const g of groupFindingsByRule(facts.findings).filter((g) => g.severity !== 'info')) {
    if (lines.length >= 3) break;
    const names = listWithMore(uniqueSorted(g.findings.map((f) => resourceLabel(f.resource))));
    lines.push(`${g.title} (${g.severity}): ${g.findings.length} finding${g.findings.length === 1 ? '' : 's'} (${names}).`);
  }
  return lines;
}

function createRenderer() {
  const hb = Handlebars.create();
  hb.registerHelper('plural', (n: number) => (n === 1 ? '' : 's'));
  hb.registerHelper('pluralEs', (n: number) => (n === 1 ? '' : 'es'));
  hb.registerHelper('money', (n: number) => formatMoney(n));
  hb.registerHelper('inc', (n: number) => n + 1);
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('list', (items: string[]) => listWithMore(items, 5));
  const load = (name: string) =>
    hb.compile(readFileSync(TEMPLATE_DIR + name, 'utf8'), { noEscape: true, strict: false });
  return { execSummary: load('exec-summary.hbs'), prText: load('pr-text.hbs') };
}

let renderer: ReturnType<typeof createRenderer> | undefined;
function templates() {
  renderer ??= createRenderer();
  return renderer;
}

function severityLine(facts: ExplainerFacts): string {
  const parts = SEVERITY_ORDER.filter((s) => facts.totals.bySeverity[s]).map((s) => `${facts.totals.bySeverity[s]} ${s}`);
  return parts.length ? parts.join(', ') : 'none';
}

function renderExecSummary(facts: ExplainerFacts): string {
  const issues = topIssues(facts);
  const brokenByCause = new Map<string, number>();
  for (const d of facts.diagnoses) brokenByCause.set(d.cause, (brokenByCause.get(d.cause) ?? 0) + 1);
  const view = {
    ...facts,
    severityLine: severityLine(facts),
    namespaceCount: facts.graph.namespaces.length,
    podsBroken: facts.diagnoses.reduce((sum, d) => sum + d.podsAffected, 0),
    brokenLine: [...brokenByCause.entries()].map(([cause, n]) => `${n} ${cause}`).join(', '),
    topIssues: issues,
    topIssuesWord: issues.length === 1 ? 'one thing' : issues.length === 2 ? 'two things' : 'three things',
    findingsCapped: facts.totals.findingsIncluded < facts.totals.findings,
  };
  return templates().execSummary(view).trim();
}

function renderPrText(facts: ExplainerFacts): string {
  const titles = new Map<string, string>();
  for (const f of facts.findings) titles.set(f.id, `${f.title} [${f.severity}]`);
  for (const d of facts.diagnoses) titles.set(d.id, `${d.cause} in ${resourceLabel(d.resource)} [broken now]`);
  const remediations = facts.remediations.map((r) => ({
    id: r.id,
    summary: r.summary.trim().replace(/\.$/, ''),
    targetLabel: resourceLabel(r.target),
    resolves: uniqueSorted([...r.diagnosisIds, ...r.findingIds].flatMap((id) => (titles.has(id) ? [titles.get(id)!] : []))).join('; '),
    dryRun: r.commands[0] ?? '',
  }));
  const fixedIds = new Set(facts.remediations.flatMap((r) => [...r.findingIds, ...r.diagnosisIds]));
  const manual = [
    ...facts.diagnoses.filter((d) => !fixedIds.has(d.id)).map((d) => `${CAUSE_TITLES[d.cause]} in ${resourceLabel(d.resource)}: ${d.remediationSummary}`),
    ...groupFindingsByRule(facts.findings.filter((f) => !fixedIds.has(f.id) && (f.severity === 'critical' || f.severity === 'high'))).map(
      (g) => `${g.title} (${g.severity}) on ${listWithMore(uniqueSorted(g.findings.map((f) => resourceLabel(f.resource))))}`,
    ),
  ];
  const view = {
    health: facts.health,
    diagnoses: facts.diagnoses,
    itemCount: fixedIds.size,
    fixedDiagnoses: facts.diagnoses.filter((d) => fixedIds.has(d.id)).length,
    remediations,
    manual,
  };
  return templates().prText(view).trim() + '\n';
}

/** The template explainer: always available, deterministic, no network. */
export function templateExplain(facts: ExplainerFacts): Explanation {
  return {
    execSummary: renderExecSummary(facts),
    sreActions: buildSreActions(facts),
    prText: renderPrText(facts),
    items: buildItems(facts),
  };
}
