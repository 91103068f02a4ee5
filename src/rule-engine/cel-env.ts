/**
 * The CEL environment every rule expression is compiled in: the variables of docs/rules.md §2 and the
 * graph/quantity/formatting helpers. Built once per process; helpers read the graph of the evaluation in
 * progress from `activeContext` (evaluation is synchronous, so one evaluation runs at a time).
 */
import { Environment } from '@marcbachmann/cel-js';
import type { ClusterGraph } from '../graph/types.js';
import type { K8sObject } from '../schema/snapshot.js';
import { formatCpu, formatMemory, humanBytes, humanCpu, parseQuantity } from '../common/quantity.js';
import { SYSTEM_NAMESPACES } from '../common/kinds.js';
import { keyOf } from '../schema/snapshot.js';
import { matchesSelector, type LabelSelector } from '../graph/selectors.js';
import { declaredReplicas, podSpecOf, podTemplatePath, wrapPodSpecPatch } from './workload.js';

export interface HelperContext {
  graph: ClusterGraph;
  /** Lazily built indexes (per evaluation): kind → namespace → objects, namespace → workloads, SA → bindings. */
  byNamespace?: Map<string, Map<string, K8sObject[]>>;
  workloadsByNamespace?: Map<string, K8sObject[]>;
  bindingIndex?: BindingIndex;
  /** node name → pods scheduled on it (spec.nodeName), in graph order. */
  podsByNode?: Map<string, K8sObject[]>;
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

/** Pods whose spec.nodeName is this Node's name (any phase), in graph order; indexed once per evaluation. */
function podsOnNode(node: K8sObject): K8sObject[] {
  const ctx = context();
  if (!ctx.podsByNode) {
    ctx.podsByNode = new Map();
    for (const pod of ctx.graph.objectsOfKind('Pod')) {
      const nodeName: unknown = pod.spec?.nodeName;
      if (typeof nodeName !== 'string' || nodeName === '') continue;
      const list = ctx.podsByNode.get(nodeName);
      if (list) list.push(pod);
      else ctx.podsByNode.set(nodeName, [pod]);
    }
  }
  return ctx.podsByNode.get(node.metadata.name ?? '') ?? [];
}

/**
 * Sum over the pods' containers (not init containers) of the request for `resource` (the limit when only a limit is
 * set), in cores or bytes: what `pods.map(p, p.?spec.?containers.orValue([]).map(c, quantity(c.?resources.?requests
 * [resource].orValue(c.?resources.?limits[resource].orValue(0))).asApproximateFloat()).sum()).sum()` computes, without
 * interpreting it per container. An invalid quantity is an evaluation error, as with quantity().
 */
function sumRequests(pods: unknown, resource: string): number {
  let total = 0;
  if (!Array.isArray(pods)) throw new Error('sumRequests() expects a list of pods');
  for (const pod of pods) {
    const containers: unknown = pod?.spec?.containers;
    if (!Array.isArray(containers)) continue;
    for (const c of containers) {
      const requested = c?.resources?.requests?.[resource];
      const value = requested !== undefined && requested !== null ? requested : c?.resources?.limits?.[resource];
      total += toQuantity(value === undefined || value === null ? 0 : value).value;
    }
  }
  return total;
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

/** RoleBindings/ClusterRoleBindings by the ServiceAccounts their subjects name, built once per evaluation. */
interface BindingIndex {
  /** `namespace/name` of a ServiceAccount subject → bindings naming it. */
  byAccount: Map<string, K8sObject[]>;
  /** Bindings naming the group system:serviceaccounts (every ServiceAccount of the cluster). */
  allAccounts: K8sObject[];
  /** namespace → bindings naming the group system:serviceaccounts:<namespace>. */
  byNamespaceGroup: Map<string, K8sObject[]>;
  /** Position of each binding (RoleBindings, then ClusterRoleBindings, in graph order), to return them in that order. */
  order: Map<K8sObject, number>;
}

const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

function bindingIndex(): BindingIndex {
  const ctx = context();
  if (ctx.bindingIndex) return ctx.bindingIndex;
  const index: BindingIndex = { byAccount: new Map(), allAccounts: [], byNamespaceGroup: new Map(), order: new Map() };
  const push = (map: Map<string, K8sObject[]>, key: string, binding: K8sObject) => {
    const list = map.get(key);
    if (!list) map.set(key, [binding]);
    else if (list[list.length - 1] !== binding) list.push(binding);
  };
  for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
    for (const binding of ctx.graph.objectsOfKind(kind)) {
      index.order.set(binding, index.order.size);
      const bindingNs = binding.metadata.namespace ?? '';
      const subjects: unknown = (binding as { subjects?: unknown }).subjects;
      if (!Array.isArray(subjects)) continue;
      for (const subject of subjects) {
        const name = typeof subject?.name === 'string' ? subject.name : '';
        if (subject?.kind === 'ServiceAccount') {
          const ns = typeof subject.namespace === 'string' ? subject.namespace : bindingNs;
          push(index.byAccount, `${ns}/${name}`, binding);
        } else if (subject?.kind === 'Group') {
          if (name === SERVICE_ACCOUNTS_GROUP) {
            if (index.allAccounts[index.allAccounts.length - 1] !== binding) index.allAccounts.push(binding);
          } else if (name.startsWith(`${SERVICE_ACCOUNTS_GROUP}:`)) {
            push(index.byNamespaceGroup, name.slice(SERVICE_ACCOUNTS_GROUP.length + 1), binding);
          }
        }
      }
    }
  }
  ctx.bindingIndex = index;
  return index;
}

/**
 * RoleBindings and ClusterRoleBindings that grant something to this ServiceAccount: their subjects name it (a
 * ServiceAccount subject without namespace is in the binding's namespace), or the groups system:serviceaccounts /
 * system:serviceaccounts:<namespace>. RoleBindings first, then ClusterRoleBindings, each in graph order.
 */
function bindingsForServiceAccount(namespace: string, name: string): K8sObject[] {
  const index = bindingIndex();
  const direct = index.byAccount.get(`${namespace}/${name}`);
  const group = index.byNamespaceGroup.get(namespace);
  if (!group && index.allAccounts.length === 0) return direct ?? [];
  const found = new Set<K8sObject>([...(direct ?? []), ...index.allAccounts, ...(group ?? [])]);
  return [...found].sort((a, b) => index.order.get(a)! - index.order.get(b)!);
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
  const found = new Set<K8sObject>();
  for (const obj of g.protectedBy(pdb)) {
    const owner = obj.kind === 'Pod' ? g.topOwner(obj) : obj;
    if (podTemplatePath(owner) !== undefined) found.add(owner);
  }
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
  sync(env, 'sumRequests(dyn, string): double', (pods: unknown, resource: string) => sumRequests(pods, resource));
  sync(env, 'podsOnNode(dyn): list<dyn>', (o: unknown) => podsOnNode(asObject(o, 'podsOnNode')));
  sync(env, 'objectsOfKind(string): list<dyn>', (kind: string) => graph().objectsOfKind(kind));
  sync(env, 'podSpecOf(dyn): dyn', (o: unknown) => (isObject(o) ? podSpecOf(o) ?? {} : {}));
  sync(env, 'largestNodeAllocatable(): dyn', () => graph().largestNodeAllocatable() ?? null);
  sync(env, 'isSystemNamespace(string): bool', (ns: string) =>
    (SYSTEM_NAMESPACES as readonly string[]).includes(ns),
  );
  sync(env, 'formatCpu(dyn): string', (x: unknown) => formatCpu(Number(x)));
  sync(env, 'formatMemory(dyn): string', (x: unknown) => formatMemory(Number(x)));
  sync(env, 'humanCpu(dyn): string', (x: unknown) => humanCpu(Number(x)));
  sync(env, 'humanMemory(dyn): string', (x: unknown) => humanBytes(Number(x)));
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
