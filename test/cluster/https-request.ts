// A minimal HTTPS client for the harness' own health checks and token requests,
// which happen before (or beside) any Kubernetes client exists.
import { request } from 'node:https';

export interface HttpsResult {
  readonly status: number;
  readonly body: string;
}

export interface HttpsOptions {
  readonly method?: string;
  readonly token?: string;
  readonly ca?: string | Buffer;
  readonly body?: string;
  readonly timeoutMs?: number;
}

export function httpsRequest(url: string, options: HttpsOptions = {}): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers,
        // Component health ports serve self-signed certificates; the API server's is checked against its CA.
        ...(options.ca ? { ca: options.ca } : { rejectUnauthorized: false }),
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${options.timeoutMs ?? 5000} ms: ${url}`)));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Polls until check() returns true, or fails with the last error after timeoutMs. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const reason = last instanceof Error ? `: ${last.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}
