/**
 * The explainer stage: turns the structured facts into an executive summary, ordered SRE actions, a PR
 * description and per-item immediate/long-term steps. The template explainer is the default and the
 * fallback; `llm: 'openai'` asks an OpenAI-compatible model, whose answer is used only if it passes
 * validation (ids exist, the figures it states are the computed ones, it denies no finding or diagnosis, and it
 * holds no command we did not generate).
 */
import { InputError, errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { stableStringify } from '../common/stable-json.js';
import type { Explanation, ExplanationMeta } from '../schema/explanation.js';
import type { Anonymizer } from './anonymize.js';
import { cacheKey, defaultCacheDir, readCachedAnswer, writeCachedAnswer } from './cache.js';
import type { ExplainerFacts } from './facts.js';
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_MODEL,
  DEFAULT_TIMEOUT_MS,
  LlmBudget,
  PROMPT_VERSION,
  buildMessages,
  createClient,
  promptFacts,
  requestExplanation,
  retryMessages,
} from './llm.js';
import { templateExplain } from './template.js';
import { parseAnswer, validateExplanation, type ValidationResult } from './validate.js';

export { buildFacts, healthFactOf, ExplainerFactsSchema, MAX_FINDINGS_IN_FACTS, type ExplainerFacts, type BuildFactsInput } from './facts.js';
export { buildAnonymizer, createAnonymizer, type Anonymizer } from './anonymize.js';
export { templateExplain } from './template.js';
export { findFalseClaims, findForeignCommands, validateExplanation } from './validate.js';
export { PROMPT_VERSION, DEFAULT_MODEL, DEFAULT_TIMEOUT_MS, MAX_ANSWER_BYTES } from './llm.js';
export { defaultCacheDir } from './cache.js';

export interface ExplainerOptions {
  /** Ask an LLM; undefined = template explainer only (no network). */
  llm?: 'openai';
  model?: string;
  /** Defaults to $OPENAI_API_KEY. */
  apiKey?: string;
  /** Defaults to $OPENAI_BASE_URL; set it for Ollama, vLLM, LM Studio or Azure OpenAI (…/openai/v1/). */
  baseURL?: string;
  /**
   * --llm-timeout: the whole LLM step, every request, SDK retry (timeouts, 5xx, 429: `maxRetries` times) and the
   * validation retry included. Default 60 s; then the template explainer is used.
   */
  timeoutMs?: number;
  maxRetries?: number;
  /** --anonymize: names are replaced by tokens before the call and restored in the answer. */
  anonymizer?: Anonymizer;
  /** false = --no-cache. Default true. */
  cache?: boolean;
  /** Default: $CLUSTERGPT_CACHE_DIR, else $XDG_CACHE_HOME/clustergpt, else ~/.cache/clustergpt (never the working directory). */
  cacheDir?: string;
  /** --context: the user's own notes, added to the prompt as delimited background. */
  userContext?: string;
  /** Environment to read OPENAI_* from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

export interface ExplainResult {
  explanation: Explanation;
  meta: ExplanationMeta;
}

/** Items the LLM left out are taken from the template, in the template's (facts) order. */
function fillMissingItems(answer: Explanation, template: Explanation): Explanation {
  const fromLlm = new Map(answer.items.map((item) => [item.id, item]));
  return { ...answer, items: template.items.map((item) => fromLlm.get(item.id) ?? item) };
}

function resolveEndpoint(options: ExplainerOptions): { apiKey: string; baseURL?: string } {
  const env = options.env ?? process.env;
  const apiKey = options.apiKey ?? env.OPENAI_API_KEY;
  const baseURL = options.baseURL ?? env.OPENAI_BASE_URL;
  if (!apiKey && !baseURL) {
    throw new InputError(
      'OPENAI_API_KEY is not set (needed by --llm openai)',
      'export OPENAI_API_KEY=…, or set OPENAI_BASE_URL to a local OpenAI-compatible server (Ollama, vLLM, LM Studio), or drop --llm to use the built-in template explainer',
    );
  }
  // Local servers (Ollama, vLLM, LM Studio) ignore the key, but the SDK requires one.
  return { apiKey: apiKey || 'not-needed', baseURL: baseURL || undefined };
}

/**
 * Explains the facts. Never fails because of the LLM: a network error, a timeout or an answer that does
 * not validate (twice) gives the template explanation with `meta.fallbackReason` and one warning line.
 * Throws InputError only when `llm: 'openai'` is asked for with no API key and no base URL.
 */
export async function explain(facts: ExplainerFacts, options: ExplainerOptions, log: Logger): Promise<ExplainResult> {
  const template = templateExplain(facts);
  if (!options.llm) return { explanation: template, meta: { engine: 'template' } };

  const { apiKey, baseURL } = resolveEndpoint(options);
  const model = options.model ?? DEFAULT_MODEL;
  const anonymizer = options.anonymizer;
  const anonymized = anonymizer !== undefined;
  const restore = (value: unknown) => (anonymizer ? anonymizer.restoreDeep(value) : value);
  const fallback = (why: string): ExplainResult => {
    const reason = why.replace(/\s+/g, ' ').trim(); // one warning line, whatever the server said
    log.warn(`LLM explanation not used (${reason}); using the template explainer`);
    return { explanation: template, meta: { engine: 'template', model, fallbackReason: reason, anonymized } };
  };

  const userContext = options.userContext?.trim() || facts.userContext;
  const sent = promptFacts(facts, userContext ?? null);
  const sentFacts = anonymizer ? anonymizer.anonymizeDeep(sent) : sent;
  const useCache = options.cache !== false;
  const cacheDir = options.cacheDir ?? defaultCacheDir(options.env ?? process.env);
  const key = cacheKey({ factsJson: stableStringify(sentFacts, 0), model, baseURL: baseURL ?? '', promptVersion: PROMPT_VERSION });

  if (useCache) {
    const cached = await readCachedAnswer(cacheDir, key);
    if (cached !== undefined) {
      const checked = validateExplanation(restore(cached), facts);
      if (checked.ok) {
        log.debug(`explainer: cache hit ${key.slice(0, 12)}`);
        return { explanation: fillMissingItems(checked.explanation, template), meta: { engine: 'llm', model, cached: true, anonymized } };
      }
      log.debug(`explainer: ignoring invalid cache entry ${key.slice(0, 12)}: ${checked.problems[0]}`);
    }
  }

  const budget = new LlmBudget(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const client = createClient({ apiKey, baseURL, maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES, budget });
    let messages = buildMessages(sentFacts);
    let lastProblems: string[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      let content: string | null;
      try {
        log.progress(attempt === 1 ? `asking ${model} for the explanation…` : `asking ${model} again (answer was rejected)…`);
        content = await requestExplanation(client, model, messages, budget);
      } catch (err) {
        return fallback(`LLM request failed: ${budget.stoppedReason() ?? errorMessage(err)}`);
      }
      const parsed = parseAnswer(content);
      const result: ValidationResult = parsed.ok ? validateExplanation(restore(parsed.json), facts) : parsed;
      if (result.ok) {
        if (useCache && parsed.ok) {
          try {
            // Stored as the model wrote it (anonymized), restored and re-validated when read.
            await writeCachedAnswer(cacheDir, key, model, PROMPT_VERSION, parsed.json);
          } catch (err) {
            log.debug(`explainer: could not write the cache (${errorMessage(err)})`);
          }
        }
        return { explanation: fillMissingItems(result.explanation, template), meta: { engine: 'llm', model, cached: false, anonymized } };
      }
      lastProblems = result.problems;
      log.debug(`explainer: answer ${attempt} rejected: ${result.problems.join(' | ')}`);
      // The problems quote restored text: anonymize them again so the retry cannot leak a real name.
      const told = anonymizer ? result.problems.map((p) => anonymizer.anonymize(p)) : result.problems;
      messages = retryMessages(messages, content ?? '', told);
    }
    const more = lastProblems.length > 1 ? ` (+${lastProblems.length - 1} more)` : '';
    return fallback(`LLM answer failed validation twice: ${lastProblems[0]}${more}`);
  } finally {
    budget.dispose();
  }
}
