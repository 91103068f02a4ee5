import { describe, expect, it } from 'vitest';
import { GiB, MiB } from '../common/quantity.js';
import {
  classifyImagePullMessage,
  evictionResource,
  exitCodeMeaning,
  parseConfigErrorMessage,
  parseMountMessage,
  parseSchedulerMessage,
} from './messages.js';
import { recommendMemoryLimit } from './remediation.js';

describe('parseSchedulerMessage', () => {
  it('reads counts, taints and resources, ignoring the preemption part', () => {
    const parsed = parseSchedulerMessage(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..',
    );
    expect(parsed.available).toBe(0);
    expect(parsed.total).toBe(3);
    expect(parsed.reasons.map((r) => [r.kind, r.nodes, r.detail])).toEqual([
      ['taint', 1, 'node-role.kubernetes.io/control-plane:'],
      ['insufficient', 2, 'cpu'],
      ['insufficient', 2, 'memory'],
    ]);
  });

  it('keeps the old "that the pod didn\'t tolerate" taint wording in one piece', () => {
    const parsed = parseSchedulerMessage("0/5 nodes are available: 2 node(s) had taint {dedicated: gpu}, that the pod didn't tolerate, 3 node(s) didn't match Pod's node affinity/selector.");
    expect(parsed.reasons.map((r) => r.kind)).toEqual(['taint', 'node-selector']);
    expect(parsed.reasons[0].detail).toBe('dedicated: gpu');
  });

  it('recognises volume reasons, cordoned nodes and pod-level PVC messages', () => {
    expect(parseSchedulerMessage('0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..').reasons).toEqual([
      { kind: 'unbound-pvc', nodes: undefined, text: 'pod has unbound immediate PersistentVolumeClaims' },
    ]);
    expect(parseSchedulerMessage('0/3 nodes are available: persistentvolumeclaim "exports" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..').reasons).toEqual([
      { kind: 'unbound-pvc', nodes: undefined, detail: 'exports', text: 'persistentvolumeclaim "exports" not found' },
    ]);
    const kinds = parseSchedulerMessage('0/4 nodes are available: 1 node(s) had volume node affinity conflict, 1 node(s) were unschedulable, 2 node(s) didn\'t match pod anti-affinity rules.').reasons.map((r) => r.kind);
    expect(kinds).toEqual(['volume', 'cordoned', 'pod-affinity']);
  });

  it('names "no nodes" for an empty cluster, in both wordings', () => {
    expect(parseSchedulerMessage('no nodes available to schedule pods')).toEqual({
      available: 0,
      total: 0,
      reasons: [{ kind: 'no-nodes', nodes: 0, text: 'no nodes available to schedule pods' }],
    });
    const empty = parseSchedulerMessage('0/0 nodes are available: . preemption: 0/0 nodes are available: .');
    expect(empty.total).toBe(0);
    expect(empty.reasons.map((r) => r.kind)).toEqual(['no-nodes']);
  });

  it('reads a node selector mismatch with its node count', () => {
    expect(parseSchedulerMessage("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..").reasons).toEqual([
      { kind: 'node-selector', nodes: 3, text: "3 node(s) didn't match Pod's node affinity/selector" },
    ]);
  });
});

describe('classifyImagePullMessage', () => {
  it.each([
    ['rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.99": failed to resolve reference "docker.io/library/nginx:1.99": docker.io/library/nginx:1.99: not found', 'not-found'],
    ['Error response from daemon: manifest for ghcr.io/x/y:2 not found: manifest unknown: manifest unknown', 'not-found'],
    ['failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized', 'auth'],
    ['Error response from daemon: pull access denied for acme/private, repository does not exist or may require \'docker login\': denied: requested access to the resource is denied', 'auth'],
    ['dial tcp: lookup registry.internal on 10.96.0.10:53: no such host', 'unreachable'],
    ['Get "https://10.0.0.5:5000/v2/": dial tcp 10.0.0.5:5000: i/o timeout', 'unreachable'],
    ['dial tcp 10.0.0.5:5000: connect: connection refused', 'unreachable'],
    ['429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.', 'rate-limited'],
    ['Failed to apply default image tag "Nginx:Latest": couldn\'t parse image reference "Nginx:Latest": invalid reference format: repository name must be lowercase', 'invalid-name'],
    ['Back-off pulling image "nginx:1.27"', 'unknown'],
  ])('%s → %s', (message, expected) => {
    expect(classifyImagePullMessage(message)).toBe(expected);
  });
});

describe('parseConfigErrorMessage and parseMountMessage', () => {
  it('reads the missing object or key the kubelet names', () => {
    expect(parseConfigErrorMessage('secret "db-credentials" not found')).toEqual({ kind: 'missing-object', objectKind: 'Secret', name: 'db-credentials' });
    expect(parseConfigErrorMessage('configmap "app-config" not found')).toEqual({ kind: 'missing-object', objectKind: 'ConfigMap', name: 'app-config' });
    expect(parseConfigErrorMessage("couldn't find key LOG_LEVEL in ConfigMap shop/app-config")).toEqual({
      kind: 'missing-key',
      key: 'LOG_LEVEL',
      objectKind: 'ConfigMap',
      namespace: 'shop',
      name: 'app-config',
    });
    expect(parseConfigErrorMessage('container has runAsNonRoot and image will run as root (pod: "x_shop(uid)", container: x)').kind).toBe('run-as-root');
  });

  it('reads volume problems', () => {
    expect(parseMountMessage('MountVolume.SetUp failed for volume "tls" : secret "web-tls" not found')).toEqual({ kind: 'missing-object', volume: 'tls', objectKind: 'Secret', name: 'web-tls' });
    expect(parseMountMessage('Multi-Attach error for volume "pvc-3f1c" Volume is already exclusively attached to one node and can\'t be attached to another').kind).toBe('multi-attach');
    expect(parseMountMessage('Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data kube-api-access-x]: timed out waiting for the condition')).toEqual({ kind: 'timeout', volume: 'data' });
  });

  it('reads the resource an eviction was about', () => {
    expect(evictionResource('The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 512Mi.')).toBe('ephemeral-storage');
  });
});

describe('exitCodeMeaning and recommendMemoryLimit', () => {
  it('explains the common exit codes', () => {
    expect(exitCodeMeaning(1)).toMatch(/application error/);
    expect(exitCodeMeaning(127)).toMatch(/command not found/);
    expect(exitCodeMeaning(126)).toMatch(/not executable/);
    expect(exitCodeMeaning(137)).toMatch(/SIGKILL/);
    expect(exitCodeMeaning(139)).toMatch(/SIGSEGV/);
    expect(exitCodeMeaning(143)).toMatch(/SIGTERM/);
  });

  it('raises by 1.5× and rounds to units a person would pick', () => {
    expect(recommendMemoryLimit(160 * MiB)).toBe(256 * MiB);
    expect(recommendMemoryLimit(256 * MiB)).toBe(384 * MiB);
    expect(recommendMemoryLimit(1 * GiB)).toBe(1536 * MiB);
    expect(recommendMemoryLimit(4 * GiB)).toBe(6 * GiB);
    expect(recommendMemoryLimit(undefined, 700 * MiB)).toBe(960 * MiB);
    expect(recommendMemoryLimit(undefined)).toBeUndefined();
  });
});
