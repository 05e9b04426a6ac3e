// A fault-injecting HTTPS reverse proxy between the operator's client and the real kube-apiserver.
// It authenticates the client itself (a bearer token from a set it is told to accept, and the client
// certificate it presented) and forwards every request with the admin token, so tests can rotate
// tokens, CAs and client certificates under a running client. On demand it answers with a status
// (429 with Retry-After, 500), ends a watch with a 410 Expired event, delays requests, or stops
// forwarding a watch without closing it (a dead connection); it counts requests by verb.
import { request as httpsRequest, createServer, Agent, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse, ClientRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export type Verb = 'LIST' | 'WATCH' | 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OTHER';

export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  /** A watch answered 200 with an ERROR event (410 Expired), as the API server does for a too old resourceVersion. */
  | { readonly kind: 'gone' }
  | { readonly kind: 'slow'; readonly ms: number }
  /** Accepted and never answered, never closed. */
  | { readonly kind: 'drop' };

export interface FaultRule {
  readonly verb?: Verb;
  readonly pathIncludes?: string;
  /** How many matching requests it applies to. */
  readonly times: number;
  readonly fault: Fault;
}

export interface SeenRequest {
  readonly verb: Verb;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly token: string | undefined;
  readonly clientCn: string | undefined;
  /** The status the client got (0 while a watch streams or when dropped). */
  status: number;
  /** The connection closed or the client gave the request up. */
  closed: boolean;
}

export interface FaultProxyOptions {
  /** The real API server, e.g. https://127.0.0.1:6443. */
  readonly upstream: string;
  readonly upstreamCa: string | Buffer;
  readonly upstreamToken: string;
  /** The proxy's own serving certificate. */
  readonly serverKey: string | Buffer;
  readonly serverCert: string | Buffer;
  /** CA of client certificates; with requireClientCert, a request without a valid one gets 401. */
  readonly clientCa?: string | Buffer;
  readonly requireClientCert?: boolean;
}

interface Stream {
  readonly res: ServerResponse;
  readonly upstream: ClientRequest;
  readonly socket: Socket;
}

/** LIST for a GET of a collection, WATCH for watch=true, else the method. */
export function verbOf(method: string, path: string, query: URLSearchParams): Verb {
  if (method === 'GET' && (query.get('watch') === 'true' || query.get('watch') === '1')) return 'WATCH';
  if (method === 'GET') {
    const parts = path.split('/').filter(Boolean);
    const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
    const scoped = rest[0] === 'namespaces' && rest.length >= 3 ? rest.slice(2) : rest;
    return scoped.length === 1 ? 'LIST' : 'GET';
  }
  return (['POST', 'PUT', 'PATCH', 'DELETE'] as const).find((m) => m === method) ?? 'OTHER';
}

export class FaultProxy {
  readonly requests: SeenRequest[] = [];
  private readonly options: FaultProxyOptions;
  private readonly server: Server;
  private readonly agent: Agent;
  private readonly rules: { rule: FaultRule; left: number }[] = [];
  private readonly streams = new Set<Stream>();
  private readonly sockets = new Set<Socket>();
  private accepted: ReadonlySet<string> | undefined;
  private port = 0;

  private constructor(options: FaultProxyOptions) {
    this.options = options;
    this.agent = new Agent({ keepAlive: true, ca: options.upstreamCa });
    this.server = createServer(
      {
        key: options.serverKey,
        cert: options.serverCert,
        ...(options.clientCa ? { ca: options.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
      },
      (req, res) => this.handle(req, res),
    );
    this.server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(options);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Requests seen with this verb (and path part). */
  count(verb: Verb, pathIncludes = ''): number {
    return this.requests.filter((r) => r.verb === verb && r.path.includes(pathIncludes)).length;
  }

  inject(rule: FaultRule): void {
    this.rules.push({ rule, left: rule.times });
  }

  clearFaults(): void {
    this.rules.length = 0;
  }

  /** Only these bearer tokens pass (others get 401); undefined lets any through. */
  acceptTokens(tokens: readonly string[] | undefined): void {
    this.accepted = tokens ? new Set(tokens) : undefined;
  }

  /** Watches in progress. */
  get openStreams(): number {
    return this.streams.size;
  }

  /** Stops forwarding every watch in progress without closing its connection: to the client it goes silent. */
  dropStreams(): void {
    for (const s of this.streams) {
      s.upstream.destroy();
      s.res.removeAllListeners();
    }
    this.streams.clear();
  }

  /** Cuts the connections of every watch in progress (a transient network error to the client). */
  resetStreams(): void {
    for (const s of this.streams) {
      s.upstream.destroy();
      s.socket.destroy();
    }
    this.streams.clear();
  }

  /** Serves a new certificate to new connections and closes the current ones (a rotated serving certificate). */
  setServerCertificate(key: string | Buffer, cert: string | Buffer): void {
    this.server.setSecureContext({ key, cert });
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.agent.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private take(verb: Verb, path: string): Fault | undefined {
    const entry = this.rules.find((e) => e.left > 0 && (!e.rule.verb || e.rule.verb === verb) && path.includes(e.rule.pathIncludes ?? ''));
    if (!entry) return undefined;
    entry.left--;
    return entry.rule.fault;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://proxy');
    const verb = verbOf(req.method ?? 'GET', url.pathname, url.searchParams);
    const socket = req.socket as TLSSocket;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const clientCn = socket.authorized ? String(socket.getPeerCertificate().subject.CN) : undefined;
    const seen: SeenRequest = { verb, method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, token, clientCn, status: 0, closed: false };
    this.requests.push(seen);
    res.on('close', () => (seen.closed = true));
    const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
      seen.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if ((this.options.requireClientCert && !clientCn) || (this.accepted && (!token || !this.accepted.has(token)))) {
      return answer(401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const fault = this.take(verb, url.pathname);
    if (fault?.kind === 'drop') return;
    if (fault?.kind === 'status') return answer(fault.status, status(fault.status, 'Injected', `injected ${fault.status}`), { ...fault.headers });
    if (fault?.kind === 'gone') {
      seen.status = 200;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version (injected)') })}\n`);
      return;
    }
    const forward = () => this.forward(req, res, url, verb, seen);
    if (fault?.kind === 'slow') setTimeout(forward, fault.ms);
    else forward();
  }

  private forward(req: IncomingMessage, res: ServerResponse, url: URL, verb: Verb, seen: SeenRequest): void {
    const headers = { ...req.headers, authorization: `Bearer ${this.options.upstreamToken}` };
    delete headers.host;
    delete headers.connection;
    const upstream = httpsRequest(`${this.options.upstream}${url.pathname}${url.search}`, { method: req.method, headers, agent: this.agent }, (up) => {
      if (verb !== 'WATCH') seen.status = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      // A watch's headers come before its first event, as from the API server itself.
      res.flushHeaders();
      up.pipe(res);
      // A watch counts as open (for openStreams, dropStreams, resetStreams) once the client has its headers:
      // dropping one still waiting for them would fail it with a 502, not make it go silent.
      if (verb === 'WATCH' && !res.destroyed) {
        const stream = { res, upstream, socket: req.socket };
        this.streams.add(stream);
        res.on('close', () => this.streams.delete(stream));
      }
    });
    if (verb === 'WATCH') res.on('close', () => upstream.destroy());
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
    });
    req.pipe(upstream);
  }
}

function status(code: number, reason: string, message: string): object {
  return { apiVersion: 'v1', kind: 'Status', status: 'Failure', code, reason, message };
}
