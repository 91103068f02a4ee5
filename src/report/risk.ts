/**
 * The 0-100 risk score and its A-F grade. The formula is documented in docs/report-json.md
 * ("Risk score"); keep the two in step.
 *
 *   W       = Σ weight(severity) over non-exempted findings + Σ 10 × confidence over diagnoses
 *   base    = 100 × (1 − e^(−W / 50))            saturating: each finding adds less as W grows
 *   penalty = min(25, 5 × unreadable kinds)       a partial snapshot cannot look clean
 *   score   = min(100, round(base + penalty))
 *
 * Grade from the score (A < 10 ≤ B < 25 ≤ C < 50 ≤ D < 75 ≤ F), then capped: any non-exempted
 * critical finding or any diagnosis makes it at best C; any coverage gap makes it at best B.
 */
import type { Finding, Severity } from '../schema/finding.js';
import type { Diagnosis } from '../schema/diagnosis.js';

export type RiskGrade = 'A' | 'B' | 'C' | 'D' | 'F';

export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 10, high: 5, medium: 2, low: 0.5, info: 0 };
/** A diagnosis is something broken right now: it weighs like a critical finding, scaled by how sure we are. */
export const DIAGNOSIS_WEIGHT = 10;
/** W at which the base score reaches 63 (1 − 1/e). */
export const SATURATION_K = 50;
export const COVERAGE_PENALTY_PER_KIND = 5;
export const COVERAGE_PENALTY_MAX = 25;

const GRADE_ORDER: readonly RiskGrade[] = ['A', 'B', 'C', 'D', 'F'];
/** Lower bounds of each grade's score band, worst first. */
const GRADE_BANDS: ReadonlyArray<[number, RiskGrade]> = [
  [75, 'F'],
  [50, 'D'],
  [25, 'C'],
  [10, 'B'],
  [0, 'A'],
];

export interface RiskInput {
  findings: readonly Finding[];
  diagnoses: readonly Diagnosis[];
  /** Kinds that could not be read (forbidden, failed, not served), optional metrics kinds excluded. */
  unreadableKinds: number;
}

export interface RiskResult {
  score: number;
  grade: RiskGrade;
  /** The weighted sum W, for the docs' worked example and for debugging a surprising grade. */
  weight: number;
}

export function findingsWeight(findings: readonly Finding[]): number {
  return findings.filter((f) => !f.exempted).reduce((sum, f) => sum + SEVERITY_WEIGHT[f.severity], 0);
}

export function diagnosesWeight(diagnoses: readonly Diagnosis[]): number {
  return diagnoses.reduce((sum, d) => sum + DIAGNOSIS_WEIGHT * d.confidence, 0);
}

export function gradeForScore(score: number): RiskGrade {
  for (const [lowerBound, grade] of GRADE_BANDS) if (score >= lowerBound) return grade;
  return 'A';
}

function worseOf(a: RiskGrade, b: RiskGrade): RiskGrade {
  return GRADE_ORDER.indexOf(a) >= GRADE_ORDER.indexOf(b) ? a : b;
}

export function computeRisk(input: RiskInput): RiskResult {
  const weight = findingsWeight(input.findings) + diagnosesWeight(input.diagnoses);
  const base = 100 * (1 - Math.exp(-weight / SATURATION_K));
  const penalty = Math.min(COVERAGE_PENALTY_MAX, COVERAGE_PENALTY_PER_KIND * input.unreadableKinds);
  const score = Math.min(100, Math.round(base + penalty));
  let grade = gradeForScore(score);
  const hasCritical = input.findings.some((f) => !f.exempted && f.severity === 'critical');
  if (hasCritical || input.diagnoses.length > 0) grade = worseOf(grade, 'C');
  if (input.unreadableKinds > 0) grade = worseOf(grade, 'B');
  return { score, grade, weight: Math.round(weight * 100) / 100 };
}
