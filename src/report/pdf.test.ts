import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findChromium, pdfTimeoutMs, renderPdf } from './pdf.js';
import { manyFindingsReport } from './test-support/fixture.js';

const chromium = findChromium();
const hasPoppler = existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdfinfo');

describe('findChromium', () => {
  it('prefers PUPPETEER_EXECUTABLE_PATH and reports a missing one as not found', () => {
    expect(findChromium({ PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chrome' })).toBeUndefined();
    expect(findChromium({ PUPPETEER_EXECUTABLE_PATH: process.execPath })).toBe(process.execPath);
  });
});

describe('pdfTimeoutMs', () => {
  it('grows with the size of the HTML (a big report is not cut off at 30 s) and stays bounded', () => {
    expect(pdfTimeoutMs(50_000)).toBeGreaterThanOrEqual(60_000);
    expect(pdfTimeoutMs(8 * 2 ** 20)).toBe(60_000 + 8 * 60_000);
    expect(pdfTimeoutMs(10 ** 9)).toBe(15 * 60_000);
  });
});

// CI installs Chromium (apt-get install chromium), so this runs there; skipped on machines without it.
describe.skipIf(!chromium)(`renderPdf with ${chromium ?? 'no Chromium installed (test skipped)'}`, () => {
  it('prints an A4 PDF of several pages that contains the findings', async () => {
    const pdf = await renderPdf(manyFindingsReport(40));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    if (!hasPoppler) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clustergpt-pdf-test-'));
    try {
      const file = path.join(dir, 'report.pdf');
      await writeFile(file, pdf);
      const info = execFileSync('/usr/bin/pdfinfo', [file], { encoding: 'utf8' });
      const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
      expect(pages).toBeGreaterThanOrEqual(2);
      // A4 is 595 × 842 points.
      expect(info).toMatch(/Page size:\s+595\.\d* x 841\.\d*|Page size:\s+595\.\d* x 842/);
      const text = execFileSync('/usr/bin/pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toContain('Container runs privileged | full host access');
      expect(text).toContain('No readiness probe on service-039');
      expect(text).toMatch(/Page 1 of \d+/);
      expect(text).toContain('ClusterGPT report · bookstore-prod');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
