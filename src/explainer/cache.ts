/**
 * A cache of validated LLM answers, so re-running a report on the same cluster state costs nothing and
 * gives the same text. Keyed by what determines the answer: the facts as sent (after anonymization), the
 * model, the endpoint and the prompt version. Entries hold the answer as the model wrote it (anonymized
 * when --anonymize was on), and are validated again when read.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stableStringify } from '../common/stable-json.js';

export interface CacheKeyParts {
  /** The facts JSON exactly as put in the prompt (anonymized when --anonymize). */
  factsJson: string;
  model: string;
  baseURL: string;
  promptVersion: string;
}

export function cacheKey(parts: CacheKeyParts): string {
  return createHash('sha256').update(stableStringify(parts, 0)).digest('hex');
}

/** `cacheDir` if given; else $XDG_CACHE_HOME/clustergpt when XDG_CACHE_HOME is set; else ./.clustergpt-cache. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'clustergpt');
  return resolve(cwd, '.clustergpt-cache');
}

function entryPath(dir: string, key: string): string {
  return join(dir, `explain-${key}.json`);
}

interface CacheEntry {
  key: string;
  model: string;
  promptVersion: string;
  answer: unknown;
}

/** The cached answer for `key`, or undefined when absent or unreadable (a broken entry is just a miss). */
export async function readCachedAnswer(dir: string, key: string): Promise<unknown | undefined> {
  try {
    const entry = JSON.parse(await readFile(entryPath(dir, key), 'utf8')) as CacheEntry;
    return entry.key === key ? entry.answer : undefined;
  } catch {
    return undefined;
  }
}

/** Writes atomically (temp file + rename) so a concurrent run never reads half an entry. */
export async function writeCachedAnswer(dir: string, key: string, model: string, promptVersion: string, answer: unknown): Promise<void> {
  await mkdir(dir, { recursive: true });
  const path = entryPath(dir, key);
  const temp = `${path}.${process.pid}.tmp`;
  const entry: CacheEntry = { key, model, promptVersion, answer };
  await writeFile(temp, stableStringify(entry) + '\n', 'utf8');
  await rename(temp, path);
}
