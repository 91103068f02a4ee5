/**
 * `.clustergpt.yaml` typos are errors a user can fix from the message alone (file:line, the closest known name), and
 * an exemption that matches nothing is reported as stale with where it was declared.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/index.js';
import { InputError } from '../common/errors.js';
import { evaluateRulesDetailed, loadRuleConfig, loadRuleSet, parseRuleConfig, type RuleSet } from './index.js';
import { snapshotFromYaml } from './test-support/snapshot.js';

let ruleSet: RuleSet;
let ruleIds: string[];
let tmp: string;

beforeAll(async () => {
  ruleSet = await loadRuleSet();
  ruleIds = ruleSet.rules.map((r) => r.id);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'clustergpt-config-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function configError(text: string): InputError {
  try {
    parseRuleConfig(text, '.clustergpt.yaml', ruleIds);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected the config to be rejected');
}

describe('config validation', () => {
  it('rejects an unknown key with its line and the closest known key', () => {
    const err = configError('# team settings\ndisabledRule: [missing-cpu-limit]\n');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      'config file .clustergpt.yaml is invalid: .clustergpt.yaml:2: unknown key "disabledRule"; did you mean "disabledRules"?',
    );
  });

  it('rejects an unknown key inside an exemption', () => {
    const err = configError('exemptions:\n  - rule: missing-pdb\n    namespce: batch\n    reason: batch tolerates it\n');
    expect(err.message).toContain('.clustergpt.yaml:3: unknown key "exemptions[0].namespce"; did you mean "namespace"?');
  });

  it('rejects unknown rule ids wherever they are named, suggesting the closest id', () => {
    const err = configError(
      [
        'disabledRules: [missing-cpu-limits]',
        'severityOverrides:',
        '  image-latest: high',
        'exemptions:',
        '  - {rule: missing-pbd, reason: "batch workers"}',
        '  - {rule: all, namespace: legacy, reason: "frozen, being retired"}',
      ].join('\n'),
    );
    expect(err.message).toContain('.clustergpt.yaml:1: unknown rule id "missing-cpu-limits" at disabledRules[0]; did you mean "missing-cpu-limit"?');
    expect(err.message).toContain('.clustergpt.yaml:3: unknown rule id "image-latest" in severityOverrides; did you mean "image-latest-tag"?');
    expect(err.message).toContain('.clustergpt.yaml:5: unknown rule id "missing-pbd" at exemptions[0].rule; did you mean "missing-pdb"?');
    expect(err.message).not.toContain('"all"');
  });

  it('says how to find the ids when nothing is close', () => {
    expect(configError('disabledRules: [completely-different]').message).toContain('run `clustergpt rules list` for the ids');
  });

  it('rejects an exemption without a reason (or with an empty one), naming its line', () => {
    const err = configError('exemptions:\n  - rule: missing-pdb\n    namespace: batch\n  - {rule: run-as-root, reason: "  "}\n');
    expect(err.message).toContain('.clustergpt.yaml:2: exemptions[0] has no reason; every exemption needs one');
    expect(err.message).toContain('.clustergpt.yaml:4: exemptions[1] has no reason');
  });

  it('reads a valid file, showing its path relative to the working directory in errors', async () => {
    await writeFile(path.join(tmp, 'good.yaml'), 'disabledRules: [missing-cpu-limit]\nexemptions:\n  - {rule: missing-pdb, reason: ok}\n');
    expect(loadRuleConfig('good.yaml', tmp, ruleIds)).toMatchObject({
      config: { disabledRules: ['missing-cpu-limit'] },
      exemptionLines: [3],
    });
    await writeFile(path.join(tmp, 'bad.yaml'), 'severityOverride: {}\n');
    expect(() => loadRuleConfig('bad.yaml', tmp, ruleIds)).toThrow('bad.yaml:1: unknown key "severityOverride"; did you mean "severityOverrides"?');
  });
});

const WEB = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
`;

describe('stale exemptions', () => {
  it('lists the config exemptions that matched no finding, with file:line, and not the ones that did', async () => {
    const file = path.join(tmp, 'stale.yaml');
    await writeFile(
      file,
      [
        'exemptions:',
        '  - {rule: single-replica, name: web, reason: "dev only"}',
        '  - {rule: single-replica, name: wbe, reason: "typo in the name"}',
        '  - {rule: missing-memory-limit, namespace: shop, reason: "sized by VPA"}',
        '  - {rule: missing-memory-limit, namespace: batch, kind: Deployment, reason: "namespace is gone"}',
      ].join('\n'),
    );
    const snapshot = await snapshotFromYaml(WEB, 'manifests');
    const loaded = loadRuleConfig(file, tmp, ruleIds);
    const result = evaluateRulesDetailed(ruleSet, snapshot, buildGraph(snapshot), {}, loaded);
    expect(result.findings.find((f) => f.ruleId === 'single-replica')?.exemption?.reason).toBe('dev only');
    expect(result.staleExemptions).toEqual([
      { rule: 'single-replica', name: 'wbe', reason: 'typo in the name', declaredOn: `${file}:3` },
      { rule: 'missing-memory-limit', namespace: 'batch', kind: 'Deployment', reason: 'namespace is gone', declaredOn: `${file}:5` },
    ]);
    // --no-exemptions evaluates no exemption, so none can be called stale.
    expect(evaluateRulesDetailed(ruleSet, snapshot, buildGraph(snapshot), { noExemptions: true }, loaded).staleExemptions).toEqual([]);
  });
});
