/**
 * The manifest loader: files, directories and stdin → a Snapshot of what the manifests declare,
 * with the file and line of every object and field (so findings point at `app.yaml:42`).
 *
 * - Namespaced kinds without metadata.namespace get "default", as kubectl would apply them
 *   (only kinds ClusterGPT knows; custom resources are left as written). Cluster-scoped kinds
 *   never carry a namespace.
 * - Problems that do not stop the run (a broken document, non-Kubernetes YAML) are returned as
 *   `problems`; the rest still loads. The CLI decides the exit code (2 unless --keep-going).
 * - What kubectl would accept is not a problem but a warning (`warnings`, printed here): an object
 *   defined twice (the later one wins, as with `kubectl apply`) and a repeated YAML key (the last
 *   value wins).
 * - Kustomizations, Helm charts and Helm values files are recipes, not manifests: skipped with an
 *   info line that says how to render them (`skipped`).
 * - A manifest snapshot has no capture time (capturedAt is the epoch) so reports are reproducible.
 */
import { K8sObjectSchema, objectKey, type CoverageEntry, type K8sObject, type Snapshot, type SourceLocation } from '../schema/snapshot.js';
import { DEPLOYMENT_LIKE_KINDS, KIND_SPECS, apiVersionOf } from '../common/kinds.js';
import type { Logger } from '../common/logger.js';
import type { InputProblem, ManifestLoadResult } from '../pipeline-types.js';
import { sanitizeObject } from '../snapshot/sanitize.js';
import { describeObject, nameGeneratedObject, objectShapeProblem } from '../snapshot/object-shape.js';
import { describeSkipped, displayPath, renderCommand, resolveSources, type SkippedInput } from './sources.js';
import { NOT_KUBERNETES, parseManifestText, type ParsedObject } from './parse.js';

export { parseManifestText, NOT_KUBERNETES } from './parse.js';
export { displayPath, STDIN_NAME, type SkippedInput } from './sources.js';

export interface ManifestLoadOptions {
  /** Stream read for the path `-` (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** --keep-going: problems are warnings rather than a reason to stop (the CLI sets the exit code). */
  keepGoing?: boolean;
}

export const MANIFEST_CAPTURED_AT = '1970-01-01T00:00:00.000Z';

/** Kinds that can never be in a manifest set; listed as `not-applicable` so reports say why they are absent. */
const NOT_APPLICABLE_KINDS = ['Event', 'Node', 'PodMetrics', 'NodeMetrics'];

const SPEC_BY_KIND = new Map(KIND_SPECS.map((s) => [s.kind, s]));
/** Custom kinds known to be namespaced (so they get "default" as kubectl would give them). */
const NAMESPACED_CUSTOM_KINDS = new Set(DEPLOYMENT_LIKE_KINDS.map((k) => k.kind));
/** Helm's values file: YAML that is never Kubernetes objects. */
const HELM_VALUES_FILE = /(^|\/)values\.ya?ml$/;

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareByNamespaceName(a: K8sObject, b: K8sObject): number {
  return (
    compareText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
    compareText(a.metadata.name ?? a.metadata.generateName ?? '', b.metadata.name ?? b.metadata.generateName ?? '')
  );
}

function describe(kind: string, namespace: string | undefined, name: string): string {
  return namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

/** Namespace as kubectl would apply it; undefined for cluster-scoped kinds. */
function applyNamespaceDefault(obj: Record<string, any>): void {
  const spec = SPEC_BY_KIND.get(obj.kind);
  const namespaced = spec ? spec.namespaced : NAMESPACED_CUSTOM_KINDS.has(obj.kind) ? true : undefined;
  if (namespaced === undefined) return; // other custom resources: scope unknown, keep what was written
  if (namespaced) {
    if (typeof obj.metadata.namespace !== 'string' || obj.metadata.namespace === '') obj.metadata.namespace = 'default';
  } else if ('namespace' in obj.metadata) {
    delete obj.metadata.namespace; // kubectl ignores a namespace on cluster-scoped objects
  }
}

/** Checks the envelope; returns the problem message when the object cannot be used. */
function envelopeProblem(obj: Record<string, any>): string | undefined {
  if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)) {
    return `${obj.kind} has no metadata, skipped`;
  }
  const name = obj.metadata.name ?? obj.metadata.generateName;
  if (typeof name !== 'string' || name === '') return `${obj.kind} has no metadata.name, skipped`;
  const parsed = K8sObjectSchema.safeParse(obj);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${obj.kind} ${name}: ${issue.path.join('.')}: ${issue.message} (kubectl would reject it), skipped`;
  }
  return undefined;
}

interface LoadedObject {
  object: K8sObject;
  location: SourceLocation;
}

function buildCoverage(objects: Record<string, K8sObject[]>): CoverageEntry[] {
  const coverage: CoverageEntry[] = [];
  for (const [kind, list] of Object.entries(objects)) {
    const spec = SPEC_BY_KIND.get(kind);
    const apiVersion = spec ? apiVersionOf(spec) : [...new Set(list.map((o) => o.apiVersion))].sort(compareText)[0];
    coverage.push({ kind, apiVersion, status: 'listed', count: list.length });
  }
  for (const kind of NOT_APPLICABLE_KINDS) {
    if (objects[kind]) continue;
    const spec = SPEC_BY_KIND.get(kind)!;
    coverage.push({ kind, apiVersion: apiVersionOf(spec), status: 'not-applicable', count: 0 });
  }
  return coverage.sort((a, b) => compareText(a.kind, b.kind));
}

/** Inputs from this size on get a progress line of their own. */
const BIG_INPUT_CHARS = 2 ** 20;

export async function loadManifests(paths: string[], options: ManifestLoadOptions, log: Logger): Promise<ManifestLoadResult> {
  const { sources, skipped } = await resolveSources(paths, options.stdin);
  const problems: InputProblem[] = [];
  const warnings: InputProblem[] = [];
  const byKey = new Map<string, LoadedObject>();

  for (const source of sources) {
    const text = await source.read();
    // Big inputs take seconds to parse: say which file is being read, so a long silence is never a hang.
    if (text.length >= BIG_INPUT_CHARS) log.progress(`parsing ${source.file} (${(text.length / 2 ** 20).toFixed(1)} MiB)…`);
    const parsed = parseManifestText(text, source.file);
    if (isHelmValues(source.file, parsed)) {
      skipped.push({ path: source.file, type: 'helm-values', marker: source.file, render: renderCommand('helm-values', source.file) });
      continue;
    }
    const fileProblems: InputProblem[] = [...parsed.problems];
    const fileWarnings: InputProblem[] = [...parsed.warnings];
    for (const item of parsed.objects) {
      const loaded = toLoadedObject(item, source.file, fileProblems);
      if (!loaded) continue;
      // apiVersion is not part of the key: apps/v1 and extensions/v1beta1 Deployments of one name are one object.
      const key = objectKey(loaded.object.kind, loaded.object.metadata.namespace, loaded.object.metadata.name ?? loaded.object.metadata.generateName ?? '');
      const earlier = byKey.get(key);
      if (earlier) {
        const what = describe(loaded.object.kind, loaded.object.metadata.namespace, loaded.object.metadata.name ?? '');
        fileWarnings.push({
          file: loaded.location.file,
          line: loaded.location.line,
          message: `${what} is defined twice: ${earlier.location.file}:${earlier.location.line} and ${loaded.location.file}:${loaded.location.line}; the later one is used, as with kubectl apply`,
        });
        byKey.delete(key); // re-insert so iteration order follows the winner
      }
      byKey.set(key, loaded);
    }
    // In file order, so the list reads top to bottom like the file.
    problems.push(...fileProblems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
    warnings.push(...fileWarnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  }

  const objects: Record<string, K8sObject[]> = {};
  const locations: Record<string, SourceLocation> = {};
  for (const [key, loaded] of byKey) {
    (objects[loaded.object.kind] ??= []).push(loaded.object);
    locations[key] = loaded.location;
  }
  const sortedObjects: Record<string, K8sObject[]> = {};
  for (const kind of Object.keys(objects).sort(compareText)) sortedObjects[kind] = objects[kind].sort(compareByNamespaceName);
  const sortedLocations: Record<string, SourceLocation> = {};
  for (const key of Object.keys(locations).sort(compareText)) sortedLocations[key] = locations[key];

  // Problems are returned, not printed: the CLI prints them once, with the exit-code decision. Warnings and skipped
  // inputs change no exit code, so they are said here, once.
  for (const item of skipped) log.info(describeSkipped(item));
  for (const w of warnings) log.warn(`${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
  log.progress(`loaded ${byKey.size} objects from ${sources.length} file${sources.length === 1 ? '' : 's'}`);
  if (problems.length > 0) log.debug(`${problems.length} input problem(s)${options.keepGoing ? ' accepted (--keep-going)' : ''}`);

  const snapshot: Snapshot = {
    schemaVersion: 1,
    capturedAt: MANIFEST_CAPTURED_AT,
    source: { type: 'manifests', paths: paths.map((p) => (p === '-' ? '-' : displayPath(p))) },
    scope: { namespaces: null, excludedNamespaces: [] },
    coverage: buildCoverage(sortedObjects),
    objects: sortedObjects,
    locations: sortedLocations,
  };
  return { snapshot, problems, warnings, skipped };
}

/** A values.yaml holding no Kubernetes object at all (one that does is read like any manifest). */
function isHelmValues(file: string, parsed: ReturnType<typeof parseManifestText>): boolean {
  return (
    HELM_VALUES_FILE.test(file) &&
    parsed.objects.length === 0 &&
    parsed.problems.length > 0 &&
    parsed.problems.every((p) => p.message === NOT_KUBERNETES)
  );
}

function toLoadedObject(item: ParsedObject, file: string, problems: InputProblem[]): LoadedObject | undefined {
  const raw = item.object;
  const problem = envelopeProblem(raw);
  if (problem) {
    problems.push({ file, line: item.line, message: problem });
    return undefined;
  }
  applyNamespaceDefault(raw);
  // Before sanitizing: sanitizing walks the object, and a hostile one must be refused before anything walks it.
  const shape = objectShapeProblem(raw);
  if (shape) {
    const line = item.paths[shape.path] ?? item.line;
    problems.push({ file, line, message: `${describeObject(raw as K8sObject)}: ${shape.path}: ${shape.message}${shape.kubectlRejects ? ' (kubectl would reject it)' : ''}, skipped` });
    return undefined;
  }
  const object = nameGeneratedObject(sanitizeObject(raw as K8sObject));
  return { object, location: { file, line: item.line, paths: item.paths } };
}
