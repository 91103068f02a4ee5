/**
 * The typed interface of each pipeline stage. Each stage folder exports exactly the function
 * named here from its index.ts; src/pipeline.ts wires them in the order of the product diagram:
 *
 * connector | manifests | snapshot file → graph builder → rule engine + cost analyst + diagnosis
 *   → patch generator → explainer → reports
 *
 * (The patch generator runs before the explainer because the explainer may only cite
 * remediations by id, so they must exist first.)
 */
import type { Snapshot } from './schema/snapshot.js';
import type { Finding } from './schema/finding.js';
import type { Diagnosis } from './schema/diagnosis.js';
import type { CostReport } from './schema/cost.js';
import type { GeneratedRemediation } from './schema/remediation.js';
import type { Explanation, ExplanationMeta } from './schema/explanation.js';
import type { Report } from './schema/report.js';
import type { ClusterGraph } from './graph/types.js';
import type { Logger } from './common/logger.js';

/** src/connector: captureCluster(options, log) → Snapshot */
/** `-n` / `--exclude-namespace`: the same meaning for a live cluster, a snapshot and manifests. */
export interface NamespaceScope {
  /** Only these namespaces; empty = all. */
  namespaces: string[];
  excludeNamespaces: string[];
}

export interface ConnectorOptions {
  kubeconfig?: string;
  context?: string;
  /** Only these namespaces (namespaced kinds are listed per namespace); empty/undefined = all. */
  namespaces?: string[];
  excludeNamespaces?: string[];
  /** Overall deadline for the whole capture, ms. */
  timeoutMs?: number;
  /** Max kinds listed at once. */
  concurrency?: number;
  /** `limit` for paginated lists. */
  pageSize?: number;
}

/** A problem met while loading input that did not stop the run (reported, and exit 2 unless --keep-going). */
export interface InputProblem {
  file?: string;
  line?: number;
  message: string;
}

/** src/manifests: loadManifests(paths, options, log) → { snapshot, problems, warnings, skipped } */
export interface ManifestLoadResult {
  snapshot: Snapshot;
  problems: InputProblem[];
  /** Loaded as kubectl would, but said (an object defined twice, a repeated key); printed by the loader, no exit 2. */
  warnings: InputProblem[];
  /** Kustomizations, Helm charts and values files that were not read, with the command that renders them. */
  skipped: Array<{ path: string; type: 'kustomization' | 'helm-chart' | 'helm-values'; marker: string; render: string }>;
}

/** src/rule-engine */
export interface RuleEngineOptions {
  /** Extra rule directories (--rules DIR), loaded after the built-in rules/. */
  extraRuleDirs?: string[];
  /** Path of .clustergpt.yaml / --config; undefined = look for ./.clustergpt.yaml. */
  configPath?: string;
  /** --no-exemptions: annotations and config exemptions are ignored (CI). */
  noExemptions?: boolean;
  /** --include-system-namespaces */
  includeSystemNamespaces?: boolean;
}

export interface StageResults {
  snapshot: Snapshot;
  graph: ClusterGraph;
  findings: Finding[];
  diagnoses: Diagnosis[];
  cost: CostReport | null;
  remediations: GeneratedRemediation[];
  explanation: Explanation | null;
  explanationMeta: ExplanationMeta | null;
  inputProblems: InputProblem[];
}

export type { Snapshot, Finding, Diagnosis, CostReport, GeneratedRemediation, Explanation, Report, ClusterGraph, Logger };
