import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { computeHealth, coveragePhrase, gradeForScore, readCoverage } from './health.js';
import { assembleReport } from './assemble.js';
import type { Finding, ResourceRef, Severity } from '../schema/finding.js';
import type { Diagnosis } from '../schema/diagnosis.js';
import type { CoverageEntry, K8sObject, Snapshot } from '../schema/snapshot.js';
import type { Grade, Report } from '../schema/report.js';
import { fixtureReport } from './test-support/fixture.js';
import { buildGraph } from '../graph/index.js';
import { evaluateRulesDetailed, loadRuleSet } from '../rule-engine/index.js';
import { diagnose } from '../diagnosis/index.js';
import { readSnapshot } from '../snapshot/io.js';
import { syntheticSnapshot } from '../bench/synthetic-cluster.js';

const DEMO = fileURLToPath(new URL('../../snapshots/demo.json', import.meta.url));
const GRADES: Grade[] = ['A', 'B', 'C', 'D', 'F'];

const web: ResourceRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
const api: ResourceRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' };
const worker: ResourceRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'worker' };
const db: ResourceRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'shop', name: 'db' };

function finding(resource: ResourceRef, severity: Severity, exempted = false): Finding {
  return { ...fixtureReport().findings[0], resource, severity, exempted, id: `${resource.name}-${severity}-${exempted}` };
}

function diagnosis(resource: ResourceRef): Diagnosis {
  return { ...fixtureReport().diagnoses[0], resource };
}

const listed = (kind: string): CoverageEntry => ({ kind, apiVersion: 'v1', status: 'listed', count: 1 });

describe('computeHealth', () => {
  it('gives a clean, fully read cluster 100 / A', () => {
    const health = computeHealth({ findings: [], diagnoses: [], workloads: [web, api], checks: { evaluated: 40, failed: 0 }, coverage: [listed('Pod')] });
    expect(health).toMatchObject({ status: 'graded', score: 100, grade: 'A', provisional: false, caps: [] });
  });

  it('follows the worked example of docs/report-json.md', () => {
    // 4 workloads: web broken now, api worst high, worker worst low (plus an exempted critical), db clean.
    // checks 100 evaluated, 10 failed → 90 %; workloads 1 − (1 + 0.5 + 0.05 + 0) / 4 = 61.25 → 61.3 %; score round(75.65) = 76.
    const health = computeHealth({
      findings: [finding(api, 'high'), finding(api, 'medium'), finding(worker, 'low'), finding(worker, 'critical', true), finding(web, 'medium')],
      diagnoses: [diagnosis(web)],
      workloads: [web, api, worker, db],
      checks: { evaluated: 100, failed: 10 },
      coverage: [listed('Pod')],
    });
    expect(health.checks).toEqual({ evaluated: 100, passed: 90, failed: 10, passRate: 90 });
    expect(health.workloads).toEqual({ total: 4, broken: 1, critical: 0, high: 1, medium: 0, low: 1, clean: 1, health: 61.3 });
    expect(health.score).toBe(76);
    // Band C (70-79): the diagnosis's cap at C changes nothing, so it is not listed.
    expect(health.grade).toBe('C');
    expect(health.caps).toEqual([]);
  });

  it('caps the grade at C while a critical finding is open, wherever it is', () => {
    const clusterRole: ResourceRef = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'ops' };
    const health = computeHealth({ findings: [finding(clusterRole, 'critical')], diagnoses: [], workloads: [web], checks: { evaluated: 100, failed: 1 }, coverage: [] });
    expect(health.score).toBe(100); // round((99 + 100) / 2)
    expect(gradeForScore(100)).toBe('A');
    expect(health.grade).toBe('C');
    expect(health.caps).toEqual(['1 open critical finding: at best C']);
  });

  it('gives no grade when there are no workloads, whatever else the input holds', () => {
    const role: ResourceRef = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'ops' };
    const health = computeHealth({ findings: [finding(role, 'critical')], diagnoses: [], workloads: [], checks: { evaluated: 5, failed: 1 }, coverage: [] });
    expect(health).toMatchObject({ status: 'nothing-to-grade', score: null, grade: null });
  });

  it('does not count Secrets forbidden (the least-privilege RBAC) against the grade, only against coverage', () => {
    const coverage: CoverageEntry[] = [listed('Pod'), { kind: 'Secret', apiVersion: 'v1', status: 'forbidden', count: 0 }];
    const health = computeHealth({ findings: [], diagnoses: [], workloads: [web], checks: { evaluated: 10, failed: 0 }, coverage });
    expect(health).toMatchObject({ score: 100, grade: 'A', provisional: false });
    expect(coveragePhrase(readCoverage(coverage))).toBe('1 of 2 kinds read; not read: Secret (forbidden, no effect on the grade)');
  });

  it('marks the grade provisional, without a hidden penalty, when a kind that can hold problems was not read', () => {
    const coverage: CoverageEntry[] = [
      { kind: 'Pod', apiVersion: 'v1', status: 'forbidden', count: 0 },
      { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', status: 'failed', count: 0 },
      { kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', status: 'not-served', count: 0 },
      { kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', status: 'not-served', count: 0 },
      { kind: 'Event', apiVersion: 'v1', status: 'not-applicable', count: 0 },
      listed('Deployment'),
    ];
    const health = computeHealth({ findings: [], diagnoses: [], workloads: [web], checks: { evaluated: 10, failed: 0 }, coverage });
    expect(health).toMatchObject({ score: 100, grade: 'A', provisional: true, provisionalKinds: ['Pod', 'Role'] });
    expect(readCoverage(coverage)).toMatchObject({ kindsRead: 1, kindsExpected: 5 });
  });

  it('uses the documented grade bands (higher is better)', () => {
    expect([100, 90, 89, 80, 79, 70, 69, 60, 59, 0].map(gradeForScore)).toEqual(['A', 'A', 'B', 'B', 'C', 'C', 'D', 'D', 'F', 'F']);
  });
});

async function audit(snapshot: Snapshot): Promise<Report> {
  const rules = await loadRuleSet({});
  const graph = buildGraph(snapshot);
  const { findings, checks } = evaluateRulesDetailed(rules, snapshot, graph, {}, { config: {} });
  const diagnoses = diagnose(snapshot, graph);
  return assembleReport(
    { snapshot, graph, findings, diagnoses, cost: null, remediations: [], explanation: null, explanationMeta: null, inputProblems: [], checks },
    'test',
  );
}

const allTrue = (conditions: Array<Record<string, unknown>> = []) =>
  conditions.map((c) => ({ ...c, status: /Pressure|NetworkUnavailable/.test(String(c.type)) ? 'False' : 'True', reason: undefined, message: undefined }));

/**
 * The demo after an operator applied the fixes: the cluster-admin grant is gone, and the workloads that were broken
 * run (pods scheduled, running and ready, no recent OOM kill, rollouts complete, no node pressure, no warning events).
 */
function fixedDemo(demo: Snapshot): Snapshot {
  const objects: Record<string, K8sObject[]> = { ...demo.objects };
  const notOpsEverything = (o: K8sObject) => o.metadata.name !== 'ops-everything';
  objects.ClusterRole = (objects.ClusterRole ?? []).filter(notOpsEverything);
  objects.ClusterRoleBinding = (objects.ClusterRoleBinding ?? []).filter(notOpsEverything);
  const nodeName = objects.Node?.[0]?.metadata.name;
  objects.Pod = (objects.Pod ?? []).map((pod) => {
    const spec = pod.spec as Record<string, any>;
    const containers: Array<Record<string, any>> = spec.containers ?? [];
    return {
      ...pod,
      spec: { ...spec, nodeName: spec.nodeName ?? nodeName },
      status: {
        ...(pod.status as Record<string, unknown>),
        phase: 'Running',
        conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True' })),
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
        })),
      },
    };
  });
  objects.Node = (objects.Node ?? []).map((n) => ({ ...n, status: { ...(n.status as object), conditions: allTrue((n.status as any)?.conditions) } }));
  objects.Deployment = (objects.Deployment ?? []).map((d) => {
    const replicas = (d.spec as any)?.replicas ?? 1;
    return {
      ...d,
      status: {
        ...(d.status as object),
        replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        updatedReplicas: replicas,
        unavailableReplicas: 0,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
        ],
      },
    };
  });
  objects.Event = (objects.Event ?? []).filter((e) => e.type !== 'Warning');
  return { ...demo, objects };
}

describe('the health score on real inputs', () => {
  it('moves by at least one letter when the demo’s criticals and broken-now items are fixed', async () => {
    const demo = await readSnapshot(DEMO);
    const before = await audit(demo);
    const after = await audit(fixedDemo(demo));
    expect(before.summary.bySeverity.critical).toBeGreaterThan(0);
    expect(before.summary.diagnoses).toBeGreaterThan(0);
    expect(after.summary.bySeverity.critical).toBe(0);
    expect(after.diagnoses).toEqual([]);
    const [b, a] = [before.summary.health, after.summary.health];
    expect(a.score!).toBeGreaterThan(b.score!);
    expect(GRADES.indexOf(a.grade!)).toBeLessThan(GRADES.indexOf(b.grade!));
  });

  it('does not give the worst grade to a cluster whose workloads are 70 % well configured', async () => {
    const report = await audit(syntheticSnapshot({ nodes: 6, workloads: 200, pods: 400 }));
    expect(report.summary.health.status).toBe('graded');
    expect(report.summary.health.grade).not.toBe('F');
    expect(report.summary.health.workloads.clean / report.summary.health.workloads.total).toBeGreaterThan(0.6);
  });

  it('gives the best grade to a cluster with nothing wrong', async () => {
    const report = await audit(syntheticSnapshot({ nodes: 6, workloads: 200, pods: 400, problemShare: 0 }));
    expect(report.summary.totalFindings).toBe(0);
    expect(report.summary.health).toMatchObject({ score: 100, grade: 'A', provisional: false });
    expect(report.summary.health.checks.evaluated).toBeGreaterThan(0);
  });
});
