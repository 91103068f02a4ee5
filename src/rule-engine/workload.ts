/** Where the pod spec lives in each workload kind, and the per-object values bound to rule expressions. */
import type { K8sObject } from '../schema/snapshot.js';
import { podTemplatePath } from '../common/pod-template.js';
import { isDeploymentLike } from '../common/kinds.js';

export { podTemplatePath } from '../common/pod-template.js';

export function joinPath(prefix: string, rest: string): string {
  if (!prefix) return rest;
  if (!rest) return prefix;
  return rest.startsWith('[') ? prefix + rest : `${prefix}.${rest}`;
}

export function podSpecPath(obj: K8sObject): string | undefined {
  const template = podTemplatePath(obj);
  return template === undefined ? undefined : joinPath(template, 'spec');
}

function podTemplateOf(obj: K8sObject): Record<string, any> | undefined {
  switch (obj.kind) {
    case 'Pod':
      return obj;
    case 'CronJob':
      return obj.spec?.jobTemplate?.spec?.template;
    default:
      return podTemplatePath(obj) === undefined ? undefined : obj.spec?.template;
  }
}

export function podSpecOf(obj: K8sObject): Record<string, any> | undefined {
  const template = podTemplateOf(obj);
  return template ? template.spec ?? {} : undefined;
}

export function podTemplateMetadataOf(obj: K8sObject): Record<string, any> | undefined {
  const template = podTemplateOf(obj);
  return template ? template.metadata ?? {} : undefined;
}

function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** Declared replicas (see docs/rules.md §2 `replicas`). */
export function declaredReplicas(obj: K8sObject): number {
  switch (obj.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
      return count(obj.spec?.replicas, 1);
    case 'DeploymentConfig':
    case 'Rollout':
      return isDeploymentLike(obj) ? count(obj.spec?.replicas, 1) : 0;
    case 'Pod':
      return 1;
    case 'Job':
      return count(obj.spec?.parallelism, 1);
    case 'CronJob':
      return count(obj.spec?.jobTemplate?.spec?.parallelism, 1);
    case 'DaemonSet':
      return count(obj.status?.desiredNumberScheduled, 0);
    default:
      return 0;
  }
}

/** Nests a pod-spec-level patch body at the pod spec of `obj` (`{"spec": {"template": {"spec": body}}}`). */
export function wrapPodSpecPatch(obj: K8sObject, body: unknown): unknown {
  const path = podSpecPath(obj);
  if (path === undefined) return body;
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), body);
}
