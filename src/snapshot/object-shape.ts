/**
 * The shape checks every object passes before any stage reads it (manifests and snapshot files alike): the fields
 * the stages read as lists, maps, counts and quantities must be what the Kubernetes API would have accepted. An
 * object that fails is an input problem (skipped with its reason), never a TypeError or a stack overflow later in
 * the cost stage or while rendering evidence, and never a silently wrong finding (`replicas: "three"` read as one
 * replica).
 *
 * What is checked, and only when the field is present (a missing field is the API's default):
 * - nesting at most MAX_NESTING_DEPTH levels (every stage walks objects; no real object, CRDs included, comes close);
 * - `metadata.name`, or `metadata.generateName` (then the object is shown as `generateName*`);
 * - replica counts (`spec.replicas`, a Job's `parallelism`/`completions`): whole numbers, not negative;
 * - the pod spec of Pods and workload templates: `containers`, `initContainers`, `ephemeralContainers` and `volumes`
 *   lists of objects with a `name`; a container's `env`, `envFrom`, `ports`, `volumeMounts` lists of objects,
 *   `resources`, `resources.requests`, `resources.limits` maps, and every request and limit a quantity in the
 *   Kubernetes grammar (`500m`, `1.5Gi`, `2`, `1e3`), not negative.
 */
import { podSpecSegments } from '../common/pod-template.js';

/** Deeper objects are refused: the stages walk objects recursively, and a hostile file must not overflow the stack. */
export const MAX_NESTING_DEPTH = 200;

export interface ShapeProblem {
  /** Field path as the manifest loader writes it (`spec.template.spec.containers[0].resources.requests.cpu`). */
  path: string;
  message: string;
  /** Whether kubectl (the API server) would refuse the object too; a too-deep object it might accept. */
  kubectlRejects: boolean;
}

type Segment = string | number;
type FieldProblem = Omit<ShapeProblem, 'kubectlRejects'>;

function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Joins segments the way src/manifests/parse.ts records lines: every key with '.', indices as `[i]`. */
function pathText(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'a list' : isPlainObject(value) ? 'a map' : String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** True when `value` nests more than `levels` levels deep. Recursion at most `levels` deep, so stack-safe. */
function nestsDeeper(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestsDeeper(item, levels - 1)) return true;
    return false;
  }
  for (const key in value) if (nestsDeeper((value as Record<string, unknown>)[key], levels - 1)) return true;
  return false;
}

/** The path (its first few segments) to where `root` nests deeper than `max` levels, or undefined. */
export function tooDeepPath(root: unknown, max: number = MAX_NESTING_DEPTH): Segment[] | undefined {
  if (!nestsDeeper(root, max)) return undefined;
  const path: Segment[] = [];
  let current = root as Record<string, unknown>;
  for (let levels = max - 1; path.length < 6; levels--) {
    const keys = Array.isArray(current) ? current.map((_, i) => i) : Object.keys(current);
    const next = keys.find((k) => nestsDeeper((current as Record<Segment, unknown>)[k], levels));
    if (next === undefined) break;
    path.push(next);
    current = (current as Record<Segment, any>)[next];
  }
  return path;
}

/** Kubernetes' quantity grammar (k8s.io/apimachinery resource.Quantity): signed number, then an SI, binary or exponent suffix. */
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** Why `value` is not a valid request or limit, or undefined when it is one. */
export function quantityProblem(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${shown(value)} is not a quantity`;
    return value < 0 ? `${shown(value)} is negative` : undefined;
  }
  if (typeof value !== 'string' || !QUANTITY.test(value)) {
    return `${shown(value)} is not a quantity (e.g. 500m, 1.5Gi, 2)`;
  }
  return value.startsWith('-') && Number.parseFloat(value) !== 0 ? `${shown(value)} is negative` : undefined;
}

function countProblem(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) return `${shown(value)} is not a whole number`;
  return value < 0 ? `${shown(value)} is negative` : undefined;
}


function countSegments(obj: Record<string, any>): Segment[][] {
  switch (obj.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'DeploymentConfig':
    case 'Rollout':
      return [['spec', 'replicas']];
    case 'Job':
      return [['spec', 'parallelism'], ['spec', 'completions']];
    case 'CronJob':
      return [['spec', 'jobTemplate', 'spec', 'parallelism'], ['spec', 'jobTemplate', 'spec', 'completions']];
    default:
      return [];
  }
}

function at(root: unknown, segments: readonly Segment[]): unknown {
  let current = root;
  for (const s of segments) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<Segment, unknown>)[s];
  }
  return current;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** A list of maps, each with a non-empty string `name` when `named`. */
function listProblem(value: unknown, path: Segment[], what: string, named: boolean): FieldProblem | undefined {
  if (!Array.isArray(value)) return { path: pathText(path), message: `must be a list of ${what}, not ${shown(value)}` };
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (!isPlainObject(item)) return { path: pathText([...path, i]), message: `must be a ${what.replace(/s$/, '')} (a map), not ${shown(item)}` };
    if (named && (typeof item.name !== 'string' || item.name === '')) return { path: pathText([...path, i]), message: 'has no name' };
  }
  return undefined;
}

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
const CONTAINER_SUBLISTS = ['env', 'envFrom', 'ports', 'volumeMounts'] as const;

function containerProblem(container: Record<string, any>, path: Segment[]): FieldProblem | undefined {
  for (const field of CONTAINER_SUBLISTS) {
    if (!present(container[field])) continue;
    const problem = listProblem(container[field], [...path, field], 'entries', false);
    if (problem) return problem;
  }
  if (present(container.image) && typeof container.image !== 'string') {
    return { path: pathText([...path, 'image']), message: `must be a string, not ${shown(container.image)}` };
  }
  const resources = container.resources;
  if (!present(resources)) return undefined;
  if (!isPlainObject(resources)) return { path: pathText([...path, 'resources']), message: `must be a map, not ${shown(resources)}` };
  for (const field of ['requests', 'limits'] as const) {
    const map = resources[field];
    if (!present(map)) continue;
    const mapPath = [...path, 'resources', field];
    if (!isPlainObject(map)) return { path: pathText(mapPath), message: `must be a map of quantities, not ${shown(map)}` };
    for (const [resource, quantity] of Object.entries(map)) {
      const problem = quantityProblem(quantity);
      if (problem) return { path: pathText([...mapPath, resource]), message: problem };
    }
  }
  return undefined;
}

function podSpecProblem(podSpec: unknown, path: Segment[]): FieldProblem | undefined {
  if (!present(podSpec)) return undefined;
  if (!isPlainObject(podSpec)) return { path: pathText(path), message: `must be a pod spec (a map), not ${shown(podSpec)}` };
  for (const list of CONTAINER_LISTS) {
    if (!present(podSpec[list])) continue;
    const listPath = [...path, list];
    const problem = listProblem(podSpec[list], listPath, 'containers', true);
    if (problem) return problem;
    for (let i = 0; i < podSpec[list].length; i++) {
      const inner = containerProblem(podSpec[list][i], [...listPath, i]);
      if (inner) return inner;
    }
  }
  if (present(podSpec.volumes)) return listProblem(podSpec.volumes, [...path, 'volumes'], 'volumes', true);
  return undefined;
}

/**
 * The first reason `obj` cannot be read as the API would have stored it, or undefined. `obj` has passed the
 * envelope schema (apiVersion, kind, metadata map).
 */
export function objectShapeProblem(obj: Record<string, any>): ShapeProblem | undefined {
  const deep = tooDeepPath(obj);
  if (deep) return { path: pathText(deep), message: `nested more than ${MAX_NESTING_DEPTH} levels deep (no real Kubernetes object is)`, kubectlRejects: false };
  const problem = shapeProblemOfFields(obj);
  return problem && { ...problem, kubectlRejects: true };
}

function shapeProblemOfFields(obj: Record<string, any>): FieldProblem | undefined {
  const meta = obj.metadata ?? {};
  const hasName = typeof meta.name === 'string' && meta.name !== '';
  const hasGenerateName = typeof meta.generateName === 'string' && meta.generateName !== '';
  if (!hasName && !hasGenerateName) return { path: 'metadata.name', message: 'is missing (and there is no metadata.generateName)' };
  for (const segments of countSegments(obj)) {
    const problem = countProblem(at(obj, segments));
    if (problem) return { path: pathText(segments), message: problem };
  }
  const podSpecPath = podSpecSegments(obj);
  return podSpecPath ? podSpecProblem(at(obj, podSpecPath), podSpecPath) : undefined;
}

/**
 * An object with only `metadata.generateName` gets the name it is shown under (`worker-*`): the API server would
 * generate the rest, and every stage (keys, findings, reports) needs a name. In place; returns the object.
 */
export function nameGeneratedObject<T extends { metadata: Record<string, any> }>(obj: T): T {
  const meta = obj.metadata;
  if ((typeof meta.name !== 'string' || meta.name === '') && typeof meta.generateName === 'string' && meta.generateName !== '') {
    meta.name = `${meta.generateName}*`;
  }
  return obj;
}

/** `Deployment shop/web` (or `Namespace shop` for a cluster-scoped object). */
export function describeObject(obj: { kind: string; metadata: Record<string, any> }): string {
  const name = typeof obj.metadata.name === 'string' && obj.metadata.name !== '' ? obj.metadata.name : obj.metadata.generateName ? `${obj.metadata.generateName}*` : '(no name)';
  return typeof obj.metadata.namespace === 'string' && obj.metadata.namespace ? `${obj.kind} ${obj.metadata.namespace}/${name}` : `${obj.kind} ${name}`;
}
