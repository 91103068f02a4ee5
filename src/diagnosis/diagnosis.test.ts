import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/index.js';
import { DiagnosisSchema, type Diagnosis } from '../schema/diagnosis.js';
import { PatchSchema } from '../schema/finding.js';
import type { Snapshot } from '../schema/snapshot.js';
import { stableStringify } from '../common/stable-json.js';
import { diagnose } from './index.js';
import {
  configErrorCase,
  crashLoopCase,
  evictedCase,
  healthyCase,
  imagePullCase,
  mountFailureCase,
  nodeCase,
  notReadyCase,
  oomKilledCase,
  oomWithoutLimitCase,
  noNodesCase,
  nodeSelectorCase,
  taintCase,
  unboundClaimCase,
  unschedulableCase,
} from './fixtures/cases.js';
import { ago } from './fixtures/builders.js';

function run(snapshot: Snapshot): Diagnosis[] {
  const diagnoses = diagnose(snapshot, buildGraph(snapshot));
  // Every diagnosis honours the contract the reports and the explainer read.
  for (const d of diagnoses) {
    expect(() => DiagnosisSchema.parse(d)).not.toThrow();
    expect(d.hypotheses[0].cause).toBe(d.cause);
    if (d.remediation.patch) expect(() => PatchSchema.parse(d.remediation.patch)).not.toThrow();
  }
  return diagnoses;
}

function only(diagnoses: Diagnosis[], cause: string, name?: string): Diagnosis {
  const found = diagnoses.filter((d) => d.cause === cause && (name === undefined || d.resource.name === name));
  expect(found, `${cause} ${name ?? ''} in ${diagnoses.map((d) => `${d.cause}:${d.resource.name}`).join(', ')}`).toHaveLength(1);
  return found[0];
}

function paths(d: Diagnosis): string[] {
  return d.evidence.map((e) => e.path);
}

describe('oom-killed', () => {
  it('folds OOM-killed pods into their Deployment and proposes a concrete memory-limit patch', () => {
    const diagnoses = run(oomKilledCase());
    expect(diagnoses).toHaveLength(1);
    const d = only(diagnoses, 'oom-killed', 'api');
    expect(d.resource).toMatchObject({ kind: 'Deployment', namespace: 'shop', name: 'api' });
    expect(d.podsAffected).toBe(2);
    expect(d.pods).toEqual(['api-6f7d9c8b5-4xk2p', 'api-6f7d9c8b5-9mzq7']);
    expect(d.summary).toContain('2 of 3 pods');
    expect(d.confidence).toBeGreaterThanOrEqual(0.9);

    const reason = d.evidence.find((e) => e.path === 'status.containerStatuses[0].lastState.terminated.reason');
    expect(reason).toMatchObject({ value: 'OOMKilled', object: { kind: 'Pod', name: 'api-6f7d9c8b5-4xk2p' } });
    expect(d.evidence.find((e) => e.path === 'status.containerStatuses[0].restartCount')?.value).toBe('14');
    const backOff = d.evidence.find((e) => e.object?.kind === 'Event');
    expect(backOff?.uid).toBeTruthy();
    expect(backOff?.timestamp).toBeTruthy();
    expect(backOff?.message).toMatch(/^Back-off restarting failed container api/);

    // 1.5 × 256Mi = 384Mi; request == limit, so the request follows to keep the QoS class.
    expect(d.remediation.patch).toEqual({
      type: 'strategic',
      target: expect.objectContaining({ kind: 'Deployment', namespace: 'shop', name: 'api' }),
      body: { spec: { template: { spec: { containers: [{ name: 'api', resources: { limits: { memory: '384Mi' }, requests: { memory: '384Mi' } } }] } } } },
    });
    expect(d.remediation.summary).toContain('384Mi');
  });

  it('ranks higher when a Service routes to the workload', () => {
    const withService = only(run(oomKilledCase()), 'oom-killed');
    const snapshot = oomKilledCase();
    delete snapshot.objects.Service;
    const withoutService = only(run(snapshot), 'oom-killed');
    expect(withService.impact).toBeGreaterThan(withoutService.impact);
  });

  it('uses PodMetrics usage + headroom when the container had no limit (node OOM)', () => {
    const d = only(run(oomWithoutLimitCase()), 'oom-killed', 'worker');
    // 700Mi × 1.3 = 910Mi, rounded up to a multiple of 64Mi.
    expect(d.remediation.patch?.body).toEqual({ spec: { template: { spec: { containers: [{ name: 'worker', resources: { limits: { memory: '960Mi' } } }] } } } });
    expect(d.remediation.summary).toContain('observed usage 700Mi');
  });
});

describe('crash-loop', () => {
  it('reports the exit code and what it means', () => {
    const diagnoses = run(crashLoopCase());
    const billing = only(diagnoses, 'crash-loop', 'billing');
    expect(billing.summary).toContain('exit code 1: application error');
    expect(billing.evidence.find((e) => e.path === 'status.containerStatuses[0].lastState.terminated.exitCode')?.value).toBe('1');
    expect(billing.remediation.summary).toContain('kubectl logs -n shop billing-7d4b9c6f5-h5k9s -c billing --previous');

    const mailer = only(diagnoses, 'crash-loop', 'mailer');
    expect(mailer.summary).toContain('exit code 127: command not found');
    expect(mailer.remediation.summary).toMatch(/command or entrypoint/);

    // Running and Ready right now, but restarting: still reported, ranked below the ones that are down.
    const flappy = only(diagnoses, 'crash-loop', 'flappy');
    expect(flappy.summary).toContain('6 restarts; exit code 2');
    expect(flappy.impact).toBeLessThan(billing.impact);
  });
});

describe('image-pull-failure', () => {
  const diagnoses = run(imagePullCase());

  it('tells a missing tag from the registry text and links it to the rollout that introduced it', () => {
    const d = only(diagnoses, 'image-pull-failure', 'checkout');
    expect(d.podsAffected).toBe(1);
    expect(d.pods).toEqual(['checkout-8c7d6e5f4-q7w2e']);
    expect(d.summary).toContain('does not exist');
    expect(d.summary).toContain('revision 2');
    expect(d.summary).toContain('checkout image ghcr.io/example/shop/checkout:4.2.0 → ghcr.io/example/shop/checkout:4.3.0');
    expect(d.evidence.some((e) => e.object?.kind === 'Event' && /: not found$/.test(e.message ?? ''))).toBe(true);
    expect(d.remediation.summary).toMatch(/tag or repository .* does not exist/);
    expect(d.remediation.summary).toContain('kubectl rollout undo deployment/checkout -n shop');
  });

  it('recognises auth and unreachable-registry failures', () => {
    expect(only(diagnoses, 'image-pull-failure', 'reports').remediation.summary).toMatch(/credentials/);
    expect(only(diagnoses, 'image-pull-failure', 'search').remediation.summary).toMatch(/could not reach the registry/);
  });

  it('ranks fully-down pods above a rollout whose old ReplicaSet still serves', () => {
    expect(diagnoses.map((d) => d.resource.name).slice(-1)).toEqual(['checkout']);
    const checkout = only(diagnoses, 'image-pull-failure', 'checkout');
    const search = only(diagnoses, 'image-pull-failure', 'search');
    expect(checkout.impact).toBeGreaterThan(0);
    expect(search.impact).toBeGreaterThan(checkout.impact);
  });
});

describe('unschedulable', () => {
  const diagnoses = run(unschedulableCase());

  it('says a pod bigger than the largest node can never fit, and lowers the requests', () => {
    const d = only(diagnoses, 'unschedulable', 'ranker');
    expect(d.podsAffected).toBe(2);
    expect(d.summary).toContain('can never fit');
    expect(d.remediation.summary).toContain('requests 6 CPU and 24Gi memory');
    expect(d.remediation.summary).toContain('3920m CPU / 14.2Gi');
    const body = d.remediation.patch?.body as any;
    const resources = body.spec.template.spec.containers[0].resources;
    expect(resources.requests.cpu).toBe('3300m');
    expect(resources.requests.memory).toBe('12Gi');
    expect(d.evidence).toContainEqual(expect.objectContaining({ path: 'spec.containers[0].resources.requests.cpu', value: '6' }));
    expect(d.evidence).toContainEqual(expect.objectContaining({ path: 'spec.containers[0].resources.requests.memory', value: '24Gi' }));
  });

  it('reports the stuck rollout with the unschedulable pods as its likely reason', () => {
    const d = only(diagnoses, 'rollout-stuck', 'ranker');
    expect(d.pods).toEqual(['ranker-6c4d8f9b5-q8d2v', 'ranker-6c4d8f9b5-r9e3w']);
    expect(d.hypotheses.map((h) => h.cause)).toEqual(['rollout-stuck', 'unschedulable']);
    expect(d.evidence.find((e) => e.path === 'status.observedGeneration')?.message).toContain('generation is 3');
    expect(d.remediation.summary).toContain('can never fit');
  });

  it('parses taints and unbound PVCs out of the scheduler message', () => {
    const warmer = only(diagnoses, 'unschedulable', 'cache-warmer');
    expect(warmer.resource.kind).toBe('Pod');
    expect(warmer.remediation.summary).toContain('taint {node-role.kubernetes.io/control-plane:}');
    expect(warmer.summary).toContain('1 of 3 nodes has the taint {node-role.kubernetes.io/control-plane:} it does not tolerate; insufficient memory on 2 of 3 nodes.');
    expect(warmer.summary).toContain('would fit once capacity frees up');
    expect(warmer.remediation.summary).toContain('the other blockers are the ones to fix');
    const exporter = only(diagnoses, 'unschedulable', 'exporter');
    expect(exporter.remediation.summary).toContain('PersistentVolumeClaim exports is not bound');
  });
});

describe('unschedulable: the blocker is the one the scheduler names, not capacity', () => {
  /** What a reader would take as "the fix is capacity/requests". */
  function expectNoCapacityBlame(d: Diagnosis) {
    expect(d.summary).not.toMatch(/capacity|can never fit|insufficient/i);
    expect(d.remediation.summary).not.toMatch(/lower the requests|capacity frees up|add a node pool with at least/i);
    expect(d.remediation.patch).toBeUndefined();
    expect(d.hypotheses.map((h) => h.cause)).toEqual(['unschedulable']);
    expect(d.summary.endsWith(d.hypotheses[0].explanation)).toBe(true);
  }

  it('no nodes at all: says the cluster has none, in both scheduler wordings, and never blames the requests', () => {
    const diagnoses = run(noNodesCase());
    for (const name of ['batch-runner', 'web']) {
      const d = only(diagnoses, 'unschedulable', name);
      expect(d.summary).toContain('cannot be scheduled: the cluster has no nodes to schedule it on.');
      expect(d.remediation.summary).toContain('There is no node to run it: add nodes');
      expectNoCapacityBlame(d);
    }
  });

  it('node selector: names the label no node has, with the selector field as evidence', () => {
    const diagnoses = run(nodeSelectorCase());
    const d = only(diagnoses, 'unschedulable', 'indexer');
    expect(d.summary).toContain('3 of 3 nodes do not match its node selector/affinity (no node has the label disktype=ssd)');
    expect(d.remediation.summary).toContain('`kubectl label node NODE disktype=ssd`');
    // kubernetes.io/os=linux is on every node: it is not the blocker and is not blamed.
    expect(d.summary).not.toContain('kubernetes.io/os');
    expect(d.evidence).toContainEqual(expect.objectContaining({ path: 'spec.nodeSelector.disktype', value: 'ssd', object: expect.objectContaining({ kind: 'Pod' }) }));
    expectNoCapacityBlame(d);

    const pinned = only(diagnoses, 'unschedulable', 'zone-pinned');
    expect(pinned.summary).toContain('no node matches its required node affinity topology.kubernetes.io/zone In [eu-west-1c]');
    expect(pinned.remediation.summary).toContain('fix the affinity');
    expectNoCapacityBlame(pinned);
  });

  it('taints: names the taint, shows it on the nodes, and proposes the matching toleration', () => {
    const d = only(run(taintCase()), 'unschedulable', 'trainer');
    expect(d.summary).toContain('2 of 2 nodes have the taint {dedicated: gpu} it does not tolerate');
    expect(d.remediation.summary).toContain('add the toleration {key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}');
    expect(d.remediation.summary).toContain('`kubectl taint nodes NODE dedicated=gpu:NoSchedule-`');
    expect(d.evidence.filter((e) => e.object?.kind === 'Node').map((e) => [e.path, e.value, e.message])).toEqual([
      ['spec.taints[0].key', 'dedicated', 'dedicated=gpu:NoSchedule'],
      ['spec.taints[0].key', 'dedicated', 'dedicated=gpu:NoSchedule'],
    ]);
    expectNoCapacityBlame(d);
  });

  it('unbound claims: names the claim and why it is Pending (missing StorageClass, no default class)', () => {
    const diagnoses = run(unboundClaimCase());
    const exporter = only(diagnoses, 'unschedulable', 'exporter');
    expect(exporter.summary).toContain('PersistentVolumeClaim exports is not bound (Pending: StorageClass fast-nvme does not exist; the cluster has gp3)');
    expect(exporter.remediation.summary).toContain('Create StorageClass fast-nvme, or delete and recreate the claim with one that exists');
    expect(exporter.evidence).toContainEqual(expect.objectContaining({ path: 'status.phase', value: 'Pending', object: expect.objectContaining({ kind: 'PersistentVolumeClaim', name: 'exports' }) }));
    expect(exporter.evidence).toContainEqual(expect.objectContaining({ path: 'spec.storageClassName', value: 'fast-nvme' }));
    expect(exporter.evidence.some((e) => e.object?.kind === 'Event' && e.message === 'storageclass.storage.k8s.io "fast-nvme" not found')).toBe(true);
    expectNoCapacityBlame(exporter);

    const archiver = only(diagnoses, 'unschedulable', 'archiver');
    expect(archiver.summary).toContain('PersistentVolumeClaim archive is not bound (Pending: it names no StorageClass and the cluster has no default one (only gp3))');
    expect(archiver.remediation.summary).toContain('Mark a StorageClass as the default');
    expectNoCapacityBlame(archiver);
  });

  it('insufficient resources: per-node counts, the request against the largest node', () => {
    const ranker = only(run(unschedulableCase()), 'unschedulable', 'ranker');
    expect(ranker.summary).toContain(
      'cannot be scheduled: insufficient cpu on 3 of 3 nodes, insufficient memory on 3 of 3 nodes. It requests 6 CPU / 24Gi; the largest node has 3920m CPU / 14.2Gi allocatable, so it can never fit on the current nodes.',
    );
  });
});

describe('config-error', () => {
  const diagnoses = run(configErrorCase());

  it('names the missing Secret and the keys the pod reads from it', () => {
    const d = only(diagnoses, 'config-error', 'payments');
    expect(d.summary).toContain('Secret shop/payments-api-keys does not exist');
    expect(d.remediation.patch?.create).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'payments-api-keys', namespace: 'shop' },
      type: 'Opaque',
      stringData: { 'stripe-key': 'REPLACE_ME', 'webhook-secret': 'REPLACE_ME' },
    });
    expect(d.remediation.patch?.target).toMatchObject({ kind: 'Secret', name: 'payments-api-keys' });
    expect(d.evidence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'spec.containers[0].env[0].valueFrom.secretKeyRef.name', value: 'payments-api-keys', message: 'key stripe-key' }),
        expect.objectContaining({ path: 'spec.containers[0].env[1].valueFrom.secretKeyRef.name', value: 'payments-api-keys', message: 'key webhook-secret' }),
      ]),
    );
  });

  it('names the missing ConfigMap key', () => {
    const d = only(diagnoses, 'config-error', 'notifier');
    expect(d.summary).toContain('key LOG_LEVEL is missing from ConfigMap shop/app-config');
    expect(d.remediation.patch).toMatchObject({ type: 'merge', target: { kind: 'ConfigMap', name: 'app-config' }, body: { data: { LOG_LEVEL: 'REPLACE_ME' } } });
  });
});

describe('mount-failure, not-ready, evicted', () => {
  it('reads the missing Secret out of FailedMount', () => {
    const d = only(run(mountFailureCase()), 'mount-failure', 'web');
    expect(d.summary).toContain('Secret web-tls used by volume tls does not exist');
    expect(d.evidence.filter((e) => e.object?.kind === 'Event')).toHaveLength(2);
    expect(d.remediation.summary).toContain('Create Secret shop/web-tls');
  });

  it('quotes the readiness probe failure for a running, unready pod', () => {
    const d = only(run(notReadyCase()), 'not-ready', 'catalog');
    expect(d.podsAffected).toBe(1);
    expect(d.summary).toContain('Readiness probe failed: HTTP probe failed with statuscode: 503');
    expect(d.summary).toContain('1 of 2 pods');
  });

  it('reports an evicted pod with the resource the node ran out of', () => {
    const diagnoses = run(evictedCase());
    expect(diagnoses).toHaveLength(1);
    const d = only(diagnoses, 'evicted', 'render');
    expect(d.summary).toContain('The node was low on resource: memory');
    expect(d.remediation.summary).toContain('low on memory');
    expect(d.evidence[0]).toMatchObject({ path: 'status.reason', value: 'Evicted' });
  });
});

describe('nodes', () => {
  it('reports a node that stopped reporting and one under memory pressure, with their pods', () => {
    const diagnoses = run(nodeCase());
    const lost = only(diagnoses, 'node-not-ready', 'ip-10-0-1-11.eu-west-1.compute.internal');
    expect(lost.resource).toMatchObject({ kind: 'Node', name: 'ip-10-0-1-11.eu-west-1.compute.internal' });
    expect(lost.pods).toEqual(['shop/queue-6d5c4b3a2-z8k1m', 'shop/static-a1', 'shop/static-a2']);
    expect(lost.summary).toContain('stopped reporting');
    const pressure = only(diagnoses, 'node-pressure');
    expect(pressure.summary).toContain('MemoryPressure');
    expect(pressure.evidence.some((e) => e.message === 'Attempting to reclaim memory')).toBe(true);
    // A node down outranks a node under pressure.
    expect(diagnoses.findIndex((d) => d.cause === 'node-pressure')).toBe(diagnoses.length - 1);
    // The unready pod on the lost node is blamed on the node, not on its probes.
    const queue = only(diagnoses, 'node-not-ready', 'queue');
    expect(queue.resource.kind).toBe('Deployment');
    expect(queue.summary).toContain('runs on node ip-10-0-1-11.eu-west-1.compute.internal, which is not reporting');
    expect(queue.evidence.some((e) => e.object?.kind === 'Node' && e.value === 'Unknown')).toBe(true);
    expect(diagnoses.some((d) => d.cause === 'not-ready')).toBe(false);
  });
});

describe('no false alarms', () => {
  it('healthy pods, completed Job pods, old BackOff noise and an old OOM kill give nothing', () => {
    expect(run(healthyCase())).toEqual([]);
  });

  it('measures "recent" against the capture time, not the wall clock', () => {
    const snapshot = healthyCase();
    // Captured 10 minutes after the old-oom pod's kill: now it is a fresh OOM kill on a pod that recovered.
    snapshot.capturedAt = ago(2 * 24 * 60 - 9);
    const diagnoses = run(snapshot);
    const d = only(diagnoses, 'oom-killed', 'old-oom');
    // Still serving, so it ranks low.
    expect(d.impact).toBeLessThan(50);
    expect(diagnoses).toHaveLength(1);
  });

  it('survives malformed status fields in a hand-edited dump', () => {
    const snapshot = healthyCase();
    const broken = structuredClone(snapshot.objects.Pod[0]);
    broken.metadata.name = 'broken';
    broken.status = { phase: 'Running', conditions: 'Ready', containerStatuses: { name: 'app' } };
    snapshot.objects.Pod.push(broken);
    expect(run(snapshot)).toEqual([]);
  });

  it('gives byte-identical output for the same snapshot', () => {
    expect(stableStringify(run(imagePullCase()))).toBe(stableStringify(run(imagePullCase())));
  });
});
