/**
 * Builds snapshots from inline YAML for rule fixtures and tests. Manifest fixtures go through the real
 * manifest loader (src/manifests) so evidence lines and namespace defaults are real; `cluster` fixtures
 * become a live snapshot (uids filled in, status kept) without the connector.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SNAPSHOT_SCHEMA_VERSION, type K8sObject, type Snapshot } from '../../schema/snapshot.js';
import { shortHash } from '../../common/stable-json.js';
import { silentLogger } from '../../common/logger.js';
import { loadManifests } from '../../manifests/index.js';

export type FixtureSource = 'manifests' | 'cluster';

function parseObjects(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`fixture YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJS();
    if (value && typeof value === 'object') objects.push(value as K8sObject);
  }
  return objects;
}

function byNamespaceThenName(a: K8sObject, b: K8sObject): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** A snapshot built straight from parsed objects (no loader): used for `cluster` fixtures. */
export function snapshotFromObjects(objects: K8sObject[], source: FixtureSource): Snapshot {
  const grouped: Record<string, K8sObject[]> = {};
  for (const obj of objects) {
    obj.metadata ??= {};
    if (source === 'cluster') {
      obj.metadata.uid ??= `uid-${shortHash(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name ?? '')}`;
    }
    (grouped[obj.kind] ??= []).push(obj);
  }
  for (const list of Object.values(grouped)) list.sort(byNamespaceThenName);
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    capturedAt: '2026-01-01T00:00:00Z',
    source: source === 'cluster' ? { type: 'cluster', server: 'https://fixture.invalid' } : { type: 'manifests', paths: ['fixture.yaml'] },
    scope: { namespaces: null, excludedNamespaces: [] },
    coverage: [],
    objects: grouped,
  };
}

export async function snapshotFromYaml(text: string, source: FixtureSource = 'manifests'): Promise<Snapshot> {
  if (source === 'manifests') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clustergpt-fixture-'));
    try {
      const file = path.join(dir, 'fixture.yaml');
      await writeFile(file, text);
      const { snapshot, problems } = await loadManifests([file], {}, silentLogger);
      if (problems.length > 0) throw new Error(`fixture manifests: ${problems.map((p) => p.message).join('; ')}`);
      return snapshot;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return snapshotFromObjects(parseObjects(text), source);
}
