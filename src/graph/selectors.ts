/**
 * Kubernetes label selectors (metav1.LabelSelector and the plain map form Services use) and an
 * index that answers "which objects in namespace N match selector S" without scanning every object:
 * candidates come from the smallest posting list (key=value, or key for Exists), then are filtered.
 */

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

export type Labels = Record<string, string> | undefined | null;

/** A Service's `spec.selector` (a plain map) as a LabelSelector. */
export function selectorFromMap(map: Record<string, string> | undefined | null): LabelSelector {
  return { matchLabels: map ?? {} };
}

/** True when the selector has no requirement at all (selects everything in the namespace). */
export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

function requirementMatches(labels: Record<string, string>, req: LabelSelectorRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(labels[req.key]);
    case 'NotIn':
      // Kubernetes semantics: NotIn matches objects that do not have the key at all.
      return !has || !values.includes(labels[req.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      // An unknown operator is rejected by the API server; treat it as matching nothing.
      return false;
  }
}

export function matchesSelector(labels: Labels, selector: LabelSelector): boolean {
  const actual = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (actual[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    if (!requirementMatches(actual, req)) return false;
  }
  return true;
}

/** `app=web, tier in (a,b), !legacy` — for messages. */
export function describeSelector(selector: LabelSelector): string {
  const parts: string[] = [];
  for (const key of Object.keys(selector.matchLabels ?? {}).sort()) parts.push(`${key}=${selector.matchLabels![key]}`);
  for (const req of selector.matchExpressions ?? []) {
    const values = (req.values ?? []).join(',');
    if (req.operator === 'In') parts.push(`${req.key} in (${values})`);
    else if (req.operator === 'NotIn') parts.push(`${req.key} notin (${values})`);
    else if (req.operator === 'Exists') parts.push(req.key);
    else if (req.operator === 'DoesNotExist') parts.push(`!${req.key}`);
    else parts.push(`${req.key} ${req.operator} (${values})`);
  }
  return parts.length ? parts.join(', ') : '<everything>';
}

const SEP = '\u0000';

/** Objects of one population (e.g. pods, or workloads by template labels) indexed by namespace and labels. */
export class LabelIndex<T> {
  private readonly byNamespace = new Map<string, T[]>();
  private readonly byKeyValue = new Map<string, T[]>();
  private readonly byKey = new Map<string, T[]>();
  private readonly labelsOf = new Map<T, Record<string, string>>();

  add(namespace: string, labels: Labels, item: T): void {
    const actual = labels ?? {};
    this.labelsOf.set(item, actual);
    push(this.byNamespace, namespace, item);
    for (const [key, value] of Object.entries(actual)) {
      push(this.byKeyValue, namespace + SEP + key + SEP + value, item);
      push(this.byKey, namespace + SEP + key, item);
    }
  }

  /** Items of the namespace matching the selector, in insertion order. */
  select(namespace: string, selector: LabelSelector): T[] {
    const candidates = this.candidates(namespace, selector);
    return candidates.filter((item) => matchesSelector(this.labelsOf.get(item), selector));
  }

  private candidates(namespace: string, selector: LabelSelector): T[] {
    let best: T[] = this.byNamespace.get(namespace) ?? [];
    const consider = (list: T[]) => {
      if (list.length < best.length) best = list;
    };
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
      consider(this.byKeyValue.get(namespace + SEP + key + SEP + value) ?? []);
    }
    for (const req of selector.matchExpressions ?? []) {
      if (req.operator === 'Exists') consider(this.byKey.get(namespace + SEP + req.key) ?? []);
      else if (req.operator === 'In') {
        const values = [...new Set(req.values ?? [])];
        if (values.length === 1) consider(this.byKeyValue.get(namespace + SEP + req.key + SEP + values[0]) ?? []);
        else if (values.length > 1) {
          // Union of the posting lists; only worth building when smaller than the current best.
          const lists = values.map((v) => this.byKeyValue.get(namespace + SEP + req.key + SEP + v) ?? []);
          const total = lists.reduce((n, l) => n + l.length, 0);
          if (total < best.length) best = [...new Set(lists.flat())];
        } else best = [];
      }
    }
    return best;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
