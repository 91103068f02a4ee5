/**
 * A hand-built Report exercising every section: manifest findings with file:line, a live finding
 * with a uid, an exempted finding, a diagnosis with event evidence, cost, an explanation and
 * remediations. Cluster-provided text includes pipes, newlines and HTML to test escaping.
 */
import type { Report } from '../../schema/report.js';
import type { Finding } from '../../schema/finding.js';

export const F_PRIVILEGED = 'a1b2c3d4e5f6';
export const F_PROBE = 'b2c3d4e5f6a1';
export const F_REQUESTS = 'c3d4e5f6a1b2';
export const F_SPOF = 'd4e5f6a1b2c3';
export const F_EXEMPT = 'e5f6a1b2c3d4';
export const D_CRASH = 'f6a1b2c3d4e5';

const webRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
const inventoryRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'inventory', uid: 'uid-inventory-1' };

export function fixtureFindings(): Finding[] {
  return [
    {
      id: F_PRIVILEGED,
      ruleId: 'privileged-container',
      category: 'security',
      severity: 'critical',
      title: 'Container runs privileged | full host access',
      message: 'Container app runs with privileged: true and can <script>alert(1)</script> take over the node.',
      resource: webRef,
      element: 'container:app',
      evidence: [
        { path: 'spec.template.spec.containers[0].securityContext.privileged', value: 'true', file: 'deploy/web.yaml', line: 22 },
      ],
      remediation: {
        summary: 'Set privileged: false',
        patch: { type: 'strategic', target: webRef, body: { spec: {} } },
      },
      exempted: false,
    },
    {
      id: F_PROBE,
      ruleId: 'missing-liveness-probe',
      category: 'reliability',
      severity: 'high',
      title: 'No liveness probe',
      message: 'Container inventory has no livenessProbe,\nso a hung process is never restarted.',
      resource: inventoryRef,
      element: 'container:inventory',
      evidence: [{ path: 'spec.template.spec.containers[0].livenessProbe', value: '<unset>', uid: 'uid-inventory-1' }],
      remediation: { summary: 'Add a livenessProbe' },
      podsAffected: 2,
      exempted: false,
    },
    {
      id: F_REQUESTS,
      ruleId: 'missing-resource-requests',
      category: 'cost',
      severity: 'medium',
      title: 'No CPU request',
      message: 'Container app has no CPU request.',
      resource: webRef,
      evidence: [{ path: 'spec.template.spec.containers[0].resources.requests.cpu', value: '<unset>', file: 'deploy/web.yaml', line: 18 }],
      remediation: { summary: 'Set resources.requests.cpu' },
      exempted: false,
    },
    {
      id: F_SPOF,
      ruleId: 'single-replica',
      category: 'architecture',
      severity: 'low',
      title: 'Single replica behind a Service',
      message: 'Deployment web has 1 replica.',
      resource: webRef,
      evidence: [{ path: 'spec.replicas', value: '1', file: './deploy/web.yaml', line: 8 }],
      remediation: { summary: 'Run at least 2 replicas' },
      exempted: false,
    },
    {
      id: F_EXEMPT,
      ruleId: 'host-network',
      category: 'security',
      severity: 'high',
      title: 'Pod uses the host network',
      message: 'DaemonSet node-exporter uses hostNetwork.',
      resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'monitoring', name: 'node-exporter', uid: 'uid-ne' },
      evidence: [{ path: 'spec.template.spec.hostNetwork', value: 'true', uid: 'uid-ne' }],
      remediation: { summary: 'Remove hostNetwork' },
      exempted: true,
      exemption: { source: 'annotation', reason: 'node metrics need the host network', declaredOn: 'DaemonSet monitoring/node-exporter' },
    },
  ];
}

export function fixtureReport(): Report {
  return {
    schemaVersion: 2,
    tool: { name: 'clustergpt', version: '0.1.0' },
    source: { type: 'cluster', server: 'https://10.0.0.1:6443', context: 'bookstore-prod', kubernetesVersion: 'v1.26.15' },
    capturedAt: '2026-05-20T10:00:00Z',
    scope: { namespaces: null, excludedNamespaces: ['kube-system'] },
    rules: [
      {
        id: 'privileged-container',
        title: 'Container runs privileged',
        category: 'security',
        severity: 'critical',
        description: 'A privileged container has all capabilities and full access to the host devices.',
        rationale: 'A privileged container can take over its node: escaping it is one mount away.',
        references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/'],
        remediation: 'Remove securityContext.privileged or set it to false.',
      },
    ],
    coverage: [
      { kind: 'Deployment', apiVersion: 'apps/v1', status: 'listed', count: 2 },
      { kind: 'Secret', apiVersion: 'v1', status: 'forbidden', count: 0, error: '403 Forbidden', metadataOnly: true },
    ],
    coverageGaps: [{ kind: 'Secret', status: 'forbidden', error: '403 Forbidden. Not checked: missing Secret references.' }],
    inventory: {
      totalObjects: 12,
      byKind: [
        { kind: 'Deployment', count: 2 },
        { kind: 'Service', count: 2 },
      ],
      byNamespace: [{ namespace: 'shop', count: 10, workloads: 2 }],
    },
    summary: {
      totalFindings: 4,
      exemptedFindings: 1,
      bySeverity: { critical: 1, high: 1, medium: 1, low: 1, info: 0 },
      byCategory: { reliability: 1, security: 1, cost: 1, architecture: 1 },
      health: {
        status: 'graded',
        score: 45,
        grade: 'F',
        provisional: false,
        provisionalKinds: [],
        caps: [],
        checks: { evaluated: 40, passed: 36, failed: 4, passRate: 90 },
        workloads: { total: 2, broken: 1, critical: 1, high: 0, medium: 0, low: 0, clean: 0, health: 0 },
      },
      readCoverage: { kindsRead: 1, kindsExpected: 2, notRead: [{ kind: 'Secret', status: 'forbidden', gradeEffect: 'none' }] },
      riskScore: 55,
      riskGrade: 'F',
      diagnoses: 1,
      monthlyCost: 1234.5,
    },
    findings: fixtureFindings(),
    diagnoses: [
      {
        id: D_CRASH,
        cause: 'crash-loop',
        resource: inventoryRef,
        podsAffected: 2,
        pods: ['inventory-7d9f-abc', 'inventory-7d9f-def'],
        confidence: 0.9,
        impact: 8,
        summary: 'inventory restarts in a loop after being OOM-killed.',
        hypotheses: [
          { cause: 'crash-loop', confidence: 0.9, explanation: 'Back-off restarting failed container' },
          { cause: 'oom-killed', confidence: 0.6, explanation: 'Last state terminated with OOMKilled' },
        ],
        evidence: [
          {
            path: 'status.containerStatuses[0].lastState.terminated.reason',
            value: 'OOMKilled',
            uid: 'uid-pod-abc',
            object: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'inventory-7d9f-abc' },
          },
          {
            path: 'event',
            message: 'Back-off restarting failed container inventory',
            timestamp: '2026-05-20T09:58:12Z',
            object: { apiVersion: 'v1', kind: 'Event', namespace: 'shop', name: 'inventory-7d9f-abc.17a' },
          },
        ],
        remediation: { summary: 'Raise the memory limit to 512Mi' },
      },
    ],
    cost: {
      currency: 'USD',
      method: 'nodes',
      monthlyTotal: 1234.5,
      allocatedMonthly: 900,
      idleMonthly: 334.5,
      wasteMonthly: 42.25,
      confidence: 'medium',
      hoursPerMonth: 730,
      byNamespace: [
        { namespace: 'shop', monthly: 800, basis: 'requests share', confidence: 'medium' },
        { namespace: 'monitoring', monthly: 100, basis: 'requests share', confidence: 'medium' },
      ],
      byWorkload: [
        { kind: 'Deployment', namespace: 'shop', name: 'web', monthly: 500, basis: 'b', confidence: 'medium', replicas: 1, cpuCores: 0.5, memoryGiB: 1 },
      ],
      byNode: [
        {
          name: 'node-a',
          instanceType: 'm6i.xlarge',
          provider: 'aws',
          monthly: 140.16,
          basis: 'list price',
          confidence: 'high',
          hourlyPrice: 0.192,
          priceSource: 'aws eu-west-1 on-demand',
          allocatedMonthly: 100,
          idleMonthly: 40.16,
        },
      ],
      waste: [
        {
          kind: 'Deployment',
          namespace: 'shop',
          name: 'web',
          container: 'app',
          resource: 'cpu',
          requested: '2',
          suggested: '500m',
          monthlySavings: 42.25,
          basis: 'p95 usage',
          confidence: 'low',
        },
      ],
      assumptions: ['730 hours per month', 'on-demand prices'],
      priceModel: { source: 'built-in price table', date: '2026-05-01' },
    },
    architecture: {
      namespaces: ['monitoring', 'shop'],
      workloads: 3,
      exposurePaths: [
        {
          ingress: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: 'shop', name: 'shop' },
          host: 'shop.example.com',
          path: '/',
          service: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web' },
          serviceType: 'ClusterIP',
          workloads: [webRef],
        },
      ],
      singlePointsOfFailure: [webRef],
      danglingReferences: [
        {
          type: 'ingress-missing-service',
          from: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: 'shop', name: 'shop' },
          missing: { kind: 'Service', namespace: 'shop', name: 'search' },
          path: 'spec.rules[0].http.paths[1].backend.service.name',
          message: 'Ingress shop/shop routes to Service search, which does not exist',
        },
      ],
    },
    remediations: [
      {
        id: `fix-${F_PRIVILEGED}`,
        findingIds: [F_PRIVILEGED],
        diagnosisIds: [],
        summary: 'Set privileged: false on container app',
        target: webRef,
        patch: { type: 'strategic', target: webRef, body: {} },
        patchYaml: 'spec:\n  template:\n    spec:\n      containers:\n        - name: app\n          securityContext:\n            privileged: false\n',
        dryRunCommand: 'kubectl patch deployment web -n shop --type strategic --patch-file fix-a1b2.yaml --dry-run=server',
        command: 'kubectl patch deployment web -n shop --type strategic --patch-file fix-a1b2.yaml',
      },
      {
        id: `fix-${D_CRASH}`,
        findingIds: [],
        diagnosisIds: [D_CRASH],
        summary: 'Raise the memory limit of inventory to 512Mi',
        target: inventoryRef,
        patch: { type: 'strategic', target: inventoryRef, body: {} },
        patchYaml: 'spec:\n  template:\n    spec:\n      containers:\n        - name: inventory\n          resources:\n            limits:\n              memory: 512Mi\n',
        dryRunCommand: 'kubectl patch deployment inventory -n shop --type strategic --patch-file fix-f6a1.yaml --dry-run=server',
        command: 'kubectl patch deployment inventory -n shop --type strategic --patch-file fix-f6a1.yaml',
      },
    ],
    explanation: {
      execSummary: 'The shop is up, but inventory is crash-looping.\n\nOne container runs privileged.',
      sreActions: [
        {
          title: 'Stop the inventory crash loop',
          findingIds: [],
          diagnosisIds: [D_CRASH],
          remediationId: `fix-${D_CRASH}`,
          confidence: 'high',
          rationale: 'Pods are OOM-killed at 256Mi.',
        },
      ],
      prText: 'Fixes privileged container.',
      items: [
        { id: F_PRIVILEGED, immediate: 'Drop privileged mode.', longTerm: 'Enforce Pod Security "restricted".' },
        { id: D_CRASH, immediate: 'Raise the memory limit.', longTerm: 'Profile memory use.' },
      ],
    },
    explanationMeta: { engine: 'template' },
    inputProblems: [{ file: 'deploy/bad.yaml', line: 3, message: 'not a Kubernetes object | skipped' }],
  };
}

/** A report with the bare minimum: what the first CLI version (no rule engine, no cost) produces. */
export function emptyReport(): Report {
  const r = fixtureReport();
  return {
    ...r,
    coverage: [{ kind: 'Deployment', apiVersion: 'apps/v1', status: 'listed', count: 0 }],
    coverageGaps: [],
    summary: {
      totalFindings: 0,
      exemptedFindings: 0,
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      byCategory: { reliability: 0, security: 0, cost: 0, architecture: 0 },
      health: {
        status: 'nothing-to-grade',
        score: null,
        grade: null,
        provisional: false,
        provisionalKinds: [],
        caps: [],
        checks: { evaluated: 0, passed: 0, failed: 0, passRate: 100 },
        workloads: { total: 0, broken: 0, critical: 0, high: 0, medium: 0, low: 0, clean: 0, health: 100 },
      },
      readCoverage: { kindsRead: 1, kindsExpected: 1, notRead: [] },
      riskScore: null,
      riskGrade: null,
      diagnoses: 0,
    },
    findings: [],
    diagnoses: [],
    cost: null,
    architecture: { namespaces: [], workloads: 0, exposurePaths: [], singlePointsOfFailure: [], danglingReferences: [] },
    remediations: [],
    explanation: null,
    explanationMeta: null,
    inputProblems: [],
  };
}

/** The fixture with `count` extra findings, for multi-page PDFs. */
export function manyFindingsReport(count: number): Report {
  const r = fixtureReport();
  const extra: Finding[] = Array.from({ length: count }, (_, i) => ({
    id: `many${String(i).padStart(8, '0')}`,
    ruleId: 'missing-readiness-probe',
    category: 'reliability',
    severity: 'medium',
    title: `No readiness probe on service-${String(i).padStart(3, '0')}`,
    message: `Container app of service-${i} has no readinessProbe, so traffic reaches it before it is ready.`,
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: `service-${String(i).padStart(3, '0')}` },
    evidence: [{ path: 'spec.template.spec.containers[0].readinessProbe', value: '<unset>', file: `deploy/service-${i}.yaml`, line: 20 }],
    remediation: { summary: 'Add a readinessProbe' },
    exempted: false,
  }));
  return { ...r, findings: [...r.findings, ...extra] };
}
