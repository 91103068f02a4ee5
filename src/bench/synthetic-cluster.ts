import type { K8sObject, Snapshot } from '../schema/snapshot.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../schema/snapshot.js';

/**
 * A synthetic cluster for benchmarks: `workloads` Deployments spread over namespaces, each with a
 * ReplicaSet, pods (pods / workloads per workload), a Service per workload, PDBs and HPAs for some,
 * nodes of a few shapes, and a mix of good and bad configurations so every rule has work to do.
 * Deterministic: the same sizes give the same snapshot.
 */
export interface SyntheticSize {
  nodes: number;
  workloads: number;
  pods: number;
  namespaces?: number;
}

export function syntheticSnapshot(size: SyntheticSize): Snapshot {
  const namespaceCount = size.namespaces ?? Math.max(1, Math.round(size.workloads / 300));
  const podsPerWorkload = Math.max(1, Math.round(size.pods / size.workloads));
  const objects: Record<string, K8sObject[]> = {
    Namespace: [], Node: [], Deployment: [], ReplicaSet: [], Pod: [], Service: [],
    PodDisruptionBudget: [], HorizontalPodAutoscaler: [], ServiceAccount: [], ConfigMap: [], NetworkPolicy: [],
  };
  for (let n = 0; n < namespaceCount; n++) {
    const ns = `team-${n}`;
    objects.Namespace.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, uid: `ns-${n}` } });
    objects.ServiceAccount.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: ns, uid: `sa-${n}` } });
    objects.ConfigMap.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: ns, uid: `cm-${n}` }, data: { 'app.yaml': '' } });
    if (n % 2 === 0) {
      objects.NetworkPolicy.push({
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
        metadata: { name: 'default-deny', namespace: ns, uid: `np-${n}` },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      });
    }
  }
  const shapes = [
    { type: 'm5.xlarge', cpu: '3920m', memory: '15896980Ki' },
    { type: 'm5.2xlarge', cpu: '7910m', memory: '31880596Ki' },
    { type: 'r5.xlarge', cpu: '3920m', memory: '32010540Ki' },
  ];
  for (let i = 0; i < size.nodes; i++) {
    const shape = shapes[i % shapes.length];
    objects.Node.push({
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name: `node-${i}`, uid: `node-${i}`,
        labels: { 'node.kubernetes.io/instance-type': shape.type, 'topology.kubernetes.io/zone': `us-east-1${'abc'[i % 3]}` },
      },
      spec: { providerID: `aws:///us-east-1a/i-${i.toString(16).padStart(12, '0')}` },
      status: {
        allocatable: { cpu: shape.cpu, memory: shape.memory, pods: '110' },
        capacity: { cpu: '4', memory: '16090292Ki', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      },
    });
  }
  let podIndex = 0;
  for (let w = 0; w < size.workloads; w++) {
    const ns = `team-${w % namespaceCount}`;
    const name = `svc-${w}`;
    const labels = { app: name, tier: w % 3 === 0 ? 'web' : 'backend' };
    const wellConfigured = w % 4 === 0;
    const container: Record<string, unknown> = {
      name: 'app',
      image: w % 5 === 0 ? `registry.example.com/${name}:latest` : `registry.example.com/${name}:1.${w % 20}.0`,
      ports: [{ containerPort: 8080, name: 'http' }],
      env: [{ name: 'LOG_LEVEL', value: '<redacted>' }, { name: 'CONFIG', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'app.yaml' } } }],
      resources: wellConfigured
        ? { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } }
        : w % 4 === 1 ? { requests: { cpu: '100m' } } : {},
      ...(wellConfigured
        ? {
            readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
          }
        : w % 7 === 0 ? { securityContext: { privileged: true } } : {}),
    };
    const podSpec = {
      serviceAccountName: wellConfigured ? 'app' : undefined,
      automountServiceAccountToken: wellConfigured ? false : undefined,
      securityContext: wellConfigured ? { seccompProfile: { type: 'RuntimeDefault' } } : undefined,
      containers: [container],
    };
    const deployUid = `deploy-${w}`;
    const rsName = `${name}-7d9f8c6b5`;
    const rsUid = `rs-${w}`;
    objects.Deployment.push({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name, namespace: ns, uid: deployUid, generation: 1, labels },
      spec: { replicas: podsPerWorkload, selector: { matchLabels: { app: name } }, template: { metadata: { labels }, spec: podSpec } },
      status: { replicas: podsPerWorkload, readyReplicas: podsPerWorkload, observedGeneration: 1 },
    });
    objects.ReplicaSet.push({
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: rsName, namespace: ns, uid: rsUid, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deployUid, controller: true }] },
      spec: { replicas: podsPerWorkload, selector: { matchLabels: { app: name } }, template: { metadata: { labels }, spec: podSpec } },
      status: { replicas: podsPerWorkload, readyReplicas: podsPerWorkload },
    });
    for (let p = 0; p < podsPerWorkload && podIndex < size.pods; p++, podIndex++) {
      objects.Pod.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${rsName}-${p.toString(36).padStart(5, 'x')}`, namespace: ns, uid: `pod-${podIndex}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rsUid, controller: true }] },
        spec: { ...podSpec, nodeName: `node-${podIndex % size.nodes}` },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }],
          containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: '2026-11-20T10:00:00Z' } } }],
        },
      });
    }
    objects.Service.push({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name, namespace: ns, uid: `svc-${w}` },
      spec: { type: 'ClusterIP', selector: w % 50 === 0 ? { app: `${name}-old` } : { app: name }, ports: [{ port: 80, targetPort: 'http' }] },
    });
    if (wellConfigured) {
      objects.PodDisruptionBudget.push({
        apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
        metadata: { name, namespace: ns, uid: `pdb-${w}` },
        spec: { maxUnavailable: 1, selector: { matchLabels: { app: name } } },
      });
      objects.HorizontalPodAutoscaler.push({
        apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
        metadata: { name, namespace: ns, uid: `hpa-${w}` },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 2, maxReplicas: 10 },
      });
    }
  }
  const coverage = Object.entries(objects).map(([kind, list]) => ({
    kind,
    apiVersion: list[0]?.apiVersion ?? 'v1',
    status: 'listed' as const,
    count: list.length,
  }));
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    capturedAt: '2026-11-20T12:00:00.000Z',
    source: { type: 'cluster', server: 'https://synthetic.example:6443', context: 'synthetic', kubernetesVersion: 'v1.30.0' },
    scope: { namespaces: null, excludedNamespaces: [] },
    coverage,
    objects,
  };
}
