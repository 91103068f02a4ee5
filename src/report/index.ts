/**
 * Report stage: assemble the Report from the stage results, and write it in the formats asked for.
 */
import { mkdir, writeFile } from 'node:fs/promises';
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
import { writeStableJson } from '../common/json-stream.js';

export { assembleReport } from './assemble.js';
export type { AssembleInput } from './assemble.js';
export { computeRisk } from './risk.js';
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

/**
 * Writes the reports into outDir (created if needed) and returns the written paths, in the order
 * of `formats`. The PDF is written last, so when Chromium is missing every other format is still
 * on disk before the UserError is thrown.
 */
export async function writeReports(report: Report, formats: readonly ReportFormat[], outDir: string, log: Logger): Promise<string[]> {
  const wanted = [...new Set(formats)];
  try {
    await mkdir(outDir, { recursive: true });
  } catch (err) {
    throw new InputError(`cannot create the output directory ${outDir}: ${errorMessage(err)}`, 'choose another --output directory');
  }
  const written = new Map<ReportFormat, string>();
  for (const format of wanted) {
    if (format === 'pdf') continue;
    const file = path.join(outDir, REPORT_FILE_NAMES[format]);
    // report.json is streamed (same bytes as renderJson): on big clusters it does not fit in one string.
    if (format === 'json') await writeJsonOutput(file, report);
    else await writeOutput(file, renderText(report, format));
    log.progress(`wrote ${file}`);
    written.set(format, file);
  }
  if (wanted.includes('pdf')) {
    const file = path.join(outDir, REPORT_FILE_NAMES.pdf);
    log.progress('printing the PDF with Chromium…');
    const pdf = await renderPdf(report);
    await writeOutput(file, pdf);
    log.progress(`wrote ${file}`);
    written.set('pdf', file);
  }
  return wanted.map((f) => written.get(f)).filter((f): f is string => f !== undefined);
}

