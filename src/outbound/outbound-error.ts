// PURE: what a failed outbound request says. Remote bodies and the text of low-level errors (which may
// quote header values or a server's words) never reach status, Events or logs: each failure is a short
// fixed description and, where one exists, a code (an HTTP status, an errno such as ECONNREFUSED).

export type OutboundFailure =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'redirect'; readonly status: number }
  | { readonly kind: 'too-large'; readonly maxBytes: number }
  | { readonly kind: 'compressed' }
  | { readonly kind: 'address-refused'; readonly address: string }
  | { readonly kind: 'bad-header'; readonly header: string }
  | { readonly kind: 'timeout'; readonly ms: number }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'connection'; readonly code: string | undefined };

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

export function describeOutboundFailure(f: OutboundFailure): string {
  switch (f.kind) {
    case 'status':
      return `answered HTTP ${f.status}`;
    case 'redirect':
      return `redirect refused (HTTP ${f.status})`;
    case 'too-large':
      return `body over ${formatBytes(f.maxBytes)}`;
    case 'compressed':
      return 'compressed body refused';
    case 'address-refused':
      return `address ${f.address} refused (loopback, link-local or unspecified: see --outbound-allow-cidrs)`;
    case 'bad-header':
      return `header ${f.header} has a line break or NUL in its value, so it was not sent`;
    case 'timeout':
      return `no answer within ${f.ms} ms`;
    case 'aborted':
      return 'request cancelled';
    case 'connection':
      return f.code === undefined ? 'connection failed' : `connection failed (${f.code})`;
  }
}

export class OutboundError extends Error {
  readonly failure: OutboundFailure;

  constructor(failure: OutboundFailure) {
    super(describeOutboundFailure(failure));
    this.name = 'OutboundError';
    this.failure = failure;
  }
}

/** Node's and undici's error codes are identifiers (ECONNREFUSED, UND_ERR_SOCKET, CERT_HAS_EXPIRED): safe to show. */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return code;
  }
  return undefined;
}

/** Anything a request threw, as an OutboundError: one of ours found in the cause chain, or a code only. */
export function toOutboundError(err: unknown, timeoutMs: number): OutboundError {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof OutboundError) return e;
  }
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return new OutboundError({ kind: 'timeout', ms: timeoutMs });
  const code = errorCode(err);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new OutboundError({ kind: 'timeout', ms: timeoutMs });
  return new OutboundError({ kind: 'connection', code });
}
