// Where the API server is and how to authenticate to it, found as client-go finds it: an explicit
// kubeconfig, else KUBECONFIG (a list of files, merged), else ~/.kube/config, else the pod's
// ServiceAccount. Our own small loader instead of @kubernetes/client-node's KubeConfig, whose import
// alone costs the operator about 87 MiB of RSS.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Dispatcher } from 'undici';
import { authProviderHeaders } from './auth-provider-fallback.ts';
import { ExecCredentialPlugin, type ExecCredential } from './exec-credential.ts';
import { inClusterContext, SERVICE_ACCOUNT_DIR } from './in-cluster.ts';
import { selectContext, type SelectedContext } from './kubeconfig-context.ts';
import { parseKubeconfig, readKubeconfigFile } from './kubeconfig-file.ts';
import { proxyFromEnvironment } from './proxy-env.ts';
import { createDispatcher } from './tls-dispatcher.ts';
import { TlsMaterial } from './tls-material.ts';
import { TokenFile } from './token-file.ts';
import { errorMessage } from '../errors.ts';

export interface Credentials {
  /** A fresh object each time: callers add their own headers. */
  readonly headers: Record<string, string>;
  /** The connection's pool, the same for every request (unless an exec plugin rotates the client certificate). */
  readonly dispatcher: Dispatcher;
}

export interface ClusterConnection {
  /** The API server's URL, without a trailing slash. */
  readonly server: string;
  /** The context's namespace, or the pod's for in-cluster. */
  readonly namespace?: string;
  /** Where it came from, for logs. */
  readonly description: string;
  /**
   * Headers and connection pool for the next request. `refresh` (after a 401) re-reads the token file
   * and runs the exec plugin again. CA and client-certificate files are followed as they are rotated:
   * a change gives new requests a new pool, while requests in flight finish on the old one.
   */
  authenticate(options?: { refresh?: boolean }): Promise<Credentials>;
  /** Closes the connection pool (after the requests in flight). */
  close(): Promise<void>;
}

export interface LoadOptions {
  /** The ServiceAccount folder of in-cluster config (tests point it elsewhere). */
  readonly serviceAccountDir?: string;
}

export function loadClusterConnection(path?: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): ClusterConnection {
  return connectionFor(locate(path, env, options), env);
}

/** From kubeconfig text, e.g. client-node's `KubeConfig.exportConfig()` (tests); relative paths against `dir`. */
export function clusterConnectionFromKubeconfig(source: string, origin = '(text)', dir = process.cwd(), env: NodeJS.ProcessEnv = process.env): ClusterConnection {
  return connectionFor(selectContext([parseKubeconfig(source, origin, dir)]), env);
}

function locate(path: string | undefined, env: NodeJS.ProcessEnv, options: LoadOptions): SelectedContext {
  if (path) return selectContext([readKubeconfigFile(path)]);
  if (env.KUBECONFIG) {
    // As client-go: files of the list that do not exist are skipped.
    const listed = env.KUBECONFIG.split(delimiter).filter(Boolean);
    const files = listed.filter((f) => existsSync(f));
    if (files.length === 0) throw new Error(`KUBECONFIG=${env.KUBECONFIG} names no existing file`);
    return selectContext(files.map(readKubeconfigFile));
  }
  const home = join(env.HOME || homedir(), '.kube', 'config');
  if (existsSync(home)) return selectContext([readKubeconfigFile(home)]);
  const inCluster = inClusterContext(env, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  if (inCluster) return inCluster;
  throw new Error(`no kubeconfig: --kubeconfig is not given, KUBECONFIG is not set, ${home} does not exist, and this is not a pod (KUBERNETES_SERVICE_HOST is unset or there is no ServiceAccount token)`);
}

function connectionFor(selected: SelectedContext, env: NodeJS.ProcessEnv = process.env): ClusterConnection {
  const { cluster, user, origin } = selected;
  const where = selected.userName ? `${origin}, user ${selected.userName}` : origin;
  const server = serverUrl(cluster.server, origin);

  const material = new TlsMaterial(
    {
      ...(cluster['insecure-skip-tls-verify'] ? { rejectUnauthorized: false as const } : {}),
      ...optional('servername', cluster['tls-server-name'] || undefined),
    },
    { data: cluster['certificate-authority-data'], file: cluster['certificate-authority'], what: `${origin}: certificate-authority` },
    { data: user['client-certificate-data'], file: user['client-certificate'], what: `${where}: client-certificate` },
    { data: user['client-key-data'], file: user['client-key'], what: `${where}: client-key` },
  );
  const tls = material.settings;
  if (!tls.cert !== !tls.key) throw new Error(`${where}: a client certificate needs a client key, and a key a certificate`);
  // A kubeconfig's proxy-url wins; else HTTPS_PROXY/NO_PROXY, as client-go's http.ProxyFromEnvironment.
  const proxyUrl = cluster['proxy-url'] || proxyFromEnvironment(server, env);
  let pool = createDispatcher(tls, proxyUrl, origin);

  // client-go refuses these combinations too.
  const hasToken = Boolean(user.token || user.tokenFile);
  if (hasToken && (user.username || user.password)) throw new Error(`${where}: both a token and a username/password; keep one`);
  if (user.exec && user['auth-provider']) throw new Error(`${where}: both an exec plugin and an auth-provider; keep one`);
  if (user['as-groups']?.length || (user['as-user-extra'] && Object.keys(user['as-user-extra']).length)) {
    throw new Error(`${where}: impersonating groups or extra fields (as-groups, as-user-extra) is not supported; impersonate a user with "as"`);
  }

  const fixed: Record<string, string> = {};
  if (user.as) fixed['impersonate-user'] = user.as;
  if (user['as-uid']) fixed['impersonate-uid'] = user['as-uid'];
  const tokenFile = user.tokenFile ? new TokenFile(user.tokenFile) : undefined;
  try {
    tokenFile?.token(); // a missing token file fails here, not on the first request
  } catch (err) {
    throw new Error(`${where}: ${errorMessage(err)}`, { cause: err });
  }
  // A token file wins over an inline token, as client-go's BearerTokenFile does.
  if (!tokenFile && user.token) fixed.authorization = `Bearer ${user.token}`;
  else if (user.username || user.password) fixed.authorization = `Basic ${Buffer.from(`${user.username ?? ''}:${user.password ?? ''}`).toString('base64')}`;

  const plugin = user.exec
    ? new ExecCredentialPlugin(user.exec, {
        origin: where,
        env,
        cluster: {
          server,
          ...optional('tls-server-name', cluster['tls-server-name'] || undefined),
          ...optional('insecure-skip-tls-verify', cluster['insecure-skip-tls-verify'] || undefined),
          ...optional('certificate-authority-data', tls.ca ? Buffer.from(tls.ca).toString('base64') : undefined),
          ...optional('proxy-url', proxyUrl),
          ...optional('config', cluster.extensions?.find((e) => e.name === 'client.authentication.k8s.io/exec')?.extension),
        },
      })
    : undefined;
  const authProvider = user['auth-provider'] ? authProviderHeaders(user, server) : undefined;

  // An exec plugin's client certificate gets its own pool, replaced only when the certificate changes.
  let certPool: { cert: string; key: string; dispatcher: Dispatcher } | undefined;
  const poolFor = (credential: ExecCredential): Dispatcher => {
    const { clientCertificateData: cert, clientKeyData: key } = credential;
    if (!cert || !key) return pool;
    if (certPool?.cert !== cert || certPool.key !== key) {
      const old = certPool?.dispatcher;
      certPool = { cert, key, dispatcher: createDispatcher({ ...material.settings, cert, key }, proxyUrl, origin) };
      // Requests in flight (watches) finish on the old pool; new ones use the new certificate.
      void old?.close().catch(() => undefined);
    }
    return certPool.dispatcher;
  };

  return {
    server,
    ...optional('namespace', selected.namespace),
    description: selected.description,
    async authenticate(options = {}) {
      if (material.refresh()) {
        // Rotated CA or client certificate: new connections for new requests; the old ones drain.
        const old = [pool, certPool?.dispatcher];
        pool = createDispatcher(material.settings, proxyUrl, origin);
        certPool = undefined;
        for (const d of old) void d?.close().catch(() => undefined);
      }
      const headers = { ...fixed };
      let dispatcher = pool;
      if (tokenFile) headers.authorization = `Bearer ${tokenFile.token(options.refresh)}`;
      if (plugin) {
        if (options.refresh) plugin.invalidate();
        const credential = await plugin.credential();
        if (credential.token) headers.authorization = `Bearer ${credential.token}`;
        dispatcher = poolFor(credential);
      }
      if (authProvider) Object.assign(headers, lowerCaseKeys(await authProvider()));
      return { headers, dispatcher };
    },
    async close() {
      await Promise.all([pool.close(), certPool?.dispatcher.close()]);
    },
  };
}

/** https://host:port with no trailing slash; a bare host:port means https, as for client-go. */
function serverUrl(server: string, origin: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`${origin}: server ${server} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${origin}: server ${server} must be an https (or http) URL`);
  return withScheme.replace(/\/+$/, '');
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
