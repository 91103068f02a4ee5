/**
 * The kinds ClusterGPT reads, with where the API serves them. The connector lists exactly these;
 * the manifest loader and rules use the same names.
 */
export interface KindSpec {
  kind: string;
  group: string; // '' for core
  version: string;
  plural: string;
  namespaced: boolean;
  /** Secrets: metadata only. */
  metadataOnly?: boolean;
  /** metrics.k8s.io: optional, absent on many clusters. */
  optional?: boolean;
}

export const KIND_SPECS: readonly KindSpec[] = [
  { kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  { kind: 'Node', group: '', version: 'v1', plural: 'nodes', namespaced: false },
  { kind: 'Pod', group: '', version: 'v1', plural: 'pods', namespaced: true },
  { kind: 'Service', group: '', version: 'v1', plural: 'services', namespaced: true },
  { kind: 'PersistentVolumeClaim', group: '', version: 'v1', plural: 'persistentvolumeclaims', namespaced: true },
  { kind: 'PersistentVolume', group: '', version: 'v1', plural: 'persistentvolumes', namespaced: false },
  { kind: 'ServiceAccount', group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true },
  { kind: 'ConfigMap', group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  { kind: 'Secret', group: '', version: 'v1', plural: 'secrets', namespaced: true, metadataOnly: true },
  { kind: 'Event', group: '', version: 'v1', plural: 'events', namespaced: true },
  { kind: 'ResourceQuota', group: '', version: 'v1', plural: 'resourcequotas', namespaced: true },
  { kind: 'LimitRange', group: '', version: 'v1', plural: 'limitranges', namespaced: true },
  { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  { kind: 'ReplicaSet', group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true },
  { kind: 'StatefulSet', group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true },
  { kind: 'DaemonSet', group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true },
  { kind: 'Job', group: 'batch', version: 'v1', plural: 'jobs', namespaced: true },
  { kind: 'CronJob', group: 'batch', version: 'v1', plural: 'cronjobs', namespaced: true },
  { kind: 'EndpointSlice', group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true },
  { kind: 'Ingress', group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', namespaced: true },
  { kind: 'IngressClass', group: 'networking.k8s.io', version: 'v1', plural: 'ingressclasses', namespaced: false },
  { kind: 'NetworkPolicy', group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', namespaced: true },
  { kind: 'HorizontalPodAutoscaler', group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true },
  { kind: 'PodDisruptionBudget', group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', namespaced: true },
  { kind: 'StorageClass', group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', namespaced: false },
  { kind: 'Role', group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', namespaced: true },
  { kind: 'RoleBinding', group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', namespaced: true },
  { kind: 'ClusterRole', group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', namespaced: false },
  { kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', namespaced: false },
  { kind: 'PriorityClass', group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', namespaced: false },
  { kind: 'PodMetrics', group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', namespaced: true, optional: true },
  { kind: 'NodeMetrics', group: 'metrics.k8s.io', version: 'v1beta1', plural: 'nodes', namespaced: false, optional: true },
];

export function apiVersionOf(spec: KindSpec): string {
  return spec.group ? `${spec.group}/${spec.version}` : spec.version;
}

/**
 * Custom resources that run pods from a Deployment-shaped spec (`spec.template`, `spec.replicas`, `spec.selector`),
 * checked like Deployments: rules that match `Deployment` match them too. The API group is part of the identity (a
 * `Rollout` of another group is someone else's kind). OpenShift's DeploymentConfig selects by a plain label map, as a
 * ReplicationController does, not by a LabelSelector.
 */
export const DEPLOYMENT_LIKE_KINDS: readonly { kind: string; group: string; selector: 'labelSelector' | 'labelMap' }[] = [
  { kind: 'DeploymentConfig', group: 'apps.openshift.io', selector: 'labelMap' },
  { kind: 'Rollout', group: 'argoproj.io', selector: 'labelSelector' },
];

export function apiGroupOf(apiVersion: string | undefined): string {
  const slash = (apiVersion ?? '').indexOf('/');
  return slash < 0 ? '' : (apiVersion ?? '').slice(0, slash);
}

/**
 * Whether `obj` is one of DEPLOYMENT_LIKE_KINDS with a pod template of its own (an Argo Rollout with
 * `spec.workloadRef` instead points at a Deployment, which is checked itself).
 */
export function isDeploymentLike(obj: { apiVersion?: string; kind?: string; spec?: any }): boolean {
  const entry = DEPLOYMENT_LIKE_KINDS.find((k) => k.kind === obj.kind);
  if (!entry || apiGroupOf(obj.apiVersion) !== entry.group) return false;
  const template = obj.spec?.template;
  return typeof template === 'object' && template !== null && !Array.isArray(template);
}

/** Kinds whose pod template (or own spec, for Pods) the workload rules read (DeploymentConfig and Rollout: see above). */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'DeploymentConfig', 'Rollout'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Namespaces excluded from findings by default (`--include-system-namespaces` keeps them). */
export const SYSTEM_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'local-path-storage',
  'gatekeeper-system',
  'calico-system',
  'tigera-operator',
  'cilium',
] as const;
