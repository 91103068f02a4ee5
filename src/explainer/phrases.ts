/**
 * The template explainer's wording: per rule id and per diagnosis cause, an `immediate` step (get it
 * working or safe now, no side effects beyond the fix itself) and a `longTerm` step (stop it coming back).
 * Unknown rule ids (user rules) get a generic phrase built from the finding's own title and remediation.
 */
import type { DiagnosisCause } from '../schema/diagnosis.js';
import { resourceLabel, type DiagnosisFact, type FindingFact } from './facts.js';

/** What a phrase may use: all taken from the facts, never invented. */
export interface PhraseContext {
  /** `Deployment shop/web` */
  res: string;
  name: string;
  namespace: string;
  /** `container "app"` / `the pod template` */
  where: string;
  /** The first evidence value, if any. */
  value: string;
  pods: number;
  /** `fix-…` sentence when a generated remediation exists, else ''. */
  fix: string;
}

export interface StepPhrases {
  immediate: (c: PhraseContext) => string;
  longTerm: (c: PhraseContext) => string;
}

const POLICY = 'Enforce it with a CI check on the manifests and an admission policy (Pod Security Admission "restricted", Kyverno or Gatekeeper).';

export const RULE_PHRASES: Record<string, StepPhrases> = {
  // reliability
  'missing-cpu-request': {
    immediate: (c) => `Set resources.requests.cpu for ${c.where} of ${c.res} to its observed typical usage so the scheduler can place it.${c.fix}`,
    longTerm: () => 'Require CPU requests in every workload (a LimitRange default per namespace plus a CI check), and revisit them with usage data.',
  },
  'missing-memory-request': {
    immediate: (c) => `Set resources.requests.memory for ${c.where} of ${c.res} to its observed working set.${c.fix}`,
    longTerm: () => 'Require memory requests everywhere (LimitRange defaults per namespace, CI check) so nodes are not overcommitted.',
  },
  'missing-memory-limit': {
    immediate: (c) => `Set resources.limits.memory for ${c.where} of ${c.res} (start at 1.5–2× the memory request) so one leak cannot exhaust the node.${c.fix}`,
    longTerm: () => 'Give every namespace a LimitRange with a default memory limit and alert on containers nearing their limit.',
  },
  'missing-cpu-limit': {
    immediate: (c) => `No action is urgent for ${c.res}: a missing CPU limit only matters on noisy shared nodes. Set one if this workload starves neighbours.${c.fix}`,
    longTerm: () => 'Decide a team-wide CPU-limit policy (many teams use requests only) and encode it as a LimitRange.',
  },
  'missing-readiness-probe': {
    immediate: (c) => `Add a readinessProbe to ${c.where} of ${c.res} on its serving port so traffic only reaches ready pods.${c.fix}`,
    longTerm: () => 'Make readiness probes part of the service template and check them in CI for every workload behind a Service.',
  },
  'missing-liveness-probe': {
    immediate: (c) => `Add a livenessProbe to ${c.where} of ${c.res} on a cheap health endpoint, with a generous initialDelaySeconds/failureThreshold.${c.fix}`,
    longTerm: () => 'Standardise a /healthz endpoint and probe settings in the service template.',
  },
  'single-replica': {
    immediate: (c) => `Scale ${c.res} to at least 2 replicas so a node drain or pod restart does not take it down.${c.fix}`,
    longTerm: () => 'Run every served workload with ≥2 replicas, a PodDisruptionBudget and topology spread; add an HPA where load varies.',
  },
  'image-latest-tag': {
    immediate: (c) => `Pin ${c.where} of ${c.res} to the exact version or digest that is running now (current: ${c.value || 'untagged'}).${c.fix}`,
    longTerm: () => 'Have CI publish immutable version tags (or digests) and reject :latest / untagged images at admission.',
  },
  'missing-pdb': {
    immediate: (c) => `Create a PodDisruptionBudget for ${c.res} (e.g. maxUnavailable: 1) so node drains keep it serving.${c.fix}`,
    longTerm: () => 'Ship a PodDisruptionBudget with every multi-replica workload (Helm chart / kustomize base).',
  },
  'pdb-blocks-eviction': {
    immediate: (c) => `Relax the PodDisruptionBudget covering ${c.res} (maxUnavailable ≥ 1) so node drains and upgrades can proceed.${c.fix}`,
    longTerm: () => 'Size PDBs from replica counts (maxUnavailable: 1 rather than minAvailable = replicas) and review them on every scale change.',
  },
  'no-pod-spread': {
    immediate: (c) => `Add topologySpreadConstraints (or preferred pod anti-affinity) to ${c.res} so its replicas do not share one node.${c.fix}`,
    longTerm: () => 'Put a default topology spread (hostname and zone) in the workload template.',
  },
  'hpa-target-missing': {
    immediate: (c) => `Point the HorizontalPodAutoscaler ${c.res} at the workload that exists, or delete it.${c.fix}`,
    longTerm: () => 'Deploy the HPA in the same chart/kustomization as its target so renames cannot orphan it.',
  },
  'hpa-missing-high-cpu': {
    immediate: (c) => `Check whether ${c.res} needs its large CPU request all the time; add a HorizontalPodAutoscaler if load varies.${c.fix}`,
    longTerm: () => 'Autoscale large workloads (HPA on CPU or a business metric) and right-size requests from usage.',
  },
  'pvc-unbound': {
    immediate: (c) => `Find why ${c.res} is Pending from its events: usually a missing StorageClass, a quota or a zone mismatch.${c.fix}`,
    longTerm: () => 'Set a default StorageClass and alert on PVCs that stay Pending.',
  },
  'pvc-missing-storage-class': {
    immediate: (c) => `Set storageClassName on ${c.res} to a StorageClass that exists in the cluster (referenced: ${c.value || 'none'}).${c.fix}`,
    longTerm: () => 'Keep StorageClass names in one shared values file and make one class the cluster default.',
  },
  'selector-template-mismatch': {
    immediate: (c) => `Make the selector of ${c.res} match its pod template labels; until then it manages no pods.${c.fix}`,
    longTerm: () => 'Generate selectors and template labels from one value in the chart/kustomization.',
  },
  'deprecated-api-version': {
    immediate: (c) => `Migrate ${c.res} to the replacement apiVersion before upgrading the cluster (current: ${c.value || 'deprecated'}).${c.fix}`,
    longTerm: () => 'Run a deprecated-API check in CI before every Kubernetes upgrade.',
  },
  // architecture
  'service-selects-no-pods': {
    immediate: (c) => `Fix the selector of ${c.res} to match the labels of the pods it should serve, or remove the Service.${c.fix}`,
    longTerm: () => 'Derive Service selectors from the same label value as the workload template.',
  },
  'service-port-mismatch': {
    immediate: (c) => `Set targetPort of ${c.res} to a port the selected containers actually expose.${c.fix}`,
    longTerm: () => 'Use named container ports and refer to them by name from Services.',
  },
  'ingress-backend-missing': {
    immediate: (c) => `Point the backend of ${c.res} at an existing Service (or create the missing one); requests to it fail now.${c.fix}`,
    longTerm: () => 'Deploy Ingresses with their Services in one unit, and test routes after each deploy.',
  },
  'missing-reference': {
    immediate: (c) => `Create the object ${c.res} refers to, or remove the reference; pods that need it cannot start.${c.fix}`,
    longTerm: () => 'Ship ConfigMaps, Secrets (via an external secrets operator) and ServiceAccounts with the workload that uses them.',
  },
  'workload-in-default-namespace': {
    immediate: (c) => `Nothing is broken; plan to move ${c.res} to its own namespace.${c.fix}`,
    longTerm: () => 'Give each team/application a namespace with its own quota, NetworkPolicy and RBAC.',
  },
  // security
  'privileged-container': {
    immediate: (c) => `Remove securityContext.privileged from ${c.where} of ${c.res}; grant only the specific capability it needs.${c.fix}`,
    longTerm: () => `Forbid privileged pods outside system namespaces. ${POLICY}`,
  },
  'privilege-escalation-allowed': {
    immediate: (c) => `Set allowPrivilegeEscalation: false on ${c.where} of ${c.res}.${c.fix}`,
    longTerm: () => `Put the restricted securityContext in the workload template. ${POLICY}`,
  },
  'run-as-root': {
    immediate: (c) => `Set runAsNonRoot: true and a non-zero runAsUser for ${c.where} of ${c.res}, after checking the image works as a non-root user.${c.fix}`,
    longTerm: () => `Build images with a non-root USER. ${POLICY}`,
  },
  'writable-root-filesystem': {
    immediate: (c) => `Set readOnlyRootFilesystem: true on ${c.where} of ${c.res}, mounting an emptyDir where it must write.${c.fix}`,
    longTerm: () => 'Make read-only root filesystems the template default.',
  },
  'host-network': {
    immediate: (c) => `Remove hostNetwork from ${c.res} unless it is a node agent that needs it; document the exception with clustergpt.io/exempt.${c.fix}`,
    longTerm: () => `Allow host namespaces only for named node agents. ${POLICY}`,
  },
  'host-pid': {
    immediate: (c) => `Remove hostPID from ${c.res} unless it is a node agent that needs it.${c.fix}`,
    longTerm: () => `Allow host namespaces only for named node agents. ${POLICY}`,
  },
  'host-ipc': {
    immediate: (c) => `Remove hostIPC from ${c.res}.${c.fix}`,
    longTerm: () => `Allow host namespaces only for named node agents. ${POLICY}`,
  },
  'host-path-mount': {
    immediate: (c) => `Replace the hostPath volume of ${c.res} (${c.value || 'host path'}) with a PVC or emptyDir, or mount it readOnly and as narrow as possible.${c.fix}`,
    longTerm: () => `Restrict hostPath to an allow-list of paths for node agents. ${POLICY}`,
  },
  'container-runtime-socket-mount': {
    immediate: (c) => `Remove the container runtime socket mount from ${c.res}: it gives root on the node.${c.fix}`,
    longTerm: () => 'Build images with rootless builders (kaniko, buildkit rootless) instead of the node runtime.',
  },
  'dangerous-capabilities': {
    immediate: (c) => `Drop the added capability (${c.value || 'see evidence'}) from ${c.where} of ${c.res}, or replace it with the narrowest one that works.${c.fix}`,
    longTerm: () => `Default to capabilities.drop: [ALL]. ${POLICY}`,
  },
  'seccomp-unconfined': {
    immediate: (c) => `Set seccompProfile.type: RuntimeDefault on ${c.res}.${c.fix}`,
    longTerm: () => 'Set RuntimeDefault seccomp in the workload template or enable the kubelet SeccompDefault feature.',
  },
  'default-service-account': {
    immediate: (c) => `Give ${c.res} its own ServiceAccount with only the permissions it needs.${c.fix}`,
    longTerm: () => 'Create one ServiceAccount per workload in its chart and never bind roles to "default".',
  },
  'automount-service-account-token': {
    immediate: (c) => `Set automountServiceAccountToken: false on ${c.res} if it does not call the Kubernetes API.${c.fix}`,
    longTerm: () => 'Disable token automount on ServiceAccounts by default; opt in per workload.',
  },
  'secret-in-env-literal': {
    immediate: (c) => `Move the credential in ${c.where} of ${c.res} into a Secret referenced with valueFrom.secretKeyRef, and rotate it: it has been visible in the manifest.${c.fix}`,
    longTerm: () => 'Keep credentials out of manifests (External Secrets / Sealed Secrets) and scan repos for secrets in CI.',
  },
  'rbac-wildcard': {
    immediate: (c) => `Replace the '*' in ${c.res} with the exact verbs, resources and API groups its users need.${c.fix}`,
    longTerm: () => 'Review RBAC changes in pull requests and audit roles with wildcards regularly.',
  },
  'cluster-admin-binding': {
    immediate: (c) => `Remove the cluster-admin binding ${c.res} or bind a narrower role scoped to a namespace.${c.fix}`,
    longTerm: () => 'Reserve cluster-admin for break-glass access through your identity provider.',
  },
  'rbac-secrets-read': {
    immediate: (c) => `Limit the secrets access in ${c.res} to named resources (resourceNames) or remove list/watch.${c.fix}`,
    longTerm: () => 'Review who can read Secrets each quarter; prefer external secret stores.',
  },
  'rbac-pod-exec': {
    immediate: (c) => `Remove pods/exec and pods/attach from ${c.res} unless its subjects are on-call humans.${c.fix}`,
    longTerm: () => 'Grant exec through a just-in-time access process with audit logging.',
  },
  'namespace-without-network-policy': {
    immediate: (c) => `Add a default-deny NetworkPolicy to namespace ${c.name} plus allow rules for its real traffic.${c.fix}`,
    longTerm: () => 'Create every namespace with a default-deny NetworkPolicy (namespace template / controller).',
  },
  // cost
  'overprovisioned-request': {
    immediate: (c) => `Lower the request of ${c.where} of ${c.res} (${c.value || 'see evidence'}) toward its observed usage.${c.fix}`,
    longTerm: () => 'Right-size requests regularly from usage data (VPA in recommendation mode or a usage report).',
  },
  'requests-exceed-largest-node': {
    immediate: (c) => `Reduce the requests of ${c.res} below the largest node's allocatable (requested ${c.value || 'see evidence'}), or add a node pool big enough; until then its pods stay Pending.${c.fix}`,
    longTerm: () => 'Check requests against node sizes in CI and let the cluster autoscaler offer a larger instance type.',
  },
  'orphaned-pvc': {
    immediate: (c) => `Confirm ${c.res} is unused, snapshot it, then delete it to stop paying for the disk.${c.fix}`,
    longTerm: () => 'Label PVCs with an owner and clean up volumes when workloads are removed.',
  },
  'low-node-utilization': {
    immediate: (c) => `Cordon and drain ${c.res} if its workloads fit elsewhere, then remove it.${c.fix}`,
    longTerm: () => 'Let the cluster autoscaler (or Karpenter) consolidate under-used nodes.',
  },
};

export const CAUSE_PHRASES: Record<DiagnosisCause, StepPhrases> = {
  'oom-killed': {
    immediate: (c) => `Raise the memory limit of ${c.res} (${c.pods} pod(s) OOMKilled) to the value in the generated fix so it stops restarting.${c.fix}`,
    longTerm: () => 'Measure peak memory under load, set request and limit from it, alert on containers near their limit and look for leaks.',
  },
  'crash-loop': {
    immediate: (c) => `Read the logs of the previous (crashed) container of ${c.res} to find the cause; roll back to the last good version if it followed a deploy.${c.fix}`,
    longTerm: () => 'Gate deploys on readiness (progressive rollout) and alert on restart counts.',
  },
  'image-pull-failure': {
    immediate: (c) => `Check the image reference of ${c.res} exists (tag/digest) and that imagePullSecrets grant access to the registry.${c.fix}`,
    longTerm: () => 'Deploy only images CI has pushed and verified, by digest; monitor registry credentials for expiry.',
  },
  unschedulable: {
    // The blocker (no nodes, node selector, taint, unbound claim or capacity) is named in the
    // diagnosis and its remediation; a fixed "lower the requests" here would contradict most of them.
    immediate: (c) => `Clear the scheduling blocker the summary names for ${c.res}; its ${c.pods} pod(s) stay Pending until then.${c.fix}`,
    longTerm: () => 'Check pod templates against the cluster in CI (requests against node sizes, node selectors against node labels, tolerations against taints, StorageClasses that exist) and run the cluster autoscaler.',
  },
  'config-error': {
    immediate: (c) => `Create the missing ConfigMap/Secret key that ${c.res} references, or fix the reference, then let the pods restart.${c.fix}`,
    longTerm: () => 'Deploy configuration with the workload in one unit and validate references in CI.',
  },
  'mount-failure': {
    immediate: (c) => `Fix the volume ${c.res} cannot mount (missing PVC/Secret/ConfigMap or a Pending claim).${c.fix}`,
    longTerm: () => 'Ship volumes and their claims with the workload; alert on Pending PVCs and FailedMount events.',
  },
  'not-ready': {
    immediate: (c) => `Check why the readiness probe of ${c.res} fails (dependency down, wrong port/path) before changing the probe.${c.fix}`,
    longTerm: () => 'Make readiness reflect the service\'s own health, not its dependencies, and alert on unready endpoints.',
  },
  evicted: {
    immediate: (c) => `Delete the evicted pods of ${c.res} and free space/memory on the node that evicted them.${c.fix}`,
    longTerm: () => 'Set requests close to real usage and give ephemeral storage limits so the kubelet does not need to evict.',
  },
  'rollout-stuck': {
    immediate: (c) => `Roll ${c.res} back to the last working revision or fix the new pods' blocking problem; the rollout has stalled.${c.fix}`,
    longTerm: () => 'Use progressDeadlineSeconds with automated rollback (Argo Rollouts / Flagger) and alert on ProgressDeadlineExceeded.',
  },
  'node-not-ready': {
    immediate: (c) => `Cordon ${c.res} and check the kubelet and container runtime on it; its pods will be rescheduled.${c.fix}`,
    longTerm: () => 'Use node auto-repair (managed node groups) and alert on NotReady nodes.',
  },
  'node-pressure': {
    immediate: (c) => `Free disk or memory on ${c.res} (images, logs, emptyDir) before the kubelet evicts more pods.${c.fix}`,
    longTerm: () => 'Size node disks for images and logs, set ephemeral-storage requests/limits and alert on node pressure conditions.',
  },
};

/** `container:app` → `container "app"`; no element → `its pod template`. */
function describeElement(element: string | undefined): string {
  if (!element) return 'the pod template';
  const match = /^([a-zA-Z]+):(.*)$/.exec(element);
  return match ? `${match[1]} "${match[2]}"` : element;
}

function fixSentence(remediationId: string | null): string {
  return remediationId ? ` A fix is generated: ${remediationId}.` : '';
}

export function findingContext(f: FindingFact): PhraseContext {
  return {
    res: resourceLabel(f.resource),
    name: f.resource.name,
    namespace: f.resource.namespace ?? '',
    where: describeElement(f.element),
    value: f.evidence.find((e) => e.value !== undefined && e.value !== '<unset>')?.value ?? '',
    pods: f.podsAffected ?? 0,
    fix: fixSentence(f.remediationId),
  };
}

export function diagnosisContext(d: DiagnosisFact): PhraseContext {
  return {
    res: resourceLabel(d.resource),
    name: d.resource.name,
    namespace: d.resource.namespace ?? '',
    where: 'its pods',
    value: '',
    pods: d.podsAffected,
    fix: fixSentence(d.remediationId),
  };
}

/** A finding from a rule we have no phrase for (a user rule): its own title and remediation text. */
export function genericFindingSteps(f: FindingFact, c: PhraseContext): { immediate: string; longTerm: string } {
  return {
    immediate: `Fix "${f.title}" on ${c.res}: ${f.message}${c.fix}`,
    longTerm: `Add the ${f.ruleId} check to CI and the workload templates so new ${f.resource.kind}s do not repeat it.`,
  };
}

export function findingSteps(f: FindingFact): { immediate: string; longTerm: string } {
  const c = findingContext(f);
  const phrases = RULE_PHRASES[f.ruleId];
  if (!phrases) return genericFindingSteps(f, c);
  return { immediate: phrases.immediate(c), longTerm: phrases.longTerm(c) };
}

export function diagnosisSteps(d: DiagnosisFact): { immediate: string; longTerm: string } {
  const c = diagnosisContext(d);
  const phrases = CAUSE_PHRASES[d.cause];
  return { immediate: phrases.immediate(c), longTerm: phrases.longTerm(c) };
}
