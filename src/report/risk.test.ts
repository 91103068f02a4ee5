import { describe, expect, it } from 'vitest';
import { computeRisk, gradeForScore } from './risk.js';
import type { Finding, Severity } from '../schema/finding.js';
import type { Diagnosis } from '../schema/diagnosis.js';
import { fixtureReport } from './test-support/fixture.js';

function finding(severity: Severity, exempted = false): Finding {
  return { ...fixtureReport().findings[0], severity, exempted, id: `${severity}-${exempted}` };
}

function diagnosis(confidence: number): Diagnosis {
  return { ...fixtureReport().diagnoses[0], confidence };
}

describe('computeRisk', () => {
  it('scores a clean, fully read cluster 0 / A', () => {
    expect(computeRisk({ findings: [], diagnoses: [], unreadableKinds: 0 })).toEqual({ score: 0, grade: 'A', weight: 0 });
  });

  it('follows 100 × (1 − e^(−W/50)) with weights critical 10, high 5, medium 2, low 0.5, info 0', () => {
    // The worked example of docs/report-json.md: 1 critical, 2 high, 3 medium, 4 low, 5 info = 10 + 10 + 6 + 2 + 0 = 28.
    const findings = [
      finding('critical'),
      ...Array.from({ length: 2 }, () => finding('high')),
      ...Array.from({ length: 3 }, () => finding('medium')),
      ...Array.from({ length: 4 }, () => finding('low')),
      ...Array.from({ length: 5 }, () => finding('info')),
    ];
    const risk = computeRisk({ findings, diagnoses: [], unreadableKinds: 0 });
    expect(risk.weight).toBe(28);
    expect(risk.score).toBe(Math.round(100 * (1 - Math.exp(-28 / 50)))); // 43
    expect(risk.score).toBe(43);
    expect(risk.grade).toBe('C');
  });

  it('matches the full worked example of docs/report-json.md (diagnosis, exempted findings, one gap)', () => {
    const findings = [
      finding('critical'),
      ...Array.from({ length: 2 }, () => finding('high')),
      ...Array.from({ length: 3 }, () => finding('medium')),
      ...Array.from({ length: 4 }, () => finding('low')),
      ...Array.from({ length: 5 }, () => finding('info')),
      ...Array.from({ length: 2 }, () => finding('high', true)),
    ];
    const risk = computeRisk({ findings, diagnoses: [diagnosis(0.8)], unreadableKinds: 1 });
    expect(risk).toEqual({ score: 56, grade: 'D', weight: 36 });
  });

  it('ignores exempted findings', () => {
    const risk = computeRisk({ findings: [finding('critical', true), finding('high', true)], diagnoses: [], unreadableKinds: 0 });
    expect(risk).toEqual({ score: 0, grade: 'A', weight: 0 });
  });

  it('counts a diagnosis as 10 × confidence and caps the grade at C', () => {
    const risk = computeRisk({ findings: [], diagnoses: [diagnosis(0.5)], unreadableKinds: 0 });
    expect(risk.weight).toBe(5);
    expect(risk.score).toBe(10); // 100 × (1 − e^(−0.1)) = 9.5 → 10
    expect(risk.grade).toBe('C');
  });

  it('never gives A or B while a critical finding is open', () => {
    const risk = computeRisk({ findings: [finding('critical')], diagnoses: [], unreadableKinds: 0 });
    expect(risk.score).toBe(18);
    expect(gradeForScore(18)).toBe('B');
    expect(risk.grade).toBe('C');
  });

  it('adds 5 points per unreadable kind (at most 25) so a partial snapshot cannot look clean', () => {
    expect(computeRisk({ findings: [], diagnoses: [], unreadableKinds: 1 })).toMatchObject({ score: 5, grade: 'B' });
    expect(computeRisk({ findings: [], diagnoses: [], unreadableKinds: 9 })).toMatchObject({ score: 25, grade: 'C' });
  });

  it('saturates below 100 and never exceeds it', () => {
    const many = Array.from({ length: 200 }, () => finding('critical'));
    const risk = computeRisk({ findings: many, diagnoses: [], unreadableKinds: 9 });
    expect(risk.score).toBe(100);
    expect(risk.grade).toBe('F');
  });

  it('uses the documented grade bands', () => {
    expect([0, 9, 10, 24, 25, 49, 50, 74, 75, 100].map(gradeForScore)).toEqual(['A', 'A', 'B', 'B', 'C', 'C', 'D', 'D', 'F', 'F']);
  });
});
