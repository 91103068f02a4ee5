/**
 * Best-effort guess of the managed platform, recorded in the snapshot source so reports (and the
 * cost analyst's price lookup) can say "EKS" instead of a bare server URL. Order: the server's
 * gitVersion suffix (`v1.27.3-eks-a5565ad`, `v1.27.3-gke.100`, `v1.27.3+k3s1`), then node labels,
 * then the nodes' providerID scheme. undefined when nothing is recognisable.
 */
import type { K8sObject } from '../schema/snapshot.js';

const VERSION_MARKERS: ReadonlyArray<[RegExp, string]> = [
  [/-eks-/, 'eks'],
  [/-gke\./, 'gke'],
  [/\+k3s/, 'k3s'],
  [/\+rke2/, 'rke2'],
];

const LABEL_MARKERS: ReadonlyArray<[string, string]> = [
  ['eks.amazonaws.com/', 'eks'],
  ['cloud.google.com/gke-', 'gke'],
  ['kubernetes.azure.com/', 'aks'],
  ['node.openshift.io/', 'openshift'],
];

const PROVIDER_ID_SCHEMES: Record<string, string> = {
  aws: 'aws',
  gce: 'gcp',
  azure: 'azure',
  kind: 'kind',
  digitalocean: 'digitalocean',
  openstack: 'openstack',
  vsphere: 'vsphere',
  k3s: 'k3s',
};

export function detectPlatform(gitVersion: string | undefined, nodes: readonly K8sObject[]): string | undefined {
  for (const [re, platform] of VERSION_MARKERS) if (gitVersion && re.test(gitVersion)) return platform;
  for (const node of nodes) {
    const labels = Object.keys(node.metadata?.labels ?? {});
    for (const [prefix, platform] of LABEL_MARKERS) if (labels.some((l) => l.startsWith(prefix))) return platform;
  }
  for (const node of nodes) {
    const scheme = /^([a-z0-9-]+):\/\//.exec(String(node.spec?.providerID ?? ''))?.[1];
    if (scheme && PROVIDER_ID_SCHEMES[scheme]) return PROVIDER_ID_SCHEMES[scheme];
  }
  return undefined;
}
