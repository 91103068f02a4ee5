import { describe, expect, it } from 'vitest';
import { loadManifests } from './index.js';
import { buildGraph } from '../graph/index.js';
import { silentLogger } from '../common/logger.js';

/** The demo sets users and e2e tests run: they must keep loading the way demos/README.md says. */
describe('demos', () => {
  it('bookstore loads cleanly and shows the documented dangling references', async () => {
    const { snapshot, problems } = await loadManifests(['demos/bookstore'], {}, silentLogger);
    expect(problems).toEqual([]);
    expect(Object.values(snapshot.objects).flat()).toHaveLength(29);
    expect(JSON.stringify(snapshot)).not.toContain('s3cr3t-never-leaks');
    const dangling = buildGraph(snapshot).danglingReferences().map((d) => `${d.type}:${d.missing.name}`);
    expect(dangling).toEqual([
      'ingress-missing-service:admin',
      'ingress-missing-tls-secret:books-tls',
      'missing-storage-class:fast-nvme',
      'service-selects-nothing:app.kubernetes.io/name=admin-panel',
    ]);
  });

  it('well-configured loads cleanly, everything resolves', async () => {
    const { snapshot, problems } = await loadManifests(['demos/well-configured'], {}, silentLogger);
    expect(problems).toEqual([]);
    const graph = buildGraph(snapshot);
    expect(graph.danglingReferences()).toEqual([]);
    const api = graph.get('Deployment', 'catalog', 'catalog-api')!;
    expect(graph.servicesFor(api)).toHaveLength(1);
    expect(graph.pdbsFor(api)).toHaveLength(1);
    expect(graph.hpasFor(api)).toHaveLength(1);
    expect(graph.networkPoliciesFor(api).map((p) => p.metadata.name)).toEqual(['catalog-api', 'default-deny']);
  });

  it('broken reports the broken document, skips the Helm values file (not a problem), and loads the rest', async () => {
    const { snapshot, problems, skipped } = await loadManifests(['demos/broken'], {}, silentLogger);
    expect(problems.map((p) => `${p.file}:${p.line}`)).toEqual(['demos/broken/app.yaml:40']);
    expect(skipped.map((s) => `${s.type} ${s.path}`)).toEqual(['helm-values demos/broken/values.yaml']);
    expect(problems[0].message).toContain('document starting at line 24');
    expect(Object.keys(snapshot.objects)).toEqual(['Deployment', 'Service']);
  });
});
