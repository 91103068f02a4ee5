/**
 * Report stage: assemble the Report from the stage results, and write it in the formats asked for.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { ensureDirectory } from '../common/directories.js';
import path from 'node:path';
import type { Report } from '../schema/report.js';
import type { Logger } from '../common/logger.js';
import { InputError, errorMessage } from '../common/errors.js';
import { stableStringify } from '../common/stable-json.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
import { renderPdf } from './pdf.js';
import { renderSarif } from './sarif.js';
import { renderJunit } from './junit.js';
import { stableJsonChunks, writeStableJson } from '../common/json-stream.js';

export { assembleReport } from './assemble.js';
export type { AssembleInput } from './assemble.js';
export { computeHealth, readCoverage, healthPhrase, coveragePhrase } from './health.js';
export { renderMarkdown } from './markdown.js';
export { renderHtml } from './html.js';
export { renderPdf, findChromium } from './pdf.js';
export { renderSarif, buildSarif } from './sarif.js';
export { renderJunit } from './junit.js';
export { writeStableJson, stableJsonChunks } from '../common/json-stream.js';

export const REPORT_FORMATS = ['md', 'html', 'pdf', 'json', 'sarif', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_FILE_NAMES: Record<ReportFormat, string> = {
  md: 'report.md',
  html: 'report.html',
  pdf: 'report.pdf',
  json: 'report.json',
  sarif: 'report.sarif',
  junit: 'report.junit.xml',
};

/** report.json: the Report itself, keys sorted, so the same input gives the same bytes. */
export function renderJson(report: Report): string {
  return stableStringify(report) + '\n';
}

/** `md,html,json` → formats, in the order given, without duplicates. Unknown names are an InputError. */
export function parseFormats(csv: string): ReportFormat[] {
  const names = csv
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (names.length === 0) {
    throw new InputError('no report format given', `use a comma-separated list of: ${REPORT_FORMATS.join(', ')}`);
  }
  const unknown = names.filter((n) => !(REPORT_FORMATS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new InputError(
      `unknown report format${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      `valid formats: ${REPORT_FORMATS.join(', ')}`,
    );
  }
  return [...new Set(names)] as ReportFormat[];
}

function renderText(report: Report, format: Exclude<ReportFormat, 'pdf'>): string {
  switch (format) {
    case 'md':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
    case 'json':
      return renderJson(report);
    case 'sarif':
      // Manifest paths in SARIF must be relative to the repository: we take the working directory as its root.
      return renderSarif(report, { baseDir: process.cwd() });
    case 'junit':
      return renderJunit(report);
  }
}

async function writeOutput(file: string, data: string | Buffer): Promise<void> {
  try {
    await writeFile(file, data);
  } catch (err) {
    throw new InputError(`cannot write ${file}: ${errorMessage(err)}`, 'check the --output directory is writable');
  }
}

async function writeJsonOutput(file: string, report: Report): Promise<void> {
  try {
    await writeStableJson(file, report);
  } catch (err) {
    throw new InputError(`cannot write ${file}: ${errorMessage(err)}`, 'check the --output directory is writable');
  }
}

/** `--output -`: the one report goes to stdout instead of a directory. */
export const STDOUT_OUTPUT = '-';

/** Checks the --output/--format pair before any work is done: stdout takes exactly one format. */
export function checkOutputTarget(formats: readonly ReportFormat[], outDir: string): void {
  if (outDir !== STDOUT_OUTPUT) return;
  const wanted = [...new Set(formats)];
  if (wanted.length !== 1) {
    throw new InputError(
      `--output - writes one report to stdout, but ${wanted.length} formats were asked for (${wanted.join(', ')})`,
      'pick one with --format (e.g. --format json --output -), or give --output a directory',
    );
  }
}

async function writeToStdout(report: Report, format: ReportFormat): Promise<void> {
  const write = (chunk: string | Buffer) =>
    new Promise<void>((resolve, reject) => process.stdout.write(chunk, (err) => (err ? reject(err) : resolve())));
  if (format === 'pdf') await write(await renderPdf(report));
  else if (format === 'json') for (const piece of stableJsonChunks(report)) await write(piece);
  else await write(renderText(report, format));
}

/**
 * Writes the reports into outDir (created if needed) and returns the written paths, in the order of `formats`.
 *
 * The set is written as a whole: every file goes to a staging directory inside outDir first and is renamed into place
 * only when all of them are complete, so a failed write or a kill leaves the previous set as it was, never a truncated
 * report.json or a new report.md beside an old report.json of another cluster. The PDF is rendered last: when
 * Chromium is missing, the other formats are still put in place (and a report.pdf of an earlier run is removed, as it
 * would no longer match) before the UserError is thrown. With outDir `-` the single format goes to stdout.
 */
export async function writeReports(report: Report, formats: readonly ReportFormat[], outDir: string, log: Logger): Promise<string[]> {
  const wanted = [...new Set(formats)];
  if (outDir === STDOUT_OUTPUT) {
    checkOutputTarget(wanted, outDir);
    await writeToStdout(report, wanted[0]!);
    return ['(stdout)'];
  }
  let staging: string;
  try {
    await ensureDirectory(outDir);
    staging = await mkdtemp(path.join(outDir, '.clustergpt-staging-'));
  } catch (err) {
    throw new InputError(`cannot create the output directory ${outDir}: ${errorMessage(err)}`, 'choose another --output directory');
  }
  try {
    const staged = new Map<ReportFormat, string>();
    for (const format of wanted) {
      if (format === 'pdf') continue;
      const file = path.join(staging, REPORT_FILE_NAMES[format]);
      // report.json is streamed (same bytes as renderJson): on big clusters it does not fit in one string.
      if (format === 'json') await writeJsonOutput(file, report);
      else await writeOutput(file, renderText(report, format));
      staged.set(format, file);
    }
    let pdfFailure: unknown;
    if (wanted.includes('pdf')) {
      log.progress('printing the PDF with Chromium…');
      try {
        const file = path.join(staging, REPORT_FILE_NAMES.pdf);
        await writeOutput(file, await renderPdf(report));
        staged.set('pdf', file);
      } catch (err) {
        pdfFailure = err;
      }
    }
    const written = new Map<ReportFormat, string>();
    for (const [format, file] of staged) {
      const final = path.join(outDir, REPORT_FILE_NAMES[format]);
      await commitOutput(file, final);
      log.progress(`wrote ${final}`);
      written.set(format, final);
    }
    if (pdfFailure !== undefined) {
      await rm(path.join(outDir, REPORT_FILE_NAMES.pdf), { force: true });
      throw pdfFailure;
    }
    return wanted.map((f) => written.get(f)).filter((f): f is string => f !== undefined);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function commitOutput(staged: string, final: string): Promise<void> {
  try {
    await rename(staged, final);
  } catch (err) {
    throw new InputError(`cannot write ${final}: ${errorMessage(err)}`, 'check the --output directory is writable');
  }
}
