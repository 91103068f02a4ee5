/** Hostile and broken manifests: each is an input problem with file:line and the right words, never a crash. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadManifests, parseManifestText } from './index.js';
import { MAX_ALIAS_EXPANSION } from './parse.js';
import { silentLogger } from '../common/logger.js';

const loadText = (text: string) => loadManifests(['-'], { stdin: Readable.from([text]) }, silentLogger);

const POD = (name: string, indent = '') =>
  [`apiVersion: v1`, `kind: Pod`, `metadata:`, `  name: ${name}`, `spec:`, `  containers:`, `  - name: c`, `    image: nginx:1.25`]
    .map((l) => indent + l)
    .join('\n');

describe('workload shapes are checked at load', () => {
  it('a container map where a list belongs is a problem at its line, and the object is skipped', async () => {
    const text = [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', 'spec:', '  template:', '    spec:', '      containers: {}',
      '---', POD('ok'),
    ].join('\n');
    const { snapshot, problems } = await loadText(text);
    expect(problems).toEqual([
      { file: '<stdin>', line: 8, message: 'Deployment default/web: spec.template.spec.containers: must be a list of containers, not a map (kubectl would reject it), skipped' },
    ]);
    expect(snapshot.objects.Deployment).toBeUndefined();
    expect(snapshot.objects.Pod.map((p) => p.metadata.name)).toEqual(['ok']);
  });

  it('replicas "three" and invalid quantities are problems with file:line, not findings', async () => {
    const text = [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', 'spec:', '  replicas: "three"',
      '---',
      'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', 'spec:', '  containers:', '  - name: c', '    resources:', '      requests:', '        memory: 1.5.3Gi',
    ].join('\n');
    const { problems } = await loadText(text);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [6, 'Deployment default/web: spec.replicas: "three" is not a whole number (kubectl would reject it), skipped'],
      [17, 'Pod default/p: spec.containers[0].resources.requests.memory: "1.5.3Gi" is not a quantity (e.g. 500m, 1.5Gi, 2) (kubectl would reject it), skipped'],
    ]);
  });

  it('an object without a name is a problem; one with only generateName is shown as `generateName*`', async () => {
    const text = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  generateName: worker-', 'spec:', '  containers:', '  - name: c'].join('\n');
    const { snapshot, problems } = await loadText(text);
    expect(problems).toEqual([]);
    expect(snapshot.objects.Pod[0].metadata.name).toBe('worker-*');
    expect(Object.keys(snapshot.locations!)).toEqual(['Pod/default/worker-*']);
  });
});

describe('lists are flattened as kubectl flattens them', () => {
  it('flattens a List nested in a List, at any depth, with each item at its own line', () => {
    const text = [
      'apiVersion: v1', 'kind: List', 'items:',
      '- apiVersion: v1', '  kind: List', '  items:',
      POD('inner', '  - ').replace(/\n {2}- /g, '\n    ').replace(/^ {2}- /, '  - '),
    ].join('\n');
    const parsed = parseManifestText(text, 'list.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.objects.map((o) => [o.object.kind, o.object.metadata.name, o.line])).toEqual([['Pod', 'inner', 7]]);
  });

  it('flattens any kind with items (a custom FrobList too), items taking kind and apiVersion from the list', () => {
    const text = ['apiVersion: example.com/v1', 'kind: FrobList', 'items:', '- metadata:', '    name: a', '- metadata:', '    name: b'].join('\n');
    const parsed = parseManifestText(text, 'frobs.yaml');
    expect(parsed.objects.map((o) => [o.object.apiVersion, o.object.kind, o.object.metadata.name, o.line])).toEqual([
      ['example.com/v1', 'Frob', 'a', 4],
      ['example.com/v1', 'Frob', 'b', 6],
    ]);
  });
});

describe('YAML features that kubectl expands', () => {
  it('resolves merge keys before sanitizing, so merged env values are redacted like any other', async () => {
    const text = [
      'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', 'spec:', '  containers:', '  - name: c', '    env:',
      '    - &pw', '      name: DB_PASSWORD', '      value: hunter2-anchor',
      '    - <<: *pw', '      name: OTHER_PASSWORD',
      '    - name: MERGED', '      <<: {value: hunter2-merge}',
    ].join('\n');
    const { snapshot } = await loadText(text);
    const env = snapshot.objects.Pod[0].spec.containers[0].env;
    expect(env.map((e: Record<string, unknown>) => Object.keys(e).sort())).toEqual([['name', 'value'], ['name', 'value'], ['name', 'value']]);
    expect(JSON.stringify(snapshot)).not.toContain('hunter2');
  });

  it('bounds alias expansion by what it expands to, not by the number of aliases', () => {
    const anchor = `[${Array.from({ length: 2000 }, (_, i) => i).join(', ')}]`;
    const aliases = Array.from({ length: 900 }, (_, i) => `  k${i}: *big`).join('\n');
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\nx: &big ${anchor}\ndata:\n${aliases}\n`;
    const parsed = parseManifestText(text, 'bomb.yaml');
    expect(parsed.objects).toEqual([]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0].message).toBe(
      `the document holds aliases that expand to 1,800,000 more values (at most ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')}); document skipped`,
    );
  });
});

describe('problems are named for what they are', () => {
  it('deep nesting is not called a syntax error', () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: deep\nspec: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    const parsed = parseManifestText(text, 'deep.yaml');
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0].message).not.toMatch(/syntax/i);
    expect(parsed.problems[0].message).toMatch(/nested too deeply/);
  });

  it('binary input is not called an unrendered template', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x7b, 0x7b, 0xff, 0xfe, 0x00, 0x01]);
    const parsed = parseManifestText(bytes.toString('utf8').repeat(20), 'logo.yaml');
    expect(parsed.problems).toEqual([{ file: 'logo.yaml', line: 1, message: 'binary data, not YAML or JSON; skipped' }]);
  });
});
