/**
 * --anonymize: before anything is sent to an LLM, every name that identifies the cluster (namespaces,
 * object names, nodes, images, hosts and IPs, label values) is replaced by a stable token such as
 * `NAME_3`, and the answer is mapped back. The dictionary is derived from the whole snapshot, not just
 * the facts, so names inside free text (event messages, finding messages) are caught too — including
 * referenced names that do not exist as objects (a missing Secret is still a real name). Host names, IP
 * addresses and e-mail addresses that appear only inside free text (an event message naming a database host,
 * a termination message with an address, the user's notes) are found by their shape and replaced too, with
 * tokens numbered after the snapshot's in the order they are first met.
 *
 * Tokens are upper case with an underscore, which no Kubernetes object name can be (RFC 1123 labels
 * are lower case), so a token never collides with a real name.
 */
import type { Snapshot, K8sObject } from '../schema/snapshot.js';

export type TokenCategory = 'NAMESPACE' | 'NODE' | 'HOST' | 'IMAGE' | 'NAME' | 'LABEL' | 'EMAIL';
/** When one value is found in several roles, the first category in this order names its token. */
const CATEGORY_ORDER: readonly TokenCategory[] = ['NAMESPACE', 'NODE', 'HOST', 'IMAGE', 'NAME', 'LABEL', 'EMAIL'];

const EMAIL_ADDRESS = /(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g;
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const HEX = '[0-9A-Fa-f]{1,4}';
/** IPv4, full IPv6, and compressed IPv6 (with `::` and at least one group; `std::string` is not one). */
const IP_ADDRESS = new RegExp(
  [
    `(?<![\\w.])(?:${OCTET}\\.){3}${OCTET}(?![\\w]|\\.\\d)`,
    `(?<![\\w:])(?:${HEX}:){7}${HEX}(?![\\w:])`,
    `(?<![\\w:])(?:${HEX}(?::${HEX}){0,6})?::(?:${HEX}(?::${HEX}){0,6})?(?![\\w:])`,
  ].join('|'),
  'g',
);
/**
 * Top-level and private suffixes a host name in a message ends with. A list rather than "any word": field paths
 * (`spec.template.spec.containers`, `metadata.labels.app`) and file names (`values.yaml`) have dots too, so
 * suffixes that are also common path segments or words (app, home, test, info, at, it, in, no, be, me) are left out.
 */
const HOST_SUFFIXES = [
  'com', 'net', 'org', 'io', 'dev', 'cloud', 'ai', 'co', 'biz', 'xyz', 'tech', 'online', 'site', 'aws',
  'internal', 'local', 'localdomain', 'lan', 'corp', 'intra', 'intranet', 'private', 'example', 'invalid',
  'svc', 'us', 'uk', 'de', 'fr', 'nl', 'eu', 'ch', 'se', 'dk', 'fi', 'es', 'jp', 'cn', 'br',
  'ru', 'au', 'ca', 'nz', 'ie', 'sg', 'hk', 'kr', 'tw', 'za', 'mx', 'ar', 'cz', 'pt', 'gov', 'edu', 'mil',
];
/** Labels may follow a token (`NAME_1.example.com`), but a host never starts inside one. */
const HOST_NAME = new RegExp(
  `(?<![A-Za-z0-9_-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+(?:${HOST_SUFFIXES.join('|')})(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`,
  'gi',
);
/** Public, generic domains that identify no cluster (label and annotation prefixes, cluster DNS). */
function isGenericHost(host: string): boolean {
  const lower = host.toLowerCase();
  return ['kubernetes.io', 'k8s.io', 'cluster.local'].some((domain) => lower === domain || lower.endsWith(`.${domain}`));
}

/**
 * Names every Kubernetes cluster has: they identify nothing, and replacing them would make the facts
 * harder to read (`default` is also an English word used in messages).
 */
const WELL_KNOWN_NAMES = new Set([
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'kubernetes',
  'cluster-admin',
  'admin',
  'edit',
  'view',
]);

/** Label values that say nothing about the cluster and occur in ordinary text. */
const GENERIC_LABEL_VALUES = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'enabled', 'disabled', 'none', 'latest', 'linux', 'windows', 'amd64', 'arm64']);

export interface Anonymizer {
  /** How many distinct real values are replaced. */
  readonly size: number;
  anonymize(text: string): string;
  restore(text: string): string;
  /** Anonymizes every string (not object keys) in a JSON-like value. */
  anonymizeDeep<T>(value: T): T;
  restoreDeep<T>(value: T): T;
  /** The real values, longest first (tests assert none of them reaches the LLM). */
  realValues(): string[];
}

/** Keys whose string value (or array of strings) is a name of the given category, wherever they occur. */
const VALUE_KEYS: Record<string, TokenCategory> = {
  nodeName: 'NODE',
  image: 'IMAGE',
  imageID: 'IMAGE',
  host: 'HOST',
  hosts: 'HOST',
  hostname: 'HOST',
  ip: 'HOST',
  clusterIP: 'HOST',
  clusterIPs: 'HOST',
  externalIPs: 'HOST',
  externalName: 'HOST',
  loadBalancerIP: 'HOST',
  podIP: 'HOST',
  hostIP: 'HOST',
  address: 'HOST',
  claimName: 'NAME',
  secretName: 'NAME',
  serviceAccountName: 'NAME',
  serviceAccount: 'NAME',
  volumeName: 'NAME',
  storageClassName: 'NAME',
  priorityClassName: 'NAME',
  reportingInstance: 'NODE',
};

/** Parents under which `name` is a reference to an object (or a container), not a port or env var name. */
const NAME_PARENTS = new Set([
  'metadata',
  'configMapRef',
  'secretRef',
  'configMapKeyRef',
  'secretKeyRef',
  'configMap',
  'secret',
  'service',
  'scaleTargetRef',
  'roleRef',
  'involvedObject',
  'regarding',
  'claimRef',
  'ownerReferences',
  'subjects',
  'imagePullSecrets',
  'containers',
  'initContainers',
  'ephemeralContainers',
  'targetRef',
  'describedObject',
]);
/** Parents under which `namespace` is a namespace name. */
const NAMESPACE_PARENTS = new Set(['metadata', 'involvedObject', 'regarding', 'claimRef', 'subjects', 'targetRef']);
/** Parents whose every value is a label value. */
const LABEL_MAPS = new Set(['labels', 'matchLabels', 'selector', 'nodeSelector']);

class Dictionary {
  private readonly values = new Map<string, TokenCategory>();

  add(value: unknown, category: TokenCategory): void {
    if (typeof value !== 'string') return;
    const text = value.trim();
    if (text.length < 2 || !/^[A-Za-z0-9]/.test(text) || /^\d+$/.test(text) || WELL_KNOWN_NAMES.has(text) || text.startsWith('system:')) return;
    if (category === 'LABEL' && (GENERIC_LABEL_VALUES.has(text.toLowerCase()) || /^v?\d+(\.\d+)*$/.test(text))) return;
    const existing = this.values.get(text);
    if (existing === undefined || CATEGORY_ORDER.indexOf(category) < CATEGORY_ORDER.indexOf(existing)) {
      this.values.set(text, category);
    }
  }

  entries(): [string, TokenCategory][] {
    return [...this.values.entries()];
  }
}

/** An image reference without its tag or digest: `reg.io/team/app:1.2@sha256:…` → `reg.io/team/app`. */
function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}

function collectFrom(value: unknown, parentKey: string, dict: Dictionary): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'string' && VALUE_KEYS[parentKey]) dict.add(item, VALUE_KEYS[parentKey]);
      else collectFrom(item, parentKey, dict);
    }
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'annotations' || key === 'managedFields') continue; // annotation values are free text, dropped anyway
    if (LABEL_MAPS.has(key) && child && typeof child === 'object' && !Array.isArray(child)) {
      for (const v of Object.values(child as Record<string, unknown>)) if (typeof v === 'string') dict.add(v, 'LABEL');
      if (key === 'selector') collectFrom(child, key, dict); // a LabelSelector: matchLabels/matchExpressions
      continue;
    }
    if (typeof child === 'string') {
      const category = VALUE_KEYS[key];
      if (category) {
        dict.add(child, category);
        if (category === 'IMAGE') dict.add(imageRepository(child), 'IMAGE');
      } else if (key === 'name' && NAME_PARENTS.has(parentKey)) dict.add(child, 'NAME');
      else if (key === 'namespace' && NAMESPACE_PARENTS.has(parentKey)) dict.add(child, 'NAMESPACE');
      continue;
    }
    if (key === 'matchExpressions' && Array.isArray(child)) {
      for (const expr of child) for (const v of (expr as { values?: unknown[] }).values ?? []) dict.add(v, 'LABEL');
      continue;
    }
    collectFrom(child, key, dict);
  }
}

function collectObject(obj: K8sObject, dict: Dictionary): void {
  const md = obj.metadata;
  if (obj.kind === 'Namespace') dict.add(md.name, 'NAMESPACE');
  else if (obj.kind === 'Node') dict.add(md.name, 'NODE');
  else dict.add(md.name, 'NAME');
  dict.add(md.namespace, 'NAMESPACE');
  collectFrom(obj, '', dict);
}

/**
 * A real value or token is only replaced as a whole: not inside a longer word (`api` in `apiVersion`).
 * Anything but a letter or digit is a boundary — including `_`, since the kubelet writes
 * `pod_namespace(uid)` in event messages, and `-`/`.`, so a name is also caught inside a longer
 * derived name that is not in the snapshot.
 */
function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** The leading letters/digits of a value: the key under which the scanner looks it up. */
function firstWord(value: string): string {
  let end = 0;
  while (end < value.length && isWordChar(value.charCodeAt(end))) end++;
  return value.slice(0, end);
}

/**
 * Replaces, at every word start, the longest dictionary value that begins there and ends at a boundary.
 * One pass over the text; at a word start only the distinct lengths of the values sharing that first word
 * are tried, each by one exact map lookup, so the cost does not grow with the dictionary size (a regex
 * alternation of 20 000 names would try each at every position). A replaced value is never scanned
 * again, so tokens cannot be re-replaced.
 */
function replaceWholeValues(text: string, lengthsByFirstWord: Map<string, number[]>, toToken: Map<string, string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (!isWordChar(text.charCodeAt(i)) || (i > 0 && isWordChar(text.charCodeAt(i - 1)))) {
      out += text[i++];
      continue;
    }
    let wordEnd = i;
    while (wordEnd < text.length && isWordChar(text.charCodeAt(wordEnd))) wordEnd++;
    let token: string | undefined;
    let matchedLength = 0;
    for (const length of lengthsByFirstWord.get(text.slice(i, wordEnd)) ?? []) {
      const end = i + length;
      if (end > text.length || (end < text.length && isWordChar(text.charCodeAt(end)))) continue;
      token = toToken.get(text.slice(i, end));
      if (token !== undefined) {
        matchedLength = length;
        break;
      }
    }
    if (token !== undefined) {
      out += token;
      i += matchedLength;
    } else {
      out += text.slice(i, wordEnd);
      i = wordEnd;
    }
  }
  return out;
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}

/** Builds the dictionary from the snapshot's objects and its source (server URL / manifest paths). */
export function buildAnonymizer(snapshot: Snapshot): Anonymizer {
  const dict = new Dictionary();
  if (snapshot.source.type === 'cluster') {
    dict.add(snapshot.source.server, 'HOST');
    try {
      dict.add(new URL(snapshot.source.server).hostname, 'HOST');
    } catch {
      // not a URL: the full string is already in the dictionary
    }
    dict.add(snapshot.source.context, 'NAME');
  }
  for (const kind of Object.keys(snapshot.objects).sort()) {
    for (const obj of snapshot.objects[kind]) collectObject(obj, dict);
  }
  return createAnonymizer(dict.entries());
}

/** Exposed for tests: an anonymizer from explicit (value, category) pairs. */
export function createAnonymizer(entries: [string, TokenCategory][]): Anonymizer {
  const toToken = new Map<string, string>();
  const toReal = new Map<string, string>();
  const issued = new Map<TokenCategory, number>();
  for (const category of CATEGORY_ORDER) {
    const values = entries.filter(([, c]) => c === category).map(([v]) => v).sort();
    values.forEach((value, index) => {
      const token = `${category}_${index + 1}`;
      toToken.set(value, token);
      toReal.set(token, value);
    });
    issued.set(category, values.length);
  }
  // Longest first, so `shop-db-0` is replaced before `shop-db`, and `shop` only where it stands alone.
  const realValues = [...toToken.keys()].sort((a, b) => b.length - a.length || a.localeCompare(b));
  // First word → the distinct lengths of the values starting with it, longest first.
  const lengthSets = new Map<string, Set<number>>();
  for (const value of realValues) {
    const key = firstWord(value);
    if (!lengthSets.has(key)) lengthSets.set(key, new Set());
    lengthSets.get(key)!.add(value.length);
  }
  const lengthsByFirstWord = new Map([...lengthSets].map(([key, lengths]) => [key, [...lengths].sort((a, b) => b - a)]));
  const tokenPattern = new RegExp(`(?<![A-Za-z0-9])(?:${CATEGORY_ORDER.join('|')})_\\d+(?![A-Za-z0-9])`, 'g');

  /** The token of a value found by its shape: the snapshot's if it has one, else the next free one of its category. */
  const tokenFor = (value: string, category: TokenCategory): string => {
    const known = toToken.get(value);
    if (known) return known;
    const n = (issued.get(category) ?? 0) + 1;
    issued.set(category, n);
    const token = `${category}_${n}`;
    toToken.set(value, token);
    toReal.set(token, value);
    return token;
  };
  const anonymize = (text: string) => {
    // E-mail addresses first, whole (a dictionary name inside one would leave the rest of it behind); then the
    // snapshot's names; then hosts and addresses that are left, around the tokens.
    const withoutEmails = text.replace(EMAIL_ADDRESS, (email) => tokenFor(email, 'EMAIL'));
    return replaceWholeValues(withoutEmails, lengthsByFirstWord, toToken)
      .replace(IP_ADDRESS, (ip) => (ip.length > 2 ? tokenFor(ip, 'HOST') : ip))
      .replace(HOST_NAME, (host) => (isGenericHost(host) ? host : tokenFor(host, 'HOST')));
  };
  const restore = (text: string) => text.replace(tokenPattern, (m) => toReal.get(m) ?? m);
  return {
    get size() {
      return toToken.size;
    },
    anonymize,
    restore,
    anonymizeDeep: <T>(value: T) => mapStrings(value, anonymize) as T,
    restoreDeep: <T>(value: T) => mapStrings(value, restore) as T,
    realValues: () => [...toToken.keys()].sort((a, b) => b.length - a.length || a.localeCompare(b)),
  };
}
