/** Small hand-made cluster objects for the cost tests. */
import { fileURLToPath } from 'node:url';
import type { K8sObject, Snapshot } from '../../schema/snapshot.js';

/** `kubectl get nodes,deployments,pods -A -o yaml` of a 3-node eu-west-1 cluster, and its PodMetrics (src/cost/fixtures/). */
export const NODES_PODS_DUMP = fileURLToPath(new URL('../fixtures/nodes-pods-dump.yaml', import.meta.url));
export const POD_METRICS_DUMP = fileURLToPath(new URL('../fixtures/pod-metrics-dump.yaml', import.meta.url));

export interface NodeOptions {
  instanceType?: string;
  region?: string;
  providerID?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
}

export function node(name: string, options: NodeOptions = {}): K8sObject {
  const labels: Record<string, string> = { 'kubernetes.io/hostname': name, ...(options.labels ?? {}) };
  if (options.instanceType) labels['node.kubernetes.io/instance-type'] = options.instanceType;
  if (options.region) labels['topology.kubernetes.io/region'] = options.region;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-node-${name}`, labels },
    spec: options.providerID ? { providerID: options.providerID } : {},
    status: {
      capacity: { cpu: options.cpu ?? '2', memory: options.memory ?? '8Gi', pods: '110' },
      allocatable: { cpu: options.cpu ?? '2', memory: options.memory ?? '8Gi', pods: '110' },
    },
  };
}

export function awsNode(name: string, instanceType: string, region = 'us-east-1', shape: Partial<NodeOptions> = {}): K8sObject {
  return node(name, { instanceType, region, providerID: `aws:///${region}a/i-${name}`, ...shape });
}

type Requests = { cpu?: string; memory?: string };

export function container(name: string, requests: Requests, limits: Requests = {}): Record<string, unknown> {
  return { name, image: 'example/app:1.0', resources: { requests, limits } };
}

export function deployment(namespace: string, name: string, replicas: number | undefined, containers: Record<string, unknown>[]): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { namespace, name, uid: `uid-deploy-${name}`, labels: { app: name } },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  };
}

export function replicaSet(deploy: K8sObject): K8sObject {
  const name = `${deploy.metadata.name}-abc123`;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      namespace: deploy.metadata.namespace,
      name,
      uid: `uid-rs-${name}`,
      labels: { app: deploy.metadata.name! },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deploy.metadata.name, uid: deploy.metadata.uid, controller: true }],
    },
    spec: deploy.spec,
  };
}

export function pod(
  owner: K8sObject | undefined,
  name: string,
  nodeName: string | undefined,
  containers: Record<string, unknown>[],
  phase = nodeName ? 'Running' : 'Pending',
): K8sObject {
  const namespace = owner?.metadata.namespace ?? 'default';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      name,
      uid: `uid-pod-${name}`,
      labels: { app: (owner?.metadata.labels?.app as string | undefined) ?? name },
      ...(owner
        ? { ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true }] }
        : {}),
    },
    spec: { ...(nodeName ? { nodeName } : {}), containers },
    status: { phase },
  };
}

export function podMetrics(namespace: string, name: string, usage: Array<{ name: string; cpu: string; memory: string }>): K8sObject {
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: { namespace, name },
    timestamp: '2026-01-01T00:00:00Z',
    window: '30s',
    containers: usage.map((u) => ({ name: u.name, usage: { cpu: u.cpu, memory: u.memory } })),
  };
}

export function hpa(target: K8sObject, metrics: unknown[], minReplicas?: number): K8sObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { namespace: target.metadata.namespace, name: target.metadata.name, uid: `uid-hpa-${target.metadata.name}` },
    spec: {
      scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.metadata.name },
      ...(minReplicas === undefined ? {} : { minReplicas }),
      maxReplicas: 10,
      metrics,
    },
  };
}

/** A snapshot of the given objects, grouped by kind and sorted like the connector does. */
export function snapshotOf(objects: K8sObject[], source: 'cluster' | 'manifests' = 'cluster'): Snapshot {
  const grouped: Record<string, K8sObject[]> = {};
  for (const obj of objects) (grouped[obj.kind] ??= []).push(obj);
  for (const list of Object.values(grouped)) {
    list.sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
  }
  return {
    schemaVersion: 1,
    capturedAt: source === 'cluster' ? '2026-01-01T00:00:00.000Z' : '1970-01-01T00:00:00.000Z',
    source: source === 'cluster' ? { type: 'cluster', server: 'https://example:6443' } : { type: 'manifests', paths: ['m.yaml'] },
    scope: { namespaces: null, excludedNamespaces: [] },
    coverage: Object.entries(grouped).map(([kind, list]) => ({ kind, apiVersion: list[0]!.apiVersion, status: 'listed' as const, count: list.length })),
    objects: grouped,
  };
}
