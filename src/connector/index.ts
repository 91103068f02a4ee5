/**
 * The live-cluster connector: lists every kind in KIND_SPECS and returns a sanitized, normalized
 * Snapshot. Read-only (GET only). A kind that is forbidden, not served or failing never aborts the
 * run: it is recorded in `coverage`. Only cluster-level problems (unreachable API, rejected
 * credentials, bad kubeconfig/context) are errors (ClusterError, exit 3).
 */
import { ClusterError, InputError, errorMessage } from '../common/errors.js';
import { KIND_SPECS, apiVersionOf, type KindSpec } from '../common/kinds.js';
import type { Logger } from '../common/logger.js';
import type { ConnectorOptions } from '../pipeline-types.js';
import { SNAPSHOT_SCHEMA_VERSION, type CoverageEntry, type CoverageStatus, type K8sObject, type Snapshot } from '../schema/snapshot.js';
import { normalizeSnapshot } from '../snapshot/io.js';
import { sanitizeObject } from '../snapshot/sanitize.js';
import { ApiClient, DeadlineExceededError, type ApiResponse } from './api-client.js';
import { loadKubeConfig, selectContext } from './kubeconfig.js';
import { detectPlatform } from './platform.js';

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_CONCURRENCY = 6;
export const DEFAULT_PAGE_SIZE = 500;

/** Secrets are listed as metadata only: the data never leaves the API server. */
export const PARTIAL_METADATA_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

/** ConnectorOptions plus test seams (a fixed clock, fast retries, a fake environment). */
export interface CaptureOptions extends ConnectorOptions {
  /** Clock for `capturedAt` (tests pin it so output is byte-identical). */
  now?: () => Date;
  /** First retry backoff step in ms (default 250). */
  retryBaseMs?: number;
  /** Environment used to find the kubeconfig (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Home directory used to find ~/.kube/config (default os.homedir()). */
  home?: string;
  /** Directory standing in for `/` when looking for the in-cluster service account (tests; default the real root). */
  serviceAccountRoot?: string;
  /** Largest API response read, bytes (tests make it small). */
  maxResponseBytes?: number;
}

interface Scope {
  namespaces: string[] | null;
  excluded: Set<string>;
}

type PathOutcome =
  | { status: 'listed'; items: any[] }
  | { status: 'forbidden'; message: string }
  | { status: 'not-served' }
  | { status: 'failed'; message: string };

interface KindResult {
  spec: KindSpec;
  status: CoverageStatus;
  objects: K8sObject[];
  error?: string;
  /** Namespace kind only: every name listed, in scope or not (to name the ones that exist when -n matches none). */
  allNames?: string[];
}

/** kubectl-style resource name for progress lines: `pods`, `deployments`, `pods.metrics.k8s.io`. */
function resourceLabel(spec: KindSpec): string {
  return spec.group === 'metrics.k8s.io' ? `${spec.plural}.${spec.group}` : spec.plural;
}

function listPath(spec: KindSpec, namespace?: string): string {
  const prefix = spec.group ? `/apis/${spec.group}/${spec.version}` : `/api/${spec.version}`;
  return namespace ? `${prefix}/namespaces/${encodeURIComponent(namespace)}/${spec.plural}` : `${prefix}/${spec.plural}`;
}

/** The `message` of a Kubernetes Status body, else the first line of the body text. */
function statusMessage(res: ApiResponse): string {
  try {
    const body = JSON.parse(res.text);
    if (typeof body?.message === 'string' && body.message) return body.message;
  } catch {
    // plain-text body (e.g. "404 page not found")
  }
  return res.text.trim().split('\n')[0] || `HTTP ${res.status}`;
}

function unauthorizedError(context: string): ClusterError {
  return new ClusterError(
    'the API server rejected the credentials (401 Unauthorized): the token or certificate has expired or is invalid',
    `log in again for context "${context}" (e.g. aws eks update-kubeconfig, gcloud container clusters get-credentials, az aks get-credentials) and retry`,
  );
}

const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL/i;

function connectionError(server: string, err: unknown): ClusterError {
  const code = String((err as NodeJS.ErrnoException | undefined)?.code ?? '');
  const detail = err instanceof DeadlineExceededError ? 'no answer before the --timeout deadline' : errorMessage(err).split('\n')[0];
  if (TLS_ERROR.test(code)) {
    return new ClusterError(
      `the TLS certificate of the Kubernetes API at ${server} could not be verified (${detail})`,
      'check certificate-authority / certificate-authority-data of the cluster in your kubeconfig',
      { cause: err },
    );
  }
  return new ClusterError(`cannot reach the Kubernetes API at ${server} (${detail})`, 'check the kubeconfig context, your VPN or network, and that the cluster is running', {
    cause: err,
  });
}

/** GET /version: reachability and credentials check. 403 (restricted /version) is tolerated. */
async function fetchVersion(client: ApiClient, context: string, log: Logger): Promise<string | undefined> {
  let res: ApiResponse;
  try {
    res = await client.get('/version', 'application/json', { timeoutMs: Math.min(15_000, client.remainingMs()), maxAttempts: 2 });
  } catch (err) {
    throw connectionError(client.server, err);
  }
  if (res.status === 401) throw unauthorizedError(context);
  if (res.status === 200) {
    try {
      const gitVersion = JSON.parse(res.text)?.gitVersion;
      return typeof gitVersion === 'string' ? gitVersion : undefined;
    } catch {
      log.warn(`GET /version returned something that is not JSON; is ${client.server} a Kubernetes API server?`);
      return undefined;
    }
  }
  if (res.status === 403) log.debug('GET /version is forbidden (403); continuing without the server version');
  else log.warn(`GET /version failed (HTTP ${res.status}: ${statusMessage(res)}); continuing`);
  return undefined;
}

/** Lists one URL completely, following `continue` tokens. */
async function listAllPages(client: ApiClient, path: string, accept: string, pageSize: number, context: string): Promise<PathOutcome> {
  const items: any[] = [];
  const seenTokens = new Set<string>();
  let token: string | undefined;
  let relisted = false;
  for (;;) {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (token) query.set('continue', token);
    let res: ApiResponse;
    try {
      res = await client.get(`${path}?${query}`, accept);
    } catch (err) {
      if (err instanceof DeadlineExceededError) return { status: 'failed', message: 'not listed before the --timeout deadline' };
      return { status: 'failed', message: errorMessage(err).split('\n')[0] };
    }
    if (res.status === 401) throw unauthorizedError(context);
    if (res.status === 403) return { status: 'forbidden', message: statusMessage(res) };
    if (res.status === 404) return { status: 'not-served' };
    if (res.status === 410 && token && !relisted) {
      // The continue token expired (list took longer than etcd compaction): start over once.
      relisted = true;
      items.length = 0;
      token = undefined;
      continue;
    }
    if (res.status !== 200) return { status: 'failed', message: `HTTP ${res.status}: ${statusMessage(res)}` };
    let body: any;
    try {
      body = JSON.parse(res.text);
    } catch {
      return { status: 'failed', message: 'the API server answered with something that is not JSON' };
    }
    if (Array.isArray(body?.items)) items.push(...body.items);
    token = typeof body?.metadata?.continue === 'string' && body.metadata.continue ? body.metadata.continue : undefined;
    if (!token) return { status: 'listed', items };
    if (seenTokens.has(token)) return { status: 'failed', message: 'the API server repeated a continue token' };
    seenTokens.add(token);
  }
}

function inScope(obj: K8sObject, scope: Scope): boolean {
  const ns = obj.metadata?.namespace;
  // A Namespace object belongs to the namespace it names.
  const owningNamespace = obj.kind === 'Namespace' ? obj.metadata?.name : ns;
  if (owningNamespace && scope.excluded.has(owningNamespace)) return false;
  if (scope.namespaces && obj.kind === 'Namespace') return scope.namespaces.includes(obj.metadata?.name ?? '');
  return true;
}

/** Items from a list lack apiVersion/kind (metadata-only ones say PartialObjectMetadata): set them from the spec. */
function toObject(item: any, spec: KindSpec): K8sObject {
  return { ...item, apiVersion: apiVersionOf(spec), kind: spec.kind, metadata: item?.metadata ?? {} };
}

const STATUS_SEVERITY: Record<CoverageStatus, number> = { listed: 0, 'not-applicable': 0, 'not-served': 1, forbidden: 2, failed: 3 };

async function listKind(client: ApiClient, spec: KindSpec, scope: Scope, pageSize: number, context: string, log: Logger): Promise<KindResult> {
  const label = resourceLabel(spec);
  const accept = spec.metadataOnly ? PARTIAL_METADATA_ACCEPT : 'application/json';
  const namespaces = spec.namespaced && scope.namespaces ? scope.namespaces : [undefined];
  log.progress(`listing ${label}…`);

  const objects: K8sObject[] = [];
  const allNames: string[] = [];
  let status: CoverageStatus = 'listed';
  const problems: string[] = [];
  for (const ns of namespaces) {
    const outcome = await listAllPages(client, listPath(spec, ns), accept, pageSize, context);
    if (outcome.status === 'listed') {
      for (const item of outcome.items) {
        const obj = toObject(item, spec);
        if (spec.kind === 'Namespace' && obj.metadata?.name) allNames.push(obj.metadata.name);
        if (inScope(obj, scope)) objects.push(sanitizeObject(obj));
      }
      continue;
    }
    if (STATUS_SEVERITY[outcome.status] > STATUS_SEVERITY[status]) status = outcome.status;
    if (outcome.status !== 'not-served') problems.push(ns ? `namespace ${ns}: ${outcome.message}` : outcome.message);
  }

  const error = problems.length > 0 ? problems.join('; ') : undefined;
  if (status === 'listed') log.progress(`${label}: ${objects.length} listed`);
  else if (status === 'forbidden') log.progress(`${label}: forbidden (403), skipped`);
  else if (status === 'not-served') log.progress(`${label}: not served by this cluster (404), skipped`);
  else log.warn(`${label}: listing failed (${error})`);
  return { spec, status, objects, error, ...(spec.kind === 'Namespace' ? { allNames } : {}) };
}

/** The kinds a workload audit cannot do without: when none of them can be listed there is nothing to audit. */
const WORKLOAD_KINDS = ['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

/**
 * Credentials that can list none of the workload kinds give an empty audit that would look clean: that is a cluster
 * error (exit 3) naming what could not be listed and why, never a report with a grade.
 */
function requireSomeWorkloadKind(results: readonly KindResult[], context: string, server: string): void {
  const workloadResults = results.filter((r) => WORKLOAD_KINDS.includes(r.spec.kind));
  if (workloadResults.some((r) => r.status === 'listed')) return;
  const labels = workloadResults.map((r) => resourceLabel(r.spec)).join(', ');
  if (workloadResults.every((r) => r.status === 'forbidden')) {
    throw new ClusterError(
      `these credentials (context "${context}") can list none of: ${labels} (403 Forbidden)`,
      'grant read access, e.g. the ClusterRole in k8s/ of this repository (get/list/watch on workloads, no Secrets); ' +
        'check with `kubectl auth can-i list pods --all-namespaces`',
    );
  }
  const firstError = workloadResults.find((r) => r.error)?.error ?? 'no answer';
  throw new ClusterError(
    `no workload kind could be listed from ${server} (${labels}): ${firstError}`,
    'check that the server is a Kubernetes API server and is healthy (kubectl get --raw /readyz), then retry',
  );
}

/** `-n NS` for a namespace the cluster does not have is a typo, not an empty audit (exit 2, as for other inputs). */
function requireNamespacesExist(namespaceResult: KindResult | undefined, scope: Scope, context: string): void {
  if (!scope.namespaces || !namespaceResult || namespaceResult.status !== 'listed') return;
  const existing = new Set(namespaceResult.allNames ?? []);
  const missing = scope.namespaces.filter((ns) => !existing.has(ns));
  if (missing.length === 0) return;
  const known = [...existing].sort();
  throw new InputError(
    `namespace${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found in the cluster (context "${context}")`,
    `namespaces in the cluster: ${known.length > 20 ? `${known.slice(0, 20).join(', ')}, … (${known.length} in all)` : known.join(', ')}`,
  );
}

/** Runs `task` over `inputs` with at most `limit` at once; stops starting new ones after an error. */
async function mapWithConcurrency<T, R>(inputs: readonly T[], limit: number, task: (input: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(inputs.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < inputs.length) {
      const index = next++;
      try {
        results[index] = await task(inputs[index]);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, worker);
  const settled = await Promise.allSettled(workers);
  const rejection = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejection) throw rejection.reason;
  return results;
}

function positiveIntegerOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

function buildScope(options: ConnectorOptions): Scope {
  const namespaces = options.namespaces?.length ? [...new Set(options.namespaces)].sort() : null;
  return { namespaces, excluded: new Set(options.excludeNamespaces ?? []) };
}

function coverageOf(result: KindResult): CoverageEntry {
  const entry: CoverageEntry = {
    kind: result.spec.kind,
    apiVersion: apiVersionOf(result.spec),
    status: result.status,
    count: result.objects.length,
  };
  if (result.error) entry.error = result.error;
  // Only a kind that was read can have been read as metadata only.
  if (result.spec.metadataOnly && result.status === 'listed') entry.metadataOnly = true;
  return entry;
}

/**
 * Captures the cluster the kubeconfig (options.kubeconfig, $KUBECONFIG, ~/.kube/config, in-cluster)
 * and options.context point at. Throws ClusterError (exit 3) when the cluster cannot be used at all.
 */
export async function captureCluster(options: CaptureOptions, log: Logger): Promise<Snapshot> {
  const loaded = loadKubeConfig({ explicitPath: options.kubeconfig, env: options.env, home: options.home, serviceAccountRoot: options.serviceAccountRoot });
  selectContext(loaded, options.context);
  const { kc } = loaded;
  const context = kc.getCurrentContext();
  const timeoutMs = positiveIntegerOr(options.timeoutMs, DEFAULT_TIMEOUT_MS);
  const client = new ApiClient(kc, {
    deadline: Date.now() + timeoutMs,
    retryBaseMs: options.retryBaseMs,
    maxResponseBytes: options.maxResponseBytes,
    onRetry: (path, attempt, reason, delayMs) => log.debug(`GET ${path} failed (${reason}); retry ${attempt} in ${delayMs} ms`),
  });

  try {
    await client.connectionOptions();
  } catch (err) {
    if (err instanceof DeadlineExceededError) {
      throw new ClusterError(
        `the credential plugin of context "${context}" did not answer within the --timeout of ${Math.round(timeoutMs / 1000)} s; it was stopped`,
        'run the plugin by hand (the exec command in the kubeconfig user) to see whether it waits for a login, then retry',
        { cause: err },
      );
    }
    throw new ClusterError(
      `cannot get credentials for context "${context}": ${errorMessage(err).split('\n')[0]}`,
      'check the user section of the context (exec plugin installed and logged in? certificate files present?)',
      { cause: err },
    );
  }

  // Said before anything is read, and not only as progress: auditing the wrong cluster is the worst mistake to make.
  log.info(`reading context "${context}" at ${client.server} (kubeconfig: ${loaded.origin})`);
  const gitVersion = await fetchVersion(client, context, log);
  const scope = buildScope(options);
  const concurrency = positiveIntegerOr(options.concurrency, DEFAULT_CONCURRENCY);
  const pageSize = positiveIntegerOr(options.pageSize, DEFAULT_PAGE_SIZE);
  const list = (spec: KindSpec) => listKind(client, spec, scope, pageSize, context, log);
  // With -n the Namespaces are listed first, so a namespace that does not exist stops the run before the long part.
  const namespaceSpec = KIND_SPECS.find((spec) => spec.kind === 'Namespace');
  const namespaceResult = scope.namespaces && namespaceSpec ? await list(namespaceSpec) : undefined;
  requireNamespacesExist(namespaceResult, scope, context);
  const listed = await mapWithConcurrency(
    KIND_SPECS.filter((spec) => !namespaceResult || spec !== namespaceSpec),
    concurrency,
    list,
  );
  const results = KIND_SPECS.map((spec) =>
    namespaceResult && spec === namespaceSpec ? namespaceResult : listed.find((r) => r.spec === spec)!,
  );
  requireSomeWorkloadKind(results, context, client.server);

  const objects: Record<string, K8sObject[]> = {};
  for (const result of results) {
    if (result.status === 'listed' || result.objects.length > 0) objects[result.spec.kind] = result.objects;
  }
  const platform = detectPlatform(gitVersion, objects.Node ?? []);
  const snapshot: Snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    capturedAt: (options.now ?? (() => new Date()))().toISOString(),
    source: {
      type: 'cluster',
      server: client.server,
      context,
      ...(gitVersion ? { kubernetesVersion: gitVersion } : {}),
      ...(platform ? { platform } : {}),
    },
    scope: { namespaces: scope.namespaces, excludedNamespaces: [...scope.excluded].sort() },
    coverage: results.map(coverageOf),
    objects,
  };
  return normalizeSnapshot(snapshot);
}
