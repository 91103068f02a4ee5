/**
 * Evidence that is exactly right: every evidence item of the demo report (snapshots/demo.json) and of the manifest
 * demos (demos/*) is resolved on its object, and what the reports show for it must be what the object holds there
 * (or its human rendering); for manifests, file:line must be the line of that field.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document } from 'yaml';
import { acquireSnapshot, runAudit, type AuditInput } from './pipeline.js';
import { silentLogger } from './common/logger.js';
import { parsePath, renderValue, valueAt, type PathSegment } from './common/field-path.js';
import { parseQuantity } from './common/quantity.js';
import { evidenceLine } from './report/format.js';
import type { Evidence, ResourceRef } from './schema/finding.js';
import type { K8sObject, Snapshot } from './schema/snapshot.js';
import type { Report } from './schema/report.js';

const INPUTS: Array<{ name: string; input: AuditInput }> = [
  { name: 'snapshots/demo.json', input: { type: 'snapshot', path: 'snapshots/demo.json' } },
  { name: 'demos/bookstore', input: { type: 'manifests', paths: ['demos/bookstore'] } },
  { name: 'demos/broken', input: { type: 'manifests', paths: ['demos/broken'] } },
  { name: 'demos/well-configured', input: { type: 'manifests', paths: ['demos/well-configured'] } },
];

const outDirs: string[] = [];
afterAll(async () => {
  for (const dir of outDirs) await rm(dir, { recursive: true, force: true });
});

interface Audited {
  report: Report;
  snapshot: Snapshot;
  markdown: string;
  json: Report;
}

async function audit(input: AuditInput): Promise<Audited> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'clustergpt-evidence-'));
  outDirs.push(outDir);
  const { snapshot } = await acquireSnapshot(input, silentLogger);
  const { report } = await runAudit(input, { rules: {}, explainer: {}, formats: ['md', 'json'], outDir }, silentLogger);
  const markdown = await readFile(path.join(outDir, 'report.md'), 'utf8');
  const json = JSON.parse(await readFile(path.join(outDir, 'report.json'), 'utf8')) as Report;
  return { report, snapshot, markdown, json };
}

/** Every evidence item with what it belongs to, for messages that say which one failed. */
function evidenceItems(report: Report): Array<{ owner: string; resource: ResourceRef; evidence: Evidence }> {
  return [
    ...report.findings.flatMap((f) => f.evidence.map((evidence) => ({ owner: `finding ${f.ruleId} on ${f.resource.kind}/${f.resource.name}`, resource: f.resource, evidence }))),
    ...report.diagnoses.flatMap((d) => d.evidence.map((evidence) => ({ owner: `diagnosis ${d.cause} on ${d.resource.kind}/${d.resource.name}`, resource: d.resource, evidence }))),
  ];
}

function objectOf(snapshot: Snapshot, ref: ResourceRef): K8sObject | undefined {
  return (snapshot.objects[ref.kind] ?? []).find(
    (o) => o.metadata.name === ref.name && (o.metadata.namespace ?? '') === (ref.namespace ?? ''),
  );
}

/** `3.92 CPU`, `300m CPU` → cores; `14.2 GiB`, `512 B` → bytes; anything else → undefined. */
function parseHuman(shown: string): number | undefined {
  const cpu = /^(-?\d+(?:\.\d+)?)(m?) CPU$/.exec(shown);
  if (cpu) return Number(cpu[1]) * (cpu[2] ? 1e-3 : 1);
  const bytes = /^(-?\d+(?:\.\d+)?) (B|KiB|MiB|GiB|TiB|PiB)$/.exec(shown);
  if (!bytes) return undefined;
  const power = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'].indexOf(bytes[2]!);
  return Number(bytes[1]) * 1024 ** power;
}

/** The value part of a rendered `path = value …` line. */
function shownValue(line: string, e: Evidence): string {
  const marker = `${e.path} = `;
  const start = line.indexOf(marker);
  expect(start, `"${line}" shows ${e.path} = …`).toBeGreaterThanOrEqual(0);
  let rest = line.slice(start + marker.length);
  for (const tail of [' @ ', ' — ']) {
    const cut = rest.indexOf(tail);
    if (cut >= 0) rest = rest.slice(0, cut);
  }
  return rest;
}

/**
 * The line a field path is on in a manifest, found independently of the loader: the key of the deepest part of
 * the path that exists (a missing field points at its nearest existing parent), else the document's first line.
 */
function expectedLine(doc: Document, lines: LineCounter, segments: readonly PathSegment[]): number {
  let node: unknown = doc.contents;
  let line = lines.linePos((doc.contents as { range?: [number] } | null)?.range?.[0] ?? 0).line;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair || !isScalar(pair.key) || !pair.key.range) break;
      line = lines.linePos(pair.key.range[0]).line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as { range?: [number] } | undefined;
      if (!item?.range) break;
      line = lines.linePos(item.range[0]).line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}

function manifestDocument(file: string, obj: K8sObject): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { lineCounter: lines });
  const doc = (Array.isArray(docs) ? docs : []).find((d) => {
    const js = d.toJS() as K8sObject | null;
    return js?.kind === obj.kind && js?.metadata?.name === obj.metadata.name;
  });
  if (!doc) throw new Error(`no document for ${obj.kind}/${obj.metadata.name} in ${file}`);
  return { doc, lines };
}

describe.each(INPUTS)('evidence of $name', ({ name, input }) => {
  let audited: Audited;
  const run = async () => (audited ??= await audit(input));

  it.runIf(name !== 'demos/well-configured')('has evidence to check', async () => {
    const { report } = await run();
    expect(evidenceItems(report).length).toBeGreaterThan(5);
  });

  it('shows on each field exactly what its path holds on its object (raw in report.json, human in the reports)', async () => {
    const { report, snapshot, json } = await run();
    const jsonItems = evidenceItems(json);
    evidenceItems(report).forEach(({ owner, resource, evidence: e }, i) => {
      const where = `${owner}: ${e.path}`;
      // report.json keeps the raw value.
      expect(jsonItems[i]?.evidence, where).toEqual(e);
      expect(e.value ?? '', `${where}: a value cut with "…" hides what matters`).not.toContain('…');
      const line = evidenceLine(e);
      if (e.derived) {
        expect(line, `${where}: a derived value is not written as a field`).not.toContain(`${e.path} = `);
        expect(line).toContain(`derived from ${e.path}`);
        // What it is computed from exists: the part of the path before the first [*], on this object or (for a
        // path starting with a Kind) as objects of that kind.
        const head = e.path.split('[*]')[0]!;
        if (/^[A-Z]/.test(head)) expect(snapshot.objects[head]?.length ?? 0, where).toBeGreaterThan(0);
        else expect(valueAt(objectOf(snapshot, e.object ?? resource), parsePath(head)), where).toBeDefined();
        return;
      }
      const obj = objectOf(snapshot, e.object ?? resource);
      expect(obj, `${where}: the object it is on`).toBeDefined();
      const resolved = renderValue(valueAt(obj, parsePath(e.path)));
      expect(e.value, `${where} holds ${resolved}`).toBe(resolved);
      const shown = shownValue(line, e);
      if (shown !== e.value) {
        // Only a quantity is re-written, and its human form is within rounding of the raw one.
        const human = parseHuman(shown);
        const raw = parseQuantity(e.value!);
        expect(human, `${where}: "${shown}" is not the human form of ${e.value}`).toBeDefined();
        expect(Math.abs(human! - raw) / Math.abs(raw), `${where}: ${shown} vs ${e.value}`).toBeLessThan(0.006);
      }
    });
  });

  it('shows in report.md only evidence lines checked here', async () => {
    const { report, markdown } = await run();
    const known = new Set(evidenceItems(report).map(({ evidence }) => evidenceLine(evidence)));
    const shown: string[] = [];
    let inEvidence = false;
    for (const text of markdown.split('\n')) {
      if (/^(- )?\*\*Evidence:?\*\*/.test(text)) inEvidence = true;
      else if (inEvidence && /^\s*- `.*`$/.test(text)) shown.push(text.trim().slice(3, -1));
      else if (text.trim() !== '') inEvidence = false;
    }
    if (report.findings.length + report.diagnoses.length > 0) expect(shown.length).toBeGreaterThan(0);
    for (const line of shown) expect(known.has(line.replace(/\\`/g, '`')), `report.md shows "${line}"`).toBe(true);
  });

  it.runIf(input.type === 'manifests')('points file:line at the field (or, when it is absent, at its nearest parent)', async () => {
    const { report, snapshot } = await run();
    for (const { owner, resource, evidence: e } of evidenceItems(report)) {
      const located = e.derived ? e.path.split('[*]')[0]! : e.path;
      if (e.derived && /^[A-Z]/.test(located)) {
        expect(e.file, `${owner}: ${e.path} is on other objects`).toBeUndefined();
        continue;
      }
      expect(e.file, `${owner}: ${e.path} has a file`).toBeDefined();
      const obj = objectOf(snapshot, e.object ?? resource)!;
      const { doc, lines } = manifestDocument(e.file!, obj);
      expect(e.line, `${owner}: ${e.file} line of ${e.path}`).toBe(expectedLine(doc, lines, parsePath(located)));
    }
  });
});
