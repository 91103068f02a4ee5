/**
 * The explainer on the real pipeline output for snapshots/demo.json: the template explanation is
 * valid and deterministic, and with --anonymize no name from the snapshot reaches the LLM server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/common/logger.js';
import { stableStringify } from '../../src/common/stable-json.js';
import type { Snapshot } from '../../src/schema/snapshot.js';
import { buildGraph } from '../../src/graph/index.js';
import { evaluateRules, loadRuleSet } from '../../src/rule-engine/index.js';
import { analyzeCost } from '../../src/cost/index.js';
import { diagnose } from '../../src/diagnosis/index.js';
import { generateRemediations } from '../../src/patches/index.js';
import { assembleReport } from '../../src/report/index.js';
import { buildAnonymizer, buildFacts, explain, healthFactOf, templateExplain, validateExplanation, type ExplainerFacts } from '../../src/explainer/index.js';
import { SYSTEM_PROMPT } from '../../src/explainer/llm.js';
import { startFakeOpenAI, type FakeOpenAI } from './server.js';

let snapshot: Snapshot;
let facts: ExplainerFacts;
let server: FakeOpenAI;
let cacheDir: string;

beforeAll(async () => {
  snapshot = JSON.parse(readFileSync(new URL('../../snapshots/demo.json', import.meta.url), 'utf8'));
  const graph = buildGraph(snapshot);
  const findings = evaluateRules(await loadRuleSet({}), snapshot, graph, {});
  const diagnoses = diagnose(snapshot, graph);
  const cost = analyzeCost(snapshot, graph, {});
  const remediations = generateRemediations(findings, diagnoses);
  const report = assembleReport(
    { snapshot, graph, findings, diagnoses, cost, remediations, explanation: null, explanationMeta: null, inputProblems: [] },
    '0.0.0-test',
  );
  facts = buildFacts({
    findings: report.findings,
    diagnoses: report.diagnoses,
    cost: report.cost,
    remediations: report.remediations,
    graphSummary: {
      namespaces: report.architecture.namespaces,
      workloads: report.architecture.workloads,
      exposurePaths: report.architecture.exposurePaths.length,
      singlePointsOfFailure: report.architecture.singlePointsOfFailure.map((r) => `${r.kind} ${r.namespace ?? ''}/${r.name}`),
    },
    coverageGaps: report.coverageGaps,
    health: healthFactOf(report.summary.health),
  });
  cacheDir = mkdtempSync(join(tmpdir(), 'clustergpt-explainer-e2e-'));
});

afterAll(async () => {
  await server?.close();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

describe('explainer on the demo snapshot', () => {
  it('template explanation is valid, useful and byte-identical across runs', async () => {
    const first = await explain(facts, {}, silentLogger);
    const second = await explain(facts, {}, silentLogger);
    expect(stableStringify(second)).toBe(stableStringify(first));
    expect(validateExplanation(first.explanation, facts)).toMatchObject({ ok: true });
    expect(first.explanation.execSummary).toMatch(/^Health grade [A-F], score \d+\/100 where higher is better/);
    expect(first.explanation.items.length).toBe(facts.findings.length + facts.diagnoses.length);
  });

  it('with --anonymize, nothing from the snapshot reaches the server and the answer comes back with real names', async () => {
    const anonymizer = buildAnonymizer(snapshot);
    // The fake model answers with the template explanation written over the anonymized facts it received.
    server = await startFakeOpenAI((request) => {
      const user = request.body.messages.find((m: { role: string }) => m.role === 'user').content as string;
      const sent = JSON.parse(user.slice(user.indexOf('FACTS:\n') + 'FACTS:\n'.length));
      const asSeen = { ...sent, remediations: sent.remediations.map((r: object) => ({ ...r, commands: [] })), userContext: null };
      return { content: JSON.stringify(templateExplain(asSeen)) };
    });
    const { explanation, meta } = await explain(
      facts,
      { llm: 'openai', apiKey: 'sk-test', baseURL: server.baseURL, anonymizer, cacheDir, maxRetries: 0, env: {} },
      silentLogger,
    );
    expect(meta).toMatchObject({ engine: 'llm', anonymized: true });
    // The system prompt is fixed text (the same for every cluster); everything after "FACTS:" is cluster data.
    const [system, user] = server.requests[0].body.messages;
    expect(system.content).toBe(SYSTEM_PROMPT);
    const data = JSON.stringify(server.requests[0].body.response_format) + user.content.slice(user.content.indexOf('FACTS:'));
    const leaked = anonymizer.realValues().filter((name) => new RegExp(`(?<![A-Za-z0-9])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`).test(data));
    expect(leaked).toEqual([]);
    // restored: the LLM path gives the same text as the template run on the real facts (minus the command block)
    expect(explanation.execSummary).toBe(templateExplain(facts).execSummary);
  });
});
