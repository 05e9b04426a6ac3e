// A client that authenticates as a ServiceAccount, through a token from the TokenRequest API,
// so tests run code with exactly the permissions RBAC grants that account.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A token for the ServiceAccount (the API server's audience, valid 24 h), as the kubelet mounts into a pod. */
export async function mintServiceAccountToken(admin: KubeConfig, namespace: string, name: string): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  const res = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 86_400 } },
  });
  const token = res.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
  return token;
}

export async function mintServiceAccountKubeconfig(admin: KubeConfig, namespace: string, name: string): Promise<KubeConfig> {
  const token = await mintServiceAccountToken(admin, namespace, name);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'test' }],
    users: [{ name, token }],
    contexts: [{ name, cluster: 'test', user: name, namespace }],
    currentContext: name,
  });
  return kc;
}

/** The same, written to a file for a child process (the operator, kubectl). */
export async function serviceAccountKubeconfigFile(admin: KubeConfig, namespace: string, name: string): Promise<string> {
  const kc = await mintServiceAccountKubeconfig(admin, namespace, name);
  const path = join(mkdtempSync(join(tmpdir(), 'modelship-sa-')), 'kubeconfig');
  writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
  return path;
}
