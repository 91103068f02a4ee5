/**
 * The engine's contract as a user sees it: finding identity and evidence, exemptions and config, folding of
 * pods onto workloads, system namespaces, and clear startup errors for broken rule files.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/index.js';
import { InputError } from '../common/errors.js';
import { shortHash } from '../common/stable-json.js';
import type { Snapshot } from '../schema/snapshot.js';
import { FindingSchema } from '../schema/finding.js';
import { evaluateRules, evaluateRulesDetailed, listRules, loadRuleSet, parseRuleConfig, type RuleSet } from './index.js';
import { snapshotFromYaml } from './test-support/snapshot.js';

let tmp: string;
let ruleSet: RuleSet;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'clustergpt-engine-'));
  // Only this folder's rule categories, so security/cost rules written elsewhere cannot change these assertions.
  const all = await loadRuleSet();
  ruleSet = { ...all, rules: all.rules.filter((r) => r.category === 'reliability' || r.category === 'architecture') };
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const WEB = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: {cpu: 100m, memory: 128Mi}
        - name: sidecar
          image: envoy:1.30
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {memory: 64Mi}
`;

async function run(yaml: string, options: Parameters<typeof evaluateRules>[3] = {}, config = {}, source: 'manifests' | 'cluster' = 'manifests') {
  const snapshot = await snapshotFromYaml(yaml, source);
  return evaluateRulesDetailed(ruleSet, snapshot, buildGraph(snapshot), options, { config, file: '/repo/.clustergpt.yaml' });
}

describe('findings', () => {
  it('points one finding at one container, with a fingerprint that ignores uid and snapshot', async () => {
    const { findings } = await run(WEB);
    const limit = findings.filter((f) => f.ruleId === 'missing-memory-limit');
    expect(limit).toHaveLength(1);
    const f = limit[0]!;
    expect(FindingSchema.parse(f)).toEqual(f);
    expect(f.element).toBe('container:web');
    expect(f.id).toBe(shortHash('missing-memory-limit', 'Deployment', 'shop', 'web', 'container:web'));
    expect(f.resource).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' });
    expect(f.message).toBe('container web of Deployment web has no memory limit (request 128Mi)');
    // The field is absent, so the evidence points at the nearest existing ancestor's line (`resources:`).
    expect(f.evidence[0]).toMatchObject({ path: 'spec.template.spec.containers[0].resources.limits.memory', value: '<unset>', line: 14 });
    expect(f.remediation.patch).toEqual({
      type: 'strategic',
      target: f.resource,
      body: { spec: { template: { spec: { containers: [{ name: 'web', resources: { limits: { memory: '128Mi' } } }] } } } },
    });
  });

  it('is deterministic: same input, same bytes', async () => {
    const snapshot = await snapshotFromYaml(WEB);
    const once = () => JSON.stringify(evaluateRulesDetailed(ruleSet, snapshot, buildGraph(snapshot), {}, { config: {} }).findings);
    expect(once()).toBe(once());
  });

  it('creates a new object for missing-pdb', async () => {
    const { findings } = await run(WEB);
    const patch = findings.find((f) => f.ruleId === 'missing-pdb')?.remediation.patch;
    expect(patch?.target).toEqual({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace: 'shop', name: 'web' });
    expect(patch?.create).toMatchObject({ spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } });
  });

  it('folds live pods onto their workload and sets uid and podsAffected', async () => {
    const pods = [0, 1, 2]
      .map(
        (i) => `
apiVersion: v1
kind: Pod
metadata:
  name: web-abc-${i}
  namespace: shop
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, uid: uid-rs, controller: true}]
spec:
  containers: [{name: web, image: "nginx:1.27"}]
`,
      )
      .join('---\n');
    const rs = `
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-abc
  namespace: shop
  uid: uid-rs
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: uid-web, controller: true}]
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
`;
    const deployment = WEB.replace('namespace: shop}', 'namespace: shop, uid: uid-web}');
    const { findings } = await run([deployment, rs, pods].join('---\n'), {}, {}, 'cluster');
    const limit = findings.filter((f) => f.ruleId === 'missing-memory-limit');
    expect(limit).toHaveLength(1); // the template is evaluated once, not per pod or per ReplicaSet
    expect(limit[0]!.resource.uid).toBe('uid-web');
    expect(limit[0]!.podsAffected).toBe(3);
    expect(limit[0]!.evidence[0]!.uid).toBe('uid-web');
  });

  it('folds a rule that matches Pods explicitly onto the owning Deployment, counting the violating pods', async () => {
    const dir = path.join(tmp, 'pod-rules');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'pod-not-running.yaml'),
      [
        'id: pod-not-running',
        'title: Pod is not running',
        'category: reliability',
        'severity: high',
        'description: d',
        'rationale: r',
        'references: [https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/]',
        'match: {kinds: [Pod]}',
        'violation: \'object.?status.?phase.orValue("") != "Running"\'',
        'messageExpression: \'"pod " + name + " is " + object.status.phase\'',
        'evidence: [{path: status.phase}]',
        'remediation: {summary: s}',
      ].join('\n'),
    );
    const set = await loadRuleSet({ builtinDir: dir });
    const rs = `
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-abc
  namespace: shop
  uid: uid-rs
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: uid-web, controller: true}]
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: "nginx:1.27"}]}}
`;
    const pod = (i: number, phase: string) => `
apiVersion: v1
kind: Pod
metadata:
  name: web-abc-${i}
  namespace: shop
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, uid: uid-rs, controller: true}]
spec: {containers: [{name: web, image: "nginx:1.27"}]}
status: {phase: ${phase}}
`;
    const yaml = [WEB.replace('namespace: shop}', 'namespace: shop, uid: uid-web}'), rs, pod(0, 'Pending'), pod(1, 'Running'), pod(2, 'Failed')].join('---\n');
    const snapshot = await snapshotFromYaml(yaml, 'cluster');
    const findings = evaluateRules(set, snapshot, buildGraph(snapshot), {}, );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ resource: { kind: 'Deployment', name: 'web', uid: 'uid-web' }, podsAffected: 2 });
    // The evidence names the pod it was read from.
    expect(findings[0]!.evidence[0]).toMatchObject({ path: 'status.phase', value: 'Pending', object: { kind: 'Pod', name: 'web-abc-0' } });
  });

  it('skips system namespaces unless asked', async () => {
    const yaml = WEB.replace('namespace: shop', 'namespace: kube-system');
    expect((await run(yaml)).findings).toEqual([]);
    expect((await run(yaml, { includeSystemNamespaces: true })).findings.length).toBeGreaterThan(0);
  });
});

describe('exemptions and config', () => {
  it('keeps exempted findings, marked, for annotations on the object, template and namespace', async () => {
    const onObject = WEB.replace(
      'metadata: {name: web, namespace: shop}',
      'metadata: {name: web, namespace: shop, annotations: {clustergpt.io/exempt: "missing-memory-limit, missing-pdb", clustergpt.io/exempt-reason: "legacy"}}',
    );
    const { findings } = await run(onObject);
    const f = findings.find((x) => x.ruleId === 'missing-memory-limit')!;
    expect(f.exempted).toBe(true);
    expect(f.exemption).toEqual({ source: 'annotation', reason: 'legacy', declaredOn: 'annotation on Deployment/shop/web' });
    expect(findings.find((x) => x.ruleId === 'missing-cpu-limit')!.exempted).toBe(false);

    const onTemplate = WEB.replace('metadata: {labels: {app: web}}', 'metadata: {labels: {app: web}, annotations: {clustergpt.io/exempt: all}}');
    expect((await run(onTemplate)).findings.every((x) => x.exempted)).toBe(true);

    const ns = `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, annotations: {clustergpt.io/exempt: missing-cpu-limit}}\n---\n${WEB}`;
    const nsFinding = (await run(ns)).findings.find((x) => x.ruleId === 'missing-cpu-limit')!;
    expect(nsFinding.exemption?.declaredOn).toBe('annotation on Namespace/shop');

    expect((await run(onObject, { noExemptions: true })).findings.some((x) => x.exempted)).toBe(false);

    // One container only.
    const perContainer = WEB.replace(
      'metadata: {name: web, namespace: shop}',
      'metadata: {name: web, namespace: shop, annotations: {clustergpt.io/exempt: "missing-cpu-limit/sidecar"}}',
    );
    const cpu = (await run(perContainer)).findings.filter((x) => x.ruleId === 'missing-cpu-limit');
    expect(cpu.map((x) => [x.element, x.exempted])).toEqual([
      ['container:sidecar', true],
      ['container:web', false],
    ]);
  });

  it('applies config exemptions with name globs, disabled rules and severity overrides', async () => {
    const config = parseRuleConfig(
      [
        'disabledRules: [missing-cpu-limit]',
        'severityOverrides: {missing-pdb: critical}',
        'exemptions:',
        '  - {rule: missing-memory-limit, namespace: shop, name: "w*", kind: Deployment, reason: "sized by VPA"}',
        '  - {rule: no-pod-spread, name: "other-*", reason: "only other-* spread"}',
        '  - {rule: missing-liveness-probe, element: "side*", reason: "the sidecar has its own health checks"}',
      ].join('\n'),
      '/repo/.clustergpt.yaml',
    );
    const { findings } = await run(WEB, {}, config);
    expect(findings.some((f) => f.ruleId === 'missing-cpu-limit')).toBe(false);
    expect(findings.find((f) => f.ruleId === 'missing-pdb')?.severity).toBe('critical');
    expect(findings[0]?.ruleId).toBe('missing-pdb'); // critical sorts first
    expect(findings.find((f) => f.ruleId === 'missing-memory-limit')?.exemption).toEqual({
      source: 'config',
      reason: 'sized by VPA',
      declaredOn: '/repo/.clustergpt.yaml',
    });
    expect(findings.find((f) => f.ruleId === 'no-pod-spread')?.exempted).toBe(false);
    const liveness = findings.filter((f) => f.ruleId === 'missing-liveness-probe');
    expect(liveness.map((f) => [f.element, f.exempted])).toEqual([
      ['container:sidecar', true],
      ['container:web', false],
    ]);
  });

  it('rejects an invalid config with an InputError naming the file', () => {
    expect(() => parseRuleConfig('severityOverrides: {x: urgent}', '/repo/.clustergpt.yaml')).toThrow(InputError);
    expect(() => parseRuleConfig('exemptions: [{namespace: a, reason: r}]', '/repo/.clustergpt.yaml')).toThrow(/\.clustergpt\.yaml:1: exemptions\[0\]\.rule/);
  });
});

describe('what was checked (the health score counts passes, not only failures)', () => {
  const TWO = `${WEB}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: api:1.0
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 128Mi}
`;

  it('counts, per rule, the objects it was evaluated on and those with a non-exempted finding', async () => {
    const { checks, findings } = await run(TWO);
    expect(checks.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`).sort()).toEqual(['Deployment shop/api', 'Deployment shop/web']);
    const limit = checks.rules.find((r) => r.ruleId === 'missing-memory-limit');
    // web's container `web` has no memory limit, api's has one: one failing object of two, counted per object, not per container.
    expect(limit).toEqual({ ruleId: 'missing-memory-limit', evaluated: 2, failed: 1 });
    expect(findings.filter((f) => f.ruleId === 'missing-memory-limit').map((f) => f.resource.name)).toEqual(['web']);
    expect(checks.rules.map((r) => r.ruleId)).toEqual([...checks.rules.map((r) => r.ruleId)].sort());
    for (const r of checks.rules) expect(r.failed).toBeLessThanOrEqual(r.evaluated);
  });

  it('counts an exempted finding as passed and leaves disabled rules out', async () => {
    const config = {
      disabledRules: ['missing-liveness-probe'],
      exemptions: [{ rule: 'missing-memory-limit', name: 'web', reason: 'sidecar-managed' }],
    };
    const { checks } = await run(TWO, {}, config);
    expect(checks.rules.find((r) => r.ruleId === 'missing-memory-limit')).toEqual({ ruleId: 'missing-memory-limit', evaluated: 2, failed: 0 });
    expect(checks.rules.find((r) => r.ruleId === 'missing-liveness-probe')).toBeUndefined();
  });
});

describe('rule loading', () => {
  const VALID = `id: my-rule
title: t
category: architecture
severity: low
description: d
rationale: r
references: [https://kubernetes.io/docs/]
match: {kinds: [workload]}
violation: 'ns == "shop"'
evidence: [{path: metadata.name}]
remediation: {summary: s}
`;

  async function dirWith(name: string, text: string): Promise<string> {
    const dir = path.join(tmp, name);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, name.replace(/-dir$/, '') + '.yaml'), text);
    return dir;
  }

  it('loads extra rule directories after the built-in rules', async () => {
    const dir = await dirWith('my-rule-dir', VALID);
    const set = await loadRuleSet({ extraRuleDirs: [dir] });
    expect(listRules(set).map((r) => r.id)).toContain('my-rule');
    const snapshot = await snapshotFromYaml(WEB);
    const configPath = path.join(tmp, 'empty.yaml');
    await writeFile(configPath, '');
    const findings = evaluateRules(set, snapshot, buildGraph(snapshot), { configPath }).filter(
      (f) => f.ruleId === 'my-rule',
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toBe('t'); // no messageExpression: the title
  });

  it('fails at startup on a CEL expression that does not compile, naming file and expression', async () => {
    const dir = await dirWith('bad-cel-dir', VALID.replace('my-rule', 'bad-cel').replace(`'ns == "shop"'`, `'containr.name == "x"'`));
    await expect(loadRuleSet({ extraRuleDirs: [dir] })).rejects.toThrow(/bad-cel\.yaml: violation does not compile: containr\.name/);
  });

  it('fails at startup on a schema violation and on a duplicate id', async () => {
    const typo = await dirWith('typo-dir', VALID.replace('my-rule', 'typo').replace('violation:', 'violaton:'));
    await expect(loadRuleSet({ extraRuleDirs: [typo] })).rejects.toThrow(InputError);
    const dup = await dirWith('missing-pdb-dir', VALID.replace('my-rule', 'missing-pdb'));
    await expect(loadRuleSet({ extraRuleDirs: [dup] })).rejects.toThrow(/defined twice/);
  });

  it('marks a computed value as derived, located at the list it sums, and refuses [*] without a valueExpression', async () => {
    const summed = VALID.replace('my-rule', 'pod-cpu').replace(
      'evidence: [{path: metadata.name}]',
      `evidence:
  - path: "{podSpec}.containers[*].resources.requests.cpu"
    valueExpression: 'humanCpu(podSpec.containers.map(c, quantity(c.resources.requests.cpu).asApproximateFloat()).sum()) + " per pod"'
  - path: "Node[*].status.allocatable"
    valueExpression: '"compared with the nodes"'`,
    );
    const set = await loadRuleSet({ extraRuleDirs: [await dirWith('pod-cpu-dir', summed)] });
    const snapshot = await snapshotFromYaml(WEB);
    snapshot.locations = { 'Deployment/shop/web': { file: 'web.yaml', line: 2, paths: { 'spec.template.spec.containers': 11 } } };
    const { findings } = evaluateRulesDetailed(set, snapshot, buildGraph(snapshot), {}, { config: {} });
    const [own, other] = findings.find((f) => f.ruleId === 'pod-cpu')!.evidence;
    expect(own).toEqual({
      path: 'spec.template.spec.containers[*].resources.requests.cpu',
      value: '200m CPU per pod',
      derived: true,
      file: 'web.yaml',
      line: 11,
    });
    // On other objects: nothing on this one to point at.
    expect(other).toEqual({ path: 'Node[*].status.allocatable', value: 'compared with the nodes', derived: true });

    const wildcard = VALID.replace('my-rule', 'wildcard').replace('evidence: [{path: metadata.name}]', 'evidence: [{path: "{podSpec}.containers[*].image"}]');
    await expect(loadRuleSet({ extraRuleDirs: [await dirWith('wildcard-dir', wildcard)] })).rejects.toThrow(/uses \[\*\] but has no valueExpression/);
  });

  it('fails on an explicit config file that does not exist', async () => {
    const snapshot: Snapshot = await snapshotFromYaml(WEB);
    expect(() => evaluateRules(ruleSet, snapshot, buildGraph(snapshot), { configPath: path.join(tmp, 'missing.yaml') })).toThrow(
      /cannot read config file/,
    );
  });
});
