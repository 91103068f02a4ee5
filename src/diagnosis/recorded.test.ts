import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { buildGraph } from '../graph/index.js';
import { loadManifests } from '../manifests/index.js';
import { silentLogger } from '../common/logger.js';
import { DiagnosisSchema } from '../schema/diagnosis.js';
import { stableStringify } from '../common/stable-json.js';
import { recordedSnapshot } from '../../test/support/recorded-snapshot.js';
import { diagnose } from './index.js';

describe('the recorded bookstore cluster', () => {
  const snapshot = recordedSnapshot();
  const diagnoses = diagnose(snapshot, buildGraph(snapshot));

  it('finds exactly what is broken: inventory OOM, recommender unschedulable + stuck rollout, the DiskPressure node', () => {
    expect(diagnoses.map((d) => `${d.cause} ${d.resource.kind}/${d.resource.name}`)).toEqual([
      'oom-killed Deployment/inventory',
      'unschedulable Deployment/recommender',
      'rollout-stuck Deployment/recommender',
      'node-pressure Node/ip-172-20-42-35.eu-west-1.compute.internal',
    ]);
    for (const d of diagnoses) expect(() => DiagnosisSchema.parse(d)).not.toThrow();
  });

  it('inventory: OOMKilled under a 160Mi limit, with the kubelet BackOff event and a 256Mi patch', () => {
    const d = diagnoses[0];
    expect(d.pods).toEqual(['inventory-5d8f9b7c6-zt4lx']);
    expect(d.evidence).toContainEqual(
      expect.objectContaining({ path: 'status.containerStatuses[0].lastState.terminated.reason', value: 'OOMKilled', timestamp: '2026-11-21T08:53:40Z' }),
    );
    expect(d.evidence).toContainEqual(expect.objectContaining({ path: 'status.containerStatuses[0].restartCount', value: '23' }));
    expect(d.evidence).toContainEqual(
      expect.objectContaining({ uid: '178cdcdd-95c3-487e-94ef-3f1b2b01e01d', timestamp: '2026-11-21T08:58:41Z', path: 'reason', value: 'BackOff' }),
    );
    expect(d.remediation.patch).toMatchObject({
      type: 'strategic',
      target: { kind: 'Deployment', namespace: 'bookstore', name: 'inventory' },
      body: { spec: { template: { spec: { containers: [{ name: 'inventory', resources: { limits: { memory: '256Mi' } } }] } } } },
    });
  });

  it('recommender: 6 CPU / 24Gi can never fit a 3920m / 14.2Gi node', () => {
    const d = diagnoses[1];
    expect(d.summary).toContain('It requests 6 CPU / 24Gi; the largest node has 3920m CPU / 14.2Gi allocatable, so it can never fit');
    expect(d.evidence).toContainEqual(expect.objectContaining({ path: 'spec.containers[0].resources.requests.cpu', value: '6' }));
    expect(d.evidence).toContainEqual(expect.objectContaining({ path: 'spec.containers[0].resources.requests.memory', value: '24Gi' }));
    const stuck = diagnoses[2];
    expect(stuck.summary).toContain('ReplicaSet "recommender-6c4d8f9b5" has timed out progressing');
    expect(stuck.hypotheses[1]?.cause).toBe('unschedulable');
  });

  it('the DiskPressure node carries the EvictionThresholdMet event', () => {
    const d = diagnoses[3];
    expect(d.summary).toContain('DiskPressure');
    expect(d.evidence.map((e) => e.message)).toContain('Attempting to reclaim ephemeral-storage');
    expect(d.remediation.summary).toMatch(/free disk space/);
  });

  it('is deterministic', () => {
    const again = recordedSnapshot();
    expect(stableStringify(diagnose(again, buildGraph(again)))).toBe(stableStringify(diagnoses));
  });
});

describe('a kubectl get pods,events -o yaml dump loaded with --manifests', () => {
  it('goes through the same code: pods fold into their Deployment even without the ReplicaSet in the dump', async () => {
    const file = fileURLToPath(new URL('./fixtures/kubectl-get-pods-events.yaml', import.meta.url));
    const { snapshot, problems } = await loadManifests([file], {}, silentLogger);
    expect(problems).toEqual([]);
    const diagnoses = diagnose(snapshot, buildGraph(snapshot));
    expect(diagnoses.map((d) => `${d.cause} ${d.resource.kind}/${d.resource.name} ${d.podsAffected}`).sort()).toEqual([
      'config-error StatefulSet/ledger 1',
      'crash-loop Deployment/orders-api 2',
    ]);
    const crash = diagnoses.find((d) => d.cause === 'crash-loop')!;
    expect(crash.summary).toContain('exit code 1: application error');
    expect(crash.evidence.some((e) => e.uid === '2d3e4f50-6a7b-4c8d-9e0f-a1b2c3d4e5f6')).toBe(true);
    const config = diagnoses.find((d) => d.cause === 'config-error')!;
    expect(config.summary).toContain('key password is missing from Secret orders/ledger-db');
    expect(config.remediation.patch).toMatchObject({ type: 'merge', target: { kind: 'Secret', namespace: 'orders', name: 'ledger-db' }, body: { stringData: { password: 'REPLACE_ME' } } });
  });
});
