/**
 * Regenerates snapshots/demo.json: `clustergpt snapshot` run against the fake API server that
 * serves the responses recorded from a real kube-apiserver (../shared/k8s-api), with the capture
 * time fixed to just after the recorded events, so the file is reproducible.
 *
 *   npx vite-node test/support/make-demo-snapshot.ts
 */
import path from 'node:path';
import { startFakeApiServer, writeFakeKubeconfig, REPO_ROOT } from '../k8s-api-server/server.js';
import { captureCluster } from '../../src/connector/index.js';
import { writeSnapshot } from '../../src/snapshot/io.js';
import { createLogger } from '../../src/common/logger.js';

export const DEMO_CAPTURED_AT = '2026-11-21T09:00:00.000Z';

const server = await startFakeApiServer({});
try {
  const kubeconfig = await writeFakeKubeconfig(server, { contextName: 'bookstore-prod' });
  const snapshot = await captureCluster(
    { kubeconfig, now: () => new Date(DEMO_CAPTURED_AT) },
    createLogger({ quiet: false }),
  );
  // The fake server listens on a random local port; the demo should name a plausible endpoint.
  if (snapshot.source.type === 'cluster') snapshot.source.server = 'https://bookstore-prod.eu-west-1.eks.example:443';
  const out = path.join(REPO_ROOT, 'snapshots', 'demo.json');
  await writeSnapshot(out, snapshot);
  console.log(`wrote ${out}`);
} finally {
  await server.close();
}
