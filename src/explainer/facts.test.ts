import { describe, expect, it } from 'vitest';
import type { Finding } from '../schema/finding.js';
import { buildFacts, ExplainerFactsSchema } from './facts.js';
import { sampleCost, sampleDiagnoses, sampleFacts, sampleFindings, sampleRemediations } from './test-support/fixtures.js';

const graphSummary = { namespaces: ['bookstore'], workloads: 3, exposurePaths: 1, singlePointsOfFailure: [] };

describe('buildFacts', () => {
  it('produces facts valid per ExplainerFactsSchema', () => {
    expect(ExplainerFactsSchema.safeParse(sampleFacts()).success).toBe(true);
  });

  it('never carries redacted values (secrets, env literals)', () => {
    const json = JSON.stringify(sampleFacts());
    expect(json).not.toContain('<redacted');
    const secret = sampleFacts().findings.find((f) => f.id === 'f-secret00001')!;
    expect(secret.evidence).toEqual([{ path: 'spec.template.spec.containers[0].env[1].value' }]);
  });

  it('leaves exempted findings out but counts them', () => {
    const facts = sampleFacts();
    expect(facts.findings.map((f) => f.id)).not.toContain('f-exempt00001');
    expect(facts.totals.exempted).toBe(1);
    expect(facts.totals.findings).toBe(6);
  });

  it('links findings and diagnoses to their generated remediation ids', () => {
    const facts = sampleFacts();
    expect(facts.diagnoses.find((d) => d.id === 'd-oom0000001')!.remediationId).toBe('fix-d-oom0000001');
    expect(facts.findings.find((f) => f.id === 'f-mem0000001')!.remediationId).toBe('fix-f-mem0000001');
    expect(facts.findings.find((f) => f.id === 'f-priv000001')!.remediationId).toBeNull();
  });

  it('caps findings to the most severe, keeps all diagnoses, and drops fixes for left-out findings', () => {
    const many: Finding[] = Array.from({ length: 80 }, (_, i) => ({
      ...sampleFindings()[4],
      id: `f-low${String(i).padStart(3, '0')}`,
      severity: 'low' as const,
    }));
    const facts = buildFacts({
      findings: [...many, ...sampleFindings()],
      diagnoses: sampleDiagnoses(),
      cost: sampleCost(),
      remediations: sampleRemediations(),
      graphSummary,
      coverageGaps: [],
      maxFindings: 5,
    });
    expect(facts.findings).toHaveLength(5);
    expect(facts.findings[0].severity).toBe('critical');
    expect(facts.totals.findings).toBe(86);
    expect(facts.totals.findingsIncluded).toBe(5);
    expect(facts.diagnoses).toHaveLength(2);
    expect(facts.diagnoses[0].id).toBe('d-oom0000001'); // highest impact first
  });

  it('reduces cost to headline figures', () => {
    const { cost } = sampleFacts();
    expect(cost).toMatchObject({ monthlyTotal: 420.48, idleMonthly: 120.36, wasteMonthly: 45.5, method: 'nodes' });
    expect(cost!.topWaste[0]).toEqual({ workload: 'Deployment bookstore/storefront', resource: 'cpu', requested: '2', suggested: '500m', monthlySavings: 45.5 });
  });
});
