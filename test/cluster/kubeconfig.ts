// Renders a kubeconfig with one cluster, one token user and one context.
import { dump } from 'js-yaml';

export interface KubeconfigInput {
  readonly server: string;
  readonly caPem: string;
  readonly user: string;
  readonly token: string;
  readonly namespace?: string;
}

export function kubeconfigYaml(input: KubeconfigInput): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'modelship-test', cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.caPem).toString('base64') } }],
    users: [{ name: input.user, user: { token: input.token } }],
    contexts: [{ name: input.user, context: { cluster: 'modelship-test', user: input.user, ...(input.namespace ? { namespace: input.namespace } : {}) } }],
    'current-context': input.user,
  });
}
