/**
 * The graph builder: turns a Snapshot (live or manifests) into a typed MultiDirectedGraph of the
 * objects and the references between them, and answers the queries of ClusterGraph (types.ts).
 *
 * Everything is computed once in the constructor with indexes (by key, uid, namespace and label
 * key=value), so building is roughly linear in objects + edges; queries read edges and are memoized.
 *
 * Edges worth knowing about:
 * - `selects`, `protects`, `applies-to` go to live Pods and to top-level workloads (matched by their
 *   pod template labels); owned ReplicaSets/Jobs answer queries through their top owner.
 * - `references` (ConfigMap/Secret/ServiceAccount) start at the workloads of workloads() (and bare
 *   Pods); pods and ReplicaSets created from a template carry the same references, and recording
 *   them again would multiply the edge count on big clusters. `mounts` start at Pods too.
 * - A reference to an object that is not in the snapshot points at a synthetic node (no `object`).
 * - Owner chains (topOwner, podsOf) follow ownerReferences to workload kinds only, by uid when
 *   present (a uid that does not match means the owner was recreated), else by kind and name. A
 *   mirror pod owned by its Node is its own workload.
 *
 * Dangling references, and how false positives are avoided:
 * - They are reported from the objects a user owns: workloads() (not from every Pod/ReplicaSet of a
 *   Deployment, which would repeat the same problem many times), Services, Ingresses, HPAs, PDBs,
 *   PVCs and RoleBindings.
 * - Live snapshots: a target is only called missing when its kind was listed completely
 *   (coverage `listed`) and its namespace is in the captured scope.
 * - Manifests: the user asked to check that set, so a Service, HPA target, PVC or Role that is not
 *   in it is reported. Kinds that are commonly managed outside an application's manifests
 *   (ConfigMap, Secret, ServiceAccount, StorageClass, PriorityClass, ClusterRole) are only
 *   reported when the set contains at least one object of that kind; e.g. a manifest set with no
 *   Secrets at all says nothing about missing Secrets (they are usually created by a secret manager).
 * - Objects every cluster has are never missing: ConfigMap kube-root-ca.crt, ServiceAccount default,
 *   PriorityClasses system-*-critical, the built-in ClusterRoles (cluster-admin, admin, edit, view, system:*).
 */
import { MultiDirectedGraph } from 'graphology';
import type { K8sObject, Snapshot } from '../schema/snapshot.js';
import { keyOf, objectKey } from '../schema/snapshot.js';
import type { ResourceRef } from '../schema/finding.js';
import { KIND_SPECS, WORKLOAD_KINDS } from '../common/kinds.js';
import { parseQuantity } from '../common/quantity.js';
import type { ClusterGraph, DanglingReference, EdgeAttributes, EdgeType, NodeAttributes } from './types.js';
import { describeSelector, isEmptySelector, LabelIndex, selectorFromMap, type LabelSelector } from './selectors.js';
import { asArray, claimReferences, podReferences, podTemplateOf, type PodReference } from './pod-spec.js';
import { consequenceOfMissing, describeObject, whereMissing } from './dangling.js';

export type { ClusterGraph, DanglingReference, EdgeAttributes, EdgeType, NodeAttributes } from './types.js';
export { matchesSelector, describeSelector, type LabelSelector } from './selectors.js';
export { podTemplateOf, podReferences } from './pod-spec.js';

export function buildGraph(snapshot: Snapshot): ClusterGraph {
  return new SnapshotGraph(snapshot);
}

const WORKLOAD_KIND_SET = new Set<string>(WORKLOAD_KINDS);
/** Edge types kept as selection indexes instead of graphology edges (see SnapshotGraph.selectionTargets). */
type SelectionType = 'selects' | 'protects' | 'applies-to';
const SELECTION_TYPES = new Set<EdgeType>(['selects', 'protects', 'applies-to']);
const NAMESPACED = new Map(KIND_SPECS.map((s) => [s.kind, s.namespaced]));
const KNOWN_KINDS = new Set(KIND_SPECS.map((s) => s.kind));
/** Kinds usually created outside an application's manifests (see the header comment). */
const MANAGED_ELSEWHERE = new Set(['ConfigMap', 'Secret', 'ServiceAccount', 'StorageClass', 'PriorityClass', 'ClusterRole']);
const BUILT_IN_CLUSTER_ROLES = new Set(['cluster-admin', 'admin', 'edit', 'view']);
const ALWAYS_PRESENT_CONFIGMAPS = new Set(['kube-root-ca.crt', 'openshift-service-ca.crt']);
const BUILT_IN_PRIORITY_CLASSES = new Set(['system-cluster-critical', 'system-node-critical']);

/** A workload kind with a pod template (a template-less DeploymentConfig or Rollout is not one). */
function isWorkloadObject(obj: K8sObject): boolean {
  return WORKLOAD_KIND_SET.has(obj.kind) && podTemplateOf(obj) !== undefined;
}

function nameOf(obj: K8sObject): string {
  return obj.metadata.name ?? obj.metadata.generateName ?? '';
}

/** Sort order used everywhere: kind, namespace, name. */
export function compareObjects(a: K8sObject, b: K8sObject): number {
  return (
    cmp(a.kind, b.kind) || cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || cmp(nameOf(a), nameOf(b))
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDangling(a: DanglingReference, b: DanglingReference): number {
  return (
    cmp(a.type, b.type) ||
    cmp(a.from.namespace ?? '', b.from.namespace ?? '') ||
    cmp(a.from.name, b.from.name) ||
    cmp(a.from.kind, b.from.kind) ||
    cmp(a.path, b.path) ||
    cmp(a.missing.name, b.missing.name)
  );
}

class SnapshotGraph implements ClusterGraph {
  readonly graph = new MultiDirectedGraph<NodeAttributes, EdgeAttributes>();
  readonly fromManifests: boolean;

  private readonly byKey = new Map<string, K8sObject>();
  /** The node key of each indexed object, computed once (and the same string instance, so hashing is cached). */
  private readonly keyByObject = new Map<K8sObject, string>();
  private readonly controllerOwnerCache = new Map<K8sObject, K8sObject | null>();
  private readonly byUid = new Map<string, K8sObject>();
  private readonly byKind = new Map<string, K8sObject[]>();
  private readonly coverage: Map<string, string>;
  private readonly topOwnerCache = new Map<K8sObject, K8sObject>();
  private readonly podsByAncestor = new Map<K8sObject, K8sObject[]>();
  private readonly workloadList: K8sObject[];
  private readonly workloadSet: Set<K8sObject>;
  /** Pods (by their labels) and workloads (by template labels): what Services, PDBs and NetworkPolicies select. */
  private readonly selectable = new LabelIndex<K8sObject>();
  private readonly namespacesWithPolicy = new Set<string>();
  private readonly dangling: DanglingReference[] = [];
  private readonly danglingByKey = new Map<string, DanglingReference[]>();
  private readonly queryCache = new Map<string, K8sObject[]>();
  /**
   * The label-selector relations (Service `selects`, PodDisruptionBudget `protects`, NetworkPolicy `applies-to`),
   * forward (selector object → targets, in selection order) and backward (target → selector objects). Kept here
   * rather than as graphology edges: there are about three per pod, and as edges they were half the graph's memory
   * on big clusters.
   */
  private readonly selectionTargets = new Map<K8sObject, K8sObject[]>();
  private readonly nodeByPod = new Map<K8sObject, K8sObject>();
  private readonly selectorsOf: Record<SelectionType, Map<K8sObject, K8sObject[]>> = {
    selects: new Map(),
    protects: new Map(),
    'applies-to': new Map(),
  };
  private nodeAllocatable: { cpu: number; memory: number; node: string } | undefined | null = null;

  constructor(private readonly snapshot: Snapshot) {
    this.fromManifests = snapshot.source.type === 'manifests';
    this.coverage = new Map(snapshot.coverage.map((c) => [c.kind, c.status]));
    this.indexObjects();
    this.workloadList = this.allObjects()
      .filter((o) => isWorkloadObject(o) && this.topOwner(o) === o)
      .sort(compareObjects);
    this.workloadSet = new Set(this.workloadList);
    this.indexPodsByAncestor();
    this.indexSelectable();
    this.linkPodsToNodes();
    this.linkPodSpecs();
    this.linkStatefulSetClaims();
    this.linkServices();
    this.linkIngresses();
    this.linkHpas();
    this.linkPdbs();
    this.linkNetworkPolicies();
    this.linkStorage();
    this.linkRbac();
    this.dangling.sort(compareDangling);
    for (const list of this.danglingByKey.values()) list.sort(compareDangling);
  }

  // ---------------------------------------------------------------- indexing

  private indexObjects(): void {
    const kinds = Object.keys(this.snapshot.objects).sort();
    for (const kind of kinds) {
      const list = [...(this.snapshot.objects[kind] ?? [])].sort(compareObjects);
      const kept: K8sObject[] = [];
      for (const obj of list) {
        const key = keyOf(obj);
        if (this.byKey.has(key)) continue; // a snapshot never holds duplicates; keep the first if one does
        this.byKey.set(key, obj);
        this.keyByObject.set(obj, key);
        if (obj.metadata.uid) this.byUid.set(obj.metadata.uid, obj);
        this.graph.addNode(key, { kind: obj.kind, namespace: obj.metadata.namespace, name: nameOf(obj), object: obj });
        kept.push(obj);
      }
      if (kept.length) this.byKind.set(kind, kept);
    }
  }

  private *allObjectsIter(): Iterable<K8sObject> {
    for (const list of this.byKind.values()) yield* list;
  }

  private allObjects(): K8sObject[] {
    return [...this.allObjectsIter()];
  }

  private indexPodsByAncestor(): void {
    for (const pod of this.byKind.get('Pod') ?? []) {
      // A Pod manifest someone wrote is not a running pod; a pod from a `kubectl get -o yaml` dump has a status.
      if (this.fromManifests && !pod.status?.phase) continue;
      const seen = new Set<K8sObject>();
      for (let current: K8sObject | undefined = pod; current && !seen.has(current); current = this.controllerOwner(current)) {
        seen.add(current);
        const list = this.podsByAncestor.get(current);
        if (list) list.push(pod);
        else this.podsByAncestor.set(current, [pod]);
      }
    }
  }

  private indexSelectable(): void {
    for (const pod of this.byKind.get('Pod') ?? []) {
      this.selectable.add(pod.metadata.namespace ?? '', pod.metadata.labels, pod);
    }
    for (const workload of this.workloadList) {
      if (workload.kind === 'Pod') continue; // already indexed by its own labels
      const template = podTemplateOf(workload);
      this.selectable.add(workload.metadata.namespace ?? '', template?.labels, workload);
    }
  }

  // ---------------------------------------------------------------- edges

  private addEdge(from: K8sObject | string, to: K8sObject | string, attrs: EdgeAttributes): void {
    const source = typeof from === 'string' ? from : this.keyFor(from);
    const target = typeof to === 'string' ? to : this.keyFor(to);
    // Our own sequential keys: graphology's generated ones start from a random number, and
    // anything printed from the graph must be the same on every run.
    this.graph.addDirectedEdgeWithKey(`e${this.graph.size}`, source, target, attrs);
  }

  /** Records that `from` (a Service, PodDisruptionBudget or NetworkPolicy) selects `targets`. */
  private addSelection(type: SelectionType, from: K8sObject, targets: readonly K8sObject[]): void {
    if (targets.length === 0) return;
    const existing = this.selectionTargets.get(from);
    this.selectionTargets.set(from, existing ? [...existing, ...targets] : [...targets]);
    const backward = this.selectorsOf[type];
    for (const target of targets) {
      const list = backward.get(target);
      if (!list) backward.set(target, [from]);
      else if (list[list.length - 1] !== from) list.push(from);
    }
  }

  /** A node for an object that is referenced but not in the snapshot (or an RBAC User/Group). */
  private syntheticNode(kind: string, namespace: string | undefined, name: string): string {
    const key = objectKey(kind, namespace, name);
    if (!this.graph.hasNode(key)) {
      const attrs: NodeAttributes = { kind, name, synthetic: true };
      if (namespace !== undefined) attrs.namespace = namespace;
      this.graph.addNode(key, attrs);
    }
    return key;
  }

  /** The existing object, or a synthetic node standing for it. */
  private targetKey(kind: string, namespace: string | undefined, name: string): string {
    const found = this.get(kind, namespace, name);
    return found ? this.keyFor(found) : this.syntheticNode(kind, namespace, name);
  }

  private resolveOwner(obj: K8sObject, ref: Record<string, unknown>): K8sObject | undefined {
    const uid = typeof ref.uid === 'string' ? ref.uid : undefined;
    if (uid) {
      const byUid = this.byUid.get(uid);
      if (byUid) return byUid;
    }
    const kind = String(ref.kind ?? '');
    const name = String(ref.name ?? '');
    const candidate =
      this.byKey.get(objectKey(kind, obj.metadata.namespace, name)) ?? this.byKey.get(objectKey(kind, undefined, name));
    // A uid that does not match means the owner was deleted and recreated: not the same owner.
    if (candidate && uid && candidate.metadata.uid && candidate.metadata.uid !== uid) return undefined;
    return candidate;
  }

  private keyFor(obj: K8sObject): string {
    return this.keyByObject.get(obj) ?? keyOf(obj);
  }

  /** The owner a controller chain follows: the `controller: true` reference, else the first; only workload kinds. */
  private controllerOwner(obj: K8sObject): K8sObject | undefined {
    if (!obj.metadata.ownerReferences?.length) return undefined;
    const cached = this.controllerOwnerCache.get(obj);
    if (cached !== undefined) return cached ?? undefined;
    const owner = this.findControllerOwner(obj);
    this.controllerOwnerCache.set(obj, owner ?? null);
    return owner;
  }

  private findControllerOwner(obj: K8sObject): K8sObject | undefined {
    if (!obj.metadata.ownerReferences?.length) return undefined;
    const refs = asArray(obj.metadata.ownerReferences);
    const ordered = [...refs.filter((r) => r?.controller === true), ...refs.filter((r) => r?.controller !== true)];
    for (const ref of ordered) {
      if (!WORKLOAD_KIND_SET.has(String(ref?.kind))) continue;
      const owner = this.resolveOwner(obj, ref);
      if (owner && owner !== obj && isWorkloadObject(owner)) return owner;
    }
    return undefined;
  }

  /** Pod → the Node of its spec.nodeName (an index rather than `scheduled-on` edges: one per pod). */
  private linkPodsToNodes(): void {
    for (const pod of this.byKind.get('Pod') ?? []) {
      const nodeName = pod.spec?.nodeName;
      if (typeof nodeName !== 'string' || !nodeName) continue;
      const node = this.get('Node', undefined, nodeName);
      if (node) this.nodeByPod.set(pod, node);
    }
  }

  private linkPodSpecs(): void {
    for (const kind of WORKLOAD_KINDS) {
      for (const obj of this.byKind.get(kind) ?? []) {
        const template = podTemplateOf(obj);
        if (!template) continue;
        const ns = obj.metadata.namespace;
        const reportable = this.workloadSet.has(obj);
        // ConfigMap/Secret/ServiceAccount references are recorded on the workload that declares them;
        // the pods and ReplicaSets it creates carry the same ones (and would multiply the edge count),
        // so those only add their PVC mounts.
        const refs = reportable ? podReferences(template) : claimReferences(template);
        for (const ref of refs) {
          if (ref.kind === 'PriorityClass') {
            if (reportable) this.checkPriorityClass(obj, ref);
            continue;
          }
          const existing = this.get(ref.kind, ns, ref.name);
          const edgeType: EdgeType = ref.kind === 'PersistentVolumeClaim' ? 'mounts' : 'references';
          const attrs: EdgeAttributes = { type: edgeType, path: ref.path, via: ref.via };
          if (edgeType === 'references') attrs.optional = ref.optional;
          if (existing) {
            this.addEdge(obj, existing, attrs);
            continue;
          }
          if (ref.implicit) continue; // the default ServiceAccount was not written; nothing to point at
          this.addEdge(obj, this.syntheticNode(ref.kind, ns, ref.name), attrs);
          if (reportable && !ref.optional && this.canReportMissing(ref.kind, ns, ref.name)) {
            this.reportMissingFromPod(obj, ref);
          }
        }
      }
    }
  }

  private checkPriorityClass(obj: K8sObject, ref: PodReference): void {
    if (BUILT_IN_PRIORITY_CLASSES.has(ref.name) || this.get('PriorityClass', undefined, ref.name)) return;
    if (!this.canReportMissing('PriorityClass', undefined, ref.name)) return;
    this.reportMissingFromPod(obj, ref);
  }

  private reportMissingFromPod(obj: K8sObject, ref: PodReference): void {
    const type =
      ref.kind === 'ConfigMap'
        ? 'missing-configmap'
        : ref.kind === 'Secret'
          ? 'missing-secret'
          : ref.kind === 'ServiceAccount'
            ? 'missing-service-account'
            : ref.kind === 'PersistentVolumeClaim'
              ? 'missing-pvc'
              : 'missing-priority-class';
    const ns = ref.kind === 'PriorityClass' ? undefined : obj.metadata.namespace;
    const verb =
      ref.kind === 'ServiceAccount'
        ? 'runs as'
        : ref.kind === 'PersistentVolumeClaim'
          ? 'mounts'
          : ref.kind === 'PriorityClass'
            ? 'uses'
            : `references (${ref.via})`;
    const self = describeObject(obj.kind, obj.metadata.namespace, nameOf(obj));
    this.report(obj, {
      type,
      missing: { kind: ref.kind, namespace: ns, name: ref.name },
      path: ref.path,
      message: `${self} ${verb} ${ref.kind} "${ref.name}", which does not exist${whereMissing(ns)}; ${consequenceOfMissing(ref.kind, ref.via)}.`,
    });
  }

  private linkStatefulSetClaims(): void {
    for (const sts of this.byKind.get('StatefulSet') ?? []) {
      const ns = sts.metadata.namespace;
      const replicas = Math.max(Number(sts.spec?.replicas ?? 1) || 0, Number(sts.status?.replicas ?? 0) || 0);
      asArray(sts.spec?.volumeClaimTemplates).forEach((tpl, ti) => {
        this.checkTemplateStorageClass(sts, tpl, ti);
        const tplName = tpl?.metadata?.name;
        if (typeof tplName !== 'string') return;
        // PVCs are named <template>-<statefulset>-<ordinal>; they outlive scale-downs, so keep looking past replicas.
        for (let ordinal = 0; ; ordinal++) {
          const pvc = this.get('PersistentVolumeClaim', ns, `${tplName}-${nameOf(sts)}-${ordinal}`);
          if (pvc) this.addEdge(sts, pvc, { type: 'mounts', path: `spec.volumeClaimTemplates[${ti}]`, via: 'volumeClaimTemplate' });
          else if (ordinal >= replicas) break;
        }
      });
    }
  }

  /** A claim template naming a missing StorageClass: every replica's PVC will stay Pending. */
  private checkTemplateStorageClass(sts: K8sObject, template: any, index: number): void {
    const className = template?.spec?.storageClassName;
    if (typeof className !== 'string' || className === '') return;
    if (this.get('StorageClass', undefined, className) || !this.canReportMissing('StorageClass', undefined, className)) return;
    if (!this.inScope(sts.metadata.namespace)) return;
    const ns = sts.metadata.namespace ?? '';
    this.report(sts, {
      type: 'missing-storage-class',
      missing: { kind: 'StorageClass', name: className },
      path: `spec.volumeClaimTemplates[${index}].spec.storageClassName`,
      message: `StatefulSet ${ns}/${nameOf(sts)} claims volumes from StorageClass "${className}", which does not exist; its PersistentVolumeClaims stay Pending and its pods cannot start.`,
    });
  }

  /** Whether the selecting kinds' targets are known well enough to call "selects nothing". */
  private selectionTargetsKnown(): boolean {
    if (this.fromManifests) return true;
    return this.kindKnown('Pod') || this.kindKnown('Deployment');
  }

  private linkServices(): void {
    for (const svc of this.byKind.get('Service') ?? []) {
      const selector = svc.spec?.selector;
      // No selector (or an empty one): a manual-endpoints or ExternalName Service, selects nothing by design.
      if (!selector || typeof selector !== 'object' || Object.keys(selector).length === 0) continue;
      const labelSelector = selectorFromMap(selector);
      const ns = svc.metadata.namespace ?? '';
      const targets = this.selectable.select(ns, labelSelector);
      this.addSelection('selects', svc, targets);
      if (targets.length === 0 && this.selectionTargetsKnown() && this.inScope(ns)) {
        this.report(svc, {
          type: 'service-selects-nothing',
          missing: { kind: 'Pod', namespace: ns, name: describeSelector(labelSelector) },
          path: 'spec.selector',
          message: `Service ${ns}/${nameOf(svc)} selects pods labelled ${describeSelector(labelSelector)}, but no pod or workload in namespace ${ns} has these labels; it has no endpoints and its traffic goes nowhere.`,
        });
      }
    }
  }

  private linkIngresses(): void {
    for (const ing of this.byKind.get('Ingress') ?? []) {
      const ns = ing.metadata.namespace ?? '';
      const backends: Array<{ name: string; path: string; route: string }> = [];
      const collect = (backend: any, path: string, route: string) => {
        if (!backend) return;
        if (typeof backend.service?.name === 'string') backends.push({ name: backend.service.name, path: `${path}.service.name`, route });
        else if (typeof backend.serviceName === 'string') backends.push({ name: backend.serviceName, path: `${path}.serviceName`, route });
      };
      collect(ing.spec?.defaultBackend, 'spec.defaultBackend', 'its default backend');
      collect(ing.spec?.backend, 'spec.backend', 'its default backend');
      asArray(ing.spec?.rules).forEach((rule, ri) => {
        asArray(rule?.http?.paths).forEach((p, pi) => {
          const route = `${rule?.host ?? '*'}${p?.path ?? '/'}`;
          collect(p?.backend, `spec.rules[${ri}].http.paths[${pi}].backend`, route);
        });
      });
      for (const backend of backends) {
        this.addEdge(ing, this.targetKey('Service', ns, backend.name), { type: 'routes-to', path: backend.path });
        if (!this.get('Service', ns, backend.name) && this.canReportMissing('Service', ns, backend.name)) {
          this.report(ing, {
            type: 'ingress-missing-service',
            missing: { kind: 'Service', namespace: ns, name: backend.name },
            path: backend.path,
            message: `Ingress ${ns}/${nameOf(ing)} routes ${backend.route} to Service "${backend.name}", which does not exist in namespace ${ns}; requests there get 503.`,
          });
        }
      }
      asArray(ing.spec?.tls).forEach((tls, ti) => {
        const secretName = tls?.secretName;
        if (typeof secretName !== 'string' || !secretName) return;
        const path = `spec.tls[${ti}].secretName`;
        this.addEdge(ing, this.targetKey('Secret', ns, secretName), { type: 'references', path, via: 'tls', optional: false });
        if (!this.get('Secret', ns, secretName) && this.canReportMissing('Secret', ns, secretName)) {
          const hosts = asArray(tls?.hosts).join(', ');
          this.report(ing, {
            type: 'ingress-missing-tls-secret',
            missing: { kind: 'Secret', namespace: ns, name: secretName },
            path,
            message: `Ingress ${ns}/${nameOf(ing)} uses TLS Secret "${secretName}"${hosts ? ` for ${hosts}` : ''}, which does not exist in namespace ${ns}; the ingress controller serves its default (untrusted) certificate.`,
          });
        }
      });
    }
  }

  private linkHpas(): void {
    for (const hpa of this.byKind.get('HorizontalPodAutoscaler') ?? []) {
      const ns = hpa.metadata.namespace ?? '';
      const target = hpa.spec?.scaleTargetRef;
      if (!target?.kind || !target?.name) continue;
      const kind = String(target.kind);
      const name = String(target.name);
      this.addEdge(hpa, this.targetKey(kind, ns, name), { type: 'scales', path: 'spec.scaleTargetRef' });
      if (!this.get(kind, ns, name) && this.canReportMissing(kind, ns, name)) {
        this.report(hpa, {
          type: 'hpa-missing-target',
          missing: { kind, namespace: ns, name },
          path: 'spec.scaleTargetRef',
          message: `HorizontalPodAutoscaler ${ns}/${nameOf(hpa)} scales ${kind} "${name}", which does not exist in namespace ${ns}; it scales nothing.`,
        });
      }
    }
  }

  private linkPdbs(): void {
    for (const pdb of this.byKind.get('PodDisruptionBudget') ?? []) {
      const ns = pdb.metadata.namespace ?? '';
      const selector: LabelSelector | null | undefined = pdb.spec?.selector;
      // policy/v1: a null selector selects no pods, an empty one selects every pod of the namespace.
      const targets = selector ? this.selectable.select(ns, selector) : [];
      this.addSelection('protects', pdb, targets);
      if (targets.length === 0 && this.selectionTargetsKnown() && this.inScope(ns)) {
        const described = selector ? describeSelector(selector) : '<nothing: no selector>';
        this.report(pdb, {
          type: 'pdb-selects-nothing',
          missing: { kind: 'Pod', namespace: ns, name: described },
          path: 'spec.selector',
          message: `PodDisruptionBudget ${ns}/${nameOf(pdb)} selects pods labelled ${described}, but no pod or workload in namespace ${ns} matches; it protects nothing.`,
        });
      }
    }
  }

  private linkNetworkPolicies(): void {
    for (const policy of this.byKind.get('NetworkPolicy') ?? []) {
      const ns = policy.metadata.namespace ?? '';
      this.namespacesWithPolicy.add(ns);
      const selector: LabelSelector = policy.spec?.podSelector ?? {};
      const targets = isEmptySelector(selector) ? this.selectable.select(ns, {}) : this.selectable.select(ns, selector);
      this.addSelection('applies-to', policy, targets);
    }
  }

  private linkStorage(): void {
    for (const pvc of this.byKind.get('PersistentVolumeClaim') ?? []) {
      const ns = pvc.metadata.namespace ?? '';
      const volumeName = pvc.spec?.volumeName;
      if (typeof volumeName === 'string' && volumeName) {
        const pv = this.get('PersistentVolume', undefined, volumeName);
        if (pv) this.addEdge(pvc, pv, { type: 'bound-to', path: 'spec.volumeName' });
      }
      const { className, path } = storageClassOf(pvc);
      if (!className) continue;
      this.addEdge(pvc, this.targetKey('StorageClass', undefined, className), { type: 'uses-storage-class', path });
      if (!this.get('StorageClass', undefined, className) && this.inScope(ns) && this.canReportMissing('StorageClass', undefined, className)) {
        this.report(pvc, {
          type: 'missing-storage-class',
          missing: { kind: 'StorageClass', name: className },
          path,
          message: `PersistentVolumeClaim ${ns}/${nameOf(pvc)} asks for StorageClass "${className}", which does not exist; the claim stays Pending and pods using it cannot start.`,
        });
      }
    }
    for (const pv of this.byKind.get('PersistentVolume') ?? []) {
      const claim = pv.spec?.claimRef;
      if (claim?.name) {
        const pvc = this.get('PersistentVolumeClaim', claim.namespace, claim.name);
        const sameClaim = pvc && (!claim.uid || !pvc.metadata.uid || claim.uid === pvc.metadata.uid);
        // Usually already linked from the claim's spec.volumeName; only pre-bound volumes add an edge here.
        if (pvc && sameClaim && pvc.spec?.volumeName !== nameOf(pv)) {
          this.addEdge(pvc, pv, { type: 'bound-to' });
        }
      }
      const { className, path } = storageClassOf(pv);
      if (className) this.addEdge(pv, this.targetKey('StorageClass', undefined, className), { type: 'uses-storage-class', path });
    }
  }

  private linkRbac(): void {
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      for (const binding of this.byKind.get(kind) ?? []) {
        const ns = binding.metadata.namespace;
        const roleRef = binding.roleRef ?? {};
        const roleKind = roleRef.kind === 'ClusterRole' ? 'ClusterRole' : 'Role';
        const roleNs = roleKind === 'Role' ? ns : undefined;
        const roleName = typeof roleRef.name === 'string' ? roleRef.name : '';
        if (roleName) {
          this.addEdge(binding, this.targetKey(roleKind, roleNs, roleName), { type: 'binds-role', path: 'roleRef' });
          const builtIn = roleKind === 'ClusterRole' && (BUILT_IN_CLUSTER_ROLES.has(roleName) || roleName.startsWith('system:'));
          if (!this.get(roleKind, roleNs, roleName) && !(this.fromManifests && builtIn) && this.canReportMissing(roleKind, roleNs, roleName)) {
            this.report(binding, {
              type: 'missing-role',
              missing: { kind: roleKind, namespace: roleNs, name: roleName },
              path: 'roleRef.name',
              message: `${describeObject(kind, ns, nameOf(binding))} binds ${roleKind} "${roleName}", which does not exist${whereMissing(roleNs)}; the binding grants nothing until it is created (and grants whatever it holds once someone creates it).`,
            });
          }
        }
        asArray(binding.subjects).forEach((subject, si) => {
          if (!subject?.name) return;
          const path = `subjects[${si}]`;
          if (subject.kind === 'ServiceAccount') {
            const saNs = subject.namespace ?? ns;
            this.addEdge(binding, this.targetKey('ServiceAccount', saNs, subject.name), { type: 'grants-to', path });
          } else {
            this.addEdge(binding, this.syntheticNode(String(subject.kind ?? 'User'), undefined, subject.name), { type: 'grants-to', path });
          }
        });
      }
    }
  }

  // ---------------------------------------------------------------- guards

  /** Whether absence of an object of this kind in the snapshot means it does not exist. */
  private kindKnown(kind: string): boolean {
    const present = (this.byKind.get(kind)?.length ?? 0) > 0;
    if (this.fromManifests) {
      if (MANAGED_ELSEWHERE.has(kind)) return present;
      return present || KNOWN_KINDS.has(kind);
    }
    const status = this.coverage.get(kind);
    if (status !== undefined) return status === 'listed';
    return present;
  }

  /** Live snapshots limited to some namespaces know nothing about the others. */
  private inScope(namespace: string | undefined): boolean {
    if (this.fromManifests || namespace === undefined || namespace === '') return true;
    const { namespaces, excludedNamespaces } = this.snapshot.scope;
    if (namespaces && !namespaces.includes(namespace)) return false;
    return !(excludedNamespaces ?? []).includes(namespace);
  }

  private canReportMissing(kind: string, namespace: string | undefined, name: string): boolean {
    if (kind === 'ConfigMap' && ALWAYS_PRESENT_CONFIGMAPS.has(name)) return false;
    if (kind === 'ServiceAccount' && name === 'default') return false;
    if (kind === 'PriorityClass' && BUILT_IN_PRIORITY_CLASSES.has(name)) return false;
    return this.kindKnown(kind) && this.inScope(namespace);
  }

  private report(from: K8sObject, entry: Omit<DanglingReference, 'from'>): void {
    const missing: DanglingReference['missing'] = { kind: entry.missing.kind, name: entry.missing.name };
    if (entry.missing.namespace !== undefined) missing.namespace = entry.missing.namespace;
    const ref: DanglingReference = { type: entry.type, from: this.ref(from), missing, path: entry.path, message: entry.message };
    this.dangling.push(ref);
    const key = this.keyFor(from);
    const list = this.danglingByKey.get(key);
    if (list) list.push(ref);
    else this.danglingByKey.set(key, [ref]);
  }

  // ---------------------------------------------------------------- queries

  get(kind: string, namespace: string | undefined, name: string): K8sObject | undefined {
    const namespaced = NAMESPACED.get(kind);
    if (namespaced === false) return this.byKey.get(objectKey(kind, undefined, name));
    return this.byKey.get(objectKey(kind, namespace || undefined, name));
  }

  objectsOfKind(kind: string): K8sObject[] {
    return [...(this.byKind.get(kind) ?? [])];
  }

  ref(obj: K8sObject): ResourceRef {
    const ref: ResourceRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: nameOf(obj) };
    if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
    if (obj.metadata.uid) ref.uid = obj.metadata.uid;
    return ref;
  }

  topOwner(obj: K8sObject): K8sObject {
    const cached = this.topOwnerCache.get(obj);
    if (cached) return cached;
    const seen = new Set<K8sObject>([obj]);
    let current = obj;
    for (let owner = this.controllerOwner(current); owner && !seen.has(owner); owner = this.controllerOwner(current)) {
      seen.add(owner);
      current = owner;
    }
    this.topOwnerCache.set(obj, current);
    return current;
  }

  workloads(): K8sObject[] {
    return [...this.workloadList];
  }

  /**
   * Pods owned by the workload. Manifests usually hold no pods (empty), but a `kubectl get -o yaml`
   * dump does, and its pods are as live as a snapshot's. A Pod manifest is not a running pod, though.
   */
  podsOf(workload: K8sObject): K8sObject[] {
    // Already sorted: pods are indexed in snapshot order (kind, namespace, name).
    return [...(this.podsByAncestor.get(this.canonical(workload)) ?? [])];
  }

  selectedByService(service: K8sObject): K8sObject[] {
    return this.neighbours(service, 'out', 'selects');
  }

  servicesFor(workloadOrPod: K8sObject): K8sObject[] {
    return this.incomingOrFromOwner(workloadOrPod, 'selects');
  }

  ingressesFor(service: K8sObject): K8sObject[] {
    return this.neighbours(service, 'in', 'routes-to');
  }

  pdbsFor(workloadOrPod: K8sObject): K8sObject[] {
    return this.incomingOrFromOwner(workloadOrPod, 'protects');
  }

  hpasFor(workload: K8sObject): K8sObject[] {
    return this.neighbours(workload, 'in', 'scales');
  }

  networkPoliciesFor(workloadOrPod: K8sObject): K8sObject[] {
    return this.incomingOrFromOwner(workloadOrPod, 'applies-to');
  }

  namespaceHasNetworkPolicy(namespace: string): boolean {
    return this.namespacesWithPolicy.has(namespace);
  }

  mountersOf(pvc: K8sObject): K8sObject[] {
    return this.neighbours(pvc, 'in', 'mounts');
  }

  nodeOf(pod: K8sObject): K8sObject | undefined {
    return this.nodeByPod.get(this.canonical(pod));
  }

  largestNodeAllocatable(): { cpu: number; memory: number; node: string } | undefined {
    if (this.nodeAllocatable === null) this.nodeAllocatable = computeLargestAllocatable(this.byKind.get('Node') ?? []);
    return this.nodeAllocatable ? { ...this.nodeAllocatable } : undefined;
  }

  protectedBy(pdb: K8sObject): K8sObject[] {
    return [...(this.selectionTargets.get(this.canonical(pdb)) ?? [])];
  }

  bindingsOf(role: K8sObject): K8sObject[] {
    return this.neighbours(role, 'in', 'binds-role');
  }

  danglingReferences(): DanglingReference[] {
    return [...this.dangling];
  }

  danglingFrom(obj: K8sObject): DanglingReference[] {
    return [...(this.danglingByKey.get(this.keyFor(obj)) ?? [])];
  }

  // ---------------------------------------------------------------- query helpers

  /** The indexed object with the same key (callers may pass copies of objects). */
  private canonical(obj: K8sObject): K8sObject {
    return this.byKey.get(this.keyFor(obj)) ?? obj;
  }

  /** Objects at the other end of edges of one type, sorted, memoized. Synthetic nodes are left out. */
  private neighbours(obj: K8sObject, direction: 'in' | 'out', type: EdgeType): K8sObject[] {
    const key = this.keyFor(obj);
    const cacheKey = `${direction}\u0000${type}\u0000${key}`;
    const cached = this.queryCache.get(cacheKey);
    if (cached) return [...cached];
    const found = new Set<K8sObject>();
    if (SELECTION_TYPES.has(type)) {
      const canonical = this.byKey.get(key);
      const list = canonical
        ? direction === 'out'
          ? this.selectionTargets.get(canonical)
          : this.selectorsOf[type as SelectionType].get(canonical)
        : undefined;
      for (const other of list ?? []) found.add(other);
    } else if (this.graph.hasNode(key)) {
      const visit = (_edge: string, attrs: EdgeAttributes, source: string, target: string) => {
        if (attrs.type !== type) return;
        const other = this.graph.getNodeAttributes(direction === 'in' ? source : target).object;
        if (other) found.add(other);
      };
      if (direction === 'in') this.graph.forEachInEdge(key, visit);
      else this.graph.forEachOutEdge(key, visit);
    }
    const result = [...found].sort(compareObjects);
    this.queryCache.set(cacheKey, result);
    return [...result];
  }

  /**
   * Selections are computed for pods and top-level workloads; an owned ReplicaSet or Job (or a copy
   * of a pod's owner) answers with what its top owner gets.
   */
  private incomingOrFromOwner(obj: K8sObject, type: EdgeType): K8sObject[] {
    const canonical = this.canonical(obj);
    if (canonical.kind !== 'Pod' && !this.workloadSet.has(canonical)) {
      const top = this.topOwner(canonical);
      if (top !== canonical) return this.neighbours(top, 'in', type);
    }
    return this.neighbours(canonical, 'in', type);
  }
}

function storageClassOf(obj: K8sObject): { className: string | undefined; path: string } {
  const fromSpec = obj.spec?.storageClassName;
  if (typeof fromSpec === 'string') return { className: fromSpec || undefined, path: 'spec.storageClassName' };
  const annotation = obj.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  if (typeof annotation === 'string' && annotation) {
    return { className: annotation, path: 'metadata.annotations.volume.beta.kubernetes.io/storage-class' };
  }
  return { className: undefined, path: 'spec.storageClassName' };
}

/**
 * The largest allocatable CPU and memory over all nodes, each taken independently (a pod whose
 * request exceeds either can never be scheduled); `node` names the node with the most memory.
 */
function computeLargestAllocatable(nodes: K8sObject[]): { cpu: number; memory: number; node: string } | undefined {
  let best: { cpu: number; memory: number; node: string } | undefined;
  let bestNodeMemory = -1;
  for (const node of nodes) {
    const cpu = parseQuantity(node.status?.allocatable?.cpu);
    const memory = parseQuantity(node.status?.allocatable?.memory);
    if (!Number.isFinite(cpu) && !Number.isFinite(memory)) continue;
    if (!best) best = { cpu: 0, memory: 0, node: nameOf(node) };
    if (Number.isFinite(cpu)) best.cpu = Math.max(best.cpu, cpu);
    if (Number.isFinite(memory)) {
      best.memory = Math.max(best.memory, memory);
      if (memory > bestNodeMemory) {
        bestNodeMemory = memory;
        best.node = nameOf(node);
      }
    }
  }
  return best;
}
