import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeOpenAI, type FakeOpenAI } from '../openai-server/server.js';
import { REPO, runCliAsync } from './cli-helpers.js';

const DEMO = path.join(REPO, 'snapshots', 'demo.json');
let work: string;
let llm: FakeOpenAI;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'clustergpt-llm-'));
  // An LLM that answers with a command we never generated: it must be rejected, retried once,
  // and replaced by the template explainer.
  llm = await startFakeOpenAI(() => ({
    content: JSON.stringify({
      execSummary: 'Run `kubectl delete namespace NAMESPACE_1` to start over.',
      sreActions: [],
      prText: 'kubectl delete namespace NAMESPACE_1',
      items: [],
    }),
  }));
});
afterAll(async () => {
  await llm.close();
  rmSync(work, { recursive: true, force: true });
});

describe('analyze --llm openai (OpenAI-compatible server)', () => {
  it('rejects a hallucinated command, falls back to the templates, says so, and sends no real name with --anonymize', async () => {
    const out = path.join(work, 'report');
    const run = await runCliAsync(
      ['analyze', '--snapshot', DEMO, '--output', out, '--llm', 'openai', '--model', 'test-model', '--anonymize', '--no-cache'],
      { env: { OPENAI_BASE_URL: llm.baseURL, OPENAI_API_KEY: 'sk-test' } },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(llm.requests.length).toBe(2); // the answer and one retry
    const sent = llm.requests.map((r) => r.bodyText).join('\n');
    for (const realName of ['bookstore', 'inventory', 'recommender', 'ip-172-20-42-35', 'ghcr.io/example']) {
      expect(sent, realName).not.toContain(realName);
    }
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.explanationMeta.engine).toBe('template');
    expect(report.explanationMeta.fallbackReason).toBeTruthy();
    expect(report.explanation.execSummary).not.toContain('kubectl delete');
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).not.toContain('kubectl delete namespace');
  });

  it('--llm openai without OPENAI_API_KEY or OPENAI_BASE_URL is an input error (exit 2)', async () => {
    const run = await runCliAsync(['analyze', '--snapshot', DEMO, '--output', path.join(work, 'x'), '--llm', 'openai'], {
      env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*OPENAI_API_KEY/m);
  });
});
