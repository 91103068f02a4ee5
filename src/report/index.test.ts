import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseFormats, renderJson, writeReports, REPORT_FORMATS } from './index.js';
import { InputError, UserError } from '../common/errors.js';
import { silentLogger } from '../common/logger.js';
import { ReportSchema } from '../schema/report.js';
import { fixtureReport } from './test-support/fixture.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clustergpt-report-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('parseFormats', () => {
  it('parses a comma-separated list, trimming, lower-casing and dropping duplicates', () => {
    expect(parseFormats('md, HTML,json,md')).toEqual(['md', 'html', 'json']);
    expect(parseFormats(REPORT_FORMATS.join(','))).toEqual([...REPORT_FORMATS]);
  });

  it('rejects unknown formats with an InputError listing the valid ones', () => {
    expect(() => parseFormats('md,docx')).toThrow(InputError);
    try {
      parseFormats('md,docx,xls');
    } catch (err) {
      expect((err as InputError).message).toBe('unknown report formats: docx, xls');
      expect((err as InputError).hint).toBe('valid formats: md, html, pdf, json, sarif, junit');
      expect((err as InputError).exitCode).toBe(2);
    }
    expect(() => parseFormats(' , ')).toThrow(/no report format given/);
  });
});

describe('writeReports', () => {
  it('creates the output directory and writes each format under its file name', async () => {
    const out = path.join(await tempDir(), 'nested', 'out');
    const written = await writeReports(fixtureReport(), ['md', 'html', 'json', 'sarif', 'junit'], out, silentLogger);
    expect(written).toEqual(['report.md', 'report.html', 'report.json', 'report.sarif', 'report.junit.xml'].map((f) => path.join(out, f)));
    expect((await readdir(out)).sort()).toEqual(['report.html', 'report.json', 'report.junit.xml', 'report.md', 'report.sarif']);
  });

  it('writes report.json as the stable, schema-valid report', async () => {
    const out = await tempDir();
    await writeReports(fixtureReport(), ['json'], out, silentLogger);
    const text = await readFile(path.join(out, 'report.json'), 'utf8');
    expect(text).toBe(renderJson(fixtureReport()));
    expect(text.endsWith('}\n')).toBe(true);
    expect(ReportSchema.parse(JSON.parse(text))).toEqual(ReportSchema.parse(fixtureReport()));
    // Keys sorted: the same report always gives the same bytes.
    expect(text.indexOf('"architecture"')).toBeLessThan(text.indexOf('"capturedAt"'));
  });

  it('still writes the other formats when Chromium is missing, then fails with one clear line (exit 2)', async () => {
    const out = await tempDir();
    const saved = process.env.PUPPETEER_EXECUTABLE_PATH;
    process.env.PUPPETEER_EXECUTABLE_PATH = '/nonexistent/chromium';
    try {
      const attempt = writeReports(fixtureReport(), ['pdf', 'md', 'json'], out, silentLogger);
      await expect(attempt).rejects.toThrow(UserError);
      await expect(attempt).rejects.toMatchObject({
        message: 'PDF output needs Chromium: install it (apt-get install chromium) or set PUPPETEER_EXECUTABLE_PATH',
        exitCode: 2,
        hint: 'PUPPETEER_EXECUTABLE_PATH is set to /nonexistent/chromium, which does not exist',
      });
    } finally {
      if (saved === undefined) delete process.env.PUPPETEER_EXECUTABLE_PATH;
      else process.env.PUPPETEER_EXECUTABLE_PATH = saved;
    }
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.md']);
  });

  it('replaces the report set as a whole: a write that fails keeps the previous set, complete, and leaves nothing behind', async () => {
    const out = await tempDir();
    await writeReports(fixtureReport(), ['md', 'json'], out, silentLogger);
    const before = { md: await readFile(path.join(out, 'report.md'), 'utf8'), json: await readFile(path.join(out, 'report.json'), 'utf8') };
    const unwritable = fixtureReport();
    (unwritable as any).summary.unserializable = 1n; // report.json cannot be written: fails after report.md was rendered
    await expect(writeReports(unwritable, ['md', 'json'], out, silentLogger)).rejects.toThrow();
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.md']);
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toBe(before.md);
    expect(await readFile(path.join(out, 'report.json'), 'utf8')).toBe(before.json);
  });

  it('removes a report.pdf of an earlier run when the new PDF cannot be printed', async () => {
    const out = await tempDir();
    await writeFile(path.join(out, 'report.pdf'), 'an older cluster');
    const saved = process.env.PUPPETEER_EXECUTABLE_PATH;
    process.env.PUPPETEER_EXECUTABLE_PATH = '/nonexistent/chromium';
    try {
      await expect(writeReports(fixtureReport(), ['md', 'pdf'], out, silentLogger)).rejects.toThrow(UserError);
    } finally {
      if (saved === undefined) delete process.env.PUPPETEER_EXECUTABLE_PATH;
      else process.env.PUPPETEER_EXECUTABLE_PATH = saved;
    }
    expect((await readdir(out)).sort()).toEqual(['report.md']);
  });
});
