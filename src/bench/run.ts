/**
 * `npm run bench`: the rule engine and `analyze --snapshot` end to end on synthetic clusters of
 * growing size, each in a fresh process. Target (issue 3) on a 2-core machine: 150,000 pods /
 * 30,000 workloads / 5,000 nodes in under 20 s and 1.5 GB peak RSS, growing linearly.
 * `npm run bench -- 0.1` runs only the 10% size.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const FULL = { nodes: 5_000, workloads: 30_000, pods: 150_000 };
const scales = process.argv.slice(2).length ? process.argv.slice(2).map(Number) : [0.1, 0.5, 1];
const runOne = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run-one.js');

console.log('scale  nodes  workloads    pods  objects   total s  objects/s  peak RSS MiB  stages (ms)');
const rows: Array<{ objects: number; totalMs: number }> = [];
for (const scale of scales) {
  const size = [FULL.nodes, FULL.workloads, FULL.pods].map((n) => String(Math.round(n * scale)));
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', runOne, ...size], {
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  rows.push(r);
  const stages = Object.entries(r.stages as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    `${String(scale).padEnd(5)}  ${String(r.nodes).padStart(5)}  ${String(r.workloads).padStart(9)}  ${String(r.pods).padStart(6)}  ${String(r.objects).padStart(7)}  ${(r.totalMs / 1000).toFixed(1).padStart(8)}  ${String(r.objectsPerSecond).padStart(9)}  ${String(r.peakRssMiB).padStart(12)}  ${stages}`,
  );
}
if (rows.length > 1) {
  const first = rows[0];
  const last = rows[rows.length - 1];
  const growth = last.totalMs / first.totalMs / (last.objects / first.objects);
  console.log(`\ntime growth relative to linear: ${growth.toFixed(2)} (1.00 = perfectly linear)`);
}
