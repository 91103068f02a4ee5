import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { renderHtml } from './html.js';
import { findChromium } from './pdf.js';
import { manyFindingsReport } from './test-support/fixture.js';

const chromium = findChromium();

// Runs the report's inline filter script in a real browser; skipped where no Chromium is installed.
describe.skipIf(!chromium)('report.html in Chromium', () => {
  it('filters the findings table by severity, category and text, and makes no network request', async () => {
    const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'clustergpt-html-test-'));
    const browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      userDataDir,
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.setContent(renderHtml(manyFindingsReport(10)), { waitUntil: 'load' });
      const visibleRows = () =>
        page.$$eval('#findings-table tbody tr', (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).length);

      expect(await page.$eval('#filters', (el) => (el as unknown as { hidden: boolean }).hidden)).toBe(false);
      expect(await visibleRows()).toBe(14);
      expect(await page.$eval('#filter-count', (el) => el.textContent)).toBe('14 of 14 shown');

      await page.select('#filter-severity', 'critical');
      expect(await visibleRows()).toBe(1);
      await page.select('#filter-severity', '');
      await page.select('#filter-category', 'reliability');
      expect(await visibleRows()).toBe(11);
      await page.type('#filter-text', 'service-007');
      expect(await visibleRows()).toBe(1);
      expect(await page.$eval('#filter-count', (el) => el.textContent)).toBe('1 of 14 shown');

      expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    } finally {
      await browser.close();
      await rm(userDataDir, { recursive: true, force: true });
    }
  });
});
