/**
 * The health score (0-100, higher is better) and its grade (A best, F worst). The formula is documented in
 * docs/report-json.md ("Health score"); keep the two in step.
 *
 *   checks    = passed / evaluated over every (rule, object) pair the rules were evaluated on
 *   workloads = 1 − mean over workloads of weight(worst state), where a workload's state is `broken` when a
 *               diagnosis is on it, else the severity of its worst non-exempted finding, else `clean`
 *   score     = round(100 × (checks + workloads) / 2)
 *
 * Both halves are shares, so a cluster of 10 workloads and one of 10,000 with the same mix get the same score.
 * Grade from the score (A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else F), then capped at C while a critical finding is open
 * or anything is broken now: one cluster-admin binding or one crash-looping database must not hide in a large,
 * otherwise clean cluster. Coverage never moves the score: a kind that could not be read makes the grade
 * provisional (it says so), except Secrets forbidden, which is what the recommended least-privilege RBAC does.
 */
import type { Finding, ResourceRef, Severity } from '../schema/finding.js';
import type { Diagnosis } from '../schema/diagnosis.js';
import type { CoverageEntry } from '../schema/snapshot.js';
import type { Grade, Health, ReadCoverage } from '../schema/report.js';
import { KIND_SPECS } from '../common/kinds.js';

export type WorkloadState = 'broken' | Exclude<Severity, 'info'> | 'clean';

/** How much one workload in that state takes off the workloads half (1 = all of its share). */
export const WORKLOAD_STATE_WEIGHT: Record<WorkloadState, number> = {
  broken: 1,
  critical: 1,
  high: 0.5,
  medium: 0.2,
  low: 0.05,
  clean: 0,
};

/** Lower bounds of each grade's score band, best first. */
const GRADE_BANDS: ReadonlyArray<[number, Grade]> = [
  [90, 'A'],
  [80, 'B'],
  [70, 'C'],
  [60, 'D'],
  [0, 'F'],
];
const GRADE_ORDER: readonly Grade[] = ['A', 'B', 'C', 'D', 'F'];
/** The best grade a cluster with an open critical finding or a diagnosis can get. */
export const CAPPED_GRADE: Grade = 'C';

const OPTIONAL_KINDS = new Set(KIND_SPECS.filter((s) => s.optional).map((s) => s.kind));

export interface CheckTotals {
  evaluated: number;
  failed: number;
}

export interface HealthInput {
  findings: readonly Finding[];
  diagnoses: readonly Diagnosis[];
  /** Summed over rules; undefined when the rule engine's counts are not known (the score is then the workloads half). */
  checks?: CheckTotals;
  /** The workloads that were graded. */
  workloads: readonly ResourceRef[];
  coverage: readonly CoverageEntry[];
}

export function gradeForScore(score: number): Grade {
  for (const [lowerBound, grade] of GRADE_BANDS) if (score >= lowerBound) return grade;
  return 'F';
}

function worseOf(a: Grade, b: Grade): Grade {
  return GRADE_ORDER.indexOf(a) >= GRADE_ORDER.indexOf(b) ? a : b;
}

function workloadKey(ref: Pick<ResourceRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind}\u0000${ref.namespace ?? ''}\u0000${ref.name}`;
}

const SEVERITY_STATES: readonly WorkloadState[] = ['critical', 'high', 'medium', 'low'];

/** Worst state per graded workload. */
export function workloadStates(input: Pick<HealthInput, 'findings' | 'diagnoses' | 'workloads'>): Map<string, WorkloadState> {
  const states = new Map<string, WorkloadState>(input.workloads.map((w) => [workloadKey(w), 'clean']));
  const rank = (s: WorkloadState) => (s === 'broken' ? 0 : s === 'clean' ? 99 : SEVERITY_STATES.indexOf(s) + 1);
  const raise = (key: string, state: WorkloadState) => {
    const current = states.get(key);
    if (current !== undefined && rank(state) < rank(current)) states.set(key, state);
  };
  for (const f of input.findings) {
    if (f.exempted || f.severity === 'info') continue;
    raise(workloadKey(f.resource), f.severity);
  }
  for (const d of input.diagnoses) raise(workloadKey(d.resource), 'broken');
  return states;
}

/**
 * What the grade does with a kind that was not read: nothing, or make it provisional. Secrets forbidden is the
 * shipped least-privilege RBAC (k8s/); a kind the API does not serve cannot hold objects; the metrics kinds only
 * feed usage-based cost. Any other kind forbidden or failed may hide problems, so the grade says it is provisional.
 */
export function gradeEffect(entry: Pick<CoverageEntry, 'kind' | 'status'>): 'none' | 'provisional' {
  if (entry.status !== 'forbidden' && entry.status !== 'failed') return 'none';
  if (OPTIONAL_KINDS.has(entry.kind)) return 'none';
  if (entry.kind === 'Secret' && entry.status === 'forbidden') return 'none';
  return 'provisional';
}

function byKind<T extends { kind: string }>(a: T, b: T): number {
  return a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
}

export function readCoverage(coverage: readonly CoverageEntry[]): ReadCoverage {
  const expected = coverage.filter((c) => c.status !== 'not-applicable');
  const kinds = new Set(expected.map((c) => c.kind));
  const read = new Set(expected.filter((c) => c.status === 'listed').map((c) => c.kind));
  const notRead = expected
    .filter((c) => c.status !== 'listed')
    .map((c) => ({ kind: c.kind, status: c.status, gradeEffect: gradeEffect(c) }))
    .sort(byKind);
  return { kindsRead: read.size, kindsExpected: kinds.size, notRead };
}

function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((1000 * part) / whole) / 10 : 100;
}

export function computeHealth(input: HealthInput): Health {
  const evaluated = input.checks?.evaluated ?? 0;
  const failed = Math.min(evaluated, input.checks?.failed ?? 0);
  const checks = { evaluated, passed: evaluated - failed, failed, passRate: percent(evaluated - failed, evaluated) };

  const states = workloadStates(input);
  const counts: Health['workloads'] = { total: states.size, broken: 0, critical: 0, high: 0, medium: 0, low: 0, clean: 0, health: 100 };
  let weight = 0;
  for (const state of states.values()) {
    counts[state] += 1;
    weight += WORKLOAD_STATE_WEIGHT[state];
  }
  counts.health = percent(states.size - weight, states.size);

  const provisionalKinds = readCoverage(input.coverage)
    .notRead.filter((n) => n.gradeEffect === 'provisional')
    .map((n) => n.kind);
  const openCriticals = input.findings.filter((f) => !f.exempted && f.severity === 'critical').length;
  const capReasons: string[] = [];
  if (openCriticals > 0) capReasons.push(`${openCriticals} open critical finding${openCriticals === 1 ? '' : 's'}: at best ${CAPPED_GRADE}`);
  if (input.diagnoses.length > 0) {
    capReasons.push(`${input.diagnoses.length} diagnos${input.diagnoses.length === 1 ? 'is' : 'es'} (broken now): at best ${CAPPED_GRADE}`);
  }

  if (states.size === 0) {
    return { status: 'nothing-to-grade', score: null, grade: null, provisional: provisionalKinds.length > 0, provisionalKinds, caps: [], checks, workloads: counts };
  }
  const halves = evaluated > 0 ? [checks.passRate, counts.health] : [counts.health];
  const score = Math.round(halves.reduce((a, b) => a + b, 0) / halves.length);
  const band = gradeForScore(score);
  const grade = capReasons.length > 0 ? worseOf(band, CAPPED_GRADE) : band;
  // Listed only when they made the grade worse than the band: "at best C" next to a D would read as a contradiction.
  const caps = grade !== band ? capReasons : [];
  return { status: 'graded', score, grade, provisional: provisionalKinds.length > 0, provisionalKinds, caps, checks, workloads: counts };
}

/** The grade in one phrase, for every format: `64/100, grade D (provisional)` or `nothing to grade: …`. */
export function healthPhrase(health: Health): string {
  if (health.status === 'nothing-to-grade' || health.score === null || health.grade === null) {
    return 'nothing to grade: the input holds no workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, ReplicaSet)';
  }
  return `${health.score}/100, grade ${health.grade}${health.provisional ? ' (provisional)' : ''}`;
}

/** `30 of 32 kinds read; not read: Secret (forbidden, no effect on the grade), Pod (forbidden, grade provisional)`. */
export function coveragePhrase(coverage: ReadCoverage): string {
  const head = `${coverage.kindsRead} of ${coverage.kindsExpected} kinds read`;
  if (coverage.notRead.length === 0) return head;
  const kinds = coverage.notRead.map(
    (n) => `${n.kind} (${n.status}, ${n.gradeEffect === 'provisional' ? 'grade provisional' : 'no effect on the grade'})`,
  );
  return `${head}; not read: ${kinds.join(', ')}`;
}
