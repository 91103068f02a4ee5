/**
 * A fake kube-apiserver for tests. It serves the REAL responses recorded from a Kubernetes 1.26
 * cluster (shared/k8s-api/responses: status, content type and body exactly as recorded) over
 * HTTPS with a throw-away self-signed certificate, and adds what the recordings cannot show:
 * pagination over any list, namespaced lists, bearer-token auth and injected faults.
 *
 *   const server = await startFakeApiServer({ forbid: ['/api/v1/secrets'] });
 *   const kubeconfig = await writeFakeKubeconfig(server);   // context "fake"
 *   ... captureCluster({ kubeconfig }, log) ...
 *   await server.close();
 *
 * Behaviour, mirroring a real server:
 * - Every request needs `Authorization: Bearer <token>`; otherwise 401 with the recorded body.
 * - `GET /api/v1/pods?limit=3[&continue=...]` serves the recorded page1/2/3 files byte for byte;
 *   any other `limit` pages the full list the way the apiserver does (items in key order
 *   `namespace/name`, a continue token naming the next start key, `remainingItemCount`).
 * - `/api/v1/namespaces/NS/pods` (any namespaced kind) is the cluster-wide list filtered to NS.
 * - Secrets asked with the PartialObjectMetadataList Accept header get the recorded metadata-only
 *   list; asked plainly they get full Secrets WITH base64 data (rebuilt from the recording), so a
 *   client that forgets the metadata-only header is caught by tests.
 * - Any path with no recording (e.g. metrics.k8s.io) is a 404 with the plain-text body
 *   `404 page not found`, which is what a real server sends for an API group it does not serve.
 * - POST creates an object of a built-in resource (what `kubectl apply` does for an object that
 *   does not exist yet); it then shows in lists and item GETs. Like the NamespaceLifecycle
 *   admission plugin, a namespaced create in a namespace that does not exist is a 404 Status
 *   `namespaces "NS" not found`; an existing name is a 409 AlreadyExists. Other writes are 405.
 * - GET of one object (`/api/v1/namespaces/NAME`, `/apis/batch/v1/namespaces/NS/cronjobs/NAME`)
 *   answers the object or the NotFound Status a real server sends (`cronjobs.batch "x" not found`).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify as toYaml } from 'yaml';

const execFileAsync = promisify(execFile);

/** Repo root = two levels above this file (test/k8s-api-server/server.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The recorded responses, copied into the repository from the shared recordings (test/fixtures/k8s-api/README.md). */
export const RECORDED_RESPONSES_DIR =
  process.env.CLUSTERGPT_K8S_RESPONSES_DIR ?? resolve(REPO_ROOT, 'test', 'fixtures', 'k8s-api', 'responses');

export const FAKE_TOKEN = 'fake-token-for-tests';
export const FAKE_CONTEXT = 'fake';
export const PARTIAL_METADATA_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

export interface RecordedResponse {
  request: { method: string; path: string; accept: string };
  status: number;
  headers: string[];
  body?: any;
  bodyText?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path with query string, as sent. */
  url: string;
  /** Path without query string. */
  path: string;
  query: Record<string, string>;
  accept: string;
  /** Whether the request carried the right bearer token. */
  authorized: boolean;
}

export interface FakeApiServerOptions {
  /** Bearer token the server accepts (default FAKE_TOKEN). */
  token?: string;
  /** Serve plain HTTP instead of HTTPS (default false). */
  http?: boolean;
  /** Paths (without query) answered 403 with the recorded Forbidden Status. */
  forbid?: string[];
  /** Paths answered 404 `404 page not found` even if recorded. */
  notFound?: string[];
  /** First request to each path gets 429 with `Retry-After: 0`, then normal answers. */
  rateLimitOnce?: string[];
  /** First request to each path gets 503, then normal answers. */
  serverErrorOnce?: string[];
  /** Every request to each path gets 503 (a kind that keeps failing). */
  serverErrorAlways?: string[];
  /** First request to each path has its socket destroyed without a response (`socket hang up`). */
  dropConnectionOnce?: string[];
  /** Requests to these paths never get an answer (for deadline tests); released on close(). */
  hang?: string[];
  /** Extra or replacement responses keyed by path (without query), e.g. a bigger pod list. */
  responses?: Record<string, Pick<RecordedResponse, 'status' | 'body' | 'bodyText'> & { contentType?: string }>;
  /** Directory of the recordings (default RECORDED_RESPONSES_DIR). */
  responsesDir?: string;
}

export interface FakeApiServer {
  /** `https://127.0.0.1:PORT` */
  url: string;
  /** PEM of the self-signed certificate (its own CA); undefined for plain HTTP. */
  caCertPem?: string;
  token: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

interface TlsMaterial {
  certPem: string;
  keyPem: string;
}

let tlsMaterial: Promise<TlsMaterial> | undefined;

/** One self-signed certificate per test process (openssl is needed; Node cannot make certificates). */
function selfSignedCertificate(): Promise<TlsMaterial> {
  tlsMaterial ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clustergpt-fake-api-'));
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    await execFileAsync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=fake-kube-apiserver',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext', 'basicConstraints=critical,CA:TRUE',
    ]);
    return { certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') };
  })();
  return tlsMaterial;
}

const recordingsCache = new Map<string, Promise<RecordedResponse[]>>();

/** All recorded responses in `dir` (cached per directory: they never change during a run). */
export function loadRecordedResponses(dir = RECORDED_RESPONSES_DIR): Promise<RecordedResponse[]> {
  let cached = recordingsCache.get(dir);
  if (!cached) {
    cached = (async () => {
      const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
      return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as RecordedResponse));
    })();
    recordingsCache.set(dir, cached);
  }
  return cached;
}

/** The `items` of a recorded list, by path (e.g. `/api/v1/pods`), as the real server sent them. */
export async function recordedItems(path: string, dir = RECORDED_RESPONSES_DIR): Promise<any[]> {
  const all = await loadRecordedResponses(dir);
  const found = all.find((r) => r.request.path === path && r.request.accept === 'application/json' && r.status === 200);
  if (!found) throw new Error(`no recorded list for ${path}`);
  return found.body.items;
}

function contentTypeOf(rec: RecordedResponse): string {
  const header = rec.headers.find((h) => h.toLowerCase().startsWith('content-type:'));
  return header ? header.slice(header.indexOf(':') + 1).trim() : 'application/json';
}

interface Reply {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

function jsonReply(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, contentType: 'application/json', body: JSON.stringify(body), headers };
}

function recordedReply(rec: RecordedResponse): Reply {
  return {
    status: rec.status,
    contentType: contentTypeOf(rec),
    body: rec.bodyText ?? JSON.stringify(rec.body),
  };
}

function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

const NOT_FOUND_TEXT = '404 page not found\n';
const notFoundReply = (): Reply => ({ status: 404, contentType: 'text/plain; charset=utf-8', body: NOT_FOUND_TEXT });

/** A resource the server knows, as discovery lists it. */
export interface ResourceInfo {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

/**
 * Built-in v1.26 resources outside the recorded discovery documents (which cover only the core
 * group and apps/v1), so that creates of what k8s/ ships and the tests need are understood.
 */
const UNRECORDED_BUILT_INS: ResourceInfo[] = [
  { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true },
  { group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', kind: 'Role', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', kind: 'RoleBinding', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', kind: 'ClusterRole', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingressclasses', kind: 'IngressClass', namespaced: false },
  { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true },
  { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', kind: 'StorageClass', namespaced: false },
  { group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', kind: 'PriorityClass', namespaced: false },
  { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
];

/** The resources of the recorded discovery documents (`/api/v1`, `/apis/apps/v1`) plus UNRECORDED_BUILT_INS. */
export function knownResources(recordings: RecordedResponse[]): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const rec of recordings) {
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(rec.request.path);
    if (!m || rec.status !== 200 || rec.body?.kind !== 'APIResourceList') continue;
    const group = m[2] ?? '';
    const version = m[1] ?? m[3];
    for (const r of rec.body.resources ?? []) {
      if (typeof r.name === 'string' && !r.name.includes('/')) out.push({ group, version, plural: r.name, kind: r.kind, namespaced: Boolean(r.namespaced) });
    }
  }
  for (const r of UNRECORDED_BUILT_INS) if (!out.some((o) => o.group === r.group && o.version === r.version && o.plural === r.plural)) out.push(r);
  return out;
}

/** The collection a client POSTs `obj` to (kubectl finds it through discovery; this uses the same table). */
export function collectionPathFor(obj: { apiVersion?: string; kind?: string; metadata?: { namespace?: string } }, resources: ResourceInfo[], defaultNamespace = 'default'): string {
  const [group, version] = String(obj.apiVersion ?? '').includes('/') ? String(obj.apiVersion).split('/') : ['', String(obj.apiVersion ?? '')];
  const info = resources.find((r) => r.group === group && r.version === version && r.kind === obj.kind);
  if (!info) throw new Error(`no resource for ${obj.apiVersion} ${obj.kind}`);
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return info.namespaced ? `${prefix}/namespaces/${encodeURIComponent(obj.metadata?.namespace ?? defaultNamespace)}/${info.plural}` : `${prefix}/${info.plural}`;
}

interface ResourcePath {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
}

/** `/apis/batch/v1/namespaces/NS/cronjobs/NAME` → its parts; undefined for subresources and other shapes. */
function parseResourcePath(path: string): ResourcePath | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.+)$/.exec(path);
  if (!m) return undefined;
  const group = m[2] ?? '';
  const version = m[1] ?? m[3];
  const segments = m[4].split('/').map(decodeURIComponent);
  if (segments[0] === 'namespaces' && segments.length >= 3) {
    if (segments.length > 4) return undefined;
    return { group, version, namespace: segments[1], plural: segments[2], name: segments[3] };
  }
  if (segments.length > 2) return undefined;
  return { group, version, plural: segments[0], name: segments[1] };
}

/** `namespaces`, `cronjobs.batch`: how the apiserver names a resource in its messages. */
function qualifiedResource(info: Pick<ResourceInfo, 'group' | 'plural'>): string {
  return info.group ? `${info.plural}.${info.group}` : info.plural;
}

function statusDetails(info: Pick<ResourceInfo, 'group' | 'plural'>, name: string): Record<string, unknown> {
  return { name, ...(info.group ? { group: info.group } : {}), kind: info.plural };
}

/** `/api/v1/namespaces/NS/pods` → { listPath: '/api/v1/pods', namespace: 'NS' } */
function splitNamespacedPath(path: string): { listPath: string; namespace: string } | undefined {
  const m = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)$/.exec(path);
  return m ? { listPath: `${m[1]}/${m[3]}`, namespace: decodeURIComponent(m[2]) } : undefined;
}

/** The apiserver's list order: etcd key order, `namespace/name` (or `name` for cluster-scoped). */
function storageKey(item: any): string {
  const ns = item?.metadata?.namespace;
  return ns ? `${ns}/${item.metadata.name}` : String(item?.metadata?.name ?? '');
}

function encodeContinue(startKey: string, rv: number): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: startKey })).toString('base64url');
}

function decodeContinue(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return typeof parsed?.start === 'string' ? parsed.start : undefined;
  } catch {
    return undefined;
  }
}

/** One page of a list body, as the apiserver pages (start key inclusive, items in key order). */
function pageOf(listBody: any, limit: number | undefined, continueToken: string | undefined): Reply {
  const items = [...(listBody.items ?? [])].sort((a, b) => (storageKey(a) < storageKey(b) ? -1 : storageKey(a) > storageKey(b) ? 1 : 0));
  let start = 0;
  if (continueToken) {
    const startKey = decodeContinue(continueToken);
    if (startKey === undefined) {
      return jsonReply(400, statusBody(400, 'BadRequest', 'continue key is not valid: illegal base64 data'));
    }
    start = items.findIndex((i) => storageKey(i) >= startKey);
    if (start < 0) start = items.length;
  }
  const end = limit && limit > 0 ? Math.min(items.length, start + limit) : items.length;
  const page = items.slice(start, end);
  const metadata: Record<string, unknown> = { resourceVersion: listBody.metadata?.resourceVersion ?? '1' };
  if (end < items.length) {
    metadata.continue = encodeContinue(storageKey(items[end - 1]) + '\u0000', Number(metadata.resourceVersion) || 1);
    metadata.remainingItemCount = items.length - end;
  }
  return jsonReply(200, { ...listBody, metadata, items: page });
}

/** Full Secrets (with base64 data) rebuilt from the metadata-only recording's last-applied annotation. */
function fullSecretList(metadataOnly: any): any {
  const items = (metadataOnly.items ?? []).map((item: any) => {
    const applied = item.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    const source = applied ? JSON.parse(applied) : {};
    const data: Record<string, string> = { ...(source.data ?? {}) };
    for (const [k, v] of Object.entries<string>(source.stringData ?? {})) data[k] = Buffer.from(v).toString('base64');
    return { ...item, kind: undefined, apiVersion: undefined, data, type: source.type ?? 'Opaque' };
  });
  return { kind: 'SecretList', apiVersion: 'v1', metadata: metadataOnly.metadata, items: JSON.parse(JSON.stringify(items)) };
}

class Router {
  private readonly byPathAndAccept = new Map<string, RecordedResponse>();
  private readonly forbidden: RecordedResponse | undefined;
  private readonly unauthorized: RecordedResponse | undefined;
  private readonly resources: ResourceInfo[];
  /** Objects created by POST, by the cluster-wide list path they show in. */
  private readonly created = new Map<string, any[]>();
  private resourceVersion = 900_000;

  constructor(
    recordings: RecordedResponse[],
    private readonly extra: NonNullable<FakeApiServerOptions['responses']>,
  ) {
    for (const rec of recordings) {
      if (rec.status === 200) this.byPathAndAccept.set(`${rec.request.path} ${rec.request.accept}`, rec);
    }
    this.forbidden = recordings.find((r) => r.status === 403);
    this.unauthorized = recordings.find((r) => r.status === 401);
    this.resources = knownResources(recordings);
  }

  private resourceOf(p: Pick<ResourcePath, 'group' | 'version' | 'plural'>): ResourceInfo | undefined {
    return this.resources.find((r) => r.group === p.group && r.version === p.version && r.plural === p.plural);
  }

  private static listPathOf(info: ResourceInfo): string {
    return `${info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`}/${info.plural}`;
  }

  private findObject(info: ResourceInfo, namespace: string | undefined, name: string): any | undefined {
    const all = this.listBody(Router.listPathOf(info), false);
    return all?.items?.find((i: any) => i?.metadata?.name === name && (info.namespaced ? i?.metadata?.namespace === namespace : true));
  }

  /** GET of one object: the object (with kind/apiVersion, as a real GET returns it) or the NotFound Status. */
  routeItem(path: string): Reply | undefined {
    const parsed = parseResourcePath(path);
    if (!parsed?.name) return undefined;
    const info = this.resourceOf(parsed);
    if (!info || info.namespaced !== (parsed.namespace !== undefined)) return undefined;
    const found = this.findObject(info, parsed.namespace, parsed.name);
    if (!found) return jsonReply(404, statusBody(404, 'NotFound', `${qualifiedResource(info)} "${parsed.name}" not found`, statusDetails(info, parsed.name)));
    return jsonReply(200, { kind: info.kind, apiVersion: info.group ? `${info.group}/${info.version}` : info.version, ...found });
  }

  /** POST: create, with the checks (and the Status bodies) of a v1.26 kube-apiserver. */
  create(path: string, bodyText: string): Reply {
    const parsed = parseResourcePath(path);
    const info = parsed && this.resourceOf(parsed);
    if (!parsed || !info) return parsed && parsed.group === '' ? jsonReply(404, statusBody(404, 'NotFound', 'the server could not find the requested resource', {})) : notFoundReply();
    if (parsed.name !== undefined || (info.namespaced && parsed.namespace === undefined)) {
      return jsonReply(405, statusBody(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
    }
    if (!info.namespaced && parsed.namespace !== undefined) return notFoundReply();
    let obj: any;
    try {
      obj = JSON.parse(bodyText);
    } catch (err) {
      return jsonReply(400, statusBody(400, 'BadRequest', `the object provided is unrecognized (${(err as Error).message})`));
    }
    const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    if (obj?.apiVersion !== apiVersion || obj?.kind !== info.kind) {
      return jsonReply(400, statusBody(400, 'BadRequest', `the API version in the data (${obj?.apiVersion}) does not match the expected API version (${apiVersion})`));
    }
    const metadata = { ...(obj.metadata ?? {}) };
    if (info.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== parsed.namespace) {
        return jsonReply(400, statusBody(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request'));
      }
      const namespaces = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false };
      // NamespaceLifecycle admission: nothing is created in a namespace that does not exist.
      if (!this.findObject(namespaces, undefined, parsed.namespace!)) {
        return jsonReply(404, statusBody(404, 'NotFound', `namespaces "${parsed.namespace}" not found`, statusDetails(namespaces, parsed.namespace!)));
      }
      metadata.namespace = parsed.namespace;
    }
    if (typeof metadata.name !== 'string' || metadata.name === '') {
      const message = `${info.kind} "" is invalid: metadata.name: Required value: name or generateName is required`;
      return jsonReply(422, statusBody(422, 'Invalid', message, { ...statusDetails(info, ''), kind: info.kind, causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }] }));
    }
    if (this.findObject(info, parsed.namespace, metadata.name)) {
      return jsonReply(409, statusBody(409, 'AlreadyExists', `${qualifiedResource(info)} "${metadata.name}" already exists`, statusDetails(info, metadata.name)));
    }
    this.resourceVersion += 1;
    const stored = {
      ...obj,
      metadata: { ...metadata, uid: randomUUID(), resourceVersion: String(this.resourceVersion), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
    };
    const listPath = Router.listPathOf(info);
    this.created.set(listPath, [...(this.created.get(listPath) ?? []), stored]);
    return jsonReply(201, stored);
  }

  unauthorizedReply(): Reply {
    return this.unauthorized ? recordedReply(this.unauthorized) : jsonReply(401, statusBody(401, 'Unauthorized', 'Unauthorized'));
  }

  /** 403 shaped like the recorded one, naming the requested resource. */
  forbiddenReply(path: string, verb = 'list'): Reply {
    const resource = path.split('/').pop() ?? '';
    const ns = splitNamespacedPath(path)?.namespace;
    const where = ns ? `in the namespace "${ns}"` : 'at the cluster scope';
    const group = path.startsWith('/apis/') ? path.split('/')[2] : '';
    const message = `${resource} is forbidden: User "viewer" cannot ${verb} resource "${resource}" in API group "${group}" ${where}`;
    const base = this.forbidden?.body ?? statusBody(403, 'Forbidden', message);
    return jsonReply(403, { ...base, message, details: { kind: resource } });
  }

  /** The full (unpaged) list body for a path, or undefined when nothing is recorded there. */
  private listBody(listPath: string, metadataOnly: boolean): any | undefined {
    const extra = this.extra[listPath];
    const recorded = this.byPathAndAccept.get(`${listPath} application/json`)?.body;
    const partial = this.byPathAndAccept.get(`${listPath} ${PARTIAL_METADATA_ACCEPT}`)?.body;
    const created = this.created.get(listPath);
    const base = extra?.body?.items ? extra.body : recorded?.items ? recorded : partial ? fullSecretList(partial) : undefined;
    const full = created ? { ...(base ?? this.emptyList(listPath)), items: [...(base?.items ?? []), ...created] } : base;
    if (!metadataOnly) return full;
    if (partial && !extra && !created) return partial;
    return full ? toPartialObjectMetadataList(full) : undefined;
  }

  private emptyList(listPath: string): any {
    const info = this.resources.find((r) => Router.listPathOf(r) === listPath);
    const apiVersion = info?.group ? `${info.group}/${info.version}` : (info?.version ?? 'v1');
    return { kind: `${info?.kind ?? ''}List`, apiVersion, metadata: { resourceVersion: String(this.resourceVersion) }, items: [] };
  }

  route(url: URL, accept: string): Reply {
    const path = url.pathname;
    const extra = this.extra[path];
    if (extra && !extra.body?.items) {
      return { status: extra.status, contentType: extra.contentType ?? 'application/json', body: extra.bodyText ?? JSON.stringify(extra.body) };
    }
    const metadataOnly = accept.includes('as=PartialObjectMetadataList');
    // Byte-for-byte recorded answers first (incl. the limit=3 pages with their real continue tokens).
    const exact = this.byPathAndAccept.get(`${path}${url.search} ${metadataOnly ? PARTIAL_METADATA_ACCEPT : 'application/json'}`);
    const createdHere = this.created.has(splitNamespacedPath(path)?.listPath ?? path);
    if (exact && !extra && !createdHere) return recordedReply(exact);

    const item = this.routeItem(path);
    if (item) return item;
    const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : undefined;
    const continueToken = url.searchParams.get('continue') ?? undefined;
    const namespaced = splitNamespacedPath(path);
    const listPath = namespaced?.listPath ?? path;
    const all = this.listBody(listPath, metadataOnly);
    if (!all) return notFoundReply();
    const items = namespaced ? all.items.filter((i: any) => i?.metadata?.namespace === namespaced.namespace) : all.items;
    return pageOf({ ...all, items }, limit, continueToken);
  }
}

/** What the apiserver sends for `as=PartialObjectMetadataList`: metadata only. */
function toPartialObjectMetadataList(list: any): any {
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: 'meta.k8s.io/v1',
    metadata: list.metadata,
    items: list.items.map((i: any) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: i.metadata })),
  };
}

function parseQuery(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) out[k] = v;
  return out;
}

/** Starts the fake API server on 127.0.0.1 (random port). Call close() when done. */
export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const token = options.token ?? FAKE_TOKEN;
  const router = new Router(await loadRecordedResponses(options.responsesDir), options.responses ?? {});
  const requests: RecordedRequest[] = [];
  const seen = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const inList = (list: string[] | undefined, path: string) => Boolean(list?.includes(path));

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://fake.invalid');
    const path = url.pathname;
    const accept = String(req.headers.accept ?? 'application/json');
    const authorized = req.headers.authorization === `Bearer ${token}`;
    requests.push({ method: req.method ?? 'GET', url: `${path}${url.search}`, path, query: parseQuery(url), accept, authorized });
    const count = (seen.get(path) ?? 0) + 1;
    seen.set(path, count);

    const send = (reply: Reply) => {
      res.writeHead(reply.status, { 'content-type': reply.contentType, 'cache-control': 'no-cache, private', ...reply.headers });
      res.end(reply.body);
    };

    if (!authorized) return send(router.unauthorizedReply());
    if (inList(options.hang, path)) {
      hanging.add(res);
      return;
    }
    if (count === 1 && inList(options.dropConnectionOnce, path)) {
      req.socket.destroy();
      return;
    }
    if (count === 1 && inList(options.rateLimitOnce, path)) {
      return send(
        jsonReply(429, statusBody(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 0 }), {
          'retry-after': '0',
        }),
      );
    }
    if ((count === 1 && inList(options.serverErrorOnce, path)) || inList(options.serverErrorAlways, path)) {
      return send(jsonReply(503, statusBody(503, 'ServiceUnavailable', 'the server is currently unable to handle the request')));
    }
    if (inList(options.forbid, path)) return send(router.forbiddenReply(path, req.method === 'POST' ? 'create' : 'list'));
    if (inList(options.notFound, path)) return send(notFoundReply());
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => send(router.create(path, Buffer.concat(chunks).toString('utf8'))));
      return;
    }
    if (req.method !== 'GET') return send(jsonReply(405, statusBody(405, 'MethodNotAllowed', 'the fake API server only serves GET and POST (create)')));
    send(router.route(url, accept));
  };

  let server: Server;
  let caCertPem: string | undefined;
  if (options.http) {
    server = createHttpServer(handler);
  } else {
    const tls = await selfSignedCertificate();
    caCertPem = tls.certPem;
    server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handler);
  }
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const url = `${options.http ? 'http' : 'https'}://127.0.0.1:${port}`;

  return {
    url,
    caCertPem,
    token,
    requests,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

export interface FakeKubeconfigOptions {
  /** Where to write (default: a new temp dir /kubeconfig). */
  path?: string;
  /** Token to put in the kubeconfig (default: the server's token; pass another to test 401). */
  token?: string;
  /** Context name (default "fake"). */
  contextName?: string;
  /** Server URL override (e.g. a closed port to test "unreachable"). */
  server?: string;
}

/** Writes a kubeconfig pointing at `server` (CA data + bearer token) and returns its path. */
export async function writeFakeKubeconfig(server: Pick<FakeApiServer, 'url' | 'caCertPem' | 'token'>, options: FakeKubeconfigOptions = {}): Promise<string> {
  const contextName = options.contextName ?? FAKE_CONTEXT;
  const path = options.path ?? join(await mkdtemp(join(tmpdir(), 'clustergpt-kubeconfig-')), 'kubeconfig');
  const cluster: Record<string, unknown> = { server: options.server ?? server.url };
  if (server.caCertPem) cluster['certificate-authority-data'] = Buffer.from(server.caCertPem).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true; // plain HTTP: client-node refuses http:// without it
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: `${contextName}-cluster`, cluster }],
    users: [{ name: `${contextName}-user`, user: { token: options.token ?? server.token } }],
    contexts: [{ name: contextName, context: { cluster: `${contextName}-cluster`, user: `${contextName}-user` } }],
    'current-context': contextName,
    preferences: {},
  };
  await writeFile(path, toYaml(config), { mode: 0o600 });
  return path;
}
