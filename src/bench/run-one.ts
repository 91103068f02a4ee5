/**
 * One benchmark run in its own process (so peak RSS is this run's): generate a synthetic cluster,
 * save it as a snapshot, then time `analyze --snapshot` end to end (the same pipeline the CLI runs)
 * and print one JSON line with stage timings and peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { syntheticSnapshot } from './synthetic-cluster.js';
import { writeSnapshot } from '../snapshot/io.js';
import { runAudit } from '../pipeline.js';
import { silentLogger } from '../common/logger.js';

const [nodes, workloads, pods] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(path.join(tmpdir(), 'clustergpt-bench-'));
try {
  let snapshot: ReturnType<typeof syntheticSnapshot> | undefined = syntheticSnapshot({ nodes, workloads, pods });
  const objects = Object.values(snapshot.objects).reduce((n, list) => n + list.length, 0);
  const snapshotPath = path.join(dir, 'snapshot.json');
  await writeSnapshot(snapshotPath, snapshot);
  snapshot = undefined;
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;

  const start = performance.now();
  const result = await runAudit(
    { type: 'snapshot', path: snapshotPath },
    { rules: {}, explainer: {}, formats: ['json', 'md'], outDir: path.join(dir, 'report') },
    silentLogger,
  );
  const totalMs = performance.now() - start;
  process.stdout.write(
    JSON.stringify({
      nodes,
      workloads,
      pods,
      objects,
      findings: result.report.findings.length,
      totalMs: Math.round(totalMs),
      objectsPerSecond: Math.round(objects / (totalMs / 1000)),
      stages: Object.fromEntries(result.stageTimings.map((t) => [t.stage, Math.round(t.ms)])),
      rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }) + '\n',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
