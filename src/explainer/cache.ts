/**
 * A cache of validated LLM answers, so re-running a report on the same cluster state costs nothing and
 * gives the same text. Keyed by what determines the answer: the facts as sent (after anonymization), the
 * model, the endpoint and the prompt version. Entries hold the answer as the model wrote it (anonymized
 * when --anonymize was on), and are validated again when read, exactly like a fresh answer.
 *
 * The cache lives in the user's cache directory, never in the working directory (which in CI is the pull
 * request being checked). Each entry carries an HMAC-SHA256 of its content under a random key kept in the cache
 * directory (mode 0600): an entry planted or edited by anyone who cannot read that key fails the check, is
 * ignored, and is replaced by the next fresh answer.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { stableStringify } from '../common/stable-json.js';
import { MAX_ANSWER_BYTES } from './llm.js';

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

/** $CLUSTERGPT_CACHE_DIR; else $XDG_CACHE_HOME/clustergpt; else ~/.cache/clustergpt. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLUSTERGPT_CACHE_DIR) return env.CLUSTERGPT_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'clustergpt');
  return join(env.HOME || homedir(), '.cache', 'clustergpt');
}

const SECRET_FILE = 'entries.key';
const SECRET_BYTES = 32;
/** An entry is the answer plus a little metadata: anything much larger than an answer may be is not ours. */
const MAX_ENTRY_BYTES = 2 * MAX_ANSWER_BYTES;

function entryPath(dir: string, key: string): string {
  return join(dir, `explain-${key}.json`);
}

interface CacheEntry {
  key: string;
  model: string;
  promptVersion: string;
  answer: unknown;
  /** HMAC-SHA256 (hex) of the other fields, under the cache directory's secret. */
  mac: string;
}

function macOf(secret: Buffer, entry: Omit<CacheEntry, 'mac'>): string {
  return createHmac('sha256', secret).update(stableStringify(entry, 0)).digest('hex');
}

async function readSecret(dir: string): Promise<Buffer | undefined> {
  try {
    const secret = await readFile(join(dir, SECRET_FILE));
    return secret.length === SECRET_BYTES ? secret : undefined;
  } catch {
    return undefined;
  }
}

/** The directory's secret, created (0600, in a 0700 directory) when missing or broken; a new one voids old entries. */
async function ensureSecret(dir: string): Promise<Buffer> {
  const existing = await readSecret(dir);
  if (existing) return existing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(SECRET_BYTES);
  const temp = join(dir, `${SECRET_FILE}.${process.pid}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(secret);
  } finally {
    await handle.close();
  }
  await rename(temp, join(dir, SECRET_FILE));
  return secret;
}

/**
 * The cached answer for `key`, or undefined when absent, unreadable, too large, or not signed with this cache
 * directory's secret (a broken, planted or edited entry is just a miss).
 */
export async function readCachedAnswer(dir: string, key: string): Promise<unknown | undefined> {
  try {
    const path = entryPath(dir, key);
    if ((await stat(path)).size > MAX_ENTRY_BYTES) return undefined;
    const secret = await readSecret(dir);
    if (!secret) return undefined;
    const { mac, ...entry } = JSON.parse(await readFile(path, 'utf8')) as CacheEntry;
    if (entry.key !== key || typeof mac !== 'string') return undefined;
    const expected = Buffer.from(macOf(secret, entry), 'hex');
    const given = Buffer.from(mac, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected) ? entry.answer : undefined;
  } catch {
    return undefined;
  }
}

/** Writes atomically (temp file + rename) so a concurrent run never reads half an entry. */
export async function writeCachedAnswer(dir: string, key: string, model: string, promptVersion: string, answer: unknown): Promise<void> {
  const secret = await ensureSecret(dir);
  const path = entryPath(dir, key);
  const temp = `${path}.${process.pid}.tmp`;
  const unsigned = { key, model, promptVersion, answer };
  const entry: CacheEntry = { ...unsigned, mac: macOf(secret, unsigned) };
  await writeFile(temp, stableStringify(entry) + '\n', { encoding: 'utf8', mode: 0o600 });
  await rename(temp, path);
}
