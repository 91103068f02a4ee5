/**
 * Snapshots of the recorded "bookstore" cluster (test/fixtures/k8s-api) for report tests: the
 * live one is rebuilt from the recorded list responses, the manifest one loaded from applied.yaml.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Snapshot, K8sObject, CoverageEntry } from '../../schema/snapshot.js';
import { KIND_SPECS, apiVersionOf } from '../../common/kinds.js';

import { RECORDED_DIR, APPLIED_YAML } from '../../../test/support/recorded-snapshot.js';
export { RECORDED_DIR, APPLIED_YAML };
export const HAVE_RECORDINGS = existsSync(path.join(RECORDED_DIR, 'responses'));

/** Lists that duplicate another (events.k8s.io events, one namespace's pods) or hold kinds we do not read. */
const SKIP = new Set(['list-events-k8s-io-events.json', 'list-namespaced-bookstore-pods.json', 'list-core-endpoints.json']);

export function recordedLiveSnapshot(options: { forbidden?: string[] } = {}): Snapshot {
  const dir = path.join(RECORDED_DIR, 'responses');
  const objects: Record<string, K8sObject[]> = {};
  for (const file of readdirSync(dir).sort()) {
    if (!file.startsWith('list-') || SKIP.has(file)) continue;
    const body = JSON.parse(readFileSync(path.join(dir, file), 'utf8')).body;
    const kind = file.includes('secrets') ? 'Secret' : String(body.kind).replace(/List$/, '');
    const spec = KIND_SPECS.find((s) => s.kind === kind);
    if (!spec || options.forbidden?.includes(kind)) continue;
    objects[kind] = (body.items as K8sObject[]).map((item) => ({ ...item, kind, apiVersion: apiVersionOf(spec) }));
  }
  const coverage: CoverageEntry[] = KIND_SPECS.map((spec) => {
    const base = { kind: spec.kind, apiVersion: apiVersionOf(spec) };
    if (options.forbidden?.includes(spec.kind)) return { ...base, status: 'forbidden' as const, count: 0, error: '403 Forbidden' };
    if (spec.optional) return { ...base, status: 'not-served' as const, count: 0, error: '404 page not found' };
    return { ...base, status: 'listed' as const, count: objects[spec.kind]?.length ?? 0, ...(spec.metadataOnly ? { metadataOnly: true } : {}) };
  });
  return {
    schemaVersion: 1,
    capturedAt: '2026-05-20T10:00:00Z',
    source: { type: 'cluster', server: 'https://127.0.0.1:6443', context: 'bookstore', kubernetesVersion: 'v1.26.15' },
    scope: { namespaces: null, excludedNamespaces: [] },
    coverage,
    objects,
  };
}
