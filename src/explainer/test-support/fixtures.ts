/**
 * Test fixtures for the explainer: findings, diagnoses, remediations and cost shaped like the bookstore
 * cluster in test/fixtures/k8s-api, valid per src/schema/*, and a snapshot built from the recorded API lists.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../schema/finding.js';
import { FindingSchema } from '../../schema/finding.js';
import type { Diagnosis } from '../../schema/diagnosis.js';
import { DiagnosisSchema } from '../../schema/diagnosis.js';
import type { GeneratedRemediation } from '../../schema/remediation.js';
import { GeneratedRemediationSchema } from '../../schema/remediation.js';
import type { CostReport } from '../../schema/cost.js';
import { CostReportSchema } from '../../schema/cost.js';
import type { Snapshot, K8sObject } from '../../schema/snapshot.js';
import { buildFacts, type ExplainerFacts } from '../facts.js';

import { RECORDED_DIR as RECORDINGS } from '../../../test/support/recorded-snapshot.js';
export const RECORDED_DIR = `${RECORDINGS}/responses`;

/** Recorded list file → the kind and apiVersion of its items (lists omit them per item). */
const LIST_KINDS: Record<string, [string, string]> = {
  'list-apps-daemonsets.json': ['DaemonSet', 'apps/v1'],
  'list-apps-deployments.json': ['Deployment', 'apps/v1'],
  'list-apps-replicasets.json': ['ReplicaSet', 'apps/v1'],
  'list-apps-statefulsets.json': ['StatefulSet', 'apps/v1'],
  'list-autoscaling-v2-hpas.json': ['HorizontalPodAutoscaler', 'autoscaling/v2'],
  'list-batch-cronjobs.json': ['CronJob', 'batch/v1'],
  'list-batch-jobs.json': ['Job', 'batch/v1'],
  'list-core-configmaps.json': ['ConfigMap', 'v1'],
  'list-core-events.json': ['Event', 'v1'],
  'list-core-limitranges.json': ['LimitRange', 'v1'],
  'list-core-namespaces.json': ['Namespace', 'v1'],
  'list-core-nodes.json': ['Node', 'v1'],
  'list-core-persistentvolumeclaims.json': ['PersistentVolumeClaim', 'v1'],
  'list-core-persistentvolumes.json': ['PersistentVolume', 'v1'],
  'list-core-pods.json': ['Pod', 'v1'],
  'list-core-resourcequotas.json': ['ResourceQuota', 'v1'],
  'list-core-secrets-metadata-only.json': ['Secret', 'v1'],
  'list-core-serviceaccounts.json': ['ServiceAccount', 'v1'],
  'list-core-services.json': ['Service', 'v1'],
  'list-networking-ingresses.json': ['Ingress', 'networking.k8s.io/v1'],
  'list-networking-networkpolicies.json': ['NetworkPolicy', 'networking.k8s.io/v1'],
  'list-policy-pdbs.json': ['PodDisruptionBudget', 'policy/v1'],
  'list-rbac-clusterrolebindings.json': ['ClusterRoleBinding', 'rbac.authorization.k8s.io/v1'],
  'list-rbac-clusterroles.json': ['ClusterRole', 'rbac.authorization.k8s.io/v1'],
  'list-rbac-rolebindings.json': ['RoleBinding', 'rbac.authorization.k8s.io/v1'],
  'list-rbac-roles.json': ['Role', 'rbac.authorization.k8s.io/v1'],
  'list-storage-storageclasses.json': ['StorageClass', 'storage.k8s.io/v1'],
};

/** A snapshot of the recorded bookstore cluster (raw lists; no sanitizing needed for these tests). */
export function bookstoreSnapshot(): Snapshot {
  const objects: Record<string, K8sObject[]> = {};
  const files = new Set(readdirSync(RECORDED_DIR));
  for (const [file, [kind, apiVersion]] of Object.entries(LIST_KINDS)) {
    if (!files.has(file)) continue;
    const recorded = JSON.parse(readFileSync(join(RECORDED_DIR, file), 'utf8'));
    objects[kind] = (recorded.body?.items ?? []).map((item: Record<string, unknown>) => ({ ...item, kind, apiVersion }));
  }
  return {
    schemaVersion: 1,
    capturedAt: '2026-01-01T00:00:00Z',
    source: { type: 'cluster', server: 'https://bookstore-api.example.net:6443', context: 'prod-eu-bookstore' },
    scope: { namespaces: null, excludedNamespaces: [] },
    coverage: [],
    objects,
  };
}

const deploy = (name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'bookstore', name });

export function sampleFindings(): Finding[] {
  const findings: Finding[] = [
    {
      id: 'f-priv000001',
      ruleId: 'privileged-container',
      category: 'security',
      severity: 'critical',
      title: 'Container runs privileged',
      message: 'Container "node-exporter" of DaemonSet monitoring/node-exporter runs privileged.',
      resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'monitoring', name: 'node-exporter' },
      element: 'container:node-exporter',
      evidence: [{ path: 'spec.template.spec.containers[0].securityContext.privileged', value: 'true' }],
      remediation: { summary: 'Remove privileged: true.' },
      exempted: false,
    },
    {
      id: 'f-mem0000001',
      ruleId: 'missing-memory-limit',
      category: 'reliability',
      severity: 'high',
      title: 'Container has no memory limit',
      message: 'Container "storefront" of Deployment bookstore/storefront has no memory limit.',
      resource: deploy('storefront'),
      element: 'container:storefront',
      evidence: [{ path: 'spec.template.spec.containers[0].resources.limits.memory', value: '<unset>' }],
      remediation: { summary: 'Set a memory limit.' },
      exempted: false,
    },
    {
      id: 'f-mem0000002',
      ruleId: 'missing-memory-limit',
      category: 'reliability',
      severity: 'high',
      title: 'Container has no memory limit',
      message: 'Container "recommender" of Deployment bookstore/recommender has no memory limit.',
      resource: deploy('recommender'),
      element: 'container:recommender',
      evidence: [{ path: 'spec.template.spec.containers[0].resources.limits.memory', value: '<unset>' }],
      remediation: { summary: 'Set a memory limit.' },
      exempted: false,
    },
    {
      id: 'f-secret00001',
      ruleId: 'secret-in-env-literal',
      category: 'security',
      severity: 'high',
      title: 'Credential in a literal env var',
      message: 'Env var DB_PASSWORD of container "inventory" holds a literal credential.',
      resource: deploy('inventory'),
      element: 'container:inventory',
      evidence: [{ path: 'spec.template.spec.containers[0].env[1].value', value: '<redacted:credential-like>' }],
      remediation: { summary: 'Use valueFrom.secretKeyRef.' },
      exempted: false,
    },
    {
      id: 'f-latest00001',
      ruleId: 'image-latest-tag',
      category: 'reliability',
      severity: 'medium',
      title: 'Image uses the latest tag',
      message: 'Container "inventory" uses ghcr.io/example/bookstore/inventory:latest.',
      resource: deploy('inventory'),
      element: 'container:inventory',
      evidence: [{ path: 'spec.template.spec.containers[0].image', value: 'ghcr.io/example/bookstore/inventory:latest' }],
      remediation: { summary: 'Pin the image.' },
      exempted: false,
    },
    {
      id: 'f-custom00001',
      ruleId: 'acme-team-label',
      category: 'architecture',
      severity: 'low',
      title: 'Workload has no team label',
      message: 'Deployment bookstore/storefront has no acme.io/team label.',
      resource: deploy('storefront'),
      evidence: [{ path: 'metadata.labels', value: '<unset>' }],
      remediation: { summary: 'Add the label.' },
      exempted: false,
    },
    {
      id: 'f-exempt00001',
      ruleId: 'host-network',
      category: 'security',
      severity: 'high',
      title: 'Pod uses the host network',
      message: 'DaemonSet monitoring/node-exporter uses hostNetwork.',
      resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'monitoring', name: 'node-exporter' },
      evidence: [{ path: 'spec.template.spec.hostNetwork', value: 'true' }],
      remediation: { summary: 'Remove hostNetwork.' },
      exempted: true,
      exemption: { source: 'annotation', reason: 'node agent', declaredOn: 'object' },
    },
  ];
  return findings.map((f) => FindingSchema.parse(f));
}

export function sampleDiagnoses(): Diagnosis[] {
  const diagnoses: Diagnosis[] = [
    {
      id: 'd-oom0000001',
      cause: 'oom-killed',
      resource: deploy('inventory'),
      podsAffected: 1,
      pods: ['inventory-5d8f9b7c6-zt4lx'],
      confidence: 0.95,
      impact: 80,
      summary: 'Container "inventory" was OOMKilled 7 times (limit 128Mi).',
      hypotheses: [],
      evidence: [
        { path: 'status.containerStatuses[0].lastState.terminated.reason', value: 'OOMKilled' },
        {
          path: 'event',
          message: 'Back-off restarting failed container inventory in pod inventory-5d8f9b7c6-zt4lx_bookstore(8d854dfc-a7f5-47ab-b853-bdd85d6ddb13)',
          timestamp: '2026-01-01T00:00:00Z',
        },
      ],
      remediation: { summary: 'Raise the memory limit to 256Mi.' },
    },
    {
      id: 'd-unsched0001',
      cause: 'unschedulable',
      resource: deploy('recommender'),
      podsAffected: 1,
      pods: ['recommender-6c4d8f9b5-q8d2v'],
      confidence: 0.9,
      impact: 60,
      summary: 'Pod requests 6 CPU / 24Gi; the largest node has 4 CPU / 16Gi.',
      hypotheses: [],
      evidence: [
        {
          path: 'event',
          message: '0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..',
        },
      ],
      remediation: { summary: 'Lower the requests to fit a node.' },
    },
  ];
  return diagnoses.map((d) => DiagnosisSchema.parse(d));
}

export function sampleRemediations(): GeneratedRemediation[] {
  const patch = (name: string) => ({ type: 'strategic' as const, target: deploy(name), body: {} });
  const remediations: GeneratedRemediation[] = [
    {
      id: 'fix-d-oom0000001',
      findingIds: [],
      diagnosisIds: ['d-oom0000001'],
      summary: 'Raise the memory limit of container inventory to 256Mi.',
      target: deploy('inventory'),
      patch: patch('inventory'),
      patchYaml: 'spec: {}\n',
      dryRunCommand: 'kubectl patch deployment inventory -n bookstore --type strategic --patch-file fix-d-oom0000001.yaml --dry-run=server',
      command: 'kubectl patch deployment inventory -n bookstore --type strategic --patch-file fix-d-oom0000001.yaml',
    },
    {
      id: 'fix-f-mem0000001',
      findingIds: ['f-mem0000001'],
      diagnosisIds: [],
      summary: 'Set a 512Mi memory limit on container storefront.',
      target: deploy('storefront'),
      patch: patch('storefront'),
      patchYaml: 'spec: {}\n',
      dryRunCommand: 'kubectl patch deployment storefront -n bookstore --type strategic --patch-file fix-f-mem0000001.yaml --dry-run=server',
      command: 'kubectl patch deployment storefront -n bookstore --type strategic --patch-file fix-f-mem0000001.yaml',
    },
  ];
  return remediations.map((r) => GeneratedRemediationSchema.parse(r));
}

export function sampleCost(): CostReport {
  return CostReportSchema.parse({
    currency: 'USD',
    method: 'nodes',
    monthlyTotal: 420.48,
    allocatedMonthly: 300.12,
    idleMonthly: 120.36,
    wasteMonthly: 45.5,
    confidence: 'medium',
    hoursPerMonth: 730,
    byNamespace: [
      { namespace: 'bookstore', monthly: 250.1, basis: 'requests share of node cost', confidence: 'medium' },
      { namespace: 'monitoring', monthly: 50.02, basis: 'requests share of node cost', confidence: 'medium' },
    ],
    byWorkload: [],
    byNode: [],
    waste: [
      {
        kind: 'Deployment',
        namespace: 'bookstore',
        name: 'storefront',
        container: 'storefront',
        resource: 'cpu',
        requested: '2',
        suggested: '500m',
        monthlySavings: 45.5,
        basis: 'p95 usage',
        confidence: 'low',
      },
    ],
    assumptions: ['on-demand prices'],
    priceModel: { source: 'built-in', date: '2026-01-01' },
  });
}

export function sampleFacts(overrides: { userContext?: string; maxFindings?: number } = {}): ExplainerFacts {
  return buildFacts({
    findings: sampleFindings(),
    diagnoses: sampleDiagnoses(),
    cost: sampleCost(),
    remediations: sampleRemediations(),
    graphSummary: {
      namespaces: ['monitoring', 'bookstore'],
      workloads: 6,
      exposurePaths: 2,
      singlePointsOfFailure: ['Deployment bookstore/inventory'],
    },
    coverageGaps: [{ kind: 'PodMetrics', status: 'not-served' }],
    health: { status: 'graded', score: 62, grade: 'D', provisional: false, checksPassed: 180, checksEvaluated: 200 },
    ...overrides,
  });
}

/** A valid LLM answer for sampleFacts(), as a model would send it (ids from the facts, no commands). */
export function validAnswer(): Record<string, unknown> {
  return {
    execSummary: 'Health grade D. inventory in bookstore is being OOMKilled and recommender cannot be scheduled. About $420/month.',
    sreActions: [
      {
        title: 'Stop inventory from running out of memory',
        findingIds: [],
        diagnosisIds: ['d-oom0000001'],
        remediationId: 'fix-d-oom0000001',
        confidence: 'high',
        rationale: 'It was OOMKilled 7 times; apply fix-d-oom0000001.',
      },
      {
        title: 'Remove privileged mode from node-exporter',
        findingIds: ['f-priv000001'],
        diagnosisIds: [],
        remediationId: null,
        confidence: 'medium',
        rationale: 'A privileged container can take over the node.',
      },
    ],
    prText: '## Fixes\n- fix-d-oom0000001: raise the memory limit of inventory.',
    items: [{ id: 'd-oom0000001', immediate: 'Apply fix-d-oom0000001.', longTerm: 'Measure peak memory.' }],
  };
}
