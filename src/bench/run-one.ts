/**
 * One benchmark run in its own process (so peak RSS is this run's): time `analyze --snapshot` end to end (the
 * same pipeline the CLI runs) on a snapshot file and print one JSON line with stage timings, the number of findings
 * and peak RSS.
 *
 *   node run-one.js generate NODES WORKLOADS PODS [PROBLEM_SHARE] FILE   writes the synthetic snapshot
 *   node run-one.js analyze FILE                                       runs the audit on it
 *
 * Generating happens in a process of its own, so the audit's peak RSS does not include the generator's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { syntheticSnapshot } from './synthetic-cluster.js';
import { writeSnapshot } from '../snapshot/io.js';
import { runAudit } from '../pipeline.js';
import { silentLogger } from '../common/logger.js';

const [mode, ...args] = process.argv.slice(2);
if (mode === 'generate') {
  const file = args[args.length - 1];
  const [nodes, workloads, pods, problemShare] = args.slice(0, -1).map(Number);
  const snapshot = syntheticSnapshot({ nodes, workloads, pods, ...(Number.isFinite(problemShare) ? { problemShare } : {}) });
  const objects = Object.values(snapshot.objects).reduce((n, list) => n + list.length, 0);
  await writeSnapshot(file, snapshot);
  process.stdout.write(JSON.stringify({ nodes, workloads, pods, objects }) + '\n');
} else if (mode === 'analyze') {
  const snapshotPath = args[0];
  const dir = mkdtempSync(path.join(tmpdir(), 'clustergpt-bench-report-'));
  try {
    const rssBefore = process.memoryUsage().rss;
    const start = performance.now();
    const result = await runAudit(
      { type: 'snapshot', path: snapshotPath },
      { rules: {}, explainer: {}, formats: ['json', 'md'], outDir: dir },
      silentLogger,
    );
    const totalMs = performance.now() - start;
    process.stdout.write(
      JSON.stringify({
        findings: result.report.findings.length,
        remediations: result.report.remediations.length,
        totalMs: Math.round(totalMs),
        stages: Object.fromEntries(result.stageTimings.map((t) => [t.stage, Math.round(t.ms)])),
        rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      }) + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  process.stderr.write('usage: run-one.js generate NODES WORKLOADS PODS [PROBLEM_SHARE] FILE | analyze FILE\n');
  process.exitCode = 2;
}
