/**
 * The indexed graph helpers that replace per-object scans (docs/rules.md, "Helper functions"): same answers as the
 * scans they replace, in a stable order.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/index.js';
import type { K8sObject } from '../schema/snapshot.js';
import { compileExpression, withHelperContext } from './cel-env.js';
import { snapshotFromObjects } from './test-support/snapshot.js';

const rb = (name: string, namespace: string | undefined, subjects: unknown[], kind = namespace ? 'RoleBinding' : 'ClusterRoleBinding'): K8sObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  roleRef: { kind: 'ClusterRole', name: 'view' },
  subjects,
});
const pod = (name: string, node: string, requests: Record<string, unknown>, limits: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop' },
  spec: { nodeName: node, containers: [{ name: 'c', resources: { requests, limits } }], initContainers: [{ name: 'i', resources: { requests: { cpu: '8' } } }] },
});

const objects: K8sObject[] = [
  rb('direct', 'shop', [{ kind: 'ServiceAccount', name: 'app' }]),
  rb('other-ns-subject', 'shop', [{ kind: 'ServiceAccount', name: 'app', namespace: 'billing' }]),
  rb('ns-group', 'shop', [{ kind: 'Group', name: 'system:serviceaccounts:shop' }]),
  rb('all-group', undefined, [{ kind: 'Group', name: 'system:serviceaccounts' }]),
  rb('cluster-direct', undefined, [{ kind: 'ServiceAccount', name: 'app', namespace: 'shop' }, { kind: 'ServiceAccount', name: 'app', namespace: 'shop' }]),
  rb('user', undefined, [{ kind: 'User', name: 'app' }]),
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } },
  pod('a', 'n1', { cpu: '250m', memory: '1Gi' }),
  pod('b', 'n1', {}, { cpu: '1', memory: '512Mi' }),
  pod('c', 'n2', { cpu: '100m' }),
];
const graph = buildGraph(snapshotFromObjects(objects, 'cluster'));
const run = (expression: string) => withHelperContext({ graph }, () => compileExpression(expression)({}));

describe('indexed graph helpers', () => {
  it('bindingsForServiceAccount: subjects naming the account (namespace defaulting to the binding) and the service-account groups', () => {
    expect(run('bindingsForServiceAccount("shop", "app").map(b, b.metadata.name)')).toEqual([
      'direct', 'ns-group', 'all-group', 'cluster-direct',
    ]);
    expect(run('bindingsForServiceAccount("billing", "app").map(b, b.metadata.name)')).toEqual(['other-ns-subject', 'all-group']);
    expect(run('bindingsForServiceAccount("shop", "default").map(b, b.metadata.name)')).toEqual(['ns-group', 'all-group']);
  });

  it('podsOnNode and sumRequests: the pods of a node and their containers\' requests (limits when no request)', () => {
    expect(run('podsOnNode(getObject("Node", "", "n1")).map(p, p.metadata.name)')).toEqual(['a', 'b']);
    expect(run('sumRequests(podsOnNode(getObject("Node", "", "n1")), "cpu")')).toBeCloseTo(1.25);
    expect(run('sumRequests(podsOnNode(getObject("Node", "", "n1")), "memory")')).toBe(1.5 * 2 ** 30);
    expect(run('sumRequests(podsOnNode(getObject("Node", "", "n2")), "memory")')).toBe(0);
    expect(() => run('sumRequests([{"spec": {"containers": [{"resources": {"requests": {"cpu": "lots"}}}]}}], "cpu")')).toThrow(/invalid quantity/);
  });
});
