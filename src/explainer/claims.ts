/**
 * The LLM explains the verdict; it cannot change it. Every grade, score, count, severity and cost figure an answer
 * states is compared with the computed one, and claims that deny what was computed ("nothing is broken",
 * "healthy", "no action needed", "false positive") are rejected while a diagnosis or a critical finding says
 * otherwise. The checks, precisely:
 *  - Grade: "grade D", "grade: D", "grade of D", "a D grade", "rated/graded/scores/gets an D" must name the
 *    computed grade (no grade at all when there is nothing to grade).
 *  - Score: "62/100", "62 out of 100", "score 62", "score of 62", "scored 62" must be the computed score.
 *  - Cost: "$468.66", "USD 468", "$1.2k", "468 USD" must round to one of the cost figures in the facts (total, idle,
 *    right-sizing waste, top namespaces, top savings) at the precision written: cents when written, else whole
 *    dollars, else the written magnitude ("$500" for $468.66, "$1.2k" for $1,234.50).
 *  - Counts: "2 critical", "3 critical or high findings", "no critical findings", "5 findings", "2 diagnoses",
 *    "2 workloads are broken" must equal a count the facts give: the total, or the count within one rule or one
 *    resource (a summary may say "2 high findings of missing-memory-limit").
 *  - Severity: "(high)", "high severity", "severity: high", and "<finding id> (high)" must be the severity of the
 *    finding the text is about (the item's finding, one of the action's findings, the id named).
 *  - Denials: "nothing is broken" and its kin while anything is diagnosed; "healthy", "all good", "no issues",
 *    "no action needed", "nothing to fix" while anything is diagnosed or a critical finding is open; "false
 *    positive", "safe to ignore", "not a real problem" about any finding or diagnosis. In a per-item step only
 *    that item counts, so "nothing is broken" stays true on a finding that is only a configuration risk.
 */
import { SEVERITY_ORDER, type Severity } from '../schema/finding.js';
import { resourceLabel, type ExplainerFacts } from './facts.js';

/** What a text field is about: the whole report, one item, or one action's items. */
export type ClaimScope =
  | { kind: 'report' }
  | { kind: 'item'; id: string }
  | { kind: 'action'; findingIds: string[]; diagnosisIds: string[] };

const NUMBER_WORDS: Record<string, number> = {
  no: 0, zero: 0, none: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, twenty: 20,
};
const NUMBER = String.raw`(\d+|${Object.keys(NUMBER_WORDS).join('|')})`;
const SEVERITY = `(?:${SEVERITY_ORDER.join('|')})`;
const SEVERITY_LIST = String.raw`(${SEVERITY}(?:[- ]severity)?(?:\s*(?:,|\/|\bor\b|\band\b|\bnor\b)\s*${SEVERITY}(?:[- ]severity)?)*)`;
const COUNTED = String.raw`(?:findings?|issues?|problems?|risks?|misconfigurations?|vulnerabilit(?:y|ies)|ones?)`;
const QUALIFIER = String.raw`(?:open\s+|active\s+|non-exempted\s+|remaining\s+|unexempted\s+|more\s+)?`;

const GRADE_PATTERNS = [
  /\b[Gg]rade[sd]?\b(?:\s+(?:is|was|of|now|currently|remains|stays|still|would be|will be|an?))*\s*[:=]?\s*[("'*_]*([A-F])(?![A-Za-z0-9])/g,
  /\b([A-F])[- ]grade\b(?!\s+(?:of|is|was|below|above|or|and|than)\b)/g,
  /\b(?:rated|scores?|scored|earns?|earned|gets?|got|receives?|received|deserves?)\s+(?:an?\s+)?["'*_]*([A-F])(?![A-Za-z0-9'’])/g,
];
const SCORE_PATTERNS = [
  /(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*(?:\/|out of)\s*100\b/g,
  /\b[Ss]core[sd]?\b(?:\s+(?:is|was|of|now|currently|remains|stays|still|just|only))*\s*[:=]?\s*[("'*_]*(\d{1,3}(?:\.\d+)?)(?![\d.]*\s*(?:%|percent|\/\s*100|out of\s+100))/g,
];
const MONEY_PATTERNS = [
  /(?:US\$|\$|\bUSD\s?)\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s?([kKmM])\b)?/g,
  /(?<![\d$.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s?(?:USD|dollars)\b/g,
];
const SEVERITY_COUNT = new RegExp(
  String.raw`\b${NUMBER}\s+${QUALIFIER}${SEVERITY_LIST}(?=[- ]?(?:severity\s+)?${COUNTED}\b|\s*(?:[),.;:!?]|$))`,
  'gi',
);
const FINDING_COUNT = new RegExp(String.raw`\b${NUMBER}\s+${QUALIFIER}(exempted\s+)?findings?\b`, 'gi');
const DIAGNOSIS_COUNT = [
  new RegExp(String.raw`\b${NUMBER}\s+(?:active\s+|current\s+)?diagnos[ie]s\b`, 'gi'),
  new RegExp(String.raw`\b${NUMBER}\s+(?:problems?|things?|workloads?|issues?|resources?)\s+(?:are\s+|is\s+)?(?:currently\s+)?(?:broken|failing|down|crashing)\b`, 'gi'),
];
const SEVERITY_STATED = [
  new RegExp(String.raw`\b(${SEVERITY})[- ]severity\b`, 'gi'),
  new RegExp(String.raw`\bseverity\s*(?:is\s+|of\s+|:\s*|=\s*)?(${SEVERITY})\b`, 'gi'),
  new RegExp(String.raw`\((${SEVERITY})(?=[,)])`, 'gi'),
];

/** Denies what the diagnoses say: something is broken right now. */
const BROKEN_DENIALS = [
  /\bnothing(?:'s|\s+is|\s+was)?\s+(?:currently\s+|really\s+|actually\s+)?(?:broken|failing|down|crashing|wrong)\b/i,
  /\bno\s*(?:thing|workloads?|pods?|services?|applications?|apps?|containers?|nodes?)\s+(?:is|are)\s+(?:currently\s+)?(?:broken|failing|down|crashing|unhealthy)\b/i,
  /\bnone\s+(?:of\s+(?:the|them|its)\s*\w*\s+)?(?:is|are)\s+(?:currently\s+)?(?:broken|failing|down|crashing)\b/i,
  /\beverything\s+(?:is\s+)?(?:up\s+and\s+running|running|working|fine|operational)\b/i,
  /\ball\s+(?:workloads|pods|services|applications|apps|containers|nodes)\s+(?:are\s+)?(?:up|running|healthy|working|fine|operational)\b/i,
  /\bno\s+(?:active\s+|current\s+|ongoing\s+|runtime\s+)?(?:diagnos[ie]s|incidents?|outages?|breakages?)\b/i,
];
/** Denies what a diagnosis or a critical finding says: the cluster is not healthy and something must be done. */
const HEALTH_DENIALS = [
  /\b(?:cluster|system|environment|everything|setup|platform|overall|workloads|services)\s+(?:is|are|looks?|seems?|appears?|remains?|stays?)\s+(?:(?!not\b|never\b|un)\w+\s+)?healthy\b/i,
  /(?:^|[,;:.!—–]\s*)(?:fully\s+|perfectly\s+|completely\s+|overall\s+)?healthy\b(?!\s+(?:once|again|after|when|before|by|if|nodes?|pods?|replicas?|endpoints?|targets?)\b)/i,
  /\b(?:a|the|your|this)\s+(?:(?:very|perfectly|fully|generally|mostly|overall)\s+)?healthy\s+(?:cluster|system|state|setup|environment|platform)\b/i,
  /\bin\s+(?:good|great|excellent|perfect|fine)\s+(?:health|shape|condition)\b/i,
  /\ball\s+(?:is\s+)?(?:good|clear|fine|well)(?![-\w])/i,
  /\bno\s+(?:real\s+|major\s+|significant\s+|serious\s+|open\s+|outstanding\s+|known\s+)?(?:issues?|problems?|concerns?)\b(?!\s+(?:once|after|when|if)\b)/i,
  /\bno\s+(?:immediate\s+|urgent\s+|further\s+|other\s+)?(?:actions?|fix(?:es)?|changes?|work|remediations?)\s+(?:is\s+|are\s+)?(?:needed|required|necessary)\b/i,
  /\bnothing\s+(?:to\s+(?:do|fix|worry\s+about)|needs?\s+(?:to\s+be\s+)?(?:done|fixing|fixed|attention))\b/i,
];
/** Denies one finding or diagnosis: our verdict on it. */
const DISMISSALS = [
  /\bfalse[- ]positives?\b/i,
  /\b(?:safe|fine|ok|okay)\s+to\s+ignore\b/i,
  /\bcan\s+(?:safely\s+)?be\s+(?:safely\s+)?ignored\b/i,
  /\bnot\s+(?:a\s+)?(?:real|genuine|actual)\s+(?:problems?|issues?|risks?|findings?)\b/i,
];

interface Figures {
  grade: string | null;
  score: number | null;
  money: number[];
  /** Severity counts per group: the whole report, each rule, each resource. */
  severityGroups: Record<Severity, number>[];
  findingCounts: Set<number>;
  exemptedCount: number;
  diagnosisCounts: Set<number>;
  findingSeverity: Map<string, Severity>;
  criticalOpen: boolean;
}

const figuresCache = new WeakMap<ExplainerFacts, Figures>();

function emptyCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
}

function figuresOf(facts: ExplainerFacts): Figures {
  const cached = figuresCache.get(facts);
  if (cached) return cached;
  const byRule = new Map<string, Record<Severity, number>>();
  const byResource = new Map<string, Record<Severity, number>>();
  for (const f of facts.findings) {
    for (const [map, key] of [[byRule, f.ruleId], [byResource, resourceLabel(f.resource)]] as const) {
      const counts = map.get(key) ?? emptyCounts();
      counts[f.severity] += 1;
      map.set(key, counts);
    }
  }
  const sum = (c: Record<Severity, number>) => SEVERITY_ORDER.reduce((n, s) => n + c[s], 0);
  const groups = [...byRule.values(), ...byResource.values()];
  const findingCounts = new Set([facts.totals.findings, facts.totals.findingsIncluded, facts.totals.findings + facts.totals.exempted]);
  for (const n of [...Object.values(facts.totals.bySeverity), ...groups.map(sum)]) if (n > 0) findingCounts.add(n);
  const diagnosisCounts = new Set([facts.totals.diagnoses]);
  const tally = (keys: string[]) => {
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    return [...counts.values()];
  };
  for (const n of tally(facts.diagnoses.map((d) => d.cause))) diagnosisCounts.add(n);
  for (const n of tally(facts.diagnoses.map((d) => resourceLabel(d.resource)))) diagnosisCounts.add(n);
  diagnosisCounts.add(new Set(facts.diagnoses.map((d) => resourceLabel(d.resource))).size);
  const cost = facts.cost;
  const figures: Figures = {
    grade: facts.health?.status === 'graded' ? facts.health.grade : null,
    score: facts.health?.status === 'graded' ? facts.health.score : null,
    money: cost
      ? [cost.monthlyTotal, cost.idleMonthly, cost.wasteMonthly, ...cost.topNamespaces.map((n) => n.monthly), ...cost.topWaste.map((w) => w.monthlySavings)]
      : [],
    severityGroups: [facts.totals.bySeverity as Record<Severity, number>, ...groups],
    findingCounts,
    exemptedCount: facts.totals.exempted,
    diagnosisCounts,
    findingSeverity: new Map(facts.findings.map((f) => [f.id, f.severity])),
    criticalOpen: (facts.totals.bySeverity.critical ?? 0) > 0,
  };
  figuresCache.set(facts, figures);
  return figures;
}

function numberOf(word: string): number {
  const lower = word.toLowerCase();
  return lower in NUMBER_WORDS ? NUMBER_WORDS[lower] : Number(word);
}

function severitiesIn(list: string): Severity[] {
  return [...new Set(list.toLowerCase().match(new RegExp(SEVERITY, 'g')) as Severity[])];
}

/** True when `stated` is `figure` written at the precision the text uses (see the header). */
function moneyMatches(stated: number, decimals: string | undefined, suffix: string | undefined, figure: number): boolean {
  const scale = suffix ? (suffix.toLowerCase() === 'k' ? 1_000 : 1_000_000) : 1;
  const value = stated * scale;
  const tolerance = (step: number) => Math.abs(value - figure) <= step / 2 + 1e-9;
  if (decimals !== undefined) return tolerance(10 ** -decimals.length * scale);
  if (suffix) return tolerance(scale);
  if (tolerance(1)) return true;
  const zeros = /0+$/.exec(String(Math.round(value)))?.[0].length ?? 0;
  return zeros > 0 && tolerance(10 ** zeros);
}

function quoteOf(match: RegExpMatchArray): string {
  return match[0].trim().replace(/\s+/g, ' ');
}

/** What of the scope is broken now / critical: decides which denials contradict it. */
function scopeState(scope: ClaimScope, facts: ExplainerFacts, figures: Figures) {
  if (scope.kind === 'item') {
    const isDiagnosis = facts.diagnoses.some((d) => d.id === scope.id);
    return { broken: isDiagnosis, unhealthy: isDiagnosis || figures.findingSeverity.get(scope.id) === 'critical', aboutItems: true };
  }
  const broken = facts.diagnoses.length > 0;
  return { broken, unhealthy: broken || figures.criticalOpen, aboutItems: scope.kind === 'action' || facts.findings.length + facts.diagnoses.length > 0 };
}

/** Severities the text may state in this scope: those of the findings it is about. */
function scopeSeverities(scope: ClaimScope, figures: Figures): Set<Severity> | null {
  const ids = scope.kind === 'item' ? [scope.id] : scope.kind === 'action' ? scope.findingIds : [];
  const severities = ids.flatMap((id) => (figures.findingSeverity.has(id) ? [figures.findingSeverity.get(id)!] : []));
  return severities.length ? new Set(severities) : null;
}

/** The false statements in `text`, phrased so they can be sent back to the model as they are. */
export function findFalseClaims(text: string, facts: ExplainerFacts, scope: ClaimScope): string[] {
  const figures = figuresOf(facts);
  const problems: string[] = [];

  for (const pattern of GRADE_PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      if (m[1] === figures.grade) continue;
      problems.push(
        figures.grade
          ? `says "${quoteOf(m)}", but the computed health grade is ${figures.grade}`
          : `says "${quoteOf(m)}", but there is no health grade (${facts.health ? 'nothing to grade' : 'not computed'})`,
      );
    }
  }
  for (const pattern of SCORE_PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      if (Number(m[1]) === figures.score) continue;
      problems.push(
        figures.score !== null
          ? `says "${quoteOf(m)}", but the computed health score is ${figures.score}/100`
          : `says "${quoteOf(m)}", but there is no health score`,
      );
    }
  }
  for (const pattern of MONEY_PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      const stated = Number(m[1].replace(/,/g, '') + (m[2] !== undefined ? `.${m[2]}` : ''));
      if (figures.money.some((figure) => moneyMatches(stated, m[2], m[3], figure))) continue;
      problems.push(
        facts.cost
          ? `says "${quoteOf(m)}", which is none of the computed cost figures (total ${facts.cost.monthlyTotal.toFixed(2)}, idle ${facts.cost.idleMonthly.toFixed(2)}, waste ${facts.cost.wasteMonthly.toFixed(2)} USD/month, and the top namespaces and savings)`
          : `says "${quoteOf(m)}", but no cost was computed`,
      );
    }
  }
  for (const m of text.matchAll(SEVERITY_COUNT)) {
    const stated = numberOf(m[1]);
    const listed = severitiesIn(m[2]);
    // Zero is a claim about the whole report ("no critical findings"): a rule or resource without any proves nothing.
    const groups = stated === 0 ? figures.severityGroups.slice(0, 1) : figures.severityGroups;
    if (groups.some((group) => listed.reduce((n, s) => n + group[s], 0) === stated)) continue;
    const actual = listed.map((s) => `${facts.totals.bySeverity[s] ?? 0} ${s}`).join(', ');
    problems.push(`says "${quoteOf(m)}", but the facts have ${actual} open finding(s)`);
  }
  for (const m of text.matchAll(FINDING_COUNT)) {
    const stated = numberOf(m[1]);
    const exempted = m[2] !== undefined;
    if (exempted ? stated === figures.exemptedCount : figures.findingCounts.has(stated)) continue;
    problems.push(`says "${quoteOf(m)}", but the facts have ${exempted ? `${figures.exemptedCount} exempted` : `${facts.totals.findings} open`} finding(s)`);
  }
  for (const pattern of DIAGNOSIS_COUNT) {
    for (const m of text.matchAll(pattern)) {
      if (figures.diagnosisCounts.has(numberOf(m[1]))) continue;
      problems.push(`says "${quoteOf(m)}", but the facts have ${facts.totals.diagnoses} diagnosis(es) (broken right now)`);
    }
  }

  const allowedSeverities = scopeSeverities(scope, figures);
  if (allowedSeverities) {
    for (const pattern of SEVERITY_STATED) {
      for (const m of text.matchAll(pattern)) {
        const stated = m[1].toLowerCase() as Severity;
        if (!allowedSeverities.has(stated)) {
          problems.push(`says "${quoteOf(m)}", but the finding(s) it is about are ${[...allowedSeverities].join('/')}`);
        }
      }
    }
  }
  for (const [id, severity] of figures.findingSeverity) {
    if (!text.includes(id)) continue;
    const named = new RegExp(String.raw`${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\)?\s*(?:[(:,—–-]\s*|\s+(?:is|has)\s+(?:an?\s+)?)(?:severity\s+)?(${SEVERITY})\b`, 'gi');
    for (const m of text.matchAll(named)) {
      if (m[1].toLowerCase() !== severity) problems.push(`says "${quoteOf(m)}", but ${id} is ${severity}`);
    }
  }

  const state = scopeState(scope, facts, figures);
  const denials: [RegExp[], boolean, string][] = [
    [BROKEN_DENIALS, state.broken, scope.kind === 'item' ? `${scope.id} is broken right now` : `${facts.totals.diagnoses} diagnosis(es) say something is broken right now`],
    [HEALTH_DENIALS, state.unhealthy, scope.kind === 'item' ? `${scope.id} needs action` : 'diagnoses or critical findings need action'],
    [DISMISSALS, state.aboutItems, 'findings and diagnoses are verdicts of the checks, not the model'],
  ];
  for (const [patterns, applies, why] of denials) {
    if (!applies) continue;
    const m = patterns.map((pattern) => pattern.exec(text)).find((found) => found !== null);
    if (m) problems.push(`claims "${m[0].trim().replace(/^[,;:.!—–]\s*/, '')}", but ${why}`);
  }
  return problems;
}
