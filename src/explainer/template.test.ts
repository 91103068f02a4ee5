import { describe, expect, it } from 'vitest';
import { ExplanationSchema } from '../schema/explanation.js';
import { stableStringify } from '../common/stable-json.js';
import { silentLogger } from '../common/logger.js';
import { buildFacts } from './facts.js';
import { explain } from './index.js';
import { formatMoney, templateExplain } from './template.js';
import { validateExplanation } from './validate.js';
import { sampleCost, sampleDiagnoses, sampleFacts, sampleFindings, sampleRemediations } from './test-support/fixtures.js';

describe('template explainer', () => {
  it('is byte-identical across runs and across input order', () => {
    const first = stableStringify(templateExplain(sampleFacts()));
    const second = stableStringify(templateExplain(sampleFacts()));
    const shuffled = buildFacts({
      findings: sampleFindings().reverse(),
      diagnoses: sampleDiagnoses().reverse(),
      cost: sampleCost(),
      remediations: sampleRemediations().reverse(),
      graphSummary: { namespaces: ['bookstore', 'monitoring'], workloads: 6, exposurePaths: 2, singlePointsOfFailure: ['Deployment bookstore/inventory'] },
      coverageGaps: [{ kind: 'PodMetrics', status: 'not-served' }],
      health: { status: 'graded', score: 62, grade: 'D', provisional: false, checksPassed: 180, checksEvaluated: 200 },
    });
    expect(second).toBe(first);
    expect(stableStringify(templateExplain(shuffled))).toBe(first);
  });

  it('passes its own validator and the Explanation schema', () => {
    const facts = sampleFacts();
    const explanation = templateExplain(facts);
    expect(ExplanationSchema.safeParse(explanation).success).toBe(true);
    expect(validateExplanation(explanation, facts)).toMatchObject({ ok: true });
  });

  it('exec summary names the health grade, the monthly cost and the top three issues with counts', () => {
    const { execSummary } = templateExplain(sampleFacts());
    expect(execSummary).toContain('Health grade D, score 62/100 where higher is better (180 of 200 checks passed)');
    expect(execSummary).toContain('$420.48/month');
    expect(execSummary).toContain('$45.50/month');
    expect(execSummary).toContain('The three things that matter:');
    expect(execSummary).toContain(
      '1. Get what is broken running again: 2 problems on 2 resources, 2 pods: Deployment bookstore/inventory (oom-killed), Deployment bookstore/recommender (unschedulable).',
    );
    expect(execSummary).toContain('2. Container runs privileged (critical): 1 finding (DaemonSet monitoring/node-exporter).');
    expect(execSummary).toContain('3. Container has no memory limit (high): 2 findings (Deployment bookstore/recommender, Deployment bookstore/storefront).');
    expect(execSummary).toContain('PodMetrics (not-served)');
    expect(execSummary).toContain('6 open findings (1 critical, 3 high, 1 medium, 1 low) and 1 exempted');
  });

  it('says when the health grade and the cost are not known instead of inventing them', () => {
    const facts = { ...sampleFacts(), health: null, cost: null };
    const { execSummary } = templateExplain(facts);
    expect(execSummary).toContain('Health grade not computed');
    expect(execSummary).toContain('Cost: not estimated');
  });

  it('orders SRE actions: diagnoses by impact first, then critical/high findings grouped by rule', () => {
    const { sreActions } = templateExplain(sampleFacts());
    expect(sreActions.map((a) => [a.diagnosisIds, a.findingIds])).toEqual([
      [['d-oom0000001'], []],
      [['d-unsched0001'], []],
      [[], ['f-priv000001']],
      [[], ['f-mem0000001', 'f-mem0000002']],
      [[], ['f-secret00001']],
    ]);
    expect(sreActions[0].remediationId).toBe('fix-d-oom0000001');
    expect(sreActions[0].confidence).toBe('high');
    expect(sreActions[3].remediationId).toBe('fix-f-mem0000001');
    expect(sreActions[3].title).toBe('Container has no memory limit (high, 2 findings)');
    // medium/low findings and exempted findings are not actions
    expect(sreActions.flatMap((a) => a.findingIds)).not.toContain('f-latest00001');
    expect(sreActions.flatMap((a) => a.findingIds)).not.toContain('f-exempt00001');
  });

  it('gives every finding and diagnosis concrete immediate and long-term steps, with a generic fallback', () => {
    const { items } = templateExplain(sampleFacts());
    expect(items.map((i) => i.id)).toEqual([
      'd-oom0000001', 'd-unsched0001', 'f-priv000001', 'f-mem0000002', 'f-mem0000001', 'f-secret00001', 'f-latest00001', 'f-custom00001',
    ]);
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get('d-oom0000001')!.immediate).toContain('Deployment bookstore/inventory');
    expect(byId.get('d-oom0000001')!.immediate).toContain('fix-d-oom0000001');
    expect(byId.get('f-latest00001')!.immediate).toContain('ghcr.io/example/bookstore/inventory:latest');
    expect(byId.get('f-secret00001')!.immediate).toContain('secretKeyRef');
    // a user rule with no phrase: the finding's own title and message
    expect(byId.get('f-custom00001')!.immediate).toContain('Workload has no team label');
    for (const item of items) {
      expect(item.immediate.length).toBeGreaterThan(20);
      expect(item.longTerm.length).toBeGreaterThan(20);
    }
  });

  it('PR text lists each generated fix by id with its dry-run command, and the manual follow-ups', () => {
    const { prText } = templateExplain(sampleFacts());
    expect(prText).toContain('## Fix 2 issues found by ClusterGPT');
    expect(prText).toContain('- `fix-d-oom0000001`: Raise the memory limit of container inventory to 256Mi (Deployment bookstore/inventory)');
    expect(prText).toContain(sampleRemediations()[0].dryRunCommand);
    expect(prText).toContain('### Not covered by this PR');
    expect(prText).toContain('Credential in a literal env var (high) on Deployment bookstore/inventory');
  });

  it('gives no grade when there is nothing to grade, and says so', () => {
    const facts = {
      ...sampleFacts(),
      health: { status: 'nothing-to-grade' as const, score: null, grade: null, provisional: false, checksPassed: 0, checksEvaluated: 0 },
    };
    const { execSummary, prText } = templateExplain(facts);
    expect(execSummary).toMatch(/^Nothing to grade \(no workloads in the input\):/);
    expect(execSummary).not.toMatch(/grade [A-F]\b/);
    expect(prText).not.toContain('health grade before this change');
  });

  it('says when the grade is provisional', () => {
    const facts = { ...sampleFacts(), health: { status: 'graded' as const, score: 95, grade: 'A' as const, provisional: true, checksPassed: 10, checksEvaluated: 10 } };
    expect(templateExplain(facts).execSummary).toContain('Health grade A (provisional: some kinds could not be read), score 95/100');
  });

  it('handles an empty, healthy cluster', () => {
    const facts = buildFacts({
      findings: [],
      diagnoses: [],
      cost: null,
      remediations: [],
      graphSummary: { namespaces: ['default'], workloads: 1, exposurePaths: 0, singlePointsOfFailure: [] },
      coverageGaps: [],
      health: { status: 'graded', score: 100, grade: 'A', provisional: false, checksPassed: 60, checksEvaluated: 60 },
    });
    const e = templateExplain(facts);
    expect(e.execSummary).toContain('Health grade A, score 100/100 where higher is better (60 of 60 checks passed)');
    expect(e.execSummary).toContain('Nothing is broken right now');
    expect(e.sreActions).toEqual([]);
    expect(e.items).toEqual([]);
    expect(e.prText).toContain('No automatic fixes were generated');
  });

  it('explain() without --llm returns the template with engine "template" and no network', async () => {
    const facts = sampleFacts();
    const result = await explain(facts, {}, silentLogger);
    expect(result.meta).toEqual({ engine: 'template' });
    expect(result.explanation).toEqual(templateExplain(facts));
  });

  it('formats money with thousands separators and cents', () => {
    expect(formatMoney(1234567.891)).toBe('$1,234,567.89');
    expect(formatMoney(0)).toBe('$0.00');
  });
});
