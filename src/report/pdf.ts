/**
 * report.pdf: the HTML report printed by a local Chromium through puppeteer-core. No browser is
 * downloaded: we use the system's Chromium (Debian/Ubuntu package) or PUPPETEER_EXECUTABLE_PATH.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import type { Report } from '../schema/report.js';
import { ExitCode, UserError, errorMessage } from '../common/errors.js';
import { renderHtml } from './html.js';
import { buildView } from './view.js';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const NO_CHROMIUM_MESSAGE =
  'PDF output needs Chromium: install it (apt-get install chromium) or set PUPPETEER_EXECUTABLE_PATH';

/** The Chromium to use, or undefined when none is installed. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.PUPPETEER_EXECUTABLE_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return CHROMIUM_CANDIDATES.find((candidate) => existsSync(candidate));
}

/** Flags that keep a headless print quiet: no sandbox (containers, CI), no network chatter. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

function pdfTimeoutError(err: unknown, timeoutMs: number): unknown {
  if (err instanceof UserError || !(err instanceof Error) || err.name !== 'TimeoutError') return err;
  return new UserError(
    `Chromium did not finish printing the PDF within ${Math.round(timeoutMs / 1000)} s`,
    ExitCode.INPUT,
    'the other formats were written; print report.html from a browser, or narrow the audit with -n',
    { cause: err },
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function headerTemplate(cluster: string): string {
  return `<div style="font-size:8px;color:#5b6670;width:100%;padding:0 12mm;font-family:sans-serif;">ClusterGPT report · ${escapeHtml(cluster)}</div>`;
}

const FOOTER_TEMPLATE =
  '<div style="font-size:8px;color:#5b6670;width:100%;padding:0 12mm;text-align:right;font-family:sans-serif;">' +
  'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>';

/**
 * How long Chromium may take to lay out and print: puppeteer's fixed 30 s default is too short for a big report
 * (thousands of objects) and for pathological text (a 100,000-character name), so the deadline grows with the HTML's
 * size: 60 s plus 60 s per MiB, at most 15 minutes.
 */
export function pdfTimeoutMs(htmlLength: number): number {
  return Math.min(15 * 60_000, 60_000 + Math.ceil((htmlLength / 2 ** 20) * 60_000));
}

/** Prints the HTML report to an A4 PDF. Throws UserError (exit 2) when no Chromium is installed. */
export async function renderPdf(report: Report, executablePath: string | undefined = findChromium()): Promise<Buffer> {
  if (!executablePath) {
    const configured = process.env.PUPPETEER_EXECUTABLE_PATH;
    const hint = configured ? `PUPPETEER_EXECUTABLE_PATH is set to ${configured}, which does not exist` : undefined;
    throw new UserError(NO_CHROMIUM_MESSAGE, ExitCode.INPUT, hint);
  }
  const html = renderHtml(report);
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'clustergpt-chromium-'));
  let browser: Awaited<ReturnType<typeof puppeteer.launch>> | undefined;
  try {
    try {
      browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, userDataDir });
    } catch (err) {
      throw new UserError(
        `Could not start Chromium at ${executablePath}: ${errorMessage(err).split('\n')[0]}`,
        ExitCode.INPUT,
        'install Chromium (apt-get install chromium) or set PUPPETEER_EXECUTABLE_PATH to a working browser',
        { cause: err },
      );
    }
    const page = await browser.newPage();
    // The print needs no script: all rows are visible and the filters are hidden without it.
    await page.setJavaScriptEnabled(false);
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: headerTemplate(buildView(report).clusterName),
      footerTemplate: FOOTER_TEMPLATE,
      margin: { top: '16mm', bottom: '16mm', left: '12mm', right: '12mm' },
    });
    return Buffer.from(pdf);
  } catch (err) {
    throw pdfTimeoutError(err, pdfTimeoutMs(html.length));
  } finally {
    await browser?.close().catch(() => undefined);
    await rm(userDataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
