import { describe, expect, it } from 'vitest';
import { generateRemediations, shellQuote } from './index.js';
import type { Finding } from '../schema/finding.js';
import type { Diagnosis } from '../schema/diagnosis.js';

const target = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };

function finding(id: string, overrides: Partial<Finding> = {}): Finding {
  return {
    id,
    ruleId: 'missing-memory-limit',
    category: 'reliability',
    severity: 'medium',
    title: 'Container has no memory limit',
    message: "container app has no memory limit",
    resource: target,
    evidence: [{ path: 'spec.template.spec.containers[0].resources.limits.memory', value: '<unset>' }],
    remediation: {
      summary: 'Set a memory limit',
      patch: {
        type: 'strategic',
        target,
        body: { spec: { template: { spec: { containers: [{ name: 'app', resources: { limits: { memory: '512Mi' } } }] } } } },
      },
    },
    exempted: false,
    ...overrides,
  };
}

describe('generateRemediations', () => {
  it('turns a finding patch into a dry-run and an apply command on the right object', () => {
    const [rem] = generateRemediations([finding('abc')], []);
    expect(rem.id).toBe('fix-abc');
    expect(rem.findingIds).toEqual(['abc']);
    expect(rem.command).toBe(
      `kubectl patch deployment/web -n shop --type=strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"app","resources":{"limits":{"memory":"512Mi"}}}]}}}}'`,
    );
    expect(rem.dryRunCommand).toBe(rem.command + ' --dry-run=server');
    expect(rem.patchYaml).toContain('memory: 512Mi');
  });

  it('skips exempted findings and findings without a patch', () => {
    const exempted = finding('e', { exempted: true });
    const noPatch = finding('n', { remediation: { summary: 'Think about it' } });
    expect(generateRemediations([exempted, noPatch], [])).toEqual([]);
  });

  it('creates new objects with kubectl apply and a here-document', () => {
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'shop' }, spec: { maxUnavailable: 1 } };
    const f = finding('pdb', {
      ruleId: 'missing-pdb',
      remediation: { summary: 'Add a PDB', patch: { type: 'merge', target: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace: 'shop', name: 'web' }, body: {}, create: pdb } },
    });
    const [rem] = generateRemediations([f], []);
    expect(rem.command.startsWith("kubectl apply -f - <<'EOF'\n")).toBe(true);
    expect(rem.command).toContain('kind: PodDisruptionBudget');
    expect(rem.dryRunCommand).toContain('--dry-run=server');
  });

  it('includes diagnosis patches, ordered by id', () => {
    const diagnosis = {
      id: 'd1',
      cause: 'oom-killed',
      resource: target,
      podsAffected: 2,
      pods: ['web-1', 'web-2'],
      confidence: 0.9,
      impact: 10,
      summary: 'OOMKilled',
      hypotheses: [],
      evidence: [{ path: 'status.containerStatuses[0].lastState.terminated.reason', value: 'OOMKilled' }],
      remediation: finding('x').remediation,
    } satisfies Diagnosis;
    const ids = generateRemediations([finding('zz'), finding('aa')], [diagnosis]).map((r) => r.id);
    expect(ids).toEqual(['fix-aa', 'fix-d1', 'fix-zz']);
  });

  it('quotes single quotes for the shell', () => {
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
  });
});
