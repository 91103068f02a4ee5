/**
 * A synthetic live snapshot for measuring the rule engine (docs: 150,000 pods / 30,000 workloads / 5,000 nodes
 * in < 20 s). Deterministic: same arguments, same snapshot.
 */
import { SNAPSHOT_SCHEMA_VERSION, type K8sObject, type Snapshot } from '../schema/snapshot.js';

export interface SyntheticSize {
  workloads: number;
  podsPerWorkload: number;
  nodes: number;
  namespaces: number;
}

export function syntheticSnapshot(size: SyntheticSize): Snapshot {
  const objects: Record<string, K8sObject[]> = {
    Namespace: [],
    Node: [],
    Deployment: [],
    ReplicaSet: [],
    Pod: [],
    Service: [],
    PodDisruptionBudget: [],
    HorizontalPodAutoscaler: [],
  };
  for (let n = 0; n < size.namespaces; n++) {
    objects.Namespace!.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}`, uid: `ns-${n}` } });
  }
  for (let n = 0; n < size.nodes; n++) {
    objects.Node!.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${n}`, uid: `node-${n}` },
      status: { allocatable: { cpu: '3920m', memory: '15896980Ki', pods: '110' } },
    });
  }
  for (let w = 0; w < size.workloads; w++) {
    const ns = `ns-${w % size.namespaces}`;
    const name = `app-${w}`;
    const labels = { app: name };
    const container = {
      name: 'app',
      image: w % 7 === 0 ? `registry.example.com/app-${w}:latest` : `registry.example.com/app-${w}:1.${w % 10}.0`,
      ports: [{ name: 'http', containerPort: 8080 }],
      resources: w % 3 === 0 ? { requests: { cpu: '100m', memory: '128Mi' } } : { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '256Mi' } },
      ...(w % 2 === 0 ? { readinessProbe: { httpGet: { path: '/ready', port: 'http' } } } : {}),
      env: [{ name: 'LOG_LEVEL', value: 'info' }],
    };
    const template = { metadata: { labels }, spec: { containers: [container] } };
    const replicas = size.podsPerWorkload;
    objects.Deployment!.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns, uid: `d-${w}`, labels },
      spec: { replicas, selector: { matchLabels: labels }, template },
    });
    objects.ReplicaSet!.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${name}-5d8f`,
        namespace: ns,
        uid: `rs-${w}`,
        labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${w}`, controller: true }],
      },
      spec: { replicas, selector: { matchLabels: labels }, template },
    });
    for (let p = 0; p < replicas; p++) {
      objects.Pod!.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${name}-5d8f-${p}`,
          namespace: ns,
          uid: `p-${w}-${p}`,
          labels,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-5d8f`, uid: `rs-${w}`, controller: true }],
        },
        spec: { ...template.spec, nodeName: `node-${(w * replicas + p) % size.nodes}` },
        status: { phase: 'Running' },
      });
    }
    if (w % 2 === 0) {
      objects.Service!.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns, uid: `s-${w}` },
        spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: w % 10 === 0 ? 'web' : 'http' }] },
      });
    }
    if (w % 4 === 0) {
      objects.PodDisruptionBudget!.push({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name, namespace: ns, uid: `pdb-${w}` },
        spec: { minAvailable: w % 8 === 0 ? replicas : 1, selector: { matchLabels: labels } },
      });
    }
    if (w % 5 === 0) {
      objects.HorizontalPodAutoscaler!.push({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name, namespace: ns, uid: `hpa-${w}` },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 2, maxReplicas: 10 },
      });
    }
  }
  const byNsName = (a: K8sObject, b: K8sObject) => {
    const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
    const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
  for (const list of Object.values(objects)) list.sort(byNsName);
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    capturedAt: '2026-01-01T00:00:00Z',
    source: { type: 'cluster', server: 'https://synthetic.invalid' },
    scope: { namespaces: null, excludedNamespaces: [] },
    coverage: [],
    objects,
  };
}
