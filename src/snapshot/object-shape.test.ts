import { describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH, nameGeneratedObject, objectShapeProblem, quantityProblem } from './object-shape.js';

function deployment(podSpec: unknown, replicas: unknown = 2): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec } },
  };
}

function withResources(resources: unknown): Record<string, any> {
  return deployment({ containers: [{ name: 'web', image: 'nginx:1.25', resources }] });
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('objectShapeProblem', () => {
  it('accepts a well-formed workload', () => {
    expect(objectShapeProblem(withResources({ requests: { cpu: '250m', memory: 12 }, limits: { memory: '1.5Gi', 'nvidia.com/gpu': 1 } }))).toBeUndefined();
  });

  it('refuses a container map where a list belongs, naming the field', () => {
    expect(objectShapeProblem(deployment({ containers: {} }))).toMatchObject({
      path: 'spec.template.spec.containers',
      message: 'must be a list of containers, not a map',
      kubectlRejects: true,
    });
    expect(objectShapeProblem(deployment({ containers: [{ image: 'nginx' }] }))).toMatchObject({ path: 'spec.template.spec.containers[0]', message: 'has no name' });
    expect(objectShapeProblem(deployment({ containers: [{ name: 'web', env: { A: '1' } }] }))?.path).toBe('spec.template.spec.containers[0].env');
    expect(objectShapeProblem(withResources('lots'))?.path).toBe('spec.template.spec.containers[0].resources');
  });

  it('refuses replica counts that are not whole numbers', () => {
    expect(objectShapeProblem(deployment({ containers: [] }, 'three'))).toMatchObject({ path: 'spec.replicas', message: '"three" is not a whole number' });
    expect(objectShapeProblem(deployment({ containers: [] }, 1.5))?.path).toBe('spec.replicas');
    expect(objectShapeProblem(deployment({ containers: [] }, -1))?.message).toBe('-1 is negative');
  });

  it('refuses invalid and negative quantities, and accepts a bare number of bytes', () => {
    expect(objectShapeProblem(withResources({ requests: { memory: '1.5.3Gi' } }))).toMatchObject({
      path: 'spec.template.spec.containers[0].resources.requests.memory',
      message: '"1.5.3Gi" is not a quantity (e.g. 500m, 1.5Gi, 2)',
    });
    expect(objectShapeProblem(withResources({ limits: { cpu: '-1' } }))?.message).toBe('"-1" is negative');
    expect(quantityProblem('12')).toBeUndefined();
    expect(quantityProblem(12)).toBeUndefined();
    expect(quantityProblem('1e3')).toBeUndefined();
    expect(quantityProblem('500 m')).toBeDefined();
    expect(quantityProblem(-0.5)).toBe('-0.5 is negative');
  });

  it('refuses objects nested deeper than the limit, without overflowing the stack', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'deep' }, spec: { containers: [{ name: 'c', securityContext: nested(100_000) }] } };
    const problem = objectShapeProblem(pod);
    expect(problem?.message).toBe(`nested more than ${MAX_NESTING_DEPTH} levels deep (no real Kubernetes object is)`);
    expect(problem?.path.startsWith('spec.containers[0].securityContext')).toBe(true);
  });

  it('needs a name or a generateName; a generateName alone is shown as `prefix*`', () => {
    expect(objectShapeProblem({ apiVersion: 'v1', kind: 'Pod', metadata: {} })?.path).toBe('metadata.name');
    const generated: { apiVersion: string; kind: string; metadata: Record<string, string> } = { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'worker-' } };
    expect(objectShapeProblem(generated)).toBeUndefined();
    expect(nameGeneratedObject(generated).metadata.name).toBe('worker-*');
  });
});
