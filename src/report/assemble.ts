/**
 * Builds the Report (src/schema/report.ts) from the stage results: inventory, coverage gaps,
 * summary with the risk score, and the architecture overview. Pure and deterministic: every
 * list is sorted and nothing depends on the clock.
 */
import type { StageResults } from '../pipeline-types.js';
import type { K8sObject, CoverageEntry } from '../schema/snapshot.js';
import { objectKey } from '../schema/snapshot.js';
import type { Finding, ResourceRef } from '../schema/finding.js';
import { CategorySchema, SEVERITY_ORDER, severityRank } from '../schema/finding.js';
import type { Diagnosis } from '../schema/diagnosis.js';
import type { Report, RuleInfo } from '../schema/report.js';
import { REPORT_SCHEMA_VERSION } from '../schema/report.js';
import type { ClusterGraph } from '../graph/types.js';
import type { RuleChecks } from '../rule-engine/index.js';
import { SYSTEM_NAMESPACES } from '../common/kinds.js';
import { computeHealth, readCoverage } from './health.js';
import { refSortKey } from './format.js';

export type AssembleInput = Pick<
  StageResults,
  | 'snapshot'
  | 'graph'
  | 'findings'
  | 'diagnoses'
  | 'cost'
  | 'remediations'
  | 'explanation'
  | 'explanationMeta'
  | 'inputProblems'
> & {
  /** The rules that were evaluated (SARIF rule help, JUnit); empty when the rule engine did not run. */
  rules?: RuleInfo[];
  /** What the rules were evaluated on (the health score's pass rate and graded workloads). */
  checks?: RuleChecks;
  /** Kinds no rule reads, and config exemptions that matched nothing (from the rule engine). */
  notChecked?: NonNullable<Report['notChecked']>;
  staleExemptions?: NonNullable<Report['staleExemptions']>;
  appliedConfig?: Report['appliedConfig'];
};

type Inventory = Report['inventory'];
type Architecture = Report['architecture'];
type ExposurePath = Architecture['exposurePaths'][number];
type CoverageGap = Report['coverageGaps'][number];

/** Kinds that are observations, not resources: left out of the inventory counts. */
const NOT_INVENTORIED = new Set(['Event', 'PodMetrics', 'NodeMetrics']);

/** What cannot be checked when a kind could not be read; shown next to each coverage gap. */
const GAP_IMPACT: Record<string, string> = {
  Namespace: 'namespace-level checks (labels, Pod Security admission)',
  Node: 'node diagnoses, node-based cost and idle capacity',
  Pod: 'live pod diagnoses (crash loops, OOM kills, pending pods) and pods-affected counts',
  Service: 'exposure paths, single points of failure and service selector checks',
  PersistentVolumeClaim: 'storage checks and missing-claim references',
  PersistentVolume: 'volume binding checks',
  ServiceAccount: 'service account token and reference checks',
  ConfigMap: 'missing ConfigMap references',
  Secret: 'missing Secret references (TLS, env, volumes, image pull secrets)',
  Event: 'event evidence for diagnoses (timestamps, kubelet and scheduler messages)',
  ResourceQuota: 'quota checks',
  LimitRange: 'limit defaults: requests/limits findings may be reported although a LimitRange fills them in',
  Deployment: 'all checks on Deployments',
  ReplicaSet: 'rollout diagnoses and ownership of pods created by Deployments',
  StatefulSet: 'all checks on StatefulSets',
  DaemonSet: 'all checks on DaemonSets',
  Job: 'all checks on Jobs',
  CronJob: 'all checks on CronJobs',
  EndpointSlice: 'service endpoint readiness checks',
  Ingress: 'exposure paths through Ingresses and Ingress checks',
  IngressClass: 'IngressClass references',
  NetworkPolicy: 'network isolation checks (workloads may be reported as unprotected)',
  HorizontalPodAutoscaler: 'autoscaling checks (single-replica workloads with an HPA may be reported)',
  PodDisruptionBudget: 'disruption budget checks (workloads may be reported as unprotected)',
  StorageClass: 'storage class references',
  Role: 'RBAC checks on Roles',
  RoleBinding: 'RBAC checks on who is granted what',
  ClusterRole: 'RBAC checks on ClusterRoles',
  ClusterRoleBinding: 'RBAC checks on cluster-wide grants',
  PriorityClass: 'priority class references',
  PodMetrics: 'usage-based cost and right-sizing only (metrics-server not available); requests-based figures are still reported',
  NodeMetrics: 'usage-based cost and right-sizing only (metrics-server not available); requests-based figures are still reported',
};

const STATUS_REASON: Record<string, string> = {
  forbidden: 'RBAC does not allow listing it',
  'not-served': 'the API is not served by this cluster',
  failed: 'listing it failed',
};

function byString<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

function isGap(entry: CoverageEntry): boolean {
  return entry.status !== 'listed' && entry.status !== 'not-applicable';
}

export function coverageGaps(coverage: readonly CoverageEntry[]): CoverageGap[] {
  return coverage
    .filter(isGap)
    .map((c) => {
      const reason = c.error ?? STATUS_REASON[c.status] ?? c.status;
      const impact = GAP_IMPACT[c.kind] ?? `checks on ${c.kind}`;
      return { kind: c.kind, status: c.status, error: `${reason}. Not checked: ${impact}.` };
    })
    .sort(byString((g) => g.kind));
}

function allObjects(objects: Record<string, K8sObject[]>): K8sObject[] {
  return Object.values(objects).flat();
}

export function buildInventory(objects: Record<string, K8sObject[]>, workloads: readonly K8sObject[]): Inventory {
  const byKind = new Map<string, number>();
  const byNamespace = new Map<string, { count: number; workloads: number }>();
  let total = 0;
  for (const [kind, list] of Object.entries(objects)) {
    if (NOT_INVENTORIED.has(kind) || list.length === 0) continue;
    byKind.set(kind, (byKind.get(kind) ?? 0) + list.length);
    total += list.length;
    for (const obj of list) {
      const ns = obj.metadata.namespace;
      if (!ns) continue;
      const entry = byNamespace.get(ns) ?? { count: 0, workloads: 0 };
      entry.count += 1;
      byNamespace.set(ns, entry);
    }
  }
  for (const w of workloads) {
    const ns = w.metadata.namespace;
    if (!ns) continue;
    const entry = byNamespace.get(ns) ?? { count: 0, workloads: 0 };
    entry.workloads += 1;
    byNamespace.set(ns, entry);
  }
  return {
    totalObjects: total,
    byKind: [...byKind].map(([kind, count]) => ({ kind, count })).sort(byString((k) => k.kind)),
    byNamespace: [...byNamespace]
      .map(([namespace, v]) => ({ namespace, count: v.count, workloads: v.workloads }))
      .sort(byString((n) => n.namespace)),
  };
}

/**
 * The workloads to grade: the rule engine's when it ran; otherwise every workload outside the system namespaces,
 * which is what the rule engine checks by default.
 */
function gradedWorkloads(graph: ClusterGraph, checks: RuleChecks | undefined): ResourceRef[] {
  if (checks) return checks.workloads;
  const system = new Set<string>(SYSTEM_NAMESPACES);
  return graph
    .workloads()
    .filter((w) => !system.has(w.metadata.namespace ?? ''))
    .map((w) => cleanRef(graph, w));
}

export function buildSummary(
  findings: readonly Finding[],
  diagnoses: readonly Diagnosis[],
  coverage: readonly CoverageEntry[],
  monthlyCost: number | undefined,
  graded: { workloads: readonly ResourceRef[]; checks?: RuleChecks } = { workloads: [] },
): Report['summary'] {
  const active = findings.filter((f) => !f.exempted);
  const bySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Report['summary']['bySeverity'];
  const byCategory = Object.fromEntries(CategorySchema.options.map((c) => [c, 0])) as Report['summary']['byCategory'];
  for (const f of active) {
    bySeverity[f.severity] += 1;
    byCategory[f.category] += 1;
  }
  const totals = graded.checks?.rules.reduce(
    (sum, r) => ({ evaluated: sum.evaluated + r.evaluated, failed: sum.failed + r.failed }),
    { evaluated: 0, failed: 0 },
  );
  const health = computeHealth({ findings, diagnoses, coverage, workloads: graded.workloads, ...(totals ? { checks: totals } : {}) });
  return {
    totalFindings: active.length,
    exemptedFindings: findings.length - active.length,
    bySeverity,
    byCategory,
    health,
    readCoverage: readCoverage(coverage),
    riskScore: health.score === null ? null : 100 - health.score,
    riskGrade: health.grade,
    diagnoses: diagnoses.length,
    ...(monthlyCost !== undefined ? { monthlyCost } : {}),
  };
}

function cleanRef(graph: ClusterGraph, obj: K8sObject): ResourceRef {
  const ref = graph.ref(obj);
  // Keep only the schema's fields, in a fixed shape, so the JSON does not depend on the graph's object.
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
    name: ref.name,
    ...(ref.uid ? { uid: ref.uid } : {}),
  };
}

function keyOfObj(obj: K8sObject): string {
  return objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name ?? '');
}

/** The workloads behind a Service: selected pods are folded onto their top owner. */
function workloadsBehind(graph: ClusterGraph, service: K8sObject, workloadKeys: ReadonlySet<string>): K8sObject[] {
  const found = new Map<string, K8sObject>();
  for (const selected of graph.selectedByService(service)) {
    const owner = graph.topOwner(selected);
    const key = keyOfObj(owner);
    if (workloadKeys.has(key)) found.set(key, owner);
  }
  return [...found.values()].sort(byString((o) => refSortKey(graph.ref(o))));
}

interface IngressBackendRef {
  host?: string;
  path?: string;
  serviceName: string;
}

/** The Service backends an Ingress routes to (rules and the default backend). */
function ingressBackends(ingress: K8sObject): IngressBackendRef[] {
  const spec = (ingress.spec ?? {}) as Record<string, any>;
  const out: IngressBackendRef[] = [];
  const defaultService = spec.defaultBackend?.service?.name;
  if (typeof defaultService === 'string') out.push({ serviceName: defaultService });
  for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
    const host = typeof rule?.host === 'string' ? rule.host : undefined;
    for (const p of Array.isArray(rule?.http?.paths) ? rule.http.paths : []) {
      const name = p?.backend?.service?.name;
      if (typeof name !== 'string') continue;
      out.push({ ...(host ? { host } : {}), ...(typeof p.path === 'string' ? { path: p.path } : {}), serviceName: name });
    }
  }
  return out;
}

function exposureSortKey(p: ExposurePath): string {
  return [p.ingress ? refSortKey(p.ingress) : '\uffff', p.host ?? '', p.path ?? '', refSortKey(p.service)].join('\u0001');
}

export function exposurePaths(graph: ClusterGraph, workloadKeys: ReadonlySet<string>): ExposurePath[] {
  const paths: ExposurePath[] = [];
  const seen = new Set<string>();
  const add = (p: ExposurePath) => {
    const key = exposureSortKey(p);
    if (!seen.has(key)) {
      seen.add(key);
      paths.push(p);
    }
  };
  for (const ingress of graph.objectsOfKind('Ingress')) {
    for (const backend of ingressBackends(ingress)) {
      const service = graph.get('Service', ingress.metadata.namespace, backend.serviceName);
      // A backend to a missing Service is a dangling reference, reported there, not an exposure path.
      if (!service) continue;
      add({
        ingress: cleanRef(graph, ingress),
        ...(backend.host ? { host: backend.host } : {}),
        ...(backend.path ? { path: backend.path } : {}),
        service: cleanRef(graph, service),
        serviceType: String(service.spec?.type ?? 'ClusterIP'),
        workloads: workloadsBehind(graph, service, workloadKeys).map((w) => cleanRef(graph, w)),
      });
    }
  }
  for (const service of graph.objectsOfKind('Service')) {
    const type = String(service.spec?.type ?? 'ClusterIP');
    if (type !== 'LoadBalancer' && type !== 'NodePort') continue;
    add({
      service: cleanRef(graph, service),
      serviceType: type,
      workloads: workloadsBehind(graph, service, workloadKeys).map((w) => cleanRef(graph, w)),
    });
  }
  return paths.sort(byString(exposureSortKey));
}

/** Desired replicas, counting an HPA's minReplicas when it scales the workload. Undefined = not replica-based. */
function desiredReplicas(graph: ClusterGraph, workload: K8sObject): number | undefined {
  switch (workload.kind) {
    case 'Pod':
      return 1;
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet': {
      const replicas = typeof workload.spec?.replicas === 'number' ? workload.spec.replicas : 1;
      const hpaMin = graph
        .hpasFor(workload)
        .map((h) => (typeof h.spec?.minReplicas === 'number' ? h.spec.minReplicas : 1))
        .reduce((a, b) => Math.max(a, b), 0);
      return Math.max(replicas, hpaMin);
    }
    default:
      // DaemonSets run one pod per node; Jobs and CronJobs do not serve traffic.
      return undefined;
  }
}

export function singlePointsOfFailure(graph: ClusterGraph, workloads: readonly K8sObject[]): ResourceRef[] {
  return workloads
    .filter((w) => {
      const replicas = desiredReplicas(graph, w);
      // Zero replicas is scaled down on purpose, not a single point of failure.
      return replicas === 1 && graph.servicesFor(w).length > 0;
    })
    .map((w) => cleanRef(graph, w))
    .sort(byString(refSortKey));
}

function namespacesOf(objects: Record<string, K8sObject[]>): string[] {
  const names = new Set<string>();
  for (const ns of objects.Namespace ?? []) if (ns.metadata.name) names.add(ns.metadata.name);
  for (const obj of allObjects(objects)) if (obj.metadata.namespace) names.add(obj.metadata.namespace);
  return [...names].sort();
}

export function buildArchitecture(graph: ClusterGraph, objects: Record<string, K8sObject[]>): Architecture {
  const workloads = graph.workloads();
  const workloadKeys = new Set(workloads.map(keyOfObj));
  return {
    namespaces: namespacesOf(objects),
    workloads: workloads.length,
    exposurePaths: exposurePaths(graph, workloadKeys),
    singlePointsOfFailure: singlePointsOfFailure(graph, workloads),
    danglingReferences: [...graph.danglingReferences()],
  };
}

/** Worst first, then by category, rule and resource: the order every writer shows findings in. */
export function compareFindings(a: Finding, b: Finding): number {
  const bySeverity = severityRank(b.severity) - severityRank(a.severity);
  if (bySeverity !== 0) return bySeverity;
  return byString<Finding>((f) =>
    [f.category, f.ruleId, refSortKey(f.resource), f.element ?? '', f.id].join('\u0001'),
  )(a, b);
}

export function compareDiagnoses(a: Diagnosis, b: Diagnosis): number {
  if (b.impact !== a.impact) return b.impact - a.impact;
  return byString<Diagnosis>((d) => [d.cause, refSortKey(d.resource), d.id].join('\u0001'))(a, b);
}

export function assembleReport(input: AssembleInput, toolVersion: string): Report {
  const { snapshot, graph } = input;
  const coverage = [...snapshot.coverage].sort(byString((c) => `${c.kind}\u0000${c.apiVersion}`));
  const findings = [...input.findings].sort(compareFindings);
  const diagnoses = [...input.diagnoses].sort(compareDiagnoses);
  const inputProblems = [...input.inputProblems]
    .map((p) => ({ ...(p.file ? { file: p.file } : {}), ...(p.line ? { line: p.line } : {}), message: p.message }))
    .sort(byString((p) => `${p.file ?? ''}\u0000${String(p.line ?? 0).padStart(9, '0')}\u0000${p.message}`));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'clustergpt', version: toolVersion },
    source: snapshot.source,
    capturedAt: snapshot.capturedAt,
    scope: {
      namespaces: snapshot.scope.namespaces ? [...snapshot.scope.namespaces].sort() : null,
      excludedNamespaces: [...(snapshot.scope.excludedNamespaces ?? [])].sort(),
    },
    coverage,
    coverageGaps: coverageGaps(coverage),
    inventory: buildInventory(snapshot.objects, graph.workloads()),
    summary: buildSummary(findings, diagnoses, coverage, input.cost?.monthlyTotal, {
      workloads: gradedWorkloads(graph, input.checks),
      ...(input.checks ? { checks: input.checks } : {}),
    }),
    rules: [...(input.rules ?? [])].sort(byString((r) => r.id)),
    findings,
    diagnoses,
    cost: input.cost,
    architecture: buildArchitecture(graph, snapshot.objects),
    remediations: [...input.remediations].sort(byString((r) => r.id)),
    explanation: input.explanation,
    explanationMeta: input.explanationMeta,
    inputProblems,
    notChecked: [...(input.notChecked ?? [])].sort(byString((k) => `${k.kind}\u0000${k.apiVersion}`)),
    staleExemptions: [...(input.staleExemptions ?? [])].sort(byString((e) => `${e.declaredOn}\u0000${e.rule}`)),
    ...(input.appliedConfig ? { appliedConfig: input.appliedConfig } : {}),
  };
}
