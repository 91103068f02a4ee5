/**
 * `npm run bench`: the rule engine and `analyze --snapshot` end to end on synthetic clusters of
 * growing size, each in a fresh process. Target (issue 3) on a 2-core machine: 150,000 pods /
 * 30,000 workloads / 5,000 nodes in under 20 s and 1.5 GB peak RSS, growing linearly.
 * `npm run bench -- 0.1` runs only the 10% size; `--problems=1` makes every workload a problematic one (a stress
 * test of findings, patches and reports: about ten findings per workload). Each scale runs in two fresh processes:
 * one writes the synthetic snapshot file, the other times `analyze --snapshot` on it (peak RSS is the audit's).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const FULL = { nodes: 5_000, workloads: 30_000, pods: 150_000 };
// `--problems=1`: every workload has problems (stress test of findings, patches and reports); default 30%.
const args = process.argv.slice(2);
const problemsArg = args.find((a) => a.startsWith('--problems='));
const problemShare = problemsArg ? problemsArg.slice('--problems='.length) : undefined;
const scaleArgs = args.filter((a) => !a.startsWith('--'));
const scales = scaleArgs.length ? scaleArgs.map(Number) : [0.1, 0.5, 1];
const runOne = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run-one.js');

console.log('scale  nodes  workloads    pods  objects  snap MiB  findings   total s  objects/s  peak RSS MiB  stages (ms)');
const rows: Array<{ objects: number; totalMs: number; objectsPerSecond?: number }> = [];
const lastLine = (out: string) => JSON.parse(out.trim().split('\n').pop()!);
for (const scale of scales) {
  const size = [FULL.nodes, FULL.workloads, FULL.pods].map((n) => String(Math.round(n * scale)));
  const dir = mkdtempSync(path.join(tmpdir(), 'clustergpt-bench-'));
  try {
    const snapshotPath = path.join(dir, 'snapshot.json');
    const node = (args: string[]) =>
      execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', runOne, ...args], {
        encoding: 'utf8',
        maxBuffer: 16 * 2 ** 20,
      });
    const generated = lastLine(node(['generate', ...size, ...(problemShare ? [problemShare] : []), snapshotPath]));
    const r = { ...generated, snapshotMiB: Math.round(statSync(snapshotPath).size / 2 ** 20), ...lastLine(node(['analyze', snapshotPath])) };
    r.objectsPerSecond = Math.round(r.objects / (r.totalMs / 1000));
    rows.push(r);
    const stages = Object.entries(r.stages as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(
      `${String(scale).padEnd(5)}  ${String(r.nodes).padStart(5)}  ${String(r.workloads).padStart(9)}  ${String(r.pods).padStart(6)}  ${String(r.objects).padStart(7)}  ${String(r.snapshotMiB).padStart(8)}  ${String(r.findings).padStart(8)}  ${(r.totalMs / 1000).toFixed(1).padStart(8)}  ${String(r.objectsPerSecond).padStart(9)}  ${String(r.peakRssMiB).padStart(12)}  ${stages}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (rows.length > 1) {
  const first = rows[0];
  const last = rows[rows.length - 1];
  const growth = last.totalMs / first.totalMs / (last.objects / first.objects);
  console.log(`\ntime growth relative to linear: ${growth.toFixed(2)} (1.00 = perfectly linear)`);
}
