import type { K8sObject } from '../schema/snapshot.js';
import type { ResourceRef } from '../schema/finding.js';
import type { DanglingReferenceJson } from '../schema/report.js';

/**
 * Typed edges of the cluster graph. Direction is "from → to" as named.
 * - owned-by:        Pod → ReplicaSet → Deployment, Job → CronJob, Pod → StatefulSet/DaemonSet/Job
 * The relations with one or more entries per pod are not graphology edges but indexes of the graph (as edges they
 * were most of the graph's memory and build time on big clusters): owned-by (topOwner, podsOf), scheduled-on
 * (nodeOf), and the label-selector relations selects, protects and applies-to (selectedByService, servicesFor,
 * pdbsFor, protectedBy, networkPoliciesFor). The graphology graph holds the others.
 * - selects:         Service → Pod, and Service → workload (via its pod template labels)
 * - routes-to:       Ingress → Service
 * - scheduled-on:    Pod → Node
 * - mounts:          Pod/workload → PersistentVolumeClaim
 * - bound-to:        PersistentVolumeClaim → PersistentVolume
 * - uses-storage-class: PersistentVolumeClaim/PersistentVolume → StorageClass
 * - references:      workload/Pod → ConfigMap | Secret | ServiceAccount (env, envFrom, volume, imagePullSecret, serviceAccountName)
 * - scales:          HorizontalPodAutoscaler → workload
 * - protects:        PodDisruptionBudget → Pod/workload
 * - binds-role:      RoleBinding/ClusterRoleBinding → Role/ClusterRole
 * - grants-to:       RoleBinding/ClusterRoleBinding → subject (ServiceAccount node, or a synthetic User/Group node)
 * - applies-to:      NetworkPolicy → Pod/workload
 */
export type EdgeType =
  | 'owned-by'
  | 'selects'
  | 'routes-to'
  | 'scheduled-on'
  | 'mounts'
  | 'bound-to'
  | 'uses-storage-class'
  | 'references'
  | 'scales'
  | 'protects'
  | 'binds-role'
  | 'grants-to'
  | 'applies-to';

export interface EdgeAttributes {
  type: EdgeType;
  /** Field path in the source object holding the reference (`spec.template.spec.volumes[0].secret.secretName`). */
  path?: string;
  /** For `references`: how it is referenced (env, envFrom, volume, imagePullSecret, serviceAccount, projected). */
  via?: string;
  /** For `references`: whether the reference is optional (`optional: true`), so its absence is not an error. */
  optional?: boolean;
}

export interface NodeAttributes {
  kind: string;
  namespace?: string;
  name: string;
  /** The raw object; absent for synthetic nodes (RBAC User/Group subjects, missing targets). */
  object?: K8sObject;
  synthetic?: boolean;
}

export type DanglingReference = DanglingReferenceJson;

/** Workload kinds that own a pod template (bare Pods are their own workload). */
export type WorkloadObject = K8sObject;

/**
 * The query interface the rule engine, cost analyst, diagnosis and reports use.
 * Keys are `Kind/namespace/name` (see objectKey in schema/snapshot.ts).
 */
export interface ClusterGraph {
  /** The underlying graphology MultiDirectedGraph, for traversals not covered below. */
  readonly graph: import('graphology').MultiDirectedGraph<NodeAttributes, EdgeAttributes>;
  /** True when built from manifests (no live pods: selectors resolve against pod templates). */
  readonly fromManifests: boolean;

  get(kind: string, namespace: string | undefined, name: string): K8sObject | undefined;
  objectsOfKind(kind: string): K8sObject[];
  ref(obj: K8sObject): ResourceRef;

  /** Follows owner references up to the top (Pod → ReplicaSet → Deployment). Returns obj itself when unowned. */
  topOwner(obj: K8sObject): K8sObject;
  /** The workloads to evaluate: Deployment, StatefulSet, DaemonSet, unowned ReplicaSet, Job not owned by a CronJob, CronJob, unowned Pod. */
  workloads(): K8sObject[];
  /** Live pods owned (transitively) by a workload. Empty for manifests. */
  podsOf(workload: K8sObject): K8sObject[];
  /** Pods (live) and workloads (by template labels) a Service selects. */
  selectedByService(service: K8sObject): K8sObject[];
  /** Services whose selector matches the workload's pod template labels (or the pod's labels). */
  servicesFor(workloadOrPod: K8sObject): K8sObject[];
  /** Ingresses routing to a Service. */
  ingressesFor(service: K8sObject): K8sObject[];
  pdbsFor(workloadOrPod: K8sObject): K8sObject[];
  /** Pods (live) and workloads (by template labels) a PodDisruptionBudget selects, in selection order. */
  protectedBy(pdb: K8sObject): K8sObject[];
  hpasFor(workload: K8sObject): K8sObject[];
  networkPoliciesFor(workloadOrPod: K8sObject): K8sObject[];
  namespaceHasNetworkPolicy(namespace: string): boolean;
  /** Pods and workloads that mount a PVC. */
  mountersOf(pvc: K8sObject): K8sObject[];
  /** The node a pod runs on. */
  nodeOf(pod: K8sObject): K8sObject | undefined;
  /** Largest allocatable CPU (cores) and memory (bytes) over all nodes; undefined when no nodes are known. */
  largestNodeAllocatable(): { cpu: number; memory: number; node: string } | undefined;
  /** RoleBindings/ClusterRoleBindings that bind a Role/ClusterRole. */
  bindingsOf(role: K8sObject): K8sObject[];

  /** All dangling references, sorted (type, namespace, name). */
  danglingReferences(): DanglingReference[];
  /** Dangling references that originate at this object. */
  danglingFrom(obj: K8sObject): DanglingReference[];
}
