/**
 * Parsers for the texts the kubelet and the scheduler print (container state messages and event
 * messages). They only read well-known shapes; anything else falls back to `other` so the caller
 * can still quote the raw message.
 */

/** What a container exit code usually means (128 + n = killed by signal n). */
export function exitCodeMeaning(code: number): string {
  switch (code) {
    case 0:
      return 'exited successfully';
    case 1:
      return 'application error (the process exited with status 1)';
    case 2:
      return 'misuse of a shell builtin or bad arguments';
    case 126:
      return 'command found but not executable (permission problem or wrong binary)';
    case 127:
      return 'command not found (wrong command/entrypoint or missing binary in the image)';
    case 128:
      return 'invalid exit argument';
    case 134:
      return 'SIGABRT (the process aborted itself)';
    case 137:
      return 'SIGKILL (killed by the OOM killer, a failed liveness probe or a forced stop)';
    case 139:
      return 'SIGSEGV (segmentation fault)';
    case 143:
      return 'SIGTERM (asked to stop: liveness probe failure, eviction or shutdown)';
    case 255:
      return 'exit status out of range or unspecified fatal error';
    default:
      if (code > 128 && code < 160) return `killed by signal ${code - 128}`;
      return `application exited with status ${code}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Scheduler: "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu.
// preemption: 0/3 nodes are available: ..."

export type SchedulingReasonKind =
  | 'no-nodes'
  | 'unbound-pvc'
  | 'insufficient'
  | 'taint'
  | 'node-selector'
  | 'pod-affinity'
  | 'volume'
  | 'cordoned'
  | 'ports'
  | 'too-many-pods'
  | 'other';

export interface SchedulingReason {
  kind: SchedulingReasonKind;
  /** How many nodes gave this reason (undefined for pod-level reasons such as unbound PVCs). */
  nodes?: number;
  /** `cpu`, `memory`, `nvidia.com/gpu` for insufficient; the taint `key: value` for taint. */
  detail?: string;
  /** The fragment as the scheduler printed it. */
  text: string;
}

export interface SchedulerMessage {
  available?: number;
  total?: number;
  reasons: SchedulingReason[];
}

export function parseSchedulerMessage(message: string): SchedulerMessage {
  // kube-scheduler's ErrNoNodesAvailable, printed when the cluster has no node at all.
  if (/no nodes available to schedule pods/i.test(message)) {
    return { available: 0, total: 0, reasons: [{ kind: 'no-nodes', nodes: 0, text: message.trim().replace(/\.+$/, '') }] };
  }
  const head = /(\d+)\/(\d+) nodes are available:?\s*/.exec(message);
  let body = head ? message.slice(head.index + head[0].length) : message;
  // The preemption part repeats the node count and says nothing new about the cause.
  const preemption = body.search(/\.?\s*preemption:/);
  if (preemption >= 0) body = body.slice(0, preemption);
  body = body.replace(/\.+\s*$/, '').trim();
  const parts = body
    // Split only at ", <count> " or ", pod has": taints contain commas (`{k: v}, that the pod didn't tolerate`).
    .split(/,\s+(?=\d+\s|pod has\s)/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  const reasons = parts.map(classifySchedulingReason);
  if (head && Number(head[2]) === 0) reasons.unshift({ kind: 'no-nodes', nodes: 0, text: head[0].trim().replace(/:$/, '') });
  return {
    available: head ? Number(head[1]) : undefined,
    total: head ? Number(head[2]) : undefined,
    reasons,
  };
}

function classifySchedulingReason(part: string): SchedulingReason {
  const counted = /^(\d+)\s+(.*)$/s.exec(part);
  const nodes = counted ? Number(counted[1]) : undefined;
  const text = counted ? counted[2] : part;
  const insufficient = /^Insufficient\s+(\S+)/.exec(text);
  if (insufficient) return { kind: 'insufficient', nodes, detail: insufficient[1], text: part };
  const taint = /taints?\s*\{([^}]*)\}/.exec(text);
  if (taint) return { kind: 'taint', nodes, detail: taint[1].trim(), text: part };
  if (/node affinity\/selector|node selector|didn't match node affinity/i.test(text)) {
    return { kind: 'node-selector', nodes, text: part };
  }
  // Pod-level: the claim is not bound (Immediate binding) or does not exist; no node is even tried.
  if (/unbound immediate PersistentVolumeClaims/i.test(text)) return { kind: 'unbound-pvc', nodes, text: part };
  const missingClaim = /persistentvolumeclaims?\s+"([^"]+)"\s+not found/i.exec(text);
  if (missingClaim) return { kind: 'unbound-pvc', nodes, detail: missingClaim[1], text: part };
  if (/volume node affinity|PersistentVolumeClaim|persistent volumes|max volume count|volume/i.test(text)) {
    return { kind: 'volume', nodes, text: part };
  }
  if (/pod affinity|anti-affinity|topology spread/i.test(text)) return { kind: 'pod-affinity', nodes, text: part };
  if (/were unschedulable|unschedulable/i.test(text)) return { kind: 'cordoned', nodes, text: part };
  if (/free ports/i.test(text)) return { kind: 'ports', nodes, text: part };
  if (/Too many pods/i.test(text)) return { kind: 'too-many-pods', nodes, text: part };
  return { kind: 'other', nodes, text: part };
}

// ---------------------------------------------------------------------------------------------
// Image pulls: classify the kubelet/containerd error text.

export type ImagePullProblem = 'invalid-name' | 'never-pull' | 'rate-limited' | 'not-found' | 'auth' | 'unreachable' | 'unknown';

export function classifyImagePullMessage(text: string): ImagePullProblem {
  const t = text.toLowerCase();
  if (/invalid reference format|couldn't parse image reference|invalidimagename/.test(t)) return 'invalid-name';
  if (/pull policy of never|errimageneverpull/.test(t)) return 'never-pull';
  if (/toomanyrequests|rate limit|429 too many requests/.test(t)) return 'rate-limited';
  // Docker Hub answers "pull access denied, repository does not exist or may require authorization"
  // for both cases; it is reported as auth with the ambiguity spelled out by the caller.
  if (/pull access denied|unauthorized|401|403 forbidden|authorization failed|authentication required|denied:|no basic auth credentials|failed to authorize/.test(t)) {
    return 'auth';
  }
  if (/manifest unknown|not found|notfound|no such image|does not exist/.test(t)) return 'not-found';
  if (/no such host|i\/o timeout|connection refused|network is unreachable|tls handshake timeout|x509:|dial tcp|context deadline exceeded|server misbehaving|connection reset/.test(t)) {
    return 'unreachable';
  }
  return 'unknown';
}

export function imagePullAdvice(problem: ImagePullProblem, image: string): string {
  switch (problem) {
    case 'invalid-name':
      return `The image reference "${image}" is not valid (repository names must be lowercase, tag after ':'). Fix the image field.`;
    case 'never-pull':
      return `imagePullPolicy is Never and "${image}" is not on the node. Pre-load the image or use IfNotPresent.`;
    case 'rate-limited':
      return `The registry rate-limited the pull of "${image}". Authenticate pulls with an imagePullSecret or mirror the image.`;
    case 'not-found':
      return `The tag or repository of "${image}" does not exist in the registry. Check the tag was pushed (e.g. \`crane ls\` / registry UI) and fix the image reference.`;
    case 'auth':
      return `The registry refused to serve "${image}" without credentials (or the repository does not exist). Check that an imagePullSecret with valid credentials for this registry is referenced by the pod or its ServiceAccount, and that the repository name is right.`;
    case 'unreachable':
      return `The node could not reach the registry for "${image}" (DNS, firewall, proxy or TLS). Check egress/DNS from the nodes to the registry host.`;
    default:
      return `Pulling "${image}" failed; check the image reference, registry credentials and that the nodes can reach the registry.`;
  }
}

// ---------------------------------------------------------------------------------------------
// CreateContainerConfigError messages.

export interface ConfigProblem {
  kind: 'missing-object' | 'missing-key' | 'run-as-root' | 'other';
  objectKind?: 'Secret' | 'ConfigMap';
  namespace?: string;
  name?: string;
  key?: string;
}

export function parseConfigErrorMessage(message: string): ConfigProblem {
  const key = /couldn't find key (\S+) in (Secret|ConfigMap) (?:([^/\s]+)\/)?([^\s,]+)/i.exec(message);
  if (key) {
    return {
      kind: 'missing-key',
      key: key[1],
      objectKind: normaliseConfigKind(key[2]),
      namespace: key[3],
      name: key[4],
    };
  }
  const missing = /(secret|configmap)s?\s+"([^"]+)"\s+not found/i.exec(message);
  if (missing) return { kind: 'missing-object', objectKind: normaliseConfigKind(missing[1]), name: missing[2] };
  if (/runAsNonRoot and image will run as root|non-numeric user/i.test(message)) return { kind: 'run-as-root' };
  return { kind: 'other' };
}

function normaliseConfigKind(text: string): 'Secret' | 'ConfigMap' {
  return text.toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap';
}

// ---------------------------------------------------------------------------------------------
// FailedMount / FailedAttachVolume event messages.

export interface MountProblem {
  kind: 'missing-object' | 'multi-attach' | 'timeout' | 'attach-failed' | 'other';
  volume?: string;
  objectKind?: 'Secret' | 'ConfigMap' | 'PersistentVolumeClaim';
  name?: string;
}

export function parseMountMessage(message: string): MountProblem {
  const volume = /for volume "([^"]+)"/.exec(message)?.[1];
  const missing = /(secret|configmap|persistentvolumeclaim)s?\s+"([^"]+)"\s+not found/i.exec(message);
  if (missing) {
    const k = missing[1].toLowerCase();
    const objectKind = k === 'secret' ? 'Secret' : k === 'configmap' ? 'ConfigMap' : 'PersistentVolumeClaim';
    return { kind: 'missing-object', volume, objectKind, name: missing[2] };
  }
  if (/Multi-Attach error/i.test(message)) return { kind: 'multi-attach', volume };
  const unmounted = /unmounted volumes=\[([^\]]*)\]/.exec(message);
  if (unmounted || /timed out waiting for the condition|context deadline exceeded/i.test(message)) {
    return { kind: 'timeout', volume: volume ?? unmounted?.[1].split(/\s+/)[0] };
  }
  if (/AttachVolume\.Attach failed/i.test(message)) return { kind: 'attach-failed', volume };
  return { kind: 'other', volume };
}

/** "The node was low on resource: memory. Threshold quantity: 100Mi, available: 80Mi. ..." → `memory`. */
export function evictionResource(message: string): string | undefined {
  return /low on resource:\s*([\w-]+)/i.exec(message)?.[1];
}
