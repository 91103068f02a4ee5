import type { K8sObject, Snapshot } from '../schema/snapshot.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../schema/snapshot.js';

/**
 * A synthetic live cluster for the benchmark (`npm run bench`) and for tests that need a big snapshot. The one
 * generator of the project. Deterministic: the same sizes give the same snapshot.
 *
 * The mix aims at a big production cluster, where most workloads come from a few well-maintained Helm charts:
 *
 * - Namespaces: one per 300 workloads (`team-<n>`), each with a ServiceAccount `app`, a Role + RoleBinding granting
 *   it read access to ConfigMaps, and a ConfigMap. 90% of the namespaces have a default-deny NetworkPolicy; every
 *   tenth namespace also binds the group `system:serviceaccounts:<ns>` to a viewer role. One ClusterRoleBinding
 *   grants a monitoring ServiceAccount a cluster-wide role.
 * - Nodes: three instance shapes over three zones, all Ready. Pods are spread round-robin over every node but each
 *   50th, which stays empty (2% idle nodes, reported by low-node-utilization).
 * - Workloads: Deployments (each with its ReplicaSet, `pods / workloads` pods and a ClusterIP Service).
 *   - ~70% come from three well-configured charts (web, api, worker): pinned image tags, CPU and memory requests
 *     and limits, readiness and liveness probes, a hardened securityContext (non-root, read-only root filesystem,
 *     no privilege escalation, capabilities dropped, seccomp RuntimeDefault), a dedicated ServiceAccount without
 *     an automounted token, topology spread over zones, a PodDisruptionBudget and (web, api) an HPA. They should
 *     raise no finding.
 *   - ~30% are hand-written with assorted problems, one to three each, chosen by the workload's number: missing
 *     requests or limits, no probes, `:latest` images, no securityContext, privileged containers, the default
 *     ServiceAccount with its token mounted, a single replica, no PodDisruptionBudget or spread, a Service whose
 *     selector matches nothing (1 in 50 of them).
 * So the number of findings grows with the cluster (about 2 per problematic workload, plus the per-container rules),
 * and `npm run bench` prints it next to the timings.
 */
export interface SyntheticSize {
  nodes: number;
  workloads: number;
  pods: number;
  namespaces?: number;
  /** Share of hand-written workloads with problems (default 0.3); 1 for a stress test where every workload has some. */
  problemShare?: number;
}

/** The three well-configured charts: resources per pod and whether the chart ships an HPA. */
const CHARTS = [
  { name: 'web', cpu: '100m', memory: '128Mi', cpuLimit: '500m', memoryLimit: '256Mi', hpa: true },
  { name: 'api', cpu: '200m', memory: '256Mi', cpuLimit: '1', memoryLimit: '512Mi', hpa: true },
  { name: 'worker', cpu: '50m', memory: '128Mi', cpuLimit: '250m', memoryLimit: '256Mi', hpa: false },
] as const;

/** Problems of the hand-written workloads (each gets one to three, chosen from its number). */
const PROBLEMS = [
  'no-limits',
  'no-requests',
  'no-probes',
  'latest-tag',
  'no-security-context',
  'privileged',
  'default-service-account',
  'single-replica',
  'no-pdb',
] as const;
type Problem = (typeof PROBLEMS)[number];

/** A well-spread deterministic hash of an integer (so problems do not line up with namespaces or nodes). */
function mix(n: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function problemsOf(w: number): Set<Problem> {
  const h = mix(w + 1);
  const count = 1 + (h % 3);
  const out = new Set<Problem>();
  for (let i = 0; i < count; i++) out.add(PROBLEMS[(h >>> (4 + i * 5)) % PROBLEMS.length]);
  return out;
}

export function syntheticSnapshot(size: SyntheticSize): Snapshot {
  const namespaceCount = size.namespaces ?? Math.max(1, Math.round(size.workloads / 300));
  const podsPerWorkload = Math.max(1, Math.round(size.pods / size.workloads));
  const problemShare = size.problemShare ?? 0.3;
  const objects: Record<string, K8sObject[]> = {
    Namespace: [], Node: [], Deployment: [], ReplicaSet: [], Pod: [], Service: [],
    PodDisruptionBudget: [], HorizontalPodAutoscaler: [], ServiceAccount: [], ConfigMap: [], NetworkPolicy: [],
    Role: [], RoleBinding: [], ClusterRole: [], ClusterRoleBinding: [],
  };
  objects.ClusterRole.push({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'metrics-reader', uid: 'cr-metrics' },
    rules: [{ apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
  });
  objects.ClusterRoleBinding.push({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'metrics-reader', uid: 'crb-metrics' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metrics-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: 'team-0' }],
  });
  for (let n = 0; n < namespaceCount; n++) {
    const ns = `team-${n}`;
    objects.Namespace.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, uid: `ns-${n}` } });
    objects.ServiceAccount.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: ns, uid: `sa-${n}` } });
    objects.ConfigMap.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: ns, uid: `cm-${n}` }, data: { 'app.yaml': '' } });
    objects.Role.push({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'config-reader', namespace: ns, uid: `role-${n}` },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
    });
    objects.RoleBinding.push({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'app-config-reader', namespace: ns, uid: `rb-${n}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'config-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'app' }],
    });
    if (n % 10 === 5) {
      objects.RoleBinding.push({
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'all-service-accounts-view', namespace: ns, uid: `rb-view-${n}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'config-reader' },
        subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `system:serviceaccounts:${ns}` }],
      });
    }
    if (n % 10 !== 9) {
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
  // Every 50th node stays empty (when there are enough nodes to spare one).
  const busyNodes: number[] = [];
  for (let i = 0; i < size.nodes; i++) if (size.nodes < 50 || i % 50 !== 49) busyNodes.push(i);

  let podIndex = 0;
  for (let w = 0; w < size.workloads; w++) {
    const ns = `team-${w % namespaceCount}`;
    // 70% from the charts (by a hash of the number, so the mix is the same in every namespace).
    const fromChart = mix(w) % 1000 >= problemShare * 1000;
    const chart = CHARTS[w % CHARTS.length];
    const problems = fromChart ? new Set<Problem>() : problemsOf(w);
    const name = fromChart ? `${chart.name}-${w}` : `svc-${w}`;
    const labels: Record<string, string> = fromChart
      ? { app: name, 'app.kubernetes.io/name': chart.name, 'app.kubernetes.io/instance': name, 'app.kubernetes.io/managed-by': 'Helm' }
      : { app: name };
    const replicas = problems.has('single-replica') ? 1 : podsPerWorkload;
    const container: Record<string, unknown> = {
      name: fromChart ? chart.name : 'app',
      image: problems.has('latest-tag') ? `registry.example.com/${name}:latest` : `registry.example.com/${fromChart ? chart.name : name}:1.${w % 20}.0`,
      ports: [{ containerPort: 8080, name: 'http' }],
      env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'CONFIG', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'app.yaml' } } }],
      resources: {
        ...(problems.has('no-requests') ? {} : { requests: { cpu: chart.cpu, memory: chart.memory } }),
        ...(problems.has('no-limits') ? {} : { limits: { cpu: chart.cpuLimit, memory: chart.memoryLimit } }),
      },
      ...(problems.has('no-probes')
        ? {}
        : {
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 10 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 20 },
          }),
      ...(problems.has('privileged')
        ? { securityContext: { privileged: true } }
        : problems.has('no-security-context')
          ? {}
          : {
              securityContext: {
                allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 10001,
                capabilities: { drop: ['ALL'] },
              },
            }),
    };
    const defaultAccount = problems.has('default-service-account');
    const podSpec: Record<string, unknown> = {
      ...(defaultAccount ? {} : { serviceAccountName: 'app', automountServiceAccountToken: false }),
      ...(problems.has('no-security-context') || problems.has('privileged') ? {} : { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }),
      ...(problems.has('no-pdb')
        ? {}
        : {
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: name } } },
            ],
          }),
      containers: [container],
    };
    const deployUid = `deploy-${w}`;
    const rsName = `${name}-7d9f8c6b5`;
    const rsUid = `rs-${w}`;
    objects.Deployment.push({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name, namespace: ns, uid: deployUid, generation: 1, labels },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels }, spec: podSpec } },
      status: { replicas, readyReplicas: replicas, observedGeneration: 1 },
    });
    objects.ReplicaSet.push({
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: rsName, namespace: ns, uid: rsUid, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deployUid, controller: true }] },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels }, spec: podSpec } },
      status: { replicas, readyReplicas: replicas },
    });
    for (let p = 0; p < replicas && podIndex < size.pods; p++, podIndex++) {
      objects.Pod.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${rsName}-${p.toString(36).padStart(5, 'x')}`, namespace: ns, uid: `pod-${podIndex}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rsUid, controller: true }] },
        spec: { ...podSpec, nodeName: `node-${busyNodes[podIndex % busyNodes.length]}` },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }],
          containerStatuses: [{ name: String(container.name), ready: true, restartCount: 0, state: { running: { startedAt: '2026-11-20T10:00:00Z' } } }],
        },
      });
    }
    const brokenSelector = !fromChart && w % 50 === 0;
    objects.Service.push({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name, namespace: ns, uid: `svc-${w}`, labels },
      spec: { type: 'ClusterIP', selector: brokenSelector ? { app: `${name}-old` } : { app: name }, ports: [{ port: 80, targetPort: 'http' }] },
    });
    if (!problems.has('no-pdb') && replicas > 1) {
      objects.PodDisruptionBudget.push({
        apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
        metadata: { name, namespace: ns, uid: `pdb-${w}` },
        spec: { maxUnavailable: 1, selector: { matchLabels: { app: name } } },
      });
    }
    if (fromChart && chart.hpa) {
      objects.HorizontalPodAutoscaler.push({
        apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
        metadata: { name, namespace: ns, uid: `hpa-${w}` },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: Math.min(2, replicas), maxReplicas: 10,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        },
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
