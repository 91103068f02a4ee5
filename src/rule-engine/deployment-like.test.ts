/**
 * OpenShift DeploymentConfigs and Argo Rollouts run pods from a Deployment-shaped spec: they get the workload and
 * Deployment checks (pod template, replicas, selector). Kinds no rule reads are listed as not checked, with counts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/index.js';
import { evaluateRulesDetailed, loadRuleSet, type RuleSet } from './index.js';
import { snapshotFromYaml } from './test-support/snapshot.js';

let ruleSet: RuleSet;
beforeAll(async () => {
  ruleSet = await loadRuleSet();
});

const template = (app: string) => `
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}}}
    spec:
      containers: [{name: ${app}, image: "example/${app}:1.0"}]`;

const INPUT = `
apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata: {name: legacy}
spec:
  replicas: 1
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers: [{name: legacy, image: "example/legacy:1.0"}]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: shop, namespace: shop}
spec:
  replicas: 3${template('shop')}
  strategy: {canary: {steps: [{setWeight: 20}]}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: by-ref, namespace: shop}
spec:
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: shop-template}
---
apiVersion: example.com/v1
kind: Rollout
metadata: {name: not-argo, namespace: shop}
spec:
  replicas: 1${template('other')}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop-tls, namespace: shop}
spec: {secretName: shop-tls}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: api-tls, namespace: shop}
spec: {secretName: api-tls}
`;

describe('Deployment-like custom workloads', () => {
  let result: ReturnType<typeof evaluateRulesDetailed>;
  beforeAll(async () => {
    const snapshot = await snapshotFromYaml(INPUT, 'manifests');
    result = evaluateRulesDetailed(ruleSet, snapshot, buildGraph(snapshot), {}, { config: {} });
  });

  const rulesOn = (kind: string, name: string) =>
    [...new Set(result.findings.filter((f) => f.resource.kind === kind && f.resource.name === name).map((f) => f.ruleId))].sort();

  it('checks a DeploymentConfig like a Deployment: pod template, replicas, its label-map selector, default namespace', () => {
    const rules = rulesOn('DeploymentConfig', 'legacy');
    expect(rules).toEqual(expect.arrayContaining(['missing-memory-limit', 'missing-readiness-probe', 'single-replica']));
    expect(rules).not.toContain('selector-template-mismatch'); // {app: legacy} selects its template's labels
    const limit = result.findings.find((f) => f.resource.kind === 'DeploymentConfig' && f.ruleId === 'missing-memory-limit')!;
    expect(limit.resource).toMatchObject({ apiVersion: 'apps.openshift.io/v1', namespace: 'default' });
    expect(limit.evidence[0].path).toBe('spec.template.spec.containers[0].resources.limits.memory');
    expect(limit.evidence[0].line).toBeGreaterThan(0);
  });

  it('checks an Argo Rollout like a Deployment, with patches nested at its pod template', () => {
    const rules = rulesOn('Rollout', 'shop');
    // spec.replicas: 3 is read, so the availability rules for replicated Deployments apply.
    expect(rules).toEqual(expect.arrayContaining(['missing-memory-limit', 'missing-pdb', 'no-pod-spread']));
    expect(rules).not.toContain('single-replica');
    const limit = result.findings.find((f) => f.resource.kind === 'Rollout' && f.ruleId === 'missing-memory-limit')!;
    expect(JSON.stringify(limit.remediation.patch?.body)).toMatch(/^\{"spec":\{"template":\{"spec":\{"containers"/);
  });

  it('does not check a Rollout without a template of its own, nor a "Rollout" of another API group', () => {
    expect(rulesOn('Rollout', 'by-ref').filter((id) => id !== 'deprecated-api-version')).toEqual([]);
    expect(rulesOn('Rollout', 'not-argo').filter((id) => id !== 'deprecated-api-version')).toEqual([]);
  });

  it('lists every kind no rule reads as not checked, with counts per apiVersion', () => {
    expect(result.notChecked).toEqual([
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', count: 2 },
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', count: 1 },
      { apiVersion: 'example.com/v1', kind: 'Rollout', count: 1 },
    ]);
  });
});
