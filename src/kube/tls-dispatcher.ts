// The connection pool to the API server: one undici Agent (or ProxyAgent for proxy-url) with the
// cluster's CA, the client certificate and the TLS server name, kept for every request of a
// connection. A dispatcher per request would mean a TLS handshake per request.
import { Agent, ProxyAgent, type Dispatcher } from 'undici';

export interface TlsSettings {
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly servername?: string;
  /** Only false is ever set (insecure-skip-tls-verify): unset keeps NODE_TLS_REJECT_UNAUTHORIZED's say. */
  readonly rejectUnauthorized?: false;
}

// Keep-alive probes every 30 s, as client-go: below cloud load balancers' 60 s idle timeouts.
const KEEP_ALIVE = { keepAlive: true, keepAliveInitialDelay: 30_000 };

export function createDispatcher(tls: TlsSettings, proxyUrl: string | undefined, origin: string): Dispatcher {
  if (!proxyUrl) return new Agent({ connect: { ...tls, ...KEEP_ALIVE } });
  let protocol: string;
  try {
    protocol = new URL(proxyUrl).protocol;
  } catch {
    throw new Error(`${origin}: proxy-url ${proxyUrl} is not a URL`);
  }
  if (protocol.startsWith('socks')) {
    throw new Error(`${origin}: proxy-url ${proxyUrl}: SOCKS proxies are not supported by the operator; use an HTTP or HTTPS proxy`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`${origin}: proxy-url ${proxyUrl}: only http and https proxies are supported`);
  return new ProxyAgent({ uri: proxyUrl, requestTls: tls, connect: KEEP_ALIVE });
}
