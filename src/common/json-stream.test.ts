import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stableStringify } from './stable-json.js';
import { renderJson } from '../report/index.js';
import { JsonSplitParser, stableJsonChunks, writeStableJson, type JsonPath } from './json-stream.js';
import { emptyReport, fixtureReport, manyFindingsReport } from '../report/test-support/fixture.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const streamed = (value: unknown, depth?: number) => [...stableJsonChunks(value, depth)].join('');

describe('stableJsonChunks / writeStableJson', () => {
  it('gives exactly the bytes of renderJson for reports', () => {
    for (const report of [fixtureReport(), emptyReport(), manyFindingsReport(50)]) {
      expect(streamed(report)).toBe(renderJson(report));
    }
  });

  it('matches stableStringify on edge cases: empty containers, undefined members, nested arrays, odd strings', () => {
    const cases: unknown[] = [
      {},
      [],
      null,
      42,
      'text',
      { a: [], b: {}, c: undefined, d: null, e: [undefined, 1, { z: 1, a: [2, []] }] },
      { list: [[1, 2], [], [{}]], 'key "quoted"\n': 'line\nbreak \u2028 é', fn: () => 1 },
      [{ b: 1, a: 2 }, 'x', [], {}],
      { only: undefined },
      { date: new Date(0), nested: { deeper: { list: [1, { y: 2, x: 1 }] } } },
      { n: [0, -0, 1.5, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY, -1], s: ['', '"', '\\', '\u0000', '\u2028', '😀'] },
      { withToJSON: { toJSON: () => ({ b: 1, a: 2 }) }, map: new Map([[1, 2]]), set: new Set([1]), boxed: [Object(1), Object('s')] },
      Object.assign(Object.create(null), { b: 1, a: { d: 1, c: 2 } }),
    ];
    for (const value of cases) {
      for (const depth of [0, 1, 2, 3, 5]) expect(streamed(value, depth)).toBe(stableStringify(value) + '\n');
    }
  });

  it('writes the same bytes to the file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clustergpt-json-stream-'));
    dirs.push(dir);
    const report = manyFindingsReport(300);
    const file = path.join(dir, 'report.json');
    await writeStableJson(file, report);
    expect(await readFile(file, 'utf8')).toBe(renderJson(report));
  });
});

/** Parses `text` fed in chunks of `size` bytes. */
function splitParse(text: string, splitDepth: number, size: number, transform?: (v: unknown, path: JsonPath) => unknown): unknown {
  const bytes = Buffer.from(text, 'utf8');
  const parser = new JsonSplitParser(splitDepth, transform);
  // One reused buffer, as a file reader would do.
  const buffer = Buffer.alloc(Math.min(size, bytes.length));
  for (let i = 0; i < bytes.length; i += size) {
    const n = bytes.copy(buffer, 0, i, i + size);
    parser.feed(buffer.subarray(0, n));
    buffer.fill(0x78);
  }
  return parser.end();
}

describe('JsonSplitParser', () => {
  const documents = [
    '{}',
    '[]',
    '42',
    '-1.5e3',
    '"text with \\"escapes\\" and \\\\ and \\u00e9 é 😀"',
    'true',
    'null',
    JSON.stringify({ a: [], b: {}, c: null, d: [1, 'x', { y: [true, false, null] }], 'k"ey': 'v\\"', e: 'x}]{["' }),
    stableStringify({ schemaVersion: 1, objects: { Pod: [{ metadata: { name: 'a' } }, { metadata: { name: 'b', labels: { 'x/y': '}' } } }], Node: [] } }),
    ' \n [ 1 , [ 2 , [ 3 , [ 4 ] ] ] , { "a" : { "b" : { "c" : { } } } } ] \n ',
    // Laid out like our files (two-space indent) with values that could fool a search for the closing line.
    JSON.stringify({ o: { k: [{}, { a: '\n      }' }, [], { b: [{ c: '}' }] }, {}, { z: 1 }] } }, null, 2),
    JSON.stringify({ o: { k: Array.from({ length: 30 }, (_, i) => (i % 3 ? { i, s: ']}\\"' } : [i, { j: i }])) } }, null, 2),
    JSON.stringify({ o: { k: Array.from({ length: 30 }, (_, i) => ({ i, nested: { deeper: [i] } })) } }, null, 4),
    JSON.stringify({ o: { k: Array.from({ length: 30 }, (_, i) => ({ i, nested: { deeper: [i] } })) } }, null, 1),
    '{"__proto__": {"x": 1}, "a": {"__proto__": 2}}',
  ];

  it('gives what JSON.parse gives, whatever the chunk size and split depth', () => {
    for (const text of documents) {
      for (const depth of [0, 1, 2, 3, 4]) {
        for (const size of [1, 2, 3, 7, 64, 1 << 20]) expect(splitParse(text, depth, size)).toEqual(JSON.parse(text));
      }
    }
  });

  it('hands the values below the split depth to transform, with their path', () => {
    const seen: string[] = [];
    const text = stableStringify({ objects: { Pod: [{ n: 1 }, { n: 2 }], Node: [{ n: 3 }] }, other: 'x' });
    const result = splitParse(text, 3, 5, (v, path) => {
      seen.push(path.join('/'));
      return { wrapped: v };
    });
    expect(seen).toEqual(['objects/Node/0', 'objects/Pod/0', 'objects/Pod/1']);
    expect(result).toEqual({ objects: { Node: [{ wrapped: { n: 3 } }], Pod: [{ wrapped: { n: 1 } }, { wrapped: { n: 2 } }] }, other: 'x' });
  });

  it('rejects invalid JSON with a SyntaxError', () => {
    for (const bad of ['', '{', '[1,]', '{"a" 1}', '{"a":1,}', '[1 2]', '{"a":}', '[1]]', '{"a":[1}', 'tru', '{"a":"x}', '[{"a":1]']) {
      expect(() => splitParse(bad, 2, 3), bad).toThrow(SyntaxError);
    }
  });
});
