import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, runCli } from './cli-helpers.js';
import { findChromium } from '../../src/report/pdf.js';

const chromium = findChromium(process.env);
const hasPoppler = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('report.pdf for the demo snapshot', () => {
  it.skipIf(!chromium || !hasPoppler)('renders in Debian Chromium with page numbers and the report text', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'clustergpt-pdf-'));
    try {
      const run = await runCli(['analyze', '--snapshot', path.join(REPO, 'snapshots', 'demo.json'), '--output', out, '--format', 'pdf', '--quiet']);
      expect(run.code, run.stderr).toBe(0);
      const pdf = path.join(out, 'report.pdf');
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
      const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
      const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
      expect(pages).toBeGreaterThan(5);
      const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
      expect(text).toContain('What is broken right now');
      expect(text).toContain('bookstore/inventory');
      expect(text).toMatch(new RegExp(`Page 2 of ${pages}`));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('without Chromium: one clear line, exit 2, and the other formats are still written', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'clustergpt-nopdf-'));
    try {
      const run = await runCli(
        ['analyze', '--snapshot', path.join(REPO, 'snapshots', 'demo.json'), '--output', out, '--format', 'md,pdf', '--quiet'],
        { env: { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chromium' } },
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error: .*Chromium/m);
      expect(run.stderr).toContain('PUPPETEER_EXECUTABLE_PATH');
      expect(existsSync(path.join(out, 'report.md'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
