/**
 * A Snapshot assembled from the real kube-apiserver responses recorded in test/fixtures/k8s-api
 * (the "bookstore" cluster), for tests of every stage after the connector.
 *
 * List items come without apiVersion/kind (the API puts them on the List only), so they are set
 * here the way the connector does. Secrets come from the metadata-only list. The metrics API was
 * not served by that cluster, so PodMetrics/NodeMetrics are `not-served`. Objects are not
 * sanitized (managedFields etc. are kept as the API returned them): sanitize in the test if needed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KIND_SPECS, apiVersionOf } from '../../src/common/kinds.js';
import type { CoverageEntry, K8sObject, Snapshot } from '../../src/schema/snapshot.js';

/** The recorded responses, kept inside the repository (test/fixtures/k8s-api/README.md). */
export const RECORDED_DIR =
  process.env.CLUSTERGPT_RECORDED_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'k8s-api');
/** The manifests that were applied to the recorded cluster. */
export const APPLIED_YAML = join(RECORDED_DIR, 'source', 'applied.yaml');

/** Recorded list file for each kind (cluster-wide lists). */
const LIST_FILES: Record<string, string> = {
  Namespace: 'list-core-namespaces.json',
  Node: 'list-core-nodes.json',
  Pod: 'list-core-pods.json',
  Service: 'list-core-services.json',
  PersistentVolumeClaim: 'list-core-persistentvolumeclaims.json',
  PersistentVolume: 'list-core-persistentvolumes.json',
  ServiceAccount: 'list-core-serviceaccounts.json',
  ConfigMap: 'list-core-configmaps.json',
  Secret: 'list-core-secrets-metadata-only.json',
  Event: 'list-core-events.json',
  ResourceQuota: 'list-core-resourcequotas.json',
  LimitRange: 'list-core-limitranges.json',
  Deployment: 'list-apps-deployments.json',
  ReplicaSet: 'list-apps-replicasets.json',
  StatefulSet: 'list-apps-statefulsets.json',
  DaemonSet: 'list-apps-daemonsets.json',
  Job: 'list-batch-jobs.json',
  CronJob: 'list-batch-cronjobs.json',
  EndpointSlice: 'list-discovery-endpointslices.json',
  Ingress: 'list-networking-ingresses.json',
  IngressClass: 'list-networking-ingressclasses.json',
  NetworkPolicy: 'list-networking-networkpolicies.json',
  HorizontalPodAutoscaler: 'list-autoscaling-v2-hpas.json',
  PodDisruptionBudget: 'list-policy-pdbs.json',
  StorageClass: 'list-storage-storageclasses.json',
  Role: 'list-rbac-roles.json',
  RoleBinding: 'list-rbac-rolebindings.json',
  ClusterRole: 'list-rbac-clusterroles.json',
  ClusterRoleBinding: 'list-rbac-clusterrolebindings.json',
  PriorityClass: 'list-scheduling-priorityclasses.json',
};

function readResponse(file: string): { status: number; body?: any } {
  return JSON.parse(readFileSync(join(RECORDED_DIR, 'responses', file), 'utf8'));
}

function byNamespaceThenName(a: K8sObject, b: K8sObject): number {
  const an = `${a.metadata.namespace ?? ''}\u0000${a.metadata.name ?? ''}`;
  const bn = `${b.metadata.namespace ?? ''}\u0000${b.metadata.name ?? ''}`;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** The recorded bookstore cluster as a live Snapshot (fresh deep copy on every call). */
export function recordedSnapshot(): Snapshot {
  const objects: Record<string, K8sObject[]> = {};
  const coverage: CoverageEntry[] = [];
  for (const spec of KIND_SPECS) {
    const apiVersion = apiVersionOf(spec);
    const file = LIST_FILES[spec.kind];
    if (!file) {
      coverage.push({ kind: spec.kind, apiVersion, status: 'not-served', count: 0, error: '404 page not found' });
      continue;
    }
    const response = readResponse(file);
    const items: K8sObject[] = (response.body?.items ?? []).map((item: any) => ({ ...item, apiVersion, kind: spec.kind }));
    items.sort(byNamespaceThenName);
    if (items.length) objects[spec.kind] = items;
    const entry: CoverageEntry = { kind: spec.kind, apiVersion, status: 'listed', count: items.length };
    if (spec.metadataOnly) entry.metadataOnly = true;
    coverage.push(entry);
  }
  const version = readResponse('version.json').body;
  return structuredClone({
    schemaVersion: 1,
    capturedAt: '2026-11-22T04:40:00.000Z',
    source: {
      type: 'cluster',
      server: 'https://bookstore.recorded.invalid:6443',
      context: 'bookstore',
      kubernetesVersion: version?.gitVersion,
    },
    scope: { namespaces: null, excludedNamespaces: [] },
    coverage,
    objects,
  }) as Snapshot;
}
