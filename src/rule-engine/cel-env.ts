/**
 * The CEL environment every rule expression is compiled in: the variables of docs/rules.md §2 and the
 * graph/quantity/formatting helpers. Built once per process; helpers read the graph of the evaluation in
 * progress from `activeContext` (evaluation is synchronous, so one evaluation runs at a time).
 */
import { Environment } from '@marcbachmann/cel-js';
import type { ClusterGraph } from '../graph/types.js';
import type { K8sObject } from '../schema/snapshot.js';
import { formatCpu, formatMemory, parseQuantity } from '../common/quantity.js';
import { SYSTEM_NAMESPACES } from '../common/kinds.js';
import { keyOf } from '../schema/snapshot.js';
import { matchesSelector, type LabelSelector } from '../graph/selectors.js';
import { declaredReplicas, podSpecOf, podTemplatePath, wrapPodSpecPatch } from './workload.js';

export interface HelperContext {
  graph: ClusterGraph;
  /** Lazily built indexes (per evaluation): kind → namespace → objects, namespace → workloads, SA → bindings. */
  byNamespace?: Map<string, Map<string, K8sObject[]>>;
  workloadsByNamespace?: Map<string, K8sObject[]>;
}

let activeContext: HelperContext | undefined;

/** Runs `fn` with the helpers bound to `ctx`. */
export function withHelperContext<T>(ctx: HelperContext, fn: () => T): T {
  const previous = activeContext;
  activeContext = ctx;
  try {
    return fn();
  } finally {
    activeContext = previous;
  }
}

function context(): HelperContext {
  if (!activeContext) throw new Error('graph helpers are only available during rule evaluation');
  return activeContext;
}

function graph(): ClusterGraph {
  return context().graph;
}

function groupByNamespace(objects: K8sObject[]): Map<string, K8sObject[]> {
  const out = new Map<string, K8sObject[]>();
  for (const o of objects) {
    const ns = o.metadata.namespace ?? '';
    const list = out.get(ns);
    if (list) list.push(o);
    else out.set(ns, [o]);
  }
  return out;
}

/** Objects of a kind in one namespace, from an index built once per kind (not a scan per call). */
function objectsInNamespace(kind: string, namespace: string): K8sObject[] {
  const ctx = context();
  ctx.byNamespace ??= new Map();
  let index = ctx.byNamespace.get(kind);
  if (!index) {
    index = groupByNamespace(ctx.graph.objectsOfKind(kind));
    ctx.byNamespace.set(kind, index);
  }
  return index.get(namespace) ?? [];
}

function workloadsInNamespace(namespace: string): K8sObject[] {
  const ctx = context();
  ctx.workloadsByNamespace ??= groupByNamespace(ctx.graph.workloads());
  return ctx.workloadsByNamespace.get(namespace) ?? [];
}

/**
 * The value a namespace's LimitRange fills in for containers that leave `resource` unset at pod creation
 * (`field` is `default` for limits, `defaultRequest` for requests); "" when none does.
 */
function limitRangeDefault(namespace: string, field: string, resource: string): string {
  for (const lr of objectsInNamespace('LimitRange', namespace)) {
    const limits: unknown = lr.spec?.limits;
    if (!Array.isArray(limits)) continue;
    for (const l of limits) {
      if (l?.type !== 'Container') continue;
      const value = l?.[field]?.[resource];
      if (value !== undefined && value !== null) return `${String(value)} (LimitRange ${lr.metadata.name ?? ''})`;
    }
  }
  return '';
}

/** RoleBindings and ClusterRoleBindings whose subjects name this ServiceAccount (graph `grants-to` edges). */
function bindingsForServiceAccount(namespace: string, name: string): K8sObject[] {
  const g = graph();
  const key = keyOf({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace, name } });
  if (!g.graph.hasNode(key)) return [];
  const found = new Set<K8sObject>();
  g.graph.forEachInEdge(key, (_edge, attrs, source) => {
    if (attrs.type !== 'grants-to') return;
    const binding = g.graph.getNodeAttributes(source).object;
    if (binding) found.add(binding);
  });
  return [...found];
}

/** Kubernetes CEL's Quantity, kept as an approximate float of base units (cores, bytes). */
export class Quantity {
  constructor(readonly value: number) {}
}

function toQuantity(input: unknown): Quantity {
  const value =
    typeof input === 'bigint' ? Number(input) : typeof input === 'number' || typeof input === 'string' ? parseQuantity(input) : NaN;
  if (!Number.isFinite(value)) throw new Error(`invalid quantity: ${String(input)}`);
  return new Quantity(value);
}

function isObject(value: unknown): value is K8sObject {
  return typeof value === 'object' && value !== null && typeof (value as K8sObject).kind === 'string';
}

function asObject(value: unknown, fn: string): K8sObject {
  if (!isObject(value)) throw new Error(`${fn}() expects a Kubernetes object`);
  return value;
}

/** Image tag: "" when none; "@sha256:..." for digest-pinned images. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at);
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon >= 0 ? image.slice(colon + 1) : '';
}

/** Workloads (never pods: pods are folded onto their owner) protected by a PodDisruptionBudget. */
function pdbTargets(pdb: K8sObject): K8sObject[] {
  const g = graph();
  const key = keyOf(pdb);
  const found = new Set<K8sObject>();
  if (!g.graph.hasNode(key)) return [];
  g.graph.forEachOutEdge(key, (_edge, attrs, _source, target) => {
    if (attrs.type !== 'protects') return;
    const obj = g.graph.getNodeAttributes(target).object;
    if (!obj) return;
    const owner = obj.kind === 'Pod' ? g.topOwner(obj) : obj;
    if (podTemplatePath(owner) !== undefined) found.add(owner);
  });
  return [...found];
}

/**
 * The fewest pods a workload is meant to run: the lowest HPA minReplicas (default 1) when an HPA scales it,
 * else its declared replicas.
 */
export function minReplicasOf(obj: K8sObject): number {
  const hpas = graph().hpasFor(obj);
  if (hpas.length === 0) return declaredReplicas(obj);
  return Math.min(...hpas.map((h) => (typeof h.spec?.minReplicas === 'number' ? h.spec.minReplicas : 1)));
}

const VARIABLES = [
  'object',
  'podSpec',
  'podTemplate',
  'namespaceObject',
  'container',
  'volume',
  'rule',
  'backend',
  'port',
  'ref',
  'item',
  'variables',
] as const;

/**
 * Registers a synchronous helper. cel-js treats a handler as possibly async unless told otherwise, which makes
 * every evaluation check for promises; all our helpers are synchronous.
 */
function sync(env: Environment, signature: string, handler: (...args: any[]) => unknown): void {
  env.registerFunction(signature, handler, { async: false });
}

function buildEnvironment(): Environment {
  const env = new Environment({ homogeneousAggregateLiterals: false, enableOptionalTypes: true });
  for (const name of VARIABLES) env.registerVariable(name, 'dyn');
  env
    .registerVariable('kind', 'string')
    .registerVariable('ns', 'string')
    .registerVariable('name', 'string')
    .registerVariable('host', 'string')
    .registerVariable('httpPath', 'string')
    .registerVariable('replicas', 'int')
    .registerVariable('index', 'int')
    .registerVariable('live', 'bool');

  env.registerType('Quantity', Quantity);
  sync(env, 'quantity(dyn): Quantity', (x: unknown) => toQuantity(x));
  sync(env, 'isQuantity(dyn): bool', (x: unknown) => {
    const v = typeof x === 'string' || typeof x === 'number' ? parseQuantity(x) : typeof x === 'bigint' ? 0 : NaN;
    return Number.isFinite(v);
  });
  const method = (name: string, returnType: string, params: string[], handler: (...args: any[]) => unknown) =>
    env.registerFunction({
      name,
      receiverType: 'Quantity',
      returnType,
      params: params.map((type, i) => ({ name: `a${i}`, type })),
      handler,
      async: false,
    });
  method('asApproximateFloat', 'double', [], (q: Quantity) => q.value);
  method('asInteger', 'int', [], (q: Quantity) => BigInt(Math.ceil(q.value)));
  method('isGreaterThan', 'bool', ['Quantity'], (q: Quantity, o: Quantity) => q.value > o.value);
  method('isLessThan', 'bool', ['Quantity'], (q: Quantity, o: Quantity) => q.value < o.value);
  method('compareTo', 'int', ['Quantity'], (q: Quantity, o: Quantity) => BigInt(Math.sign(q.value - o.value)));
  method('add', 'Quantity', ['Quantity'], (q: Quantity, o: Quantity) => new Quantity(q.value + o.value));
  method('sub', 'Quantity', ['Quantity'], (q: Quantity, o: Quantity) => new Quantity(q.value - o.value));
  method('sign', 'int', [], (q: Quantity) => BigInt(Math.sign(q.value)));

  // Kubernetes CEL's lists library `sum()`; here always a double so int and JSON-number lists mix.
  env.registerFunction({
    name: 'sum',
    receiverType: 'list',
    returnType: 'double',
    params: [],
    handler: (list: unknown[]) => list.reduce<number>((acc, v) => acc + Number(v), 0),
    async: false,
  });

  // ClusterGPT extension (not in Kubernetes CEL): scalar list without repeats, first occurrence kept.
  env.registerFunction({
    name: 'distinct',
    receiverType: 'list',
    returnType: 'list<dyn>',
    params: [],
    handler: (list: unknown[]) => [...new Set(list)],
    async: false,
  });

  sync(env, 'servicesFor(dyn): list<dyn>', (o: unknown) => graph().servicesFor(asObject(o, 'servicesFor')));
  sync(env, 'selectedBy(dyn): list<dyn>', (o: unknown) => graph().selectedByService(asObject(o, 'selectedBy')));
  sync(env, 'ingressesFor(dyn): list<dyn>', (o: unknown) => graph().ingressesFor(asObject(o, 'ingressesFor')));
  sync(env, 'pdbsFor(dyn): list<dyn>', (o: unknown) => graph().pdbsFor(asObject(o, 'pdbsFor')));
  sync(env, 'hpasFor(dyn): list<dyn>', (o: unknown) => graph().hpasFor(asObject(o, 'hpasFor')));
  sync(env, 'networkPoliciesFor(dyn): list<dyn>', (o: unknown) =>
    graph().networkPoliciesFor(asObject(o, 'networkPoliciesFor')),
  );
  sync(env, 'namespaceHasNetworkPolicy(string): bool', (ns: string) => graph().namespaceHasNetworkPolicy(ns));
  sync(env, 'podsOf(dyn): list<dyn>', (o: unknown) => graph().podsOf(asObject(o, 'podsOf')));
  sync(env, 'mountersOf(dyn): list<dyn>', (o: unknown) => graph().mountersOf(asObject(o, 'mountersOf')));
  sync(env, 'danglingFrom(dyn): list<dyn>', (o: unknown) => graph().danglingFrom(asObject(o, 'danglingFrom')));
  sync(env, 'getObject(string, string, string): dyn', (kind: string, ns: string, name: string) => {
    return graph().get(kind, ns === '' ? undefined : ns, name) ?? null;
  });
  sync(env, 'objectExists(string, string, string): bool', (kind: string, ns: string, name: string) => {
    return graph().get(kind, ns === '' ? undefined : ns, name) !== undefined;
  });
  sync(env, 'pdbTargets(dyn): list<dyn>', (o: unknown) => pdbTargets(asObject(o, 'pdbTargets')));
  sync(env, 'minReplicasOf(dyn): int', (o: unknown) => BigInt(minReplicasOf(asObject(o, 'minReplicasOf'))));
  sync(env, 'selectorMatches(dyn, dyn): bool', (selector: unknown, labels: unknown) =>
    matchesSelector((labels ?? {}) as Record<string, string>, (selector ?? {}) as LabelSelector),
  );
  sync(env, 'objectsInNamespace(string, string): list<dyn>', (kind: string, ns: string) => objectsInNamespace(kind, ns));
  sync(env, 'limitRangeDefault(string, string, string): string', (ns: string, field: string, resource: string) =>
    limitRangeDefault(ns, field, resource),
  );
  sync(env, 'workloadsInNamespace(string): list<dyn>', (ns: string) => workloadsInNamespace(ns));
  sync(env, 'bindingsForServiceAccount(string, string): list<dyn>', (ns: string, name: string) =>
    bindingsForServiceAccount(ns, name),
  );
  sync(env, 'objectsOfKind(string): list<dyn>', (kind: string) => graph().objectsOfKind(kind));
  sync(env, 'podSpecOf(dyn): dyn', (o: unknown) => (isObject(o) ? podSpecOf(o) ?? {} : {}));
  sync(env, 'largestNodeAllocatable(): dyn', () => graph().largestNodeAllocatable() ?? null);
  sync(env, 'isSystemNamespace(string): bool', (ns: string) =>
    (SYSTEM_NAMESPACES as readonly string[]).includes(ns),
  );
  sync(env, 'formatCpu(dyn): string', (x: unknown) => formatCpu(Number(x)));
  sync(env, 'formatMemory(dyn): string', (x: unknown) => formatMemory(Number(x)));
  sync(env, 'imageTag(string): string', (image: string) => imageTag(image));
  sync(env, 'podSpecPatch(dyn, dyn): dyn', (o: unknown, body: unknown) =>
    wrapPodSpecPatch(asObject(o, 'podSpecPatch'), body),
  );
  return env;
}

let environment: Environment | undefined;

/** The shared environment (built lazily: building it is the expensive part). */
export function celEnvironment(): Environment {
  environment ??= buildEnvironment();
  return environment;
}

export type CompiledExpression = (context: object) => unknown;

/** Compiles once; throws the library's ParseError/TypeError with source highlighting. */
export function compileExpression(source: string): CompiledExpression {
  const env = celEnvironment();
  const parsed = env.parse(source);
  // Type-check up front so a misspelt helper or variable is a load-time error, not a silent miss.
  const check = parsed.check();
  if (!check.valid) throw check.error;
  return parsed as unknown as CompiledExpression;
}
