/**
 * The LLM explainer against a local OpenAI-compatible server: valid, invalid and hallucinating answers,
 * anonymization (asserted on the bytes the server received), the cache, and network failures.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import type { Logger } from '../../src/common/logger.js';
import { InputError } from '../../src/common/errors.js';
import { explain, buildAnonymizer, type ExplainerOptions } from '../../src/explainer/index.js';
import { templateExplain } from '../../src/explainer/template.js';
import { bookstoreSnapshot, sampleFacts, sampleRemediations, validAnswer } from '../../src/explainer/test-support/fixtures.js';
import { startFakeOpenAI, type FakeHandler, type FakeOpenAI } from './server.js';

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { color: new Chalk({ level: 0 }), progress: () => {}, info: () => {}, debug: () => {}, warn: (m) => warnings.push(m), warnings };
}

let server: FakeOpenAI | undefined;
let cacheDir: string;
beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'clustergpt-explainer-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(cacheDir, { recursive: true, force: true });
});

async function serve(handler: FakeHandler): Promise<FakeOpenAI> {
  server = await startFakeOpenAI(handler);
  return server;
}

function llmOptions(fake: FakeOpenAI, extra: Partial<ExplainerOptions> = {}): ExplainerOptions {
  return { llm: 'openai', model: 'test-model', apiKey: 'sk-test', baseURL: fake.baseURL, cacheDir, maxRetries: 0, timeoutMs: 5_000, env: {}, ...extra };
}

const json = (value: unknown) => ({ content: JSON.stringify(value) });

describe('LLM explainer (OpenAI-compatible)', () => {
  it('uses a valid answer, fills the items it left out from the template, and asks with a strict JSON schema', async () => {
    const fake = await serve(() => json(validAnswer()));
    const facts = sampleFacts();
    const { explanation, meta } = await explain(facts, llmOptions(fake), recordingLogger());

    expect(meta).toEqual({ engine: 'llm', model: 'test-model', cached: false, anonymized: false });
    expect(explanation.execSummary).toBe(validAnswer().execSummary);
    const template = templateExplain(facts);
    expect(explanation.items.map((i) => i.id)).toEqual(template.items.map((i) => i.id));
    expect(explanation.items[0]).toEqual({ id: 'd-oom0000001', immediate: 'Apply fix-d-oom0000001.', longTerm: 'Measure peak memory.' });
    expect(explanation.items[2]).toEqual(template.items[2]);

    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0];
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.body.model).toBe('test-model');
    expect(request.body.response_format.type).toBe('json_schema');
    expect(request.body.response_format.json_schema.strict).toBe(true);
    expect(request.body.response_format.json_schema.schema.required).toEqual(['execSummary', 'sreActions', 'prText', 'items']);
    // our commands are never put in the prompt: the model cites remediation ids instead
    expect(request.bodyText).toContain('fix-d-oom0000001');
    expect(request.bodyText).not.toContain(sampleRemediations()[0].command);
    expect(request.bodyText).toContain('All 6 open findings and 2 diagnoses are included');
  });

  it('retries once after a non-JSON answer, then falls back to the template and says why', async () => {
    const fake = await serve(() => ({ content: 'Sure! Your cluster looks mostly fine.' }));
    const log = recordingLogger();
    const facts = sampleFacts();
    const { explanation, meta } = await explain(facts, llmOptions(fake), log);

    expect(fake.requests).toHaveLength(2);
    const retry = fake.requests[1].body.messages;
    expect(retry.at(-2)).toMatchObject({ role: 'assistant', content: 'Sure! Your cluster looks mostly fine.' });
    expect(retry.at(-1).content).toContain('not valid JSON');
    expect(meta.engine).toBe('template');
    expect(meta.model).toBe('test-model');
    expect(meta.fallbackReason).toMatch(/^LLM answer failed validation twice: The answer is not valid JSON/);
    expect(explanation).toEqual(templateExplain(facts));
    expect(log.warnings).toHaveLength(1);
  });

  it('accepts a corrected answer on the retry after a wrong shape', async () => {
    const fake = await serve((_req, index) => (index === 0 ? json({ summary: 'wrong keys' }) : json(validAnswer())));
    const { meta } = await explain(sampleFacts(), llmOptions(fake), recordingLogger());
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1].body.messages.at(-1).content).toContain('does not match the JSON schema');
    expect(meta).toMatchObject({ engine: 'llm', cached: false });
  });

  it('rejects an answer citing an unknown finding id (twice → template)', async () => {
    const hallucinated = validAnswer() as any;
    hallucinated.sreActions[1].findingIds = ['f-doesnotexist'];
    const fake = await serve(() => json(hallucinated));
    const { meta } = await explain(sampleFacts(), llmOptions(fake), recordingLogger());
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1].body.messages.at(-1).content).toContain('"f-doesnotexist"');
    expect(meta.engine).toBe('template');
    expect(meta.fallbackReason).toContain('"f-doesnotexist", which is not in the facts');
  });

  it('rejects an answer with an invented kubectl command (twice → template)', async () => {
    const invented = validAnswer() as any;
    invented.sreActions[0].rationale = 'Run `kubectl delete pod inventory-5d8f9b7c6-zt4lx -n bookstore` to restart it.';
    const fake = await serve(() => json(invented));
    const { meta } = await explain(sampleFacts(), llmOptions(fake), recordingLogger());
    expect(fake.requests).toHaveLength(2);
    expect(meta.engine).toBe('template');
    expect(meta.fallbackReason).toContain('sreActions[0].rationale contains a command or code we did not generate');
  });

  it('with an anonymizer, no real name reaches the server (also not in the retry) and the answer is restored', async () => {
    const anonymizer = buildAnonymizer(bookstoreSnapshot());
    const badFirst = anonymizer.anonymizeDeep(validAnswer()) as any;
    badFirst.items[0].immediate = 'Run `kubectl delete pod inventory-5d8f9b7c6-zt4lx -n bookstore`.'.replace(/inventory-5d8f9b7c6-zt4lx|bookstore/g, (m) => anonymizer.anonymize(m));
    const fake = await serve((_req, index) => json(index === 0 ? badFirst : anonymizer.anonymizeDeep(validAnswer())));
    const options = llmOptions(fake, { anonymizer, userContext: 'inventory in bookstore serves books.example.com checkout' });
    const { explanation, meta } = await explain(sampleFacts(), options, recordingLogger());

    expect(meta).toEqual({ engine: 'llm', model: 'test-model', cached: false, anonymized: true });
    expect(explanation.execSummary).toBe(validAnswer().execSummary); // tokens restored to real names
    expect(fake.requests).toHaveLength(2);
    const sent = fake.requests.map((r) => r.bodyText).join('\n');
    for (const name of anonymizer.realValues()) {
      expect(new RegExp(`(?<![A-Za-z0-9])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`).test(sent), name).toBe(false);
    }
    for (const name of ['inventory', 'bookstore', 'books.example.com', 'ghcr.io/example/bookstore', 'node-exporter']) {
      expect(sent.includes(name), name).toBe(false);
    }
    expect(sent).toContain('USER NOTES');
    expect(sent).toMatch(/NAME_\d+ in NAMESPACE_\d+ serves HOST_\d+ checkout/);
  });

  it('caches a validated answer: the second run makes no call and says cached; --no-cache calls again', async () => {
    const fake = await serve(() => json(validAnswer()));
    const facts = sampleFacts();
    const first = await explain(facts, llmOptions(fake), recordingLogger());
    const second = await explain(facts, llmOptions(fake), recordingLogger());
    expect(fake.requests).toHaveLength(1);
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(second.meta).toEqual({ engine: 'llm', model: 'test-model', cached: true, anonymized: false });
    expect(second.explanation).toEqual(first.explanation);

    await explain(facts, llmOptions(fake, { cache: false }), recordingLogger());
    expect(fake.requests).toHaveLength(2);
    // a different model is a different cache entry
    await explain(facts, llmOptions(fake, { model: 'other-model' }), recordingLogger());
    expect(fake.requests).toHaveLength(3);
  });

  it('does not cache a rejected answer', async () => {
    const fake = await serve(() => ({ content: 'not json' }));
    await explain(sampleFacts(), llmOptions(fake), recordingLogger());
    expect(readdirSync(cacheDir)).toHaveLength(0);
  });

  it('falls back to the template on HTTP 500 after the SDK retries, with one warning', async () => {
    const fake = await serve(() => ({ status: 500 }));
    const log = recordingLogger();
    const facts = sampleFacts();
    const { explanation, meta } = await explain(facts, llmOptions(fake, { maxRetries: 1 }), log);
    expect(fake.requests).toHaveLength(2); // first try + one SDK retry
    expect(meta.engine).toBe('template');
    expect(meta.fallbackReason).toMatch(/^LLM request failed: 500/);
    expect(explanation).toEqual(templateExplain(facts));
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).not.toContain('\n');
  });

  it('falls back to the template when the server does not answer within the timeout', async () => {
    const fake = await serve(() => ({ hangMs: 10_000 }));
    const { meta } = await explain(sampleFacts(), llmOptions(fake, { timeoutMs: 300 }), recordingLogger());
    expect(meta.engine).toBe('template');
    expect(meta.fallbackReason).toMatch(/^LLM request failed: .*timed out/i);
  });

  it('treats a refusal as an empty answer (retry, then template)', async () => {
    const fake = await serve(() => ({ content: null, refusal: 'I cannot help with that.' }));
    const { meta } = await explain(sampleFacts(), llmOptions(fake), recordingLogger());
    expect(fake.requests).toHaveLength(2);
    expect(meta.fallbackReason).toContain('empty');
  });

  it('--llm openai with no API key and no base URL is an input error (exit 2) with a hint', async () => {
    const promise = explain(sampleFacts(), { llm: 'openai', env: {} }, recordingLogger());
    await expect(promise).rejects.toBeInstanceOf(InputError);
    await expect(promise).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('OPENAI_API_KEY is not set') });
  });

  it('reads OPENAI_BASE_URL from the environment and needs no key for a local server', async () => {
    const fake = await serve(() => json(validAnswer()));
    const { meta } = await explain(sampleFacts(), { llm: 'openai', model: 'llama3.1', cacheDir, maxRetries: 0, env: { OPENAI_BASE_URL: fake.baseURL } }, recordingLogger());
    expect(meta.engine).toBe('llm');
    expect(fake.requests[0].body.model).toBe('llama3.1');
  });
});
