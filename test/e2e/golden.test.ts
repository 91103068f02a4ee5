/**
 * Golden files: the reports for the bundled demo snapshot, byte for byte. A change to a rule, a
 * template or a stage that alters what users see shows up here as a diff to review.
 * Regenerate after an intended change with:  UPDATE_GOLDEN=1 npx vitest run test/e2e/golden.test.ts
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runAudit } from '../../src/pipeline.js';
import { silentLogger } from '../../src/common/logger.js';
import { REPO } from './cli-helpers.js';

const GOLDEN_DIR = path.join(REPO, 'test', 'e2e', 'golden', 'demo');
const FILES = ['report.md', 'report.json', 'report.sarif', 'report.junit.xml'];

describe('golden reports for snapshots/demo.json', () => {
  it('md, json, sarif and junit match the golden files', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'clustergpt-golden-'));
    try {
      await runAudit(
        { type: 'snapshot', path: path.join(REPO, 'snapshots', 'demo.json') },
        { rules: {}, explainer: {}, formats: ['md', 'json', 'sarif', 'junit'], outDir: out },
        silentLogger,
      );
      for (const file of FILES) {
        const actual = readFileSync(path.join(out, file), 'utf8');
        const goldenPath = path.join(GOLDEN_DIR, file);
        if (process.env.UPDATE_GOLDEN) {
          mkdirSync(GOLDEN_DIR, { recursive: true });
          writeFileSync(goldenPath, actual);
        }
        expect(actual, `${file} differs from ${path.relative(REPO, goldenPath)} (UPDATE_GOLDEN=1 to accept)`).toBe(
          readFileSync(goldenPath, 'utf8'),
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
