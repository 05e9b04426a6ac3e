// Users with a legacy `auth-provider` (oidc, gcp, azure; removed from client-go, still in
// client-node) authenticate through @kubernetes/client-node's own code, as the operator always did.
// It is imported here, on the first request of such a user only: loading it costs about 87 MiB of
// RSS, which no other user pays. Only the headers come from it; the connection pool stays ours.
import type * as ClientNodeModule from '@kubernetes/client-node';
import type { KubeconfigUser } from './kubeconfig-file.ts';

type ClientNode = typeof ClientNodeModule;

export function authProviderHeaders(user: KubeconfigUser, server: string): () => Promise<Record<string, string>> {
  let loaded: Promise<{ mod: ClientNode; kc: InstanceType<ClientNode['KubeConfig']> }> | undefined;
  const load = async () => {
    const mod = await import('@kubernetes/client-node');
    const kc = new mod.KubeConfig();
    // No TLS settings here: client-node would build a dispatcher per request that nobody uses. An
    // https URL keeps it from refusing a plain-http server (the providers never read the URL).
    kc.loadFromOptions({
      clusters: [{ name: 'cluster', server: server.replace(/^http:/, 'https:'), skipTLSVerify: false }],
      users: [{ name: 'user', authProvider: user['auth-provider'] }],
      contexts: [{ name: 'context', cluster: 'cluster', user: 'user' }],
      currentContext: 'context',
    });
    return { mod, kc };
  };
  return async () => {
    const { mod, kc } = await (loaded ??= load());
    const ctx = new mod.RequestContext(server, mod.HttpMethod.GET);
    await kc.applySecurityAuthentication(ctx);
    return ctx.getHeaders();
  };
}
