import { describe, expect, it } from 'vitest';
import { buildGraph } from './index.js';
import type { CoverageEntry, K8sObject, Snapshot } from '../schema/snapshot.js';
import { KIND_SPECS, apiVersionOf } from '../common/kinds.js';

function obj(kind: string, namespace: string | undefined, name: string, body: Record<string, any> = {}, labels?: Record<string, string>): K8sObject {
  const spec = KIND_SPECS.find((s) => s.kind === kind);
  return {
    apiVersion: spec ? apiVersionOf(spec) : 'example.com/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
    ...body,
  };
}

function snapshotOf(objects: K8sObject[], options: { manifests?: boolean; coverage?: Record<string, CoverageEntry['status']>; namespaces?: string[] } = {}): Snapshot {
  const grouped: Record<string, K8sObject[]> = {};
  for (const o of objects) (grouped[o.kind] ??= []).push(o);
  const coverage: CoverageEntry[] = options.manifests
    ? []
    : KIND_SPECS.map((s) => ({ kind: s.kind, apiVersion: apiVersionOf(s), status: options.coverage?.[s.kind] ?? 'listed', count: grouped[s.kind]?.length ?? 0 }));
  return {
    schemaVersion: 1,
    capturedAt: '1970-01-01T00:00:00.000Z',
    source: options.manifests ? { type: 'manifests', paths: ['x'] } : { type: 'cluster', server: 'https://x' },
    scope: { namespaces: options.namespaces ?? null, excludedNamespaces: [] },
    coverage,
    objects: grouped,
  };
}

function deployment(name: string, podSpec: Record<string, any>, labels: Record<string, string> = { app: name }, ns = 'shop'): K8sObject {
  return obj('Deployment', ns, name, { spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } });
}

const types = (s: Snapshot) => buildGraph(s).danglingReferences().map((d) => `${d.type}:${d.missing.name}`);

describe('dangling references and their false-positive guards', () => {
  const podSpec = {
    serviceAccountName: 'api-sa',
    priorityClassName: 'gold',
    imagePullSecrets: [{ name: 'registry' }],
    containers: [
      {
        name: 'api',
        envFrom: [{ configMapRef: { name: 'api-config' } }, { secretRef: { name: 'maybe', optional: true } }],
        env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'api-secret', key: 'k' } } }],
      },
    ],
    volumes: [
      { name: 'data', persistentVolumeClaim: { claimName: 'api-data' } },
      { name: 'p', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }, { secret: { name: 'proj-secret' } }] } },
    ],
  };

  it('live: every missing reference is reported when its kind was listed; optional ones are not', () => {
    const s = snapshotOf([deployment('api', podSpec)]);
    expect(types(s)).toEqual([
      'missing-configmap:api-config',
      'missing-priority-class:gold',
      'missing-pvc:api-data',
      'missing-secret:api-secret',
      'missing-secret:registry',
      'missing-secret:proj-secret',
      'missing-service-account:api-sa',
    ]);
    const graph = buildGraph(s);
    const d = graph.danglingFrom(graph.get('Deployment', 'shop', 'api')!).find((x) => x.type === 'missing-configmap')!;
    expect(d.path).toBe('spec.template.spec.containers[0].envFrom[0].configMapRef.name');
    expect(d.message).toContain('CreateContainerConfigError');
  });

  it('live: kinds that could not be listed (forbidden) are never called missing', () => {
    const s = snapshotOf([deployment('api', podSpec)], { coverage: { Secret: 'forbidden', ServiceAccount: 'failed', PriorityClass: 'forbidden' } });
    expect(types(s)).toEqual(['missing-configmap:api-config', 'missing-pvc:api-data']);
  });

  it('live: namespaces outside the captured scope are not judged', () => {
    const s = snapshotOf([obj('Service', 'other', 'svc', { spec: { selector: { app: 'x' } } })], { namespaces: ['shop'] });
    expect(types(s)).toEqual([]);
  });

  it('manifests: kinds usually managed elsewhere are only checked when the set has some', () => {
    const s = snapshotOf([deployment('api', podSpec)], { manifests: true });
    expect(types(s)).toEqual(['missing-pvc:api-data']);
    const withSecrets = snapshotOf([deployment('api', podSpec), obj('Secret', 'shop', 'registry')], { manifests: true });
    expect(types(withSecrets)).toEqual(['missing-pvc:api-data', 'missing-secret:api-secret', 'missing-secret:proj-secret']);
  });

  it('manifests: Services select workloads by template labels; selector with no match is dangling', () => {
    const s = snapshotOf(
      [
        deployment('web', {}, { app: 'web', tier: 'fe' }),
        obj('Service', 'shop', 'web', { spec: { selector: { app: 'web' } } }),
        obj('Service', 'shop', 'ghost', { spec: { selector: { app: 'ghost' } } }),
        obj('Service', 'shop', 'manual', { spec: { ports: [{ port: 80 }] } }),
        obj('Service', 'shop', 'external', { spec: { type: 'ExternalName', externalName: 'example.com' } }),
      ],
      { manifests: true },
    );
    const graph = buildGraph(s);
    expect(graph.fromManifests).toBe(true);
    expect(graph.selectedByService(graph.get('Service', 'shop', 'web')!).map((o) => o.metadata.name)).toEqual(['web']);
    expect(graph.podsOf(graph.get('Deployment', 'shop', 'web')!)).toEqual([]);
    expect(types(s)).toEqual(['service-selects-nothing:app=ghost']);
  });

  it('NetworkPolicy with an empty podSelector applies to every workload of its namespace only', () => {
    const s = snapshotOf(
      [
        deployment('a', {}),
        deployment('b', {}),
        deployment('c', {}, { app: 'c' }, 'elsewhere'),
        obj('NetworkPolicy', 'shop', 'deny-all', { spec: { podSelector: {}, policyTypes: ['Ingress'] } }),
        obj('NetworkPolicy', 'shop', 'only-a', { spec: { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a'] }] } } }),
      ],
      { manifests: true },
    );
    const graph = buildGraph(s);
    expect(graph.networkPoliciesFor(graph.get('Deployment', 'shop', 'a')!).map((o) => o.metadata.name)).toEqual(['deny-all', 'only-a']);
    expect(graph.networkPoliciesFor(graph.get('Deployment', 'shop', 'b')!).map((o) => o.metadata.name)).toEqual(['deny-all']);
    expect(graph.networkPoliciesFor(graph.get('Deployment', 'elsewhere', 'c')!)).toEqual([]);
    expect(graph.namespaceHasNetworkPolicy('elsewhere')).toBe(false);
  });

  it('HPA without target, PDB selecting nothing, RoleBinding to a missing Role', () => {
    const s = snapshotOf(
      [
        obj('HorizontalPodAutoscaler', 'shop', 'h', { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gone' } } }),
        obj('HorizontalPodAutoscaler', 'shop', 'crd', { spec: { scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'r' } } }),
        obj('PodDisruptionBudget', 'shop', 'p', { spec: { minAvailable: 1, selector: { matchLabels: { app: 'gone' } } } }),
        obj('RoleBinding', 'shop', 'rb', { roleRef: { kind: 'Role', name: 'reader' }, subjects: [{ kind: 'User', name: 'alice' }] }),
        obj('RoleBinding', 'shop', 'view', { roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'x' }] }),
      ],
      { manifests: true },
    );
    expect(types(s)).toEqual(['hpa-missing-target:gone', 'missing-role:reader', 'pdb-selects-nothing:app=gone']);
  });

  it('bare pods are workloads; owned pods follow uid then kind+name to their top owner', () => {
    const rs = obj('ReplicaSet', 'shop', 'web-1', { spec: { template: { metadata: { labels: { app: 'web' } }, spec: {} } } });
    rs.metadata.uid = 'rs-uid';
    rs.metadata.ownerReferences = [{ kind: 'Deployment', name: 'web', controller: true }];
    const pod = obj('Pod', 'shop', 'web-1-abc', { spec: {} }, { app: 'web' });
    pod.metadata.ownerReferences = [{ kind: 'ReplicaSet', name: 'renamed', uid: 'rs-uid', controller: true }];
    const bare = obj('Pod', 'shop', 'debug', { spec: {} });
    const mirror = obj('Pod', 'kube-system', 'etcd-node1', { spec: { nodeName: 'node1' } });
    mirror.metadata.ownerReferences = [{ kind: 'Node', name: 'node1', controller: true }];
    const s = snapshotOf([deployment('web', {}), rs, pod, bare, mirror, obj('Node', undefined, 'node1', { status: { allocatable: { cpu: '3920m', memory: '15896980Ki' } } })]);
    const graph = buildGraph(s);
    expect(graph.topOwner(pod).kind).toBe('Deployment');
    expect(graph.workloads().map((w) => `${w.kind}/${w.metadata.name}`)).toEqual(['Deployment/web', 'Pod/etcd-node1', 'Pod/debug']);
    expect(graph.podsOf(graph.get('Deployment', 'shop', 'web')!).map((p) => p.metadata.name)).toEqual(['web-1-abc']);
    expect(graph.podsOf(bare).map((p) => p.metadata.name)).toEqual(['debug']);
    expect(graph.nodeOf(mirror)?.metadata.name).toBe('node1');
    expect(graph.largestNodeAllocatable()).toEqual({ cpu: 3.92, memory: 15896980 * 1024, node: 'node1' });
    expect(buildGraph(snapshotOf([])).largestNodeAllocatable()).toBeUndefined();
  });

  it('same input gives the same dangling list and edges', () => {
    const objs = () => [deployment('api', podSpec), obj('Service', 'shop', 'x', { spec: { selector: { app: 'nope' } } })];
    const a = buildGraph(snapshotOf(objs()));
    const b = buildGraph(snapshotOf(objs().reverse()));
    expect(JSON.stringify(a.danglingReferences())).toBe(JSON.stringify(b.danglingReferences()));
    expect(a.graph.size).toBe(b.graph.size);
    const edges = (g: typeof a) => g.graph.mapEdges((key, attrs, source, target) => `${key} ${source} -${attrs.type}-> ${target}`);
    expect(edges(buildGraph(snapshotOf(objs())))).toEqual(edges(a));
  });

  it('StatefulSet claim templates and RoleBindings to ClusterRoles', () => {
    const sts = obj('StatefulSet', 'db', 'pg', {
      spec: { replicas: 2, template: { metadata: { labels: { app: 'pg' } }, spec: {} }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: 'ssd' } }] },
    });
    const pvc0 = obj('PersistentVolumeClaim', 'db', 'data-pg-0', { spec: { storageClassName: 'ssd' } });
    const role = obj('ClusterRole', undefined, 'db-reader', { rules: [] });
    const binding = obj('RoleBinding', 'db', 'readers', { roleRef: { kind: 'ClusterRole', name: 'db-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: 'db' }] });
    const s = snapshotOf([sts, pvc0, role, binding, obj('StorageClass', undefined, 'standard')], { manifests: true });
    const graph = buildGraph(s);
    expect(graph.mountersOf(graph.get('PersistentVolumeClaim', 'db', 'data-pg-0')!).map((o) => o.kind)).toEqual(['StatefulSet']);
    expect(graph.bindingsOf(graph.get('ClusterRole', undefined, 'db-reader')!).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['RoleBinding/readers']);
    expect(graph.danglingReferences().map((d) => `${d.type} ${d.from.kind} ${d.path}`)).toEqual([
      'missing-storage-class PersistentVolumeClaim spec.storageClassName',
      'missing-storage-class StatefulSet spec.volumeClaimTemplates[0].spec.storageClassName',
    ]);
  });
});
