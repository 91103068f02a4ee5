/**
 * Evaluates a compiled RuleSet against a snapshot + graph. Per-object bindings are computed once per object
 * (shared by all rules), workload templates are evaluated once (never per pod), and no object is copied.
 */
import type { ClusterGraph } from '../graph/types.js';
import type { RuleEngineOptions } from '../pipeline-types.js';
import { DEPLOYMENT_LIKE_KINDS, KIND_SPECS, SYSTEM_NAMESPACES, isDeploymentLike } from '../common/kinds.js';
import { errorMessage } from '../common/errors.js';
import { shortHash } from '../common/stable-json.js';
import {
  SeveritySchema,
  severityRank,
  type Evidence,
  type Finding,
  type Patch,
  type ResourceRef,
  type Severity,
} from '../schema/finding.js';
import { keyOf, type K8sObject, type Snapshot } from '../schema/snapshot.js';
import { withHelperContext, type CompiledExpression } from './cel-env.js';
import { findExemption, loadRuleConfig, staleExemptions, type LoadedConfig, type StaleExemption } from './config.js';
import type { Rule, RuleSet } from './loader.js';
import { lineOf, parsePath, renderValue, valueAt, type PathSegment } from './paths.js';
import { evidenceValue } from './evidence-redaction.js';
import { declaredReplicas, podSpecOf, podSpecPath, podTemplateMetadataOf, podTemplatePath } from './workload.js';

/** Per-object values bound to every rule expression; built once per object, shared by all rules. */
interface ObjectBinding {
  object: K8sObject;
  kind: string;
  ns: string;
  name: string;
  podSpec: Record<string, any>;
  podTemplate: Record<string, any>;
  replicas: bigint;
  podSpecPath?: string;
  podTemplatePath?: string;
  templateMetadata?: Record<string, any>;
  namespaceObject?: K8sObject;
}

type ElementName = 'container' | 'volume' | 'rule' | 'backend' | 'port' | 'ref';

interface Element {
  value: unknown;
  index: number;
  /** Full field path of the element in the object. */
  path: string;
  label: string;
  bindAs: ElementName;
  host?: string;
  httpPath?: string;
}

/**
 * A container or volume of a pod spec. Its path and label are only needed when it violates a rule, so they are
 * written then, not for each of the many elements every forEach rule visits.
 */
class PodSpecElement implements Element {
  constructor(
    readonly value: any,
    readonly index: number,
    readonly bindAs: ElementName,
    /** `{podSpec}.containers` */
    private readonly listPath: string,
    /** `container`, `volume`, ... */
    private readonly labelPrefix: string,
  ) {}

  get path(): string {
    return `${this.listPath}[${this.index}]`;
  }

  get label(): string {
    return `${this.labelPrefix}:${this.value?.name ?? this.index}`;
  }
}

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * The variables CEL sees (docs/rules.md §2). One instance per evaluation, refilled for each object and element:
 * a fixed-shape object, so neither the engine nor cel-js pays for copying or dictionary-mode lookups.
 */
class Scope {
  object: unknown = null;
  kind = '';
  ns = '';
  name = '';
  podSpec: unknown = EMPTY;
  podTemplate: unknown = EMPTY;
  replicas = 0n;
  namespaceObject: unknown = null;
  live = false;
  container: unknown = null;
  volume: unknown = null;
  rule: unknown = null;
  backend: unknown = null;
  port: unknown = null;
  ref: unknown = null;
  item: unknown = null;
  index = 0n;
  host = '';
  httpPath = '';
  variables: Record<string, unknown> = EMPTY;

  loadObject(b: ObjectBinding): void {
    this.object = b.object;
    this.kind = b.kind;
    this.ns = b.ns;
    this.name = b.name;
    this.podSpec = b.podSpec;
    this.podTemplate = b.podTemplate;
    this.replicas = b.replicas;
    this.namespaceObject = b.namespaceObject ?? null;
    this.clearElement();
  }

  loadElement(el: Element): void {
    this.clearElement();
    this.item = el.value;
    this[el.bindAs] = el.value;
    this.index = BigInt(el.index);
    this.host = el.host ?? '';
    this.httpPath = el.httpPath ?? '';
  }

  private clearElement(): void {
    this.container = this.volume = this.rule = this.backend = this.port = this.ref = this.item = null;
    this.index = 0n;
    this.host = this.httpPath = '';
    this.variables = EMPTY;
  }
}

export interface RuleEvaluationError {
  ruleId: string;
  object: string;
  expression: string;
  message: string;
}

export interface RuleEvaluationResult {
  findings: Finding[];
  /** Expressions that failed at evaluation time (counted as "no violation"); at most one per rule and field. */
  errors: RuleEvaluationError[];
  /** Wall time per rule, slowest first (for --debug and the benchmark; not part of any report). */
  timings: { ruleId: string; ms: number }[];
  /** What was checked: the report's health score is a pass rate over these, so it needs the passes, not only the failures. */
  checks: RuleChecks;
  /** Config exemptions that matched no finding (empty with --no-exemptions). */
  staleExemptions: StaleExemption[];
  /** Kinds in the input that no rule reads, with how many objects of each: listed in the report, never ignored silently. */
  notChecked: NotCheckedKind[];
}

export interface NotCheckedKind {
  apiVersion: string;
  kind: string;
  count: number;
}

const BUILT_IN_KINDS = new Set(KIND_SPECS.map((s) => s.kind));

/**
 * Objects no rule is written for: not a built-in kind (those feed the graph's checks even without a rule of their
 * own), not a Deployment-like workload, and not named by any enabled rule's match.kinds (`*` does not count: the
 * generic API-version check alone says nothing about the object).
 */
export function uncheckedKinds(snapshot: Snapshot, rules: readonly Rule[]): NotCheckedKind[] {
  const named = new Set(rules.flatMap((r) => r.kinds));
  const counts = new Map<string, NotCheckedKind>();
  for (const [kind, objects] of Object.entries(snapshot.objects)) {
    if (BUILT_IN_KINDS.has(kind) || named.has(kind)) continue;
    for (const obj of objects ?? []) {
      if (isDeploymentLike(obj) && named.has('Deployment')) continue;
      if (isDeploymentLike(obj) && named.has('workload')) continue;
      const key = `${obj.apiVersion}\u0000${kind}`;
      const entry = counts.get(key) ?? { apiVersion: obj.apiVersion, kind, count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
  }
  return [...counts.values()].sort((a, b) => cmp(a.kind, b.kind) || cmp(a.apiVersion, b.apiVersion));
}

/** One rule's reach: the objects it was evaluated on and how many of them have a non-exempted finding of it. */
export interface RuleCheckCount {
  ruleId: string;
  evaluated: number;
  failed: number;
}

export interface RuleChecks {
  /** Enabled rules, sorted by id. */
  rules: RuleCheckCount[];
  /** The workloads the workload rules were evaluated on (system namespaces left out unless included). */
  workloads: ResourceRef[];
}

const CONTROLLED_TEMPLATE_KINDS = new Set(['ReplicaSet', 'Job']);
const SYSTEM = new Set<string>(SYSTEM_NAMESPACES);

class Evaluation {
  private readonly bindings = new Map<K8sObject, ObjectBinding>();
  private readonly namespaces = new Map<string, K8sObject>();
  private readonly live: boolean;
  private readonly findings = new Map<string, Finding>();
  private readonly errors = new Map<string, RuleEvaluationError>();
  private workloadsCache?: K8sObject[];
  private readonly scope = new Scope();
  /** Parsed evidence paths and pod counts, shared by the many findings that repeat them. */
  private readonly parsedPaths = new Map<string, PathSegment[]>();
  private readonly podCounts = new Map<K8sObject, number>();
  /** Per rule id, the evaluated objects that produced a non-exempted finding (pods before folding). */
  private readonly failedObjects = new Map<string, Set<K8sObject>>();
  /** Indexes of the config exemptions that matched at least one finding. */
  private readonly matchedExemptions = new Set<number>();

  constructor(
    private readonly snapshot: Snapshot,
    private readonly graph: ClusterGraph,
    private readonly options: RuleEngineOptions,
    private readonly config: LoadedConfig,
  ) {
    this.live = snapshot.source.type === 'cluster';
    this.scope.live = this.live;
    for (const ns of snapshot.objects.Namespace ?? []) if (ns.metadata.name) this.namespaces.set(ns.metadata.name, ns);
  }

  run(rules: Rule[]): RuleEvaluationResult {
    const disabled = new Set(this.config.config.disabledRules ?? []);
    const timings: { ruleId: string; ms: number }[] = [];
    const counts: RuleCheckCount[] = [];
    for (const rule of rules) {
      if (disabled.has(rule.id)) continue;
      const started = performance.now();
      const targets = this.targets(rule);
      for (const obj of targets) this.evaluateObject(rule, obj);
      timings.push({ ruleId: rule.id, ms: Math.round((performance.now() - started) * 10) / 10 });
      counts.push({ ruleId: rule.id, evaluated: targets.length, failed: this.failedObjects.get(rule.id)?.size ?? 0 });
    }
    timings.sort((a, b) => b.ms - a.ms);
    const findings = [...this.findings.values()].sort(compareFindings);
    const errors = [...this.errors.values()].sort((a, b) => cmp(a.ruleId, b.ruleId) || cmp(a.expression, b.expression));
    counts.sort((a, b) => cmp(a.ruleId, b.ruleId));
    const workloads = this.workloads().filter((w) => this.inScope(w)).map((w) => this.refOf(w));
    return {
      findings, errors, timings, checks: { rules: counts, workloads },
      staleExemptions: this.options.noExemptions ? [] : staleExemptions(this.config, this.matchedExemptions),
      notChecked: uncheckedKinds(this.snapshot, rules.filter((r) => !disabled.has(r.id))),
    };
  }

  private markFailed(rule: Rule, obj: K8sObject): void {
    let failed = this.failedObjects.get(rule.id);
    if (!failed) {
      failed = new Set();
      this.failedObjects.set(rule.id, failed);
    }
    failed.add(obj);
  }

  private workloads(): K8sObject[] {
    this.workloadsCache ??= this.graph.workloads();
    return this.workloadsCache;
  }

  /** Target lists by match (kinds + excludeKinds): most rules share one (`workload`), and lists are read-only. */
  private readonly targetsCache = new Map<string, K8sObject[]>();

  private targets(rule: Rule): K8sObject[] {
    const signature = `${rule.kinds.join(',')}\u0000${[...rule.excludeKinds].sort().join(',')}`;
    let cached = this.targetsCache.get(signature);
    if (!cached) {
      cached = this.computeTargets(rule);
      this.targetsCache.set(signature, cached);
    }
    return cached;
  }

  private computeTargets(rule: Rule): K8sObject[] {
    const excluded = new Set(rule.excludeKinds);
    const seen = new Set<K8sObject>();
    const out: K8sObject[] = [];
    const add = (objs: Iterable<K8sObject>) => {
      for (const o of objs) {
        if (excluded.has(o.kind) || seen.has(o) || !this.inScope(o)) continue;
        // A ReplicaSet of a Deployment or a Job of a CronJob is an implementation detail of its owner:
        // the owner's template was already checked, and its findings are the ones users can act on.
        if (CONTROLLED_TEMPLATE_KINDS.has(o.kind) && this.graph.topOwner(o) !== o) continue;
        seen.add(o);
        out.push(o);
      }
    };
    for (const kind of rule.kinds) {
      if (kind === 'workload') add(this.workloads());
      else if (kind === '*') for (const k of Object.keys(this.snapshot.objects).sort()) add(this.snapshot.objects[k] ?? []);
      else add(this.snapshot.objects[kind] ?? []);
      // DeploymentConfig and Rollout are Deployments to every rule written for Deployments (docs/rules.md §2).
      if (kind === 'Deployment') {
        for (const like of DEPLOYMENT_LIKE_KINDS) {
          if (!excluded.has(like.kind)) add((this.snapshot.objects[like.kind] ?? []).filter(isDeploymentLike));
        }
      }
    }
    return out;
  }

  private inScope(obj: K8sObject): boolean {
    if (this.options.includeSystemNamespaces) return true;
    const ns = obj.kind === 'Namespace' ? obj.metadata.name : obj.metadata.namespace;
    return ns === undefined || !SYSTEM.has(ns);
  }

  private binding(obj: K8sObject): ObjectBinding {
    let b = this.bindings.get(obj);
    if (b) return b;
    const ns = obj.metadata.namespace ?? '';
    const templateMetadata = podTemplateMetadataOf(obj);
    b = {
      object: obj,
      kind: obj.kind,
      ns,
      name: obj.metadata.name ?? '',
      podSpec: podSpecOf(obj) ?? EMPTY,
      podTemplate: templateMetadata ?? EMPTY,
      replicas: BigInt(Math.trunc(declaredReplicas(obj))),
      podSpecPath: podSpecPath(obj),
      podTemplatePath: podTemplatePath(obj),
      templateMetadata,
      namespaceObject: ns ? this.namespaces.get(ns) : undefined,
    };
    this.bindings.set(obj, b);
    return b;
  }

  private evaluateObject(rule: Rule, obj: K8sObject): void {
    const b = this.binding(obj);
    const scope = this.scope;
    if (!rule.forEach) {
      scope.loadObject(b);
      this.evaluateIn(rule, b);
      return;
    }
    const elements = elementsOf(rule.forEach, b, this.graph);
    if (elements.length === 0) return;
    scope.loadObject(b);
    for (const el of elements) {
      scope.loadElement(el);
      this.evaluateIn(rule, b, el);
    }
  }

  private run1(rule: Rule, field: string, fn: CompiledExpression, ctx: Scope, obj: K8sObject): unknown {
    try {
      return fn(ctx);
    } catch (err) {
      const key = `${rule.id}\u0000${field}`;
      if (!this.errors.has(key)) {
        this.errors.set(key, { ruleId: rule.id, object: keyOf(obj), expression: field, message: errorMessage(err).split('\n')[0] ?? '' });
      }
      return undefined;
    }
  }

  private evaluateIn(rule: Rule, b: ObjectBinding, el?: Element): void {
    const ctx = this.scope;
    if (rule.variables.length > 0) {
      const variables: Record<string, unknown> = {};
      ctx.variables = variables;
      for (const v of rule.variables) {
        const value = v.constant ? v.constant.value : this.run1(rule, `variables.${v.name}`, v.expression, ctx, b.object);
        if (value === undefined) return;
        variables[v.name] = value;
      }
    }
    if (this.run1(rule, 'violation', rule.violation, ctx, b.object) !== true) return;
    this.report(rule, b, ctx, el);
  }

  private report(rule: Rule, b: ObjectBinding, ctx: Scope, el?: Element): void {
    const obj = b.object;
    // Findings on owned pods are folded onto the top owner (one finding per workload).
    const owner = obj.kind === 'Pod' ? this.graph.topOwner(obj) : obj;
    const folded = owner !== obj;
    const resource = this.refOf(owner);
    const element = el?.label;
    const id = shortHash(rule.id, resource.kind, resource.namespace ?? '', resource.name, element ?? '');
    const existing = this.findings.get(id);
    if (existing) {
      existing.podsAffected = (existing.podsAffected ?? 1) + 1;
      if (!existing.exempted) this.markFailed(rule, obj);
      return;
    }

    const severity = this.severityOf(rule, ctx, obj);
    const messageValue = rule.messageExpression ? this.run1(rule, 'messageExpression', rule.messageExpression, ctx, obj) : undefined;
    const message = typeof messageValue === 'string' && messageValue ? messageValue : rule.title;
    const evidence = rule.evidence.map((e) => this.evidenceFor(rule, e.path, e.value, e.message, b, ctx, el, folded));
    const patch = this.patchFor(rule, ctx, obj, resource);
    const finding: Finding = {
      id,
      ruleId: rule.id,
      category: rule.category,
      severity,
      title: rule.title,
      message,
      resource,
      ...(element !== undefined ? { element } : {}),
      evidence,
      remediation: { summary: rule.remediationSummary, ...(patch ? { patch } : {}) },
      exempted: false,
    };
    const podsAffected = this.podsAffected(owner, folded);
    if (podsAffected !== undefined) finding.podsAffected = podsAffected;
    if (!this.options.noExemptions) {
      const exemption = findExemption(
        { ruleId: rule.id, element, object: owner, templateMetadata: podTemplateMetadataOf(owner), namespaceObject: b.namespaceObject },
        this.config,
        this.matchedExemptions,
      );
      if (exemption) {
        finding.exempted = true;
        finding.exemption = exemption;
      }
    }
    if (!finding.exempted) this.markFailed(rule, obj);
    this.findings.set(id, finding);
  }

  private podsAffected(owner: K8sObject, folded: boolean): number | undefined {
    if (folded) return 1;
    if (!this.live || podTemplatePath(owner) === undefined) return undefined;
    if (owner.kind === 'Pod') return 1;
    let count = this.podCounts.get(owner);
    if (count === undefined) {
      count = this.graph.podsOf(owner).length;
      this.podCounts.set(owner, count);
    }
    return count;
  }

  private severityOf(rule: Rule, ctx: Scope, obj: K8sObject): Severity {
    const override = this.config.config.severityOverrides?.[rule.id];
    if (override) return override;
    if (rule.severityExpression) {
      const parsed = SeveritySchema.safeParse(this.run1(rule, 'severityExpression', rule.severityExpression, ctx, obj));
      if (parsed.success) return parsed.data;
    }
    return rule.severity;
  }

  private refOf(obj: K8sObject): ResourceRef {
    const ref: ResourceRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name ?? '' };
    if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
    if (this.live && obj.metadata.uid) ref.uid = obj.metadata.uid;
    return ref;
  }

  private evidenceFor(
    rule: Rule,
    template: string,
    valueExpression: CompiledExpression | undefined,
    message: string | undefined,
    b: ObjectBinding,
    ctx: Scope,
    el: Element | undefined,
    folded: boolean,
  ): Evidence {
    const obj = b.object;
    const path = resolvePathTemplate(template, b, el);
    // A derived value names its inputs (`containers[*]...`): it is located at the part of the path before the first
    // wildcard, and not on this object at all when the path starts with another kind (`Node[*].status.allocatable`).
    const located = valueExpression ? path.split('[*]')[0]! : path;
    const onOtherObjects = valueExpression !== undefined && /^[A-Z]/.test(path);
    let segments = this.parsedPaths.get(located);
    if (!segments) {
      segments = parsePath(located);
      this.parsedPaths.set(located, segments);
    }
    let evidence: Evidence;
    if (valueExpression) {
      const v = this.run1(rule, 'evidence.valueExpression', valueExpression, ctx, obj);
      // Written for people by the rule, so never cut like a raw field value.
      evidence = { path, value: v === undefined ? '<unset>' : typeof v === 'string' ? v : renderValue(v), derived: true };
    } else {
      evidence = { path, value: renderValue(evidenceValue(valueAt(obj, segments), segments)) };
    }
    if (onOtherObjects) {
      if (message) evidence.message = message;
      return evidence;
    }
    if (folded) evidence.object = this.refOf(obj);
    const location = this.snapshot.locations?.[keyOf(obj)];
    if (location) {
      evidence.file = location.file;
      evidence.line = lineOf(location, segments);
    }
    if (this.live && obj.metadata.uid) evidence.uid = obj.metadata.uid;
    if (message) evidence.message = message;
    return evidence;
  }

  private patchFor(rule: Rule, ctx: Scope, obj: K8sObject, target: ResourceRef): Patch | undefined {
    if (!rule.patch) return undefined;
    if (rule.patch.when && this.run1(rule, 'remediation.patch.when', rule.patch.when, ctx, obj) !== true) return undefined;
    const create = rule.patch.create ? toJson(this.run1(rule, 'remediation.patch.create', rule.patch.create, ctx, obj)) : undefined;
    const body = rule.patch.body ? toJson(this.run1(rule, 'remediation.patch.body', rule.patch.body, ctx, obj)) : create;
    if (body === undefined || body === null) return undefined;
    if (rule.patch.create) {
      if (!isRecord(create)) return undefined;
      const meta = isRecord(create.metadata) ? create.metadata : {};
      const createdRef: ResourceRef = {
        apiVersion: String(create.apiVersion ?? ''),
        kind: String(create.kind ?? ''),
        name: String(meta.name ?? ''),
      };
      if (typeof meta.namespace === 'string') createdRef.namespace = meta.namespace;
      return { type: rule.patch.type, target: createdRef, body, create };
    }
    return { type: rule.patch.type, target, body };
  }
}

function elementsOf(
  forEach: NonNullable<Rule['forEach']>,
  b: ObjectBinding,
  graph: ClusterGraph,
): Element[] {
  const obj = b.object;
  const out: Element[] = [];
  const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
  const podSpec = b.podSpec;
  const containers = (field: string, prefix: string) => {
    if (b.podSpecPath === undefined) return;
    const items = list(podSpec[field]);
    if (items.length === 0) return;
    const listPath = `${b.podSpecPath}.${field}`;
    items.forEach((c, i) => out.push(new PodSpecElement(c, i, 'container', listPath, prefix)));
  };
  switch (forEach) {
    case 'containers':
      containers('containers', 'container');
      break;
    case 'initContainers':
      containers('initContainers', 'initContainer');
      break;
    case 'ephemeralContainers':
      containers('ephemeralContainers', 'ephemeralContainer');
      break;
    case 'allContainers':
      containers('containers', 'container');
      containers('initContainers', 'initContainer');
      containers('ephemeralContainers', 'ephemeralContainer');
      break;
    case 'volumes':
      if (b.podSpecPath === undefined) break;
      list(podSpec.volumes).forEach((v, i) => out.push(new PodSpecElement(v, i, 'volume', `${b.podSpecPath}.volumes`, 'volume')));
      break;
    case 'rbacRules':
      list(obj.rules).forEach((r, i) => out.push({ value: r, index: i, path: `rules[${i}]`, label: `rule[${i}]`, bindAs: 'rule' }));
      break;
    case 'servicePorts':
      list(obj.spec?.ports).forEach((p, i) =>
        out.push({ value: p, index: i, path: `spec.ports[${i}]`, label: `port:${p?.name ?? p?.port ?? i}`, bindAs: 'port' }),
      );
      break;
    case 'danglingReferences':
      graph.danglingFrom(obj).forEach((d, i) =>
        out.push({
          value: d,
          index: i,
          path: d.path,
          label: `ref:${d.missing.kind}/${d.missing.name}`,
          bindAs: 'ref',
        }),
      );
      break;
    case 'ingressBackends': {
      if (obj.spec?.defaultBackend) {
        out.push({
          value: obj.spec.defaultBackend,
          index: 0,
          path: 'spec.defaultBackend',
          label: 'backend:default',
          bindAs: 'backend',
        });
      }
      list(obj.spec?.rules).forEach((r, i) =>
        list(r?.http?.paths).forEach((p, j) => {
          if (!p?.backend) return;
          out.push({
            value: p.backend,
            index: out.length,
            path: `spec.rules[${i}].http.paths[${j}].backend`,
            label: `backend:rules[${i}].paths[${j}]`,
            bindAs: 'backend',
            host: typeof r.host === 'string' ? r.host : '',
            httpPath: typeof p.path === 'string' ? p.path : '',
          });
        }),
      );
      break;
    }
  }
  return out;
}

export function resolvePathTemplate(template: string, b: Pick<ObjectBinding, 'podSpecPath' | 'podTemplatePath'>, el?: Pick<Element, 'path'>): string {
  const resolved = template
    .replace(/\{podSpec\}/g, b.podSpecPath ?? 'spec')
    .replace(/\{podTemplate\}/g, b.podTemplatePath ?? '')
    .replace(/\{element\}/g, el?.path ?? '');
  // An empty prefix (a Pod's {podTemplate}) leaves a leading or doubled dot.
  return resolved.replace(/^\.+/, '').replace(/\.{2,}/g, '.').replace(/\.$/, '');
}

function isRecord(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** CEL results → JSON values (ints are BigInt in cel-js). */
function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), toJson(v)]));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.resource.namespace ?? '', b.resource.namespace ?? '') ||
    cmp(a.resource.kind, b.resource.kind) ||
    cmp(a.resource.name, b.resource.name) ||
    cmp(a.element ?? '', b.element ?? '') ||
    cmp(a.id, b.id)
  );
}

export function evaluateRulesDetailed(
  ruleSet: RuleSet,
  snapshot: Snapshot,
  graph: ClusterGraph,
  options: RuleEngineOptions = {},
  /** Already-loaded config (tests); default: read options.configPath or ./.clustergpt.yaml. */
  config: LoadedConfig = loadRuleConfig(options.configPath),
): RuleEvaluationResult {
  return withHelperContext({ graph }, () => new Evaluation(snapshot, graph, options, config).run(ruleSet.rules));
}

export function evaluateRules(ruleSet: RuleSet, snapshot: Snapshot, graph: ClusterGraph, options: RuleEngineOptions = {}): Finding[] {
  return evaluateRulesDetailed(ruleSet, snapshot, graph, options).findings;
}
