// I/O: the one HTTP client of every request the operator sends outside the API server (Prometheus,
// smoke checks). What it guarantees, whatever the remote end does:
// - bodies are read as a stream up to a byte cap, and compression is refused (accept-encoding:
//   identity; a content-encoding answer is an error, never inflated): a gzip bomb costs at most the cap;
// - redirects are never followed (undici's request follows none): a 3xx is an error;
// - a connect time limit and a whole-request time limit; the caller's AbortSignal is honoured;
// - destinations checked on the resolved address (address-policy.ts, guarded-connector.ts);
// - header values checked before sending;
// - every failure is an OutboundError with a fixed description (outbound-error.ts).
import { Agent, request } from 'undici';
import { addressPolicy, type Cidr } from './address-policy.ts';
import { guardedConnector } from './guarded-connector.ts';
import { unsafeHeader } from './header-values.ts';
import { OutboundError, toOutboundError } from './outbound-error.ts';

export interface OutboundClientOptions {
  /** Addresses allowed although loopback, link-local or unspecified (--outbound-allow-cidrs). */
  readonly allowCidrs: readonly Cidr[];
  /** PEM CA bundle for https servers. */
  readonly ca?: string;
  readonly insecureSkipVerify?: boolean;
  /** Default 5000 ms. */
  readonly connectTimeoutMs?: number;
}

export interface OutboundRequest {
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The body is read up to this many bytes; more is an error. */
  readonly maxBytes: number;
  /** The whole request, connect to last byte. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface OutboundResponse {
  readonly status: number;
  readonly body: string;
}

export interface OutboundClient {
  /** Any status but 3xx comes back (a 3xx throws); every failure throws an OutboundError. */
  send(url: URL, req: OutboundRequest): Promise<OutboundResponse>;
  close(): Promise<void>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const ignore = (): void => undefined;

async function readCapped(body: AsyncIterable<Buffer>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) throw new OutboundError({ kind: 'too-large', maxBytes });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createOutboundClient(options: OutboundClientOptions): OutboundClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const agent = new Agent({
    connect: guardedConnector({
      policy: addressPolicy(options.allowCidrs),
      connectTimeoutMs,
      rejectUnauthorized: !options.insecureSkipVerify,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    }),
    keepAliveTimeout: 1000,
  });
  return {
    async send(url, req) {
      const headers = { ...req.headers, 'accept-encoding': 'identity' };
      const bad = unsafeHeader(headers);
      if (bad !== undefined) throw new OutboundError({ kind: 'bad-header', header: bad });
      const timeout = AbortSignal.timeout(req.timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      try {
        const res = await request(url, {
          dispatcher: agent,
          method: req.method,
          headers,
          ...(req.body !== undefined ? { body: req.body } : {}),
          signal,
          headersTimeout: req.timeoutMs,
          bodyTimeout: req.timeoutMs,
        });
        try {
          if (res.statusCode >= 300 && res.statusCode < 400) throw new OutboundError({ kind: 'redirect', status: res.statusCode });
          const encoding = res.headers['content-encoding'];
          if (encoding !== undefined && encoding !== 'identity') throw new OutboundError({ kind: 'compressed' });
          return { status: res.statusCode, body: await readCapped(res.body, req.maxBytes) };
        } finally {
          // An unread or cut-off body closes the connection rather than being drained; destroying it
          // emits an abort error nobody waits for.
          if (!res.body.destroyed) res.body.on('error', ignore).destroy();
        }
      } catch (err) {
        if (req.signal?.aborted && !timeout.aborted) throw new OutboundError({ kind: 'aborted' });
        throw toOutboundError(err, req.timeoutMs);
      }
    },
    close: () => agent.close(),
  };
}
