/**
 * Parses one manifest file (a YAML multi-document stream, or JSON, which is YAML too) into raw
 * objects with real line numbers: the line of each object and of every nested key and sequence
 * item (`spec.template.spec.containers[1].image` → 42), from the yaml AST and its LineCounter.
 * Lists are flattened as kubectl flattens them: any object with `items` (`kind: List`, `PodList`, what
 * `kubectl get -o yaml` prints), at any depth, each item keeping its own lines. A broken document becomes a
 * problem; the rest of the file still loads.
 */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node as YamlNode } from 'yaml';
import type { InputProblem } from '../pipeline-types.js';

export interface ParsedObject {
  object: Record<string, any>;
  /** 1-based line where the object starts (its first key). */
  line: number;
  /** Field path → 1-based line of that key / sequence item. */
  paths: Record<string, number>;
}

export interface ParsedFile {
  objects: ParsedObject[];
  problems: InputProblem[];
  /** Loaded anyway, but worth saying (a duplicate key: the last value is used, as kubectl does). */
  warnings: InputProblem[];
}

export const NOT_KUBERNETES = 'not a Kubernetes object (no apiVersion/kind), skipped';

function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Foo at line 3, column 1:\n\n<excerpt>` → `Foo`. */
function yamlReason(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?\s*$/, '').trim();
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/** Where a key appears twice in one mapping (the parser keeps the last value, as kubectl's does). */
export interface DuplicateKey {
  path: string;
  firstLine: number;
  line: number;
}

/**
 * Fills `out` with path → line for every key and sequence item under `node`, and `duplicates` with the keys a
 * mapping repeats (the line of the last one is kept: its value is the one loaded).
 */
function collectPaths(
  node: unknown,
  prefix: string,
  lineOf: (offset: number) => number,
  out: Record<string, number>,
  duplicates: DuplicateKey[],
): void {
  if (isMap(node)) {
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = keyText(pair.key);
      if (key === '<<') continue; // merge keys are not fields
      const path = prefix ? `${prefix}.${key}` : key;
      const range = (pair.key as YamlNode | null)?.range;
      const line = range ? lineOf(range[0]) : 0;
      const firstLine = seen.get(key);
      if (firstLine !== undefined) {
        duplicates.push({ path, firstLine, line });
        // The earlier value's nested paths must not survive next to the winner's.
        for (const known of Object.keys(out)) if (known.startsWith(`${path}.`) || known.startsWith(`${path}[`)) delete out[known];
      } else {
        seen.set(key, line);
      }
      if (range) out[path] = line;
      collectPaths(pair.value, path, lineOf, out, duplicates);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const path = `${prefix}[${index}]`;
      const range = (item as YamlNode | null)?.range;
      if (range) out[path] = lineOf(range[0]);
      collectPaths(item, path, lineOf, out, duplicates);
    });
  }
}

function duplicateKeyWarnings(file: string, duplicates: DuplicateKey[]): InputProblem[] {
  return duplicates.map((d) => ({
    file,
    line: d.line,
    message: `duplicate key ${d.path} (first at line ${d.firstLine}); the last value (line ${d.line}) is used`,
  }));
}

function listItemKind(listKind: string): string | undefined {
  return listKind !== 'List' && listKind.endsWith('List') ? listKind.slice(0, -'List'.length) : undefined;
}

/**
 * A list, as kubectl decides it: any object with an `items` field (kubectl's unstructured decoder makes every such
 * object an UnstructuredList, whatever its kind), so `kind: List`, `PodList` and a custom `FrobList` alike.
 */
function isListObject(value: Record<string, any>): boolean {
  return value.items !== undefined;
}

/** A document nested deeper than the parser's stack: not a syntax error, and said as such. */
const TOO_DEEP = 'nested too deeply to read (no Kubernetes object nests this deep); document skipped';

function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError || /Maximum call stack size exceeded/.test(String((err as Error)?.message ?? err));
}

/**
 * Values that aliases may add to a document beyond what it spells out. Aliases share one JS value, but every stage
 * that copies or walks the object pays for each repetition: 900 aliases of a 2 MB anchor took 3.75 GB. The yaml
 * package's maxAliasCount bounds the number of aliases, not what they expand to; this bounds the expansion.
 */
export const MAX_ALIAS_EXPANSION = 1_000_000;

/**
 * How many values `root` holds once every alias is expanded, minus how many distinct ones it holds; `Infinity`
 * for a value that contains itself. Iterative, with each shared value's size computed once.
 */
export function aliasExpansion(root: unknown): number {
  const sizes = new Map<object, number>();
  let distinct = 0;
  const stack: Array<{ value: object; entered: boolean }> = [];
  const childrenOf = (value: object): unknown[] => (Array.isArray(value) ? value : Object.values(value));
  if (typeof root !== 'object' || root === null) return 0;
  stack.push({ value: root, entered: false });
  const IN_PROGRESS = -1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (!top.entered) {
      top.entered = true;
      sizes.set(top.value, IN_PROGRESS);
      distinct++;
      for (const child of childrenOf(top.value)) {
        if (typeof child !== 'object' || child === null) continue;
        const known = sizes.get(child);
        if (known === IN_PROGRESS) return Infinity;
        if (known === undefined) stack.push({ value: child, entered: false });
      }
      continue;
    }
    stack.pop();
    let size = 1;
    for (const child of childrenOf(top.value)) size += typeof child === 'object' && child !== null ? sizes.get(child)! : 1;
    sizes.set(top.value, size);
  }
  // Scalars are counted in the expanded size only: an object's scalars are one value each, and are repeated with it.
  let scalars = 0;
  for (const value of sizes.keys()) for (const child of childrenOf(value)) if (typeof child !== 'object' || child === null) scalars++;
  return sizes.get(root)! - distinct - scalars;
}

/** True when `text` is binary data (NUL bytes, or bytes that are not UTF-8), not YAML or JSON. */
function isBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  let replaced = 0;
  for (let i = text.indexOf('\ufffd'); i !== -1 && replaced < 8; i = text.indexOf('\ufffd', i + 1)) replaced++;
  return replaced >= 8 || (replaced > 0 && replaced * 64 > text.length);
}

export function parseManifestText(text: string, file: string): ParsedFile {
  const lineCounter = new LineCounter();
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  const objects: ParsedObject[] = [];
  const problems: InputProblem[] = [];
  const warnings: InputProblem[] = [];
  if (isBinary(text)) {
    problems.push({ file, line: 1, message: 'binary data, not YAML or JSON; skipped' });
    return { objects, problems, warnings };
  }
  // uniqueKeys: false loads a repeated key with its last value (what kubectl does) instead of rejecting the document;
  // collectPaths finds the repeats so they can be named. merge: true expands YAML 1.1 merge keys (`<<: *anchor`) as
  // kubectl does, so the merged fields are real fields (sanitized, checked) and not a `<<` key holding them.
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: false, merge: true });
  // parseAllDocuments returns an EmptyStream (not an array) for an empty file.
  const list = Array.isArray(documents) ? documents : [];

  for (const doc of list) {
    // The first line of content (after `---` and comments such as Helm's `# Source:`).
    const docStart = lineOf(doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0);
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      const line = error.linePos?.[0]?.line ?? lineOf(error.pos[0]);
      if (isStackOverflow(error)) {
        problems.push({ file, line, message: `the document starting at line ${docStart} is ${TOO_DEEP}` });
        continue;
      }
      const source = text.slice(doc.range?.[0] ?? 0, doc.range?.[2] ?? text.length);
      // Go templates (`{{ .Values.x }}`) are not YAML until rendered; say so instead of a puzzling syntax error.
      const hint = source.includes('{{') ? ' (this looks like an unrendered template: run `helm template` or `kustomize build` first)' : '';
      problems.push({
        file,
        line,
        message: `YAML syntax error in the document starting at line ${docStart}: ${yamlReason(error.message)}; document skipped${hint}`,
      });
      continue;
    }
    if (doc.contents === null || doc.contents === undefined) continue; // empty document (`---` or only comments)
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      const message = isStackOverflow(err) ? `the document is ${TOO_DEEP}` : `cannot read document: ${(err as Error).message}; skipped`;
      problems.push({ file, line: docStart, message });
      continue;
    }
    if (value === null || value === undefined) continue;
    const contentLine = doc.contents.range ? lineOf(doc.contents.range[0]) : docStart;
    const source = text.slice(doc.range?.[0] ?? 0, doc.range?.[2] ?? text.length);
    if (source.includes('*')) {
      const added = aliasExpansion(value);
      if (added > MAX_ALIAS_EXPANSION) {
        const what = added === Infinity ? 'an alias that contains itself' : `aliases that expand to ${added.toLocaleString('en-US')} more values`;
        problems.push({ file, line: contentLine, message: `the document holds ${what} (at most ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')}); document skipped` });
        continue;
      }
    }
    if (!isPlainObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !value.apiVersion || !value.kind) {
      problems.push({ file, line: contentLine, message: NOT_KUBERNETES });
      continue;
    }
    try {
      if (isListObject(value)) {
        flattenList(value, doc.contents, file, lineOf, contentLine, objects, problems, warnings);
        continue;
      }
      const paths: Record<string, number> = {};
      const duplicates: DuplicateKey[] = [];
      collectPaths(doc.contents, '', lineOf, paths, duplicates);
      warnings.push(...duplicateKeyWarnings(file, duplicates));
      objects.push({ object: value, line: contentLine, paths });
    } catch (err) {
      if (!isStackOverflow(err)) throw err;
      problems.push({ file, line: contentLine, message: `the document is ${TOO_DEEP}` });
    }
  }
  return { objects, problems, warnings };
}

/**
 * Every object of a list, at any depth (a List of Lists), in order, as kubectl's FlattenListVisitor does. Items
 * without kind and apiVersion take them from their list (`PodList` → `Pod`; API list bodies carry them only there).
 */
function flattenList(
  list: Record<string, any>,
  contents: unknown,
  file: string,
  lineOf: (offset: number) => number,
  listLine: number,
  objects: ParsedObject[],
  problems: InputProblem[],
  warnings: InputProblem[],
): void {
  const pending: Array<{ list: Record<string, any>; node: unknown; line: number }> = [{ list, node: contents, line: listLine }];
  while (pending.length > 0) {
    const current = pending.shift()!;
    const items: unknown = current.list.items;
    if (items === null) continue; // `items: null`: an empty list
    if (!Array.isArray(items)) {
      problems.push({ file, line: current.line, message: `${current.list.kind}: items must be a list of objects; skipped` });
      continue;
    }
    const itemsNode = isMap(current.node) ? current.node.get('items', true) : undefined;
    const itemNodes = isSeq(itemsNode) ? itemsNode.items : [];
    const impliedKind = listItemKind(current.list.kind);
    const nested: typeof pending = [];
    items.forEach((item, index) => {
      const node = itemNodes[index] as YamlNode | undefined;
      const line = node?.range ? lineOf(node.range[0]) : current.line;
      if (!isPlainObject(item)) {
        problems.push({ file, line, message: NOT_KUBERNETES });
        return;
      }
      if (!item.kind && !item.apiVersion && impliedKind && typeof current.list.apiVersion === 'string') {
        item.kind = impliedKind;
        item.apiVersion = current.list.apiVersion;
      }
      if (typeof item.apiVersion !== 'string' || typeof item.kind !== 'string' || !item.apiVersion || !item.kind) {
        problems.push({ file, line, message: NOT_KUBERNETES });
        return;
      }
      if (isListObject(item)) {
        nested.push({ list: item, node, line });
        return;
      }
      const paths: Record<string, number> = {};
      const duplicates: DuplicateKey[] = [];
      collectPaths(node, '', lineOf, paths, duplicates);
      warnings.push(...duplicateKeyWarnings(file, duplicates));
      objects.push({ object: item, line, paths });
    });
    // A nested list's items come after its list's own items, in kubectl's order (which matters for "the later wins").
    pending.push(...nested);
  }
}
