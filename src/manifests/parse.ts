/**
 * Parses one manifest file (a YAML multi-document stream, or JSON, which is YAML too) into raw
 * objects with real line numbers: the line of each object and of every nested key and sequence
 * item (`spec.template.spec.containers[1].image` → 42), from the yaml AST and its LineCounter.
 * `kind: List` (and `*List`, what `kubectl get -o yaml` prints) is flattened, each item keeping
 * its own lines. A broken document becomes a problem; the rest of the file still loads.
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

/** Fills `out` with path → line for every key and sequence item under `node`. */
function collectPaths(node: unknown, prefix: string, lineOf: (offset: number) => number, out: Record<string, number>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = keyText(pair.key);
      if (key === '<<') continue; // merge keys are not fields
      const path = prefix ? `${prefix}.${key}` : key;
      const range = (pair.key as YamlNode | null)?.range;
      if (range) out[path] = lineOf(range[0]);
      collectPaths(pair.value, path, lineOf, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const path = `${prefix}[${index}]`;
      const range = (item as YamlNode | null)?.range;
      if (range) out[path] = lineOf(range[0]);
      collectPaths(item, path, lineOf, out);
    });
  }
}

function listItemKind(listKind: string): string | undefined {
  return listKind !== 'List' && listKind.endsWith('List') ? listKind.slice(0, -'List'.length) : undefined;
}

/** `kind: List` or `FooList` with an items array (what kubectl get -o yaml/json prints). */
function isListObject(value: Record<string, any>): boolean {
  return typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items) && value.spec === undefined;
}

export function parseManifestText(text: string, file: string): ParsedFile {
  const lineCounter = new LineCounter();
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  const objects: ParsedObject[] = [];
  const problems: InputProblem[] = [];
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: true });
  // parseAllDocuments returns an EmptyStream (not an array) for an empty file.
  const list = Array.isArray(documents) ? documents : [];

  for (const doc of list) {
    // The first line of content (after `---` and comments such as Helm's `# Source:`).
    const docStart = lineOf(doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0);
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      const line = error.linePos?.[0]?.line ?? lineOf(error.pos[0]);
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
      problems.push({ file, line: docStart, message: `cannot read document: ${(err as Error).message}; skipped` });
      continue;
    }
    if (value === null || value === undefined) continue;
    const contentLine = doc.contents.range ? lineOf(doc.contents.range[0]) : docStart;
    if (!isPlainObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !value.apiVersion || !value.kind) {
      problems.push({ file, line: contentLine, message: NOT_KUBERNETES });
      continue;
    }
    if (isListObject(value)) {
      flattenList(value, doc.contents, file, lineOf, contentLine, objects, problems);
      continue;
    }
    const paths: Record<string, number> = {};
    collectPaths(doc.contents, '', lineOf, paths);
    objects.push({ object: value, line: contentLine, paths });
  }
  return { objects, problems };
}

function flattenList(
  list: Record<string, any>,
  contents: unknown,
  file: string,
  lineOf: (offset: number) => number,
  listLine: number,
  objects: ParsedObject[],
  problems: InputProblem[],
): void {
  const itemsNode = isMap(contents) ? contents.get('items', true) : undefined;
  const itemNodes = isSeq(itemsNode) ? itemsNode.items : [];
  const impliedKind = listItemKind(list.kind);
  (list.items as unknown[]).forEach((item, index) => {
    const node = itemNodes[index] as YamlNode | undefined;
    const line = node?.range ? lineOf(node.range[0]) : listLine;
    if (!isPlainObject(item)) {
      problems.push({ file, line, message: NOT_KUBERNETES });
      return;
    }
    // `kubectl get -o yaml` items carry apiVersion/kind; API list bodies do not (they are on the List).
    if (!item.kind && impliedKind) item.kind = impliedKind;
    if (!item.apiVersion && impliedKind && typeof list.apiVersion === 'string') item.apiVersion = list.apiVersion;
    if (typeof item.apiVersion !== 'string' || typeof item.kind !== 'string' || !item.apiVersion || !item.kind) {
      problems.push({ file, line, message: NOT_KUBERNETES });
      return;
    }
    const paths: Record<string, number> = {};
    collectPaths(node, '', lineOf, paths);
    objects.push({ object: item, line, paths });
  });
}
