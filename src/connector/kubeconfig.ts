/**
 * Finding and loading the kubeconfig. Order: --kubeconfig, $KUBECONFIG (all files, merged the way
 * kubectl does), ~/.kube/config, the in-cluster service account. Unlike
 * KubeConfig.loadFromDefault we never fall back to http://localhost:8080 silently: no kubeconfig
 * is a ClusterError naming every place we looked.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, errorMessage } from '../common/errors.js';

/** Where the kubelet mounts the service account; client-node's loadFromCluster reads token, ca.crt and namespace there. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface LoadedKubeConfig {
  kc: KubeConfig;
  /** Where it came from, for messages ("~/.kube/config", "in-cluster service account"). */
  origin: string;
}

export interface KubeConfigLocation {
  explicitPath?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /**
   * A directory that stands in for `/` when looking for the service account (tests put a token
   * and ca.crt under `<root>/var/run/secrets/...`). Only a caller can set it, never the
   * environment, so a process in a pod always reads the real mount.
   */
  serviceAccountRoot?: string;
}

function loadFile(kc: KubeConfig, file: string): void {
  try {
    kc.loadFromFile(file);
  } catch (err) {
    // client-node fails on an empty or non-mapping file with a TypeError about its own internals: say what is wrong.
    const reason =
      err instanceof TypeError
        ? 'it is empty or not a kubeconfig (no clusters, users or contexts)'
        : errorMessage(err).split('\n')[0];
    throw new ClusterError(
      `cannot read the kubeconfig ${file}: ${reason}`,
      'check that the file is a valid kubeconfig (kubectl config view --kubeconfig FILE)',
      { cause: err },
    );
  }
}

/** Loads the kubeconfig from the first place that has one. */
export function loadKubeConfig(location: KubeConfigLocation = {}): LoadedKubeConfig {
  const env = location.env ?? process.env;
  const kc = new KubeConfig();
  const tried: string[] = [];

  if (location.explicitPath) {
    if (!existsSync(location.explicitPath)) {
      throw new ClusterError(`kubeconfig not found: ${location.explicitPath}`, 'check the --kubeconfig path');
    }
    loadFile(kc, location.explicitPath);
    return { kc, origin: location.explicitPath };
  }

  const envFiles = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const existingEnvFiles = envFiles.filter((f) => existsSync(f));
  if (existingEnvFiles.length > 0) {
    loadFile(kc, existingEnvFiles[0]);
    for (const file of existingEnvFiles.slice(1)) {
      const extra = new KubeConfig();
      loadFile(extra, file);
      kc.mergeConfig(extra, true); // like kubectl: the first file's current-context wins
    }
    return { kc, origin: existingEnvFiles.join(delimiter) };
  }
  if (envFiles.length > 0) tried.push(`$KUBECONFIG (${envFiles.join(delimiter)})`);

  const homeConfig = join(location.home ?? homedir(), '.kube', 'config');
  if (existsSync(homeConfig)) {
    loadFile(kc, homeConfig);
    return { kc, origin: homeConfig };
  }
  tried.push(homeConfig);

  const root = location.serviceAccountRoot ?? '';
  if (env.KUBERNETES_SERVICE_HOST && existsSync(`${root}${SERVICE_ACCOUNT_TOKEN}`)) {
    loadFromCluster(kc, env, root);
    return { kc, origin: 'in-cluster service account' };
  }
  tried.push('in-cluster service account');

  throw new ClusterError(
    `no kubeconfig found (tried ${tried.join(', ')})`,
    'pass --kubeconfig FILE, set KUBECONFIG, or run `kubectl config view` to check your setup',
  );
}

/**
 * client-node's loadFromCluster reads KUBERNETES_SERVICE_HOST/PORT from process.env; the
 * environment given here (the real one, or a test's) is the one that found the service account,
 * so it is the one used.
 */
function loadFromCluster(kc: KubeConfig, env: NodeJS.ProcessEnv, root: string): void {
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  const set = (name: string, value: string | undefined) => (value === undefined ? delete process.env[name] : (process.env[name] = value));
  set('KUBERNETES_SERVICE_HOST', env.KUBERNETES_SERVICE_HOST);
  set('KUBERNETES_SERVICE_PORT', env.KUBERNETES_SERVICE_PORT);
  try {
    kc.loadFromCluster(root);
  } finally {
    set('KUBERNETES_SERVICE_HOST', saved.host);
    set('KUBERNETES_SERVICE_PORT', saved.port);
  }
}

/** Selects `context` (when given) and checks the current context points at a cluster. */
export function selectContext(loaded: LoadedKubeConfig, context: string | undefined): void {
  const { kc, origin } = loaded;
  const available = kc.getContexts().map((c) => c.name).sort();
  if (available.length === 0) {
    throw new ClusterError(`the kubeconfig ${origin} defines no contexts; is it a kubeconfig?`, 'run `kubectl config view` to check it');
  }
  if (context !== undefined) {
    if (!kc.getContextObject(context)) {
      throw new ClusterError(
        `context "${context}" not found in ${origin} (available: ${available.join(', ') || 'none'})`,
        'list contexts with `kubectl config get-contexts`',
      );
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentContext() || !kc.getContextObject(kc.getCurrentContext())) {
    throw new ClusterError(
      `the kubeconfig ${origin} has no current context (available: ${available.join(', ') || 'none'})`,
      'pass --context NAME or run `kubectl config use-context NAME`',
    );
  }
  if (!kc.getCurrentCluster()?.server) {
    throw new ClusterError(
      `context "${kc.getCurrentContext()}" in ${origin} names a cluster with no server URL`,
      'check the clusters section of your kubeconfig',
    );
  }
}
