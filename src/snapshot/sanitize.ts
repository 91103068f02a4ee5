/**
 * Sanitization applied to every object the connector or the manifest loader produces, so a
 * snapshot can be handed to a third party (or an LLM) without leaking secrets:
 *
 * - `metadata.managedFields` and the `kubectl.kubernetes.io/last-applied-configuration`
 *   annotation are dropped from every object (the annotation of a Secret created with
 *   `kubectl apply` holds its data in clear text; elsewhere both are noise).
 * - Secret `data`/`stringData` and ConfigMap `data`/`binaryData` keep their key names (rules and
 *   the graph need them to resolve `secretKeyRef`/`configMapKeyRef`) with every value set to "".
 * - Literal `env[].value`s of every container (containers, initContainers, ephemeralContainers of
 *   any pod spec: Pod, workload templates, CronJob jobTemplate, custom resources embedding a pod
 *   spec) are replaced by a marker. `env[].valueFrom` is kept: it is a reference (to a Secret key,
 *   a ConfigMap key, a field), not a value, and rules need it.
 * - Events are kept as they are: their messages are what diagnosis reads, and they never carry
 *   Secret data.
 *
 * Pure (returns a copy) and idempotent (sanitizing twice equals sanitizing once).
 */
import type { K8sObject } from '../schema/snapshot.js';

/** Marker replacing a literal env value. */
export const REDACTED_ENV_VALUE = '<redacted>';
/** Marker replacing a literal env value that looked like a credential (by its name or its value). */
export const REDACTED_CREDENTIAL_ENV_VALUE = '<redacted:credential-like>';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** True when an env value in a snapshot was a literal credential (rules flag this). */
export function isRedactedCredential(value: unknown): boolean {
  return value === REDACTED_CREDENTIAL_ENV_VALUE;
}

const CREDENTIAL_NAME = /pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential|auth/i;

/** Well-known token shapes: cloud keys, GitHub/Slack tokens, PEM blocks, JWTs, URLs with a password. */
const CREDENTIAL_VALUE_PATTERNS: readonly RegExp[] = [
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{20,}/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}/,
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/, // Slack
  /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE|KEY)-----/,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/, // JWT
  /\bsk-[A-Za-z0-9_-]{20,}/, // OpenAI-style secret keys
  /\bAIza[0-9A-Za-z_-]{35}\b/, // Google API key
  /:\/\/[^/\s:@]+:[^/\s@]+@/, // scheme://user:password@host
];

/** Shannon entropy in bits per character. */
function entropyPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A long random-looking token (base64/hex/url-safe alphabet only, letters and digits mixed,
 * high entropy). Ordinary config (URLs, paths, flags, words) has separators or low entropy.
 */
function looksLikeRandomToken(value: string): boolean {
  if (value.length < 20 || !/^[A-Za-z0-9+/=_-]+$/.test(value)) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  return entropyPerChar(value) >= 3.5;
}

export function looksLikeCredentialValue(value: string): boolean {
  return CREDENTIAL_VALUE_PATTERNS.some((re) => re.test(value)) || looksLikeRandomToken(value);
}

export function isCredentialLikeEnv(name: string, value: string): boolean {
  return CREDENTIAL_NAME.test(name) || looksLikeCredentialValue(value);
}

function redactEnvValue(name: string, value: string): string {
  if (value === '') return '';
  // Already a marker: keep it, so sanitizing twice equals sanitizing once.
  if (value === REDACTED_ENV_VALUE || value === REDACTED_CREDENTIAL_ENV_VALUE) return value;
  return isCredentialLikeEnv(name, value) ? REDACTED_CREDENTIAL_ENV_VALUE : REDACTED_ENV_VALUE;
}

function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

function redactContainerEnv(container: unknown): void {
  if (!isPlainObject(container) || !Array.isArray(container.env)) return;
  for (const env of container.env) {
    if (isPlainObject(env) && typeof env.value === 'string') {
      env.value = redactEnvValue(String(env.name ?? ''), env.value);
    }
  }
}

/**
 * Redacts env literals in every pod spec below `node`. A pod spec is recognised by its shape (an
 * object with a `containers` array) rather than by kind, so Pods, every workload template,
 * CronJob `jobTemplate` and custom resources embedding a pod template are all covered.
 */
function redactPodSpecsIn(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) redactPodSpecsIn(item);
    return;
  }
  if (!isPlainObject(node)) return;
  for (const list of CONTAINER_LISTS) {
    if (Array.isArray(node[list])) for (const c of node[list]) redactContainerEnv(c);
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === 'metadata' || key === 'status') continue; // no pod specs there; saves walking big maps
    if (typeof child === 'object' && child !== null) redactPodSpecsIn(child);
  }
}

/** Same keys, every value "" (key names are needed to resolve references; values are not). */
function keysOnly(map: unknown): Record<string, string> | undefined {
  if (!isPlainObject(map)) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(map)) out[key] = '';
  return out;
}

function sanitizeMetadata(metadata: Record<string, any>): void {
  delete metadata.managedFields;
  if (isPlainObject(metadata.annotations)) {
    delete metadata.annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  }
}

function replaceValuesWithKeys(obj: Record<string, any>, fields: readonly string[]): void {
  for (const field of fields) {
    if (obj[field] === undefined || obj[field] === null) continue;
    const keys = keysOnly(obj[field]);
    if (keys) obj[field] = keys;
    else delete obj[field]; // not a map: cannot keep keys, and the value must not survive
  }
}

/** Returns a sanitized copy of `obj` (see the module comment for what is removed). */
export function sanitizeObject(obj: K8sObject): K8sObject {
  const copy = deepCopy(obj);
  if (isPlainObject(copy.metadata)) sanitizeMetadata(copy.metadata);
  switch (copy.kind) {
    case 'Secret':
      replaceValuesWithKeys(copy, ['data', 'stringData']);
      break;
    case 'ConfigMap':
      replaceValuesWithKeys(copy, ['data', 'binaryData']);
      break;
    case 'Event':
      break; // kept as is: messages are evidence for diagnosis
    default:
      redactPodSpecsIn(copy);
  }
  return copy;
}
