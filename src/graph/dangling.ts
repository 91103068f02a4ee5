/**
 * Messages for dangling references: one sentence saying what points where, and what the user
 * will see because of it.
 */
import type { ReferenceVia } from './pod-spec.js';

export function describeObject(kind: string, namespace: string | undefined, name: string): string {
  return namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

export function whereMissing(namespace: string | undefined): string {
  return namespace ? ` in namespace ${namespace}` : '';
}

/** What goes wrong for a pod when a referenced ConfigMap/Secret is missing, by how it is referenced. */
export function consequenceOfMissing(kind: string, via: ReferenceVia): string {
  switch (via) {
    case 'env':
    case 'envFrom':
      return 'its containers fail to start (CreateContainerConfigError)';
    case 'volume':
    case 'projected':
      return 'its pods stay in ContainerCreating (FailedMount)';
    case 'imagePullSecret':
      return 'pulls from a private registry fail (ImagePullBackOff)';
    case 'serviceAccount':
      return 'its controller cannot create pods (serviceaccount not found)';
    case 'priorityClass':
      return 'the API server rejects its pods (no PriorityClass with that name)';
    default:
      return kind === 'PersistentVolumeClaim' ? 'its pods stay Pending' : 'pods cannot use it';
  }
}
