// The in-cluster configuration, as client-go's rest.InClusterConfig: the API server from
// KUBERNETES_SERVICE_HOST/PORT, the pod's ServiceAccount token (re-read as it rotates), CA and namespace.
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { SelectedContext } from './kubeconfig-context.ts';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** undefined when not in a pod (no service environment or no token). */
export function inClusterContext(env: NodeJS.ProcessEnv, dir = SERVICE_ACCOUNT_DIR): SelectedContext | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = join(dir, 'token');
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  const namespaceFile = join(dir, 'namespace');
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() || undefined : undefined;
  const origin = `in-cluster config (${dir})`;
  return {
    origin,
    description: `${origin}, ServiceAccount token${namespace ? `, namespace ${namespace}` : ''}`,
    userName: 'serviceaccount',
    cluster: { server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`, 'certificate-authority': join(dir, 'ca.crt') },
    user: { tokenFile },
    namespace,
  };
}
