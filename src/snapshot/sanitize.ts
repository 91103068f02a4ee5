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
 * - Literal env values that are not strings (`value: 5432`, `value: true`) are redacted the same way.
 * - Messages keep their words (diagnosis reads them) but lose anything credential-like: Event
 *   `message`/`note`, container `state`/`lastState` `terminated`/`waiting` messages (with
 *   `terminationMessagePolicy: FallbackToLogsOnError` a terminated message is the tail of the
 *   container's log), `status.message` and condition messages of every object. Connection strings
 *   with a password, `KEY=value` / `KEY: value` with a secret-looking key, bearer tokens, PEM blocks,
 *   cloud and API keys and long random tokens are replaced by the marker, which says it was redacted.
 *
 * Applied on every read path (connector, manifests, snapshot files written by anyone), so a
 * snapshot is never trusted to be sanitized already. Pure (returns a copy) and idempotent
 * (sanitizing twice equals sanitizing once).
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
    if (!isPlainObject(env) || env.value === undefined || env.value === null) continue;
    // A number or boolean (`value: 5432`) is still a literal value the snapshot must not carry.
    env.value = redactEnvValue(String(env.name ?? ''), typeof env.value === 'string' ? env.value : JSON.stringify(env.value));
  }
}

/** Marker replacing a credential-like part of a message; its presence says the message was redacted. */
export const REDACTED_IN_TEXT = REDACTED_CREDENTIAL_ENV_VALUE;

/** Rewrites of credential-like parts of free text, most specific first. Each keeps the words around it. */
const TEXT_REDACTIONS: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, REDACTED_IN_TEXT],
  // scheme://user:password@host → the password goes
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s@/]+@/gi, `$1${REDACTED_IN_TEXT}@`],
  [/\b(bearer|basic|token)(\s+|=|:\s*)[A-Za-z0-9._~+/=-]{8,}/gi, `$1$2${REDACTED_IN_TEXT}`],
  // KEY=value (env style, no spaces) and "key": "value" (JSON) where the key looks like a secret's name
  [
    /(\b[A-Za-z0-9_.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|private[_-]?key|credentials?|auth)[A-Za-z0-9_.-]*=)(["']?)[^\s"',;&]+\2/gi,
    `$1$2${REDACTED_IN_TEXT}$2`,
  ],
  [
    /(["'][A-Za-z0-9_.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]*["']\s*:\s*)(["'])[^"']*\2/gi,
    `$1$2${REDACTED_IN_TEXT}$2`,
  ],
  // key: value (YAML or log style), only for keys that end in an unambiguous secret word ("unauthorized: ..." stays)
  [/(\b[A-Za-z0-9_.-]*(?:password|passwd|secret|api[_-]?key|private[_-]?key|access[_-]?key)\s*:\s+)[^\s"',;&]+/gi, `$1${REDACTED_IN_TEXT}`],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED_IN_TEXT],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bxox[abposr]-[A-Za-z0-9-]{8,}/g, REDACTED_IN_TEXT],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED_IN_TEXT],
  [/\bsk-[A-Za-z0-9_-]{20,}|\bAIza[0-9A-Za-z_-]{35}\b/g, REDACTED_IN_TEXT],
];

/** `text` with every credential-like part replaced by the marker (idempotent). */
export function redactCredentialsInText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_REDACTIONS) out = out.replace(pattern, replacement);
  // Long base64-like words last (mixed case and digits, no dashes): pod names, image digests (lowercase hex) and
  // container ids stay, as diagnosis quotes them.
  return out.replace(/[A-Za-z0-9+/=_]{32,}/g, (word) =>
    /[a-z]/.test(word) && /[A-Z]/.test(word) && /[0-9]/.test(word) && looksLikeRandomToken(word) ? REDACTED_IN_TEXT : word,
  );
}

function redactMessageField(holder: unknown, field: string): void {
  if (isPlainObject(holder) && typeof holder[field] === 'string') holder[field] = redactCredentialsInText(holder[field]);
}

const CONTAINER_STATUS_LISTS = ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses'] as const;

/** Free-text fields of `status` that can carry a log tail or a controller's message. */
function redactStatusMessages(status: unknown): void {
  if (!isPlainObject(status)) return;
  redactMessageField(status, 'message');
  if (Array.isArray(status.conditions)) for (const condition of status.conditions) redactMessageField(condition, 'message');
  for (const list of CONTAINER_STATUS_LISTS) {
    if (!Array.isArray(status[list])) continue;
    for (const containerStatus of status[list]) {
      if (!isPlainObject(containerStatus)) continue;
      for (const stateField of ['state', 'lastState']) {
        const state = containerStatus[stateField];
        if (!isPlainObject(state)) continue;
        for (const phase of ['terminated', 'waiting', 'running']) redactMessageField(state[phase], 'message');
      }
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
  // `delete` only where there is something to delete: it turns an object into a slow dictionary in V8, and every
  // snapshot read sanitizes all objects again (most of them already clean).
  if (Object.hasOwn(metadata, 'managedFields')) delete metadata.managedFields;
  if (isPlainObject(metadata.annotations) && Object.hasOwn(metadata.annotations, LAST_APPLIED_ANNOTATION)) {
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
  return sanitizeObjectInPlace(deepCopy(obj));
}

/** Sanitizes an object nobody else holds (just parsed from a file), without copying it first; returns it. */
export function sanitizeObjectInPlace(copy: K8sObject): K8sObject {
  if (isPlainObject(copy.metadata)) sanitizeMetadata(copy.metadata);
  // Pod templates carry metadata of their own (a last-applied annotation can be copied into one by hand or by tools).
  for (const template of [copy.spec?.template, copy.spec?.jobTemplate, copy.spec?.jobTemplate?.spec?.template]) {
    if (isPlainObject(template) && isPlainObject(template.metadata)) sanitizeMetadata(template.metadata);
  }
  if (copy.kind !== 'Event') redactStatusMessages(copy.status);
  switch (copy.kind) {
    case 'Secret':
      replaceValuesWithKeys(copy, ['data', 'stringData']);
      break;
    case 'ConfigMap':
      replaceValuesWithKeys(copy, ['data', 'binaryData']);
      break;
    case 'Event':
      // The words are evidence for diagnosis; only credential-like parts go.
      redactMessageField(copy, 'message');
      redactMessageField(copy, 'note');
      break;
    default:
      redactPodSpecsIn(copy);
  }
  return copy;
}
