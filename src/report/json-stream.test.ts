import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stableStringify } from '../common/stable-json.js';
import { renderJson } from './index.js';
import { stableJsonChunks, writeStableJson } from './json-stream.js';
import { emptyReport, fixtureReport, manyFindingsReport } from './test-support/fixture.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const streamed = (value: unknown) => [...stableJsonChunks(value)].join('');

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
    ];
    for (const value of cases) expect(streamed(value)).toBe(stableStringify(value) + '\n');
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
