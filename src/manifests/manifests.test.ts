import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadManifests } from './index.js';
import { silentLogger } from '../common/logger.js';
import { InputError } from '../common/errors.js';
import { SnapshotSchema, objectKey } from '../schema/snapshot.js';

const F = 'src/manifests/fixtures';
const load = (paths: string[], stdin?: string) =>
  loadManifests(paths, { stdin: stdin === undefined ? undefined : Readable.from([stdin]) }, silentLogger);

describe('loadManifests', () => {
  it('loads a multi-document file around a broken document and reports the broken one with its line', async () => {
    const { snapshot, problems } = await load([`${F}/broken-middle.yaml`]);
    expect(snapshot.objects.ConfigMap.map((o) => o.metadata.name)).toEqual(['first']);
    expect(snapshot.objects.Service.map((o) => o.metadata.name)).toEqual(['last']);
    expect(problems).toHaveLength(1);
    expect(problems[0].file).toBe(`${F}/broken-middle.yaml`);
    // The parser notices the unclosed `[` of line 13 on line 14; the message names the document's first line.
    expect(problems[0].line).toBe(14);
    expect(problems[0].message).toMatch(/^YAML syntax error in the document starting at line 9: .+; document skipped$/);
    expect(snapshot.locations?.[objectKey('Service', 'shop', 'last')]).toMatchObject({ file: `${F}/broken-middle.yaml`, line: 17 });
  });

  it('records the line of nested paths', async () => {
    const { snapshot } = await load([`${F}/two-containers.yaml`]);
    const location = snapshot.locations![objectKey('Deployment', 'default', 'web')];
    expect(location.line).toBe(2);
    expect(location.paths['spec.template.spec.containers[1].image']).toBe(25);
    expect(location.paths['spec.template.spec.containers[1]']).toBe(24);
    expect(location.paths['spec.template.spec.containers[0].resources.limits.memory']).toBe(23);
    expect(location.paths['spec.template.spec.containers[1].resources.limits.cpu']).toBe(30);
    expect(location.paths['spec.template.spec.containers[1].env[0].value']).toBe(28);
    expect(location.paths['spec.replicas']).toBe(9);
    expect(location.paths['metadata.labels.app']).toBe(7);
  });

  it('gives namespaced kinds "default" and strips namespaces from cluster-scoped kinds (JSON input)', async () => {
    const { snapshot } = await load([`${F}/two-containers.yaml`, `${F}/single.json`]);
    expect(snapshot.objects.Deployment[0].metadata.namespace).toBe('default');
    expect(snapshot.objects.Namespace[0].metadata.namespace).toBeUndefined();
    expect(snapshot.locations![objectKey('Namespace', undefined, 'shop')].paths['metadata.name']).toBe(5);
  });

  it('flattens kubectl List output, keeping status and Events, each item with its own line', async () => {
    const { snapshot, problems } = await load([`${F}/kubectl-list.yaml`, `${F}/service-list.json`]);
    expect(problems).toEqual([]);
    const pod = snapshot.objects.Pod[0];
    expect(pod.status.containerStatuses[0].restartCount).toBe(4);
    expect(snapshot.objects.Event[0].reason).toBe('BackOff');
    expect(snapshot.locations![objectKey('Pod', 'shop', 'web-abc')]).toMatchObject({ line: 3 });
    expect(snapshot.locations![objectKey('Pod', 'shop', 'web-abc')].paths['spec.containers[0].image']).toBe(12);
    expect(snapshot.locations![objectKey('Event', 'shop', 'web-abc.17a2')].line).toBe(20);
    // ServiceList items without apiVersion/kind take them from the list.
    expect(snapshot.objects.Service.map((s) => `${s.apiVersion} ${s.kind} ${s.metadata.namespace}/${s.metadata.name}`)).toEqual([
      'v1 Service default/db',
      'v1 Service shop/api',
    ]);
    expect(snapshot.locations![objectKey('Service', 'shop', 'api')].line).toBe(5);
    expect(snapshot.coverage.find((c) => c.kind === 'Event')).toMatchObject({ status: 'listed', count: 1 });
  });

  it('reads Helm output with # Source comments and sanitizes every object', async () => {
    const { snapshot, problems } = await load([`${F}/helm-rendered.yaml`]);
    expect(problems).toEqual([]);
    expect(Object.keys(snapshot.objects)).toEqual(['Deployment', 'Secret', 'ServiceAccount']);
    expect(snapshot.locations![objectKey('Deployment', 'default', 'release-shop')].line).toBe(22);
    const text = JSON.stringify(snapshot);
    expect(text).not.toContain('do-not-leak');
    expect(text).not.toContain('literal-token-value');
    expect(snapshot.objects.Deployment[0].spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.name).toBe('release-shop');
  });

  it('reads stdin for "-"', async () => {
    const { snapshot } = await load(['-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: piped\n');
    expect(snapshot.objects.ConfigMap[0].metadata).toMatchObject({ name: 'piped', namespace: 'default' });
    expect(snapshot.locations![objectKey('ConfigMap', 'default', 'piped')]).toMatchObject({ file: '<stdin>', line: 1, paths: { 'metadata.name': 4 } });
    expect(snapshot.source).toEqual({ type: 'manifests', paths: ['-'] });
  });

  it('skips non-Kubernetes YAML with a problem', async () => {
    const { snapshot, problems } = await load(['-'], '# not a manifest\nreplicaCount: 2\n');
    expect(snapshot.objects).toEqual({});
    expect(problems).toEqual([{ file: '<stdin>', line: 2, message: 'not a Kubernetes object (no apiVersion/kind), skipped' }]);
  });

  it('skips a Helm values.yaml as not a problem, and says how to render the chart', async () => {
    const { snapshot, problems, skipped } = await load([`${F}/values.yaml`, `${F}/single.json`]);
    expect(problems).toEqual([]);
    expect(Object.keys(snapshot.objects)).toEqual(['Namespace']);
    expect(skipped).toEqual([
      {
        path: `${F}/values.yaml`,
        type: 'helm-values',
        marker: `${F}/values.yaml`,
        render: `helm template NAME CHART -f ${F}/values.yaml | clustergpt analyze --manifests -`,
      },
    ]);
  });

  it('loads an object defined twice as kubectl apply would (the later wins), with a warning naming both places', async () => {
    const { snapshot, problems, warnings } = await load([`${F}/duplicate.yaml`]);
    expect(problems).toEqual([]);
    expect(snapshot.objects.ConfigMap).toHaveLength(1);
    expect(snapshot.objects.ConfigMap[0].data).toHaveProperty('mode');
    expect(snapshot.locations![objectKey('ConfigMap', 'shop', 'settings')].line).toBe(6);
    expect(warnings).toEqual([
      {
        file: `${F}/duplicate.yaml`,
        line: 6,
        message: `ConfigMap shop/settings is defined twice: ${F}/duplicate.yaml:1 and ${F}/duplicate.yaml:6; the later one is used, as with kubectl apply`,
      },
    ]);
  });

  it('names duplicates across files, the later file winning', async () => {
    const { snapshot, warnings } = await load([`${F}/two-containers.yaml`, '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 7\n');
    expect(snapshot.objects.Deployment).toHaveLength(1);
    expect(snapshot.objects.Deployment[0].spec.replicas).toBe(7);
    expect(snapshot.locations![objectKey('Deployment', 'default', 'web')]).toMatchObject({ file: '<stdin>', line: 1 });
    expect(warnings.map((w) => w.message)).toEqual([
      `Deployment default/web is defined twice: ${F}/two-containers.yaml:2 and <stdin>:1; the later one is used, as with kubectl apply`,
    ]);
  });

  it('loads a document with a repeated key with the last value, and warns with the line', async () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web, namespace: shop}',
      'spec:',
      '  replicas: 1',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: nginx:1.26',
      '          image: nginx:1.27',
      '  replicas: 3',
    ].join('\n');
    const { snapshot, problems, warnings } = await load(['-'], text);
    expect(problems).toEqual([]);
    const deployment = snapshot.objects.Deployment[0];
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.containers[0].image).toBe('nginx:1.27');
    // Evidence for the field points at the value that was loaded.
    expect(snapshot.locations![objectKey('Deployment', 'shop', 'web')].paths['spec.replicas']).toBe(12);
    expect(warnings).toEqual([
      { file: '<stdin>', line: 11, message: 'duplicate key spec.template.spec.containers[0].image (first at line 10); the last value (line 11) is used' },
      { file: '<stdin>', line: 12, message: 'duplicate key spec.replicas (first at line 5); the last value (line 12) is used' },
    ]);
  });

  it('skips kustomizations and Helm charts in a directory with the command that renders them, and reads the rest', async () => {
    const { snapshot, problems, skipped } = await load([`${F}/repo`]);
    expect(problems).toEqual([]);
    expect(snapshot.objects.ConfigMap.map((o) => o.metadata.name)).toEqual(['plain']);
    expect(skipped.map((s) => [s.path, s.type, s.marker, s.render])).toEqual([
      [`${F}/repo/chart`, 'helm-chart', 'Chart.yaml', `helm template NAME ${F}/repo/chart | clustergpt analyze --manifests -`],
      [`${F}/repo/deploy/base`, 'kustomization', 'kustomization.yaml', `kustomize build ${F}/repo/deploy/base | clustergpt analyze --manifests -`],
      [`${F}/repo/deploy/overlays/prod`, 'kustomization', 'kustomization.yml', `kustomize build ${F}/repo/deploy/overlays/prod | clustergpt analyze --manifests -`],
      [`${F}/repo/legacy`, 'kustomization', 'Kustomization', `kustomize build ${F}/repo/legacy | clustergpt analyze --manifests -`],
    ]);
  });

  it('treats a kustomization.yaml or Chart.yaml named directly as its directory', async () => {
    const { skipped } = await load([`${F}/repo/deploy/base/kustomization.yaml`, `${F}/repo/plain.yaml`]);
    expect(skipped.map((s) => s.path)).toEqual([`${F}/repo/deploy/base`]);
  });

  it('refuses (exit 2) an input that is nothing but charts and kustomizations, saying how to render them', async () => {
    await expect(load([`${F}/repo/chart`])).rejects.toMatchObject({
      exitCode: 2,
      message: `nothing to analyze: ${F}/repo/chart is a Helm chart (Chart.yaml), not rendered manifests`,
      hint: `render it first: helm template NAME ${F}/repo/chart | clustergpt analyze --manifests -`,
    });
    await expect(load([`${F}/repo/deploy`])).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('is a kustomization (kustomization.yaml) and 1 more'),
    });
  });

  it('walks directories recursively in sorted order, skipping hidden dirs, node_modules and other files', async () => {
    const { snapshot } = await load([`${F}/tree`]);
    expect(snapshot.objects.ConfigMap.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
    const files = Object.values(snapshot.locations!).map((l) => l.file).sort();
    expect(files).toEqual([`${F}/tree/b.yaml`, `${F}/tree/sub/a.yml`, `${F}/tree/sub/c.json`]);
    const again = await load([`./${F}/tree/`]);
    expect(JSON.stringify(again.snapshot.objects)).toBe(JSON.stringify(snapshot.objects));
    expect(again.snapshot.locations).toEqual(snapshot.locations);
  });

  it('fails with InputError (exit 2) on a missing path or a directory without manifests', async () => {
    await expect(load([`${F}/nope.yaml`])).rejects.toThrow(InputError);
    await expect(load([`${F}/nope.yaml`])).rejects.toThrow(`no such file or directory: ${F}/nope.yaml`);
    await expect(load([`${F}/empty-dir`])).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('no manifests found') });
  });

  it('produces a valid, reproducible snapshot with coverage per kind', async () => {
    const a = await load([`${F}/helm-rendered.yaml`, `${F}/two-containers.yaml`]);
    const b = await load([`${F}/helm-rendered.yaml`, `${F}/two-containers.yaml`]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(SnapshotSchema.safeParse(a.snapshot).success).toBe(true);
    expect(a.snapshot.capturedAt).toBe('1970-01-01T00:00:00.000Z');
    expect(a.snapshot.coverage.map((c) => `${c.kind}:${c.status}:${c.count}`)).toEqual([
      'Deployment:listed:2',
      'Event:not-applicable:0',
      'Node:not-applicable:0',
      'NodeMetrics:not-applicable:0',
      'PodMetrics:not-applicable:0',
      'Secret:listed:1',
      'ServiceAccount:listed:1',
    ]);
  });

  it('reads kustomize build output (no leading ---, generated names)', async () => {
    const { snapshot, problems } = await load([`${F}/kustomize-build.yaml`]);
    expect(problems).toEqual([]);
    expect(snapshot.locations![objectKey('Deployment', 'prod', 'prod-shop')]).toMatchObject({ line: 11 });
    expect(snapshot.locations![objectKey('Deployment', 'prod', 'prod-shop')].paths['spec.template.spec.containers[0].envFrom[0].configMapRef.name']).toBe(30);
    expect(snapshot.objects.ConfigMap[0].data).toEqual({ MODE: '' }); // values never enter a snapshot
  });

  it('skips objects kubectl would reject, with a reason', async () => {
    const text = [
      'apiVersion: v1\nkind: ConfigMap\ndata: {a: b}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad-labels\n  labels: {version: 1.0}',
      'apiVersion: v1\nkind: List\nitems:\n  - just a string\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: ok}',
    ].join('\n---\n');
    const { snapshot, problems } = await load(['-'], text);
    expect(snapshot.objects.ConfigMap.map((o) => o.metadata.name)).toEqual(['ok']);
    expect(problems.map((p) => `${p.line} ${p.message}`)).toEqual([
      '1 ConfigMap has no metadata, skipped',
      expect.stringMatching(/^5 ConfigMap bad-labels: metadata\.labels\.version: .+skipped$/),
      '14 not a Kubernetes object (no apiVersion/kind), skipped',
    ]);
  });

  it('explains that an unrendered Helm template must be rendered first', async () => {
    const { snapshot, problems } = await load([`${F}/unrendered-template.yaml`]);
    expect(snapshot.objects).toEqual({});
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toContain('run `helm template`');
  });

  it('refuses to wait on a terminal for "-"', async () => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    await expect(loadManifests(['-'], { stdin: tty }, silentLogger)).rejects.toThrow(/stdin is a terminal/);
  });
});

describe('progress on big inputs', () => {
  it('says which big file it is parsing, so a long parse never looks like a hang', async () => {
    const lines: string[] = [];
    const log = { ...silentLogger, progress: (m: string) => lines.push(m) };
    const doc = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${i}, namespace: a}\ndata: {k: "${'x'.repeat(200)}"}\n`;
    const big = Array.from({ length: 5000 }, (_, i) => doc(i)).join('---\n');
    await loadManifests(['-'], { stdin: Readable.from([big]) }, log);
    expect(lines.some((l) => /^parsing <stdin> \(1\.\d MiB\)…$/.test(l))).toBe(true);
    lines.length = 0;
    await loadManifests(['-'], { stdin: Readable.from([doc(1)]) }, log);
    expect(lines.some((l) => l.startsWith('parsing '))).toBe(false);
  });
});
