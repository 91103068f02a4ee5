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
}

function loadFile(kc: KubeConfig, file: string): void {
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new ClusterError(
      `cannot read the kubeconfig ${file}: ${errorMessage(err).split('\n')[0]}`,
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

  if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kc.loadFromCluster();
    return { kc, origin: 'in-cluster service account' };
  }
  tried.push('in-cluster service account');

  throw new ClusterError(
    `no kubeconfig found (tried ${tried.join(', ')})`,
    'pass --kubeconfig FILE, set KUBECONFIG, or run `kubectl config view` to check your setup',
  );
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
