/**
 * `-n` / `--exclude-namespace` for every input. The connector applies the scope while it lists (it never fetches
 * what is out of scope); for a snapshot file or manifests the same scope is applied here, after loading, so the flags
 * mean the same thing whatever the source. A namespace asked for by `-n` that matches nothing is an input error: a
 * typo must not produce a clean report of nothing.
 */
import { InputError } from '../common/errors.js';
import type { K8sObject, Snapshot } from '../schema/snapshot.js';

export interface NamespaceFilter {
  /** Only these namespaces; empty = all. */
  namespaces: readonly string[];
  excludeNamespaces: readonly string[];
}

/** The namespace an object belongs to for scoping: a Namespace belongs to itself; cluster-scoped objects to none. */
function owningNamespace(obj: K8sObject): string | undefined {
  return obj.kind === 'Namespace' ? obj.metadata?.name : obj.metadata?.namespace;
}

/** Every namespace the input mentions: Namespace objects and the namespaces of namespaced objects. */
export function namespacesIn(snapshot: Snapshot): string[] {
  const seen = new Set<string>();
  for (const list of Object.values(snapshot.objects)) {
    for (const obj of list) {
      const ns = owningNamespace(obj);
      if (ns) seen.add(ns);
    }
  }
  return [...seen].sort();
}

function isEmpty(filter: NamespaceFilter): boolean {
  return filter.namespaces.length === 0 && filter.excludeNamespaces.length === 0;
}

/**
 * Throws an InputError naming the namespaces that exist when a namespace given with `-n` matches nothing.
 * `where` says what was searched ("the snapshot", "the manifests", "the cluster").
 */
export function checkNamespacesExist(snapshot: Snapshot, filter: NamespaceFilter, where: string): void {
  if (filter.namespaces.length === 0) return;
  const present = new Set(namespacesIn(snapshot));
  const missing = [...new Set(filter.namespaces)].filter((ns) => !present.has(ns)).sort();
  if (missing.length === 0) return;
  const known = [...present].sort();
  const listed = known.length > 20 ? `${known.slice(0, 20).join(', ')}, … (${known.length} in all)` : known.join(', ');
  throw new InputError(
    `namespace${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found in ${where}`,
    known.length > 0 ? `namespaces in ${where}: ${listed}` : `${where} has no namespaced objects; drop -n`,
  );
}

/**
 * The snapshot restricted to the filter: namespaced objects and Namespaces out of scope are dropped, cluster-scoped
 * objects (Nodes, ClusterRoles, ...) are kept because in-scope workloads depend on them. `scope` records the filter.
 */
export function applyNamespaceScope(snapshot: Snapshot, filter: NamespaceFilter, where: string): Snapshot {
  if (isEmpty(filter)) return snapshot;
  checkNamespacesExist(snapshot, filter, where);
  const only = filter.namespaces.length > 0 ? new Set(filter.namespaces) : null;
  const excluded = new Set(filter.excludeNamespaces);
  const keep = (obj: K8sObject): boolean => {
    const ns = owningNamespace(obj);
    if (ns === undefined) return true;
    if (excluded.has(ns)) return false;
    return only === null || only.has(ns);
  };
  const objects: Snapshot['objects'] = {};
  for (const [kind, list] of Object.entries(snapshot.objects)) objects[kind] = list.filter(keep);
  const previous = snapshot.scope;
  const namespaces = only
    ? [...only].filter((ns) => previous.namespaces === null || previous.namespaces.includes(ns)).sort()
    : previous.namespaces;
  const excludedNamespaces = [...new Set([...(previous.excludedNamespaces ?? []), ...excluded])].sort();
  const coverage = snapshot.coverage.map((entry) =>
    objects[entry.kind] ? { ...entry, count: objects[entry.kind]!.length } : entry,
  );
  return { ...snapshot, objects, coverage, scope: { ...previous, namespaces, excludedNamespaces } };
}
