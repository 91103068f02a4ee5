import type { K8sObject } from '../schema/snapshot.js';
import type { Evidence } from '../schema/finding.js';
import type { DiagnosisCause } from '../schema/diagnosis.js';
import type { ClusterGraph } from '../graph/types.js';
import type { EventIndex } from './events.js';
import type { ConfigProblem, ImagePullProblem, MountProblem, SchedulingReason } from './messages.js';
import type { SchedulingAnalysis } from './scheduling.js';

export interface Alternative {
  cause: DiagnosisCause;
  confidence: number;
  explanation: string;
}

/** Cause-specific facts the remediation and the summary need. */
export interface ProblemDetails {
  container?: string;
  /** `containers` or `initContainers`: where the container sits in the pod spec. */
  containerList?: 'containers' | 'initContainers';
  exitCode?: number;
  terminationReason?: string;
  restartCount?: number;
  /** Effective memory limit/request of the container on the pod (LimitRange defaults included), bytes. */
  memoryLimit?: number;
  memoryRequest?: number;
  image?: string;
  imageProblem?: ImagePullProblem;
  schedulingReasons?: SchedulingReason[];
  schedulerMessage?: string;
  /** unschedulable: the named blockers, each with its summary clause and fix, and the capacity fit. */
  scheduling?: SchedulingAnalysis;
  /** Total pod requests (cores, bytes). */
  requests?: { cpu: number; memory: number };
  config?: ConfigProblem;
  mount?: MountProblem;
  probeMessage?: string;
  evictedResource?: string;
  /** rollout-stuck: the new ReplicaSet named in the Progressing condition. */
  replicaSet?: string;
  /** node-not-ready on a pod: the node it runs on. */
  node?: string;
  /** node-pressure: the condition types that are True. */
  pressures?: string[];
}

/** One cause observed on one pod (or on a workload/node for rollout-stuck and node causes). */
export interface Problem {
  cause: DiagnosisCause;
  /** The pod (or Deployment / Node) the evidence is about. */
  subject: K8sObject;
  confidence: number;
  /** One sentence about this subject. */
  explanation: string;
  evidence: Evidence[];
  alternatives: Alternative[];
  /** The subject is serving nothing right now (not Ready / not running). */
  down: boolean;
  details: ProblemDetails;
}

export interface DiagnosisContext {
  graph: ClusterGraph;
  events: EventIndex;
  /** snapshot.capturedAt: every "recent" is measured against it, never against the wall clock. */
  capturedAt: string;
  /** PodMetrics by `namespace/name`. */
  podMetrics: Map<string, K8sObject>;
  /**
   * Kinds listed completely from a live cluster: only for these does "not in the snapshot" mean
   * "does not exist" (a manifest set or a forbidden kind proves nothing).
   */
  completeKinds: Set<string>;
}
