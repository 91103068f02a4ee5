/**
 * Where the pod spec lives in each workload kind, and every object a pod spec refers to by name
 * (ConfigMaps, Secrets, the ServiceAccount, PVCs, the PriorityClass), with the field path of the reference.
 */
import type { K8sObject } from '../schema/snapshot.js';
import { isDeploymentLike } from '../common/kinds.js';

export interface PodTemplate {
  /** The pod spec object (`spec` of a Pod, `spec.template.spec` of a Deployment...). */
  spec: Record<string, any>;
  /** Path prefix of the pod spec in the object, e.g. `spec.template.spec`. */
  specPath: string;
  /** Labels the pods get (template labels, or a Pod's own labels). */
  labels: Record<string, string> | undefined;
}

/** The pod template of a workload kind or a Pod; undefined for other kinds. */
export function podTemplateOf(obj: K8sObject): PodTemplate | undefined {
  switch (obj.kind) {
    case 'Pod':
      return { spec: obj.spec ?? {}, specPath: 'spec', labels: obj.metadata.labels };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return {
        spec: obj.spec?.template?.spec ?? {},
        specPath: 'spec.template.spec',
        labels: obj.spec?.template?.metadata?.labels,
      };
    case 'CronJob':
      return {
        spec: obj.spec?.jobTemplate?.spec?.template?.spec ?? {},
        specPath: 'spec.jobTemplate.spec.template.spec',
        labels: obj.spec?.jobTemplate?.spec?.template?.metadata?.labels,
      };
    case 'DeploymentConfig':
    case 'Rollout':
      if (!isDeploymentLike(obj)) return undefined;
      return { spec: obj.spec.template.spec ?? {}, specPath: 'spec.template.spec', labels: obj.spec.template.metadata?.labels };
    default:
      return undefined;
  }
}

export type ReferenceVia = 'env' | 'envFrom' | 'volume' | 'projected' | 'imagePullSecret' | 'serviceAccount' | 'priorityClass';

export interface PodReference {
  kind: 'ConfigMap' | 'Secret' | 'ServiceAccount' | 'PersistentVolumeClaim' | 'PriorityClass';
  name: string;
  path: string;
  via: ReferenceVia;
  optional: boolean;
  /** True when the name was not written but defaulted (serviceAccountName unset → "default"). */
  implicit?: boolean;
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Every by-name reference a pod spec makes, in document order. */
export function podReferences(template: PodTemplate): PodReference[] {
  const { spec, specPath } = template;
  const refs: PodReference[] = [];
  const add = (ref: PodReference) => {
    if (typeof ref.name === 'string' && ref.name !== '') refs.push(ref);
  };

  const explicitSa = spec.serviceAccountName ?? spec.serviceAccount;
  if (typeof explicitSa === 'string' && explicitSa !== '') {
    const field = spec.serviceAccountName ? 'serviceAccountName' : 'serviceAccount';
    add({ kind: 'ServiceAccount', name: explicitSa, path: `${specPath}.${field}`, via: 'serviceAccount', optional: false });
  } else {
    add({
      kind: 'ServiceAccount',
      name: 'default',
      path: `${specPath}.serviceAccountName`,
      via: 'serviceAccount',
      optional: false,
      implicit: true,
    });
  }

  if (typeof spec.priorityClassName === 'string') {
    add({ kind: 'PriorityClass', name: spec.priorityClassName, path: `${specPath}.priorityClassName`, via: 'priorityClass', optional: false });
  }

  asArray(spec.imagePullSecrets).forEach((s, i) => {
    add({ kind: 'Secret', name: s?.name, path: `${specPath}.imagePullSecrets[${i}].name`, via: 'imagePullSecret', optional: false });
  });

  for (const list of CONTAINER_LISTS) {
    asArray(spec[list]).forEach((container, ci) => {
      const base = `${specPath}.${list}[${ci}]`;
      asArray(container?.envFrom).forEach((source, ei) => {
        if (source?.configMapRef) {
          add({ kind: 'ConfigMap', name: source.configMapRef.name, path: `${base}.envFrom[${ei}].configMapRef.name`, via: 'envFrom', optional: source.configMapRef.optional === true });
        }
        if (source?.secretRef) {
          add({ kind: 'Secret', name: source.secretRef.name, path: `${base}.envFrom[${ei}].secretRef.name`, via: 'envFrom', optional: source.secretRef.optional === true });
        }
      });
      asArray(container?.env).forEach((env, ei) => {
        const from = env?.valueFrom;
        if (from?.configMapKeyRef) {
          add({ kind: 'ConfigMap', name: from.configMapKeyRef.name, path: `${base}.env[${ei}].valueFrom.configMapKeyRef.name`, via: 'env', optional: from.configMapKeyRef.optional === true });
        }
        if (from?.secretKeyRef) {
          add({ kind: 'Secret', name: from.secretKeyRef.name, path: `${base}.env[${ei}].valueFrom.secretKeyRef.name`, via: 'env', optional: from.secretKeyRef.optional === true });
        }
      });
    });
  }

  asArray(spec.volumes).forEach((volume, vi) => {
    const base = `${specPath}.volumes[${vi}]`;
    if (volume?.configMap) {
      add({ kind: 'ConfigMap', name: volume.configMap.name, path: `${base}.configMap.name`, via: 'volume', optional: volume.configMap.optional === true });
    }
    if (volume?.secret) {
      add({ kind: 'Secret', name: volume.secret.secretName, path: `${base}.secret.secretName`, via: 'volume', optional: volume.secret.optional === true });
    }
    if (volume?.persistentVolumeClaim) {
      add({ kind: 'PersistentVolumeClaim', name: volume.persistentVolumeClaim.claimName, path: `${base}.persistentVolumeClaim.claimName`, via: 'volume', optional: false });
    }
    asArray(volume?.projected?.sources).forEach((source, si) => {
      if (source?.configMap) {
        add({ kind: 'ConfigMap', name: source.configMap.name, path: `${base}.projected.sources[${si}].configMap.name`, via: 'projected', optional: source.configMap.optional === true });
      }
      if (source?.secret) {
        add({ kind: 'Secret', name: source.secret.name, path: `${base}.projected.sources[${si}].secret.name`, via: 'projected', optional: source.secret.optional === true });
      }
    });
  });
  return refs;
}

export function asArray(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** Only the PersistentVolumeClaim references of a pod spec (cheap; for pods created from a template). */
export function claimReferences(template: PodTemplate): PodReference[] {
  const refs: PodReference[] = [];
  asArray(template.spec.volumes).forEach((volume, vi) => {
    const claimName = volume?.persistentVolumeClaim?.claimName;
    if (typeof claimName === 'string' && claimName !== '') {
      refs.push({
        kind: 'PersistentVolumeClaim',
        name: claimName,
        path: `${template.specPath}.volumes[${vi}].persistentVolumeClaim.claimName`,
        via: 'volume',
        optional: false,
      });
    }
  });
  return refs;
}
