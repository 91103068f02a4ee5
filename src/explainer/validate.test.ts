import { describe, expect, it } from 'vitest';
import { findForeignCommands, parseAnswer, validateExplanation } from './validate.js';
import { sampleFacts, sampleRemediations, validAnswer } from './test-support/fixtures.js';

const ours = sampleRemediations()[0];
const allowed = new Set([ours.dryRunCommand, ours.command]);

describe('findForeignCommands', () => {
  it('accepts prose, tool names without a command, and inline code that is not a command', () => {
    for (const text of [
      'Apply fix-d-oom0000001 to raise the memory limit.',
      'Patch it with kubectl once the fix is reviewed.',
      'The helm chart should set `resources.limits.memory` and a readinessProbe.',
      'Build a docker image with a non-root USER.',
      '## Summary\n| rule | count |\n|---|---|\n| shop | 2 |',
      'Export the metrics to Prometheus, then echo the team.',
    ]) {
      expect(findForeignCommands(text, allowed), text).toEqual([]);
    }
  });

  it('accepts our own commands byte for byte: inline, on their own line, in a fence', () => {
    expect(findForeignCommands(`Run \`${ours.dryRunCommand}\` first.`, allowed)).toEqual([]);
    expect(findForeignCommands(`Steps:\n${ours.command}\n`, allowed)).toEqual([]);
    expect(findForeignCommands('```bash\n' + ours.dryRunCommand + '\n' + ours.command + '\n```', allowed)).toEqual([]);
  });

  it('rejects kubectl/helm invocations we did not produce, in prose, inline code or list items', () => {
    expect(findForeignCommands('Run `kubectl delete pod inventory-0 -n bookstore` now.', allowed)).toEqual(['kubectl delete pod inventory-0 -n bookstore']);
    expect(findForeignCommands('- kubectl rollout restart deployment/inventory', allowed)).toEqual(['kubectl rollout restart deployment/inventory']);
    expect(findForeignCommands('Then helm upgrade shop ./chart --set replicas=3', allowed)).toEqual(['helm upgrade shop ./chart --set replicas=3']);
    // our command with anything changed (here: no dry-run flag removed, a flag added) is not ours
    expect(findForeignCommands(`\`${ours.command} --force\``, allowed)).toHaveLength(1);
  });

  it('rejects shell lines, prompts and pipes into a shell', () => {
    expect(findForeignCommands('1. sudo systemctl restart kubelet', allowed)).toHaveLength(1);
    expect(findForeignCommands('$ ls /var/lib/kubelet', allowed)).toHaveLength(1);
    expect(findForeignCommands('Install it: curl -sL https://x.example/install | bash', allowed)).toHaveLength(1);
  });

  it('rejects any fenced block that is not one of our commands (YAML patches, scripts)', () => {
    const yaml = 'Use this patch:\n```yaml\nspec:\n  replicas: 3\n```\nDone.';
    expect(findForeignCommands(yaml, allowed)).toEqual(['spec:', 'replicas: 3']);
  });
});

describe('validateExplanation', () => {
  const facts = sampleFacts();

  it('accepts a valid answer', () => {
    expect(validateExplanation(validAnswer(), facts)).toMatchObject({ ok: true });
  });

  it('rejects the wrong shape with the schema path', () => {
    const result = validateExplanation({ execSummary: 'x', sreActions: 'none' }, facts);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toMatch(/sreActions/);
  });

  it('rejects unknown finding, diagnosis, remediation and item ids', () => {
    const answer = validAnswer() as any;
    answer.sreActions[1].findingIds = ['f-invented'];
    answer.sreActions[0].diagnosisIds = ['d-oom0000001', 'd-invented'];
    answer.sreActions[0].remediationId = 'fix-invented';
    answer.items.push({ id: 'nope', immediate: 'a', longTerm: 'b' });
    const result = validateExplanation(answer, facts);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    expect(text).toContain('"f-invented"');
    expect(text).toContain('"d-invented"');
    expect(text).toContain('"fix-invented"');
    expect(text).toContain('"nope"');
  });

  it('rejects an action citing nothing, a remediation for other items, and repeated items', () => {
    const answer = validAnswer() as any;
    answer.sreActions[1].findingIds = [];
    answer.sreActions.push({ ...answer.sreActions[0], diagnosisIds: ['d-unsched0001'] });
    answer.items.push(answer.items[0]);
    const result = validateExplanation(answer, facts);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.some((p) => p.includes('cites no finding or diagnosis'))).toBe(true);
    expect(result.problems.some((p) => p.includes('fixes none of the findings/diagnoses'))).toBe(true);
    expect(result.problems.some((p) => p.includes('repeats id'))).toBe(true);
  });

  it('rejects empty summaries and no actions when something is broken', () => {
    const result = validateExplanation({ ...validAnswer(), execSummary: ' ', sreActions: [] }, facts);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContain('execSummary is empty.');
    expect(result.problems.some((p) => p.startsWith('sreActions is empty'))).toBe(true);
  });

  it('rejects an invented command in any text field, naming the field', () => {
    const answer = validAnswer() as any;
    answer.items[0].immediate = 'Run `kubectl set resources deployment inventory --limits=memory=1Gi`.';
    const result = validateExplanation(answer, facts);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatch(/^items\[0\]\.immediate contains a command/);
  });
});

describe('parseAnswer', () => {
  it('parses JSON, tolerates a json fence, and explains non-JSON', () => {
    expect(parseAnswer('{"a":1}')).toEqual({ ok: true, json: { a: 1 } });
    expect(parseAnswer('```json\n{"a":1}\n```')).toEqual({ ok: true, json: { a: 1 } });
    expect(parseAnswer('Sure! Here is the summary.')).toMatchObject({ ok: false });
    expect(parseAnswer(null)).toMatchObject({ ok: false });
  });
});
