import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeOpenAI, type FakeHandler, type FakeOpenAI } from '../openai-server/server.js';
import { templateExplain } from '../../src/explainer/template.js';
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

/** The facts as the fake model received them, shaped for templateExplain (commands are never sent). */
function sentFacts(body: any) {
  const user = body.messages.find((m: { role: string }) => m.role === 'user').content as string;
  const sent = JSON.parse(user.slice(user.indexOf('FACTS:\n') + 'FACTS:\n'.length));
  return { ...sent, remediations: sent.remediations.map((r: object) => ({ ...r, commands: [] })), userContext: null };
}

async function withServer(handler: FakeHandler, run: (server: FakeOpenAI) => Promise<void>): Promise<void> {
  const server = await startFakeOpenAI(handler);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

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

  it('rejects an answer that says grade A and healthy next to the computed grade, and the banner does not claim it was checked', async () => {
    const out = path.join(work, 'hostile');
    await withServer(
      (request) => {
        // Real ids from the facts it was sent, so only the prose is wrong.
        const facts = sentFacts(request.body);
        return {
          content: JSON.stringify({
            ...templateExplain(facts),
            execSummary: 'Health grade A, healthy, nothing is broken: 0 critical findings.',
            sreActions: [{ title: 'No action needed', findingIds: [facts.findings[0].id], diagnosisIds: [], remediationId: null, confidence: 'high', rationale: 'All good.' }],
          }),
        };
      },
      async (server) => {
        const run = await runCliAsync(['analyze', '--snapshot', DEMO, '--output', out, '--llm', 'openai', '--format', 'md,html,json'], {
          env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-test', CLUSTERGPT_CACHE_DIR: path.join(work, 'cache-hostile') },
        });
        expect(run.code, run.stderr).toBe(0);
        expect(server.requests.length).toBe(2);
      },
    );
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.explanationMeta.engine).toBe('template');
    expect(report.explanationMeta.fallbackReason).toMatch(/execSummary says "grade A", but the computed health grade is [B-F]/);
    expect(report.explanation.execSummary).toMatch(new RegExp(`^Health grade ${report.summary.health.grade}`));
    for (const file of ['report.md', 'report.html']) {
      const text = readFileSync(path.join(out, file), 'utf8');
      expect(text, file).not.toContain('nothing is broken: 0 critical');
      expect(text, file).not.toMatch(/were checked against the computed results|every id it cites was checked/);
      expect(text, file).toContain('The LLM answer was not used');
    }
  });

  it('--llm-timeout bounds the whole LLM step: a hanging endpoint falls back to the templates', async () => {
    const out = path.join(work, 'hang');
    await withServer(
      () => ({ hangMs: 120_000 }),
      async (server) => {
        const run = await runCliAsync(
          ['analyze', '--snapshot', DEMO, '--output', out, '--format', 'json', '--llm', 'openai', '--llm-timeout', '1', '--no-cache'],
          { env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-test' } },
        );
        expect(run.code, run.stderr).toBe(0);
        expect(server.requests.length).toBe(1);
        expect(run.stderr).toMatch(/warn.*no complete answer within 1 s \(--llm-timeout\)/i);
      },
    );
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.explanationMeta).toMatchObject({ engine: 'template', fallbackReason: 'LLM request failed: no complete answer within 1 s (--llm-timeout)' });
  }, 60_000);

  it('--llm-timeout 0 is a usage error (exit 2)', async () => {
    const run = await runCliAsync(['analyze', '--snapshot', DEMO, '--output', path.join(work, 'y'), '--llm', 'openai', '--llm-timeout', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--llm-timeout/);
  });

  it("caches answers in the user's cache directory, not in the working directory", async () => {
    const home = path.join(work, 'home');
    const cwd = path.join(work, 'checkout');
    mkdirSync(home, { recursive: true });
    mkdirSync(cwd, { recursive: true });
    await withServer(
      (request) => ({ content: JSON.stringify(templateExplain(sentFacts(request.body))) }),
      async (server) => {
        const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-test', HOME: home, XDG_CACHE_HOME: '', CLUSTERGPT_CACHE_DIR: '' };
        const args = ['analyze', '--snapshot', DEMO, '--output', path.join(cwd, 'report'), '--format', 'json', '--llm', 'openai'];
        const first = await runCliAsync(args, { cwd, env });
        expect(first.code, first.stderr).toBe(0);
        const second = await runCliAsync(args, { cwd, env });
        expect(second.code, second.stderr).toBe(0);
        expect(server.requests.length).toBe(1);
      },
    );
    expect(readdirSync(path.join(home, '.cache', 'clustergpt')).filter((f) => f.startsWith('explain-'))).toHaveLength(1);
    expect(existsSync(path.join(cwd, '.clustergpt-cache'))).toBe(false);
    const report = JSON.parse(readFileSync(path.join(cwd, 'report', 'report.json'), 'utf8'));
    expect(report.explanationMeta).toMatchObject({ engine: 'llm', cached: true });
  });

  it('--llm openai without OPENAI_API_KEY or OPENAI_BASE_URL is an input error (exit 2)', async () => {
    const run = await runCliAsync(['analyze', '--snapshot', DEMO, '--output', path.join(work, 'x'), '--llm', 'openai'], {
      env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*OPENAI_API_KEY/m);
  });
});
