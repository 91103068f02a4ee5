import { describe, expect, it } from 'vitest';
import { buildGraph } from './index.js';
import { APPLIED_YAML, recordedSnapshot } from '../../test/support/recorded-snapshot.js';
import type { K8sObject } from '../schema/snapshot.js';

const names = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);

describe('buildGraph on the recorded bookstore cluster', () => {
  const graph = buildGraph(recordedSnapshot());
  const get = (kind: string, ns: string | undefined, name: string) => {
    const obj = graph.get(kind, ns, name);
    if (!obj) throw new Error(`fixture lacks ${kind} ${ns}/${name}`);
    return obj;
  };

  it('the storefront Service selects the storefront pods and Deployment', () => {
    expect(names(graph.selectedByService(get('Service', 'bookstore', 'storefront')))).toEqual([
      'Deployment/bookstore/storefront',
      'Pod/bookstore/storefront-7b9c6d5f4d-kx7wq',
      'Pod/bookstore/storefront-7b9c6d5f4d-p2mzn',
    ]);
    expect(names(graph.servicesFor(get('Deployment', 'bookstore', 'storefront')))).toEqual(['Service/bookstore/storefront']);
    expect(names(graph.servicesFor(get('Pod', 'bookstore', 'storefront-7b9c6d5f4d-kx7wq')))).toEqual(['Service/bookstore/storefront']);
  });

  it('follows pod → ReplicaSet → Deployment and lists workloads without owned ReplicaSets', () => {
    const pod = get('Pod', 'bookstore', 'storefront-7b9c6d5f4d-kx7wq');
    expect(names([graph.topOwner(pod)])).toEqual(['Deployment/bookstore/storefront']);
    expect(names(graph.podsOf(get('Deployment', 'bookstore', 'storefront')))).toEqual([
      'Pod/bookstore/storefront-7b9c6d5f4d-kx7wq',
      'Pod/bookstore/storefront-7b9c6d5f4d-p2mzn',
    ]);
    expect(names(graph.podsOf(get('DaemonSet', 'monitoring', 'node-exporter')))).toHaveLength(3);
    expect(names(graph.workloads())).toEqual([
      'CronJob/bookstore/nightly-report',
      'DaemonSet/monitoring/node-exporter',
      'Deployment/bookstore/inventory',
      'Deployment/bookstore/recommender',
      'Deployment/bookstore/storefront',
      'StatefulSet/bookstore/postgres',
    ]);
  });

  it('reports the dangling references a user must fix, and nothing else', () => {
    const summary = graph.danglingReferences().map((d) => `${d.type} ${d.from.kind}/${d.from.name} → ${d.missing.kind}/${d.missing.name} @ ${d.path}`);
    expect(summary).toEqual([
      'ingress-missing-service Ingress/bookstore → Service/admin @ spec.rules[0].http.paths[1].backend.service.name',
      'ingress-missing-tls-secret Ingress/bookstore → Secret/books-tls @ spec.tls[0].secretName',
      'missing-storage-class PersistentVolumeClaim/exports → StorageClass/fast-nvme @ spec.storageClassName',
      'service-selects-nothing Service/legacy-admin → Pod/app.kubernetes.io/name=admin-panel @ spec.selector',
    ]);
    const [selectsNothing] = graph.danglingFrom(get('Service', 'bookstore', 'legacy-admin'));
    expect(selectsNothing.message).toContain('app.kubernetes.io/name=admin-panel');
    // The default Service in `default` has no selector: manual endpoints, not dangling.
    expect(graph.danglingFrom(get('Service', 'default', 'kubernetes'))).toEqual([]);
  });

  it('links HPA, PDB, NetworkPolicy, Ingress and RBAC', () => {
    const storefront = get('Deployment', 'bookstore', 'storefront');
    expect(names(graph.hpasFor(storefront))).toEqual(['HorizontalPodAutoscaler/bookstore/storefront']);
    expect(names(graph.pdbsFor(storefront))).toEqual(['PodDisruptionBudget/bookstore/storefront']);
    expect(names(graph.networkPoliciesFor(storefront))).toEqual(['NetworkPolicy/bookstore/storefront-ingress']);
    expect(graph.namespaceHasNetworkPolicy('bookstore')).toBe(true);
    expect(graph.namespaceHasNetworkPolicy('monitoring')).toBe(false);
    expect(names(graph.ingressesFor(get('Service', 'bookstore', 'storefront')))).toEqual(['Ingress/bookstore/bookstore']);
    expect(names(graph.bindingsOf(get('ClusterRole', undefined, 'ops-everything')))).toEqual(['ClusterRoleBinding//ops-everything']);
    expect(names(graph.bindingsOf(get('Role', 'bookstore', 'storefront-config-reader')))).toEqual([
      'RoleBinding/bookstore/storefront-config-reader',
    ]);
    const groupEdges = graph.graph.outEdges('ClusterRoleBinding//ops-everything').map((e) => graph.graph.target(e));
    expect(groupEdges).toContain('Group//ops');
  });

  it('links pods to nodes, claims to volumes and storage classes', () => {
    const pod = get('Pod', 'bookstore', 'storefront-7b9c6d5f4d-kx7wq');
    expect(graph.nodeOf(pod)?.metadata.name).toBe('ip-172-20-40-17.eu-west-1.compute.internal');
    expect(graph.nodeOf(get('Pod', 'bookstore', 'recommender-6c4d8f9b5-q8d2v'))).toBeUndefined();
    const data = get('PersistentVolumeClaim', 'bookstore', 'data-postgres-0');
    expect(names(graph.mountersOf(data))).toEqual(['Pod/bookstore/postgres-0', 'StatefulSet/bookstore/postgres']);
    const boundTo = graph.graph.outEdges('PersistentVolumeClaim/bookstore/data-postgres-0').filter((e) => graph.graph.getEdgeAttribute(e, 'type') === 'bound-to');
    expect(boundTo.map((e) => graph.graph.target(e))).toEqual(['PersistentVolume//pvc-3f1e9a52-7c4b-4d2e-9b8a-1c2d3e4f5a6b']);
  });

  it('finds the largest node allocatable from mixed units', () => {
    const largest = graph.largestNodeAllocatable();
    expect(largest?.cpu).toBeCloseTo(3.92);
    expect(largest?.memory).toBe(14879124 * 1024);
  });

  it('records references from workloads to ConfigMaps, Secrets and ServiceAccounts', () => {
    const storefront = 'Deployment/bookstore/storefront';
    const refs = graph.graph
      .outEdges(storefront)
      .map((e) => ({ target: graph.graph.target(e), ...graph.graph.getEdgeAttributes(e) }))
      .filter((e) => e.type === 'references')
      .map((e) => `${e.via} ${e.target}`)
      .sort();
    expect(refs).toEqual([
      'env Secret/bookstore/db-credentials',
      'envFrom ConfigMap/bookstore/storefront-config',
      'serviceAccount ServiceAccount/bookstore/storefront',
    ]);
  });
});

describe('buildGraph on the applied bookstore manifests', async () => {
  const { loadManifests } = await import('../manifests/index.js');
  const { silentLogger } = await import('../common/logger.js');
  const { snapshot } = await loadManifests([APPLIED_YAML], {}, silentLogger);
  const graph = buildGraph(snapshot);
  const get = (kind: string, ns: string | undefined, name: string) => graph.get(kind, ns, name)!;

  it('selects workloads by template labels (there are no pods)', () => {
    expect(graph.fromManifests).toBe(true);
    expect(names(graph.selectedByService(get('Service', 'bookstore', 'storefront')))).toEqual(['Deployment/bookstore/storefront']);
    expect(names(graph.selectedByService(get('Service', 'bookstore', 'postgres')))).toEqual(['StatefulSet/bookstore/postgres']);
    expect(graph.podsOf(get('Deployment', 'bookstore', 'storefront'))).toEqual([]);
    expect(names(graph.hpasFor(get('Deployment', 'bookstore', 'storefront')))).toEqual(['HorizontalPodAutoscaler/bookstore/storefront']);
    expect(names(graph.pdbsFor(get('Deployment', 'bookstore', 'storefront')))).toEqual(['PodDisruptionBudget/bookstore/storefront']);
    expect(names(graph.bindingsOf(get('ClusterRole', undefined, 'ops-everything')))).toEqual(['ClusterRoleBinding//ops-everything']);
    expect(graph.largestNodeAllocatable()).toBeUndefined();
  });

  it('reports the same dangling references as the live cluster', () => {
    expect(graph.danglingReferences().map((d) => `${d.type}:${d.missing.name}`)).toEqual([
      'ingress-missing-service:admin',
      'ingress-missing-tls-secret:books-tls',
      'missing-storage-class:fast-nvme',
      'service-selects-nothing:app.kubernetes.io/name=admin-panel',
    ]);
  });
});

describe('buildGraph on a kubectl get -o yaml dump loaded as manifests', async () => {
  const { loadManifests } = await import('../manifests/index.js');
  const { silentLogger } = await import('../common/logger.js');
  const { snapshot } = await loadManifests(['src/manifests/fixtures/kubectl-list.yaml'], {}, silentLogger);
  const graph = buildGraph(snapshot);

  it('treats dumped pods (they have a status) as running pods', () => {
    const pod = graph.get('Pod', 'shop', 'web-abc')!;
    expect(names(graph.workloads())).toEqual(['Pod/shop/web-abc']);
    expect(names(graph.podsOf(pod))).toEqual(['Pod/shop/web-abc']);
  });
});
