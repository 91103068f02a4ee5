/**
 * Where the pod template sits in each kind that has one: the one answer every stage uses (the shape checks at load,
 * the graph, the rule engine, the patch generator), so a kind added here is read the same way everywhere.
 */
import type { K8sObject } from '../schema/snapshot.js';
import { isDeploymentLike } from './kinds.js';

/** Path of the pod template (the object holding `metadata` and `spec`), '' for a Pod itself, undefined for other kinds. */
export function podTemplatePath(obj: Record<string, any>): string | undefined {
  switch (obj.kind) {
    case 'Pod':
      return '';
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return 'spec.template';
    case 'CronJob':
      return 'spec.jobTemplate.spec.template';
    case 'DeploymentConfig':
    case 'Rollout':
      return isDeploymentLike(obj as K8sObject) ? 'spec.template' : undefined;
    default:
      return undefined;
  }
}

/** The pod spec's path as segments (`['spec', 'template', 'spec']`), undefined for kinds without a pod template. */
export function podSpecSegments(obj: Record<string, any>): string[] | undefined {
  const template = podTemplatePath(obj);
  if (template === undefined) return undefined;
  return template === '' ? ['spec'] : [...template.split('.'), 'spec'];
}
