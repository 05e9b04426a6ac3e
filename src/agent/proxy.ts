// The serving port's HTTP/1.1 side: every request streams to the model server and back unchanged (but for
// hop-by-hop headers and x-request-id); a sampled one is copied on the side, bounded, and logged once the
// response ended. Every POST's response is copied too (within the same bound), so the predictions of each
// 2xx answer are counted whether or not it is logged. /modelship/ is the agent's own (never proxied).
import { randomFillSync } from 'node:crypto';
import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
import { http } from '../node-http.ts';
import { BodyCapture } from './body-capture.ts';
import { endToEndHeaders } from './headers.ts';
import type { AgentMetrics } from './metrics.ts';
import { usableRequestId, uuidv7 } from './request-id.ts';
import type { Exchange } from './log-record.ts';

export interface ProxyOptions {
  readonly upstream: URL;
  readonly metrics: AgentMetrics;
  /** Whether to log a request; undefined when logging is off (nothing counted). */
  readonly sample: (() => boolean) | undefined;
  readonly maxBodyBytes: number;
  /** Called after the response ended, for sampled requests only; must not throw or wait. */
  readonly onExchange: (exchange: Exchange) => void;
  /** Called after a 2xx response to a POST ended, with its bounded copy; must not throw or wait. */
  readonly onPredictions?: (body: Buffer, truncated: boolean) => void;
  /** Requests under /modelship/. */
  readonly ownRoutes: (req: IncomingMessage, res: ServerResponse, requestId: string) => void;
}

/** How long a connection to the model server may stay idle in the agent's pool. */
export const UPSTREAM_IDLE_MS = 1000;

const UNREACHABLE = Buffer.from('{"error":"the model server could not be reached"}');
const DROP_TO_UPSTREAM = new Set(['x-request-id', 'expect']);
const DROP_TO_CLIENT = new Set(['x-request-id']);

// Random bytes for ids in blocks: one getrandom call per 409 ids.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
export function newRequestId(nowMs: number): string {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 10;
  return uuidv7(nowMs, pool.subarray(poolAt - 10, poolAt));
}

/** A kubelet's HTTP probe: its User-Agent is kube-probe/<major>.<minor>. */
export function isKubeletProbe(userAgent: string | undefined): boolean {
  return userAgent?.startsWith('kube-probe/') === true;
}

export function proxyHandler(o: ProxyOptions): { handle: (req: IncomingMessage, res: ServerResponse) => void; agent: Agent } {
  // An idle connection to the model server is closed after UPSTREAM_IDLE_MS, before the server closes it: a
  // request written on a connection the server is closing at that instant fails (ECONNRESET), and a POST
  // cannot be replayed. uvicorn (MLServer) closes after 5 s, gunicorn after 2 s, Node after 5 s, and the
  // kubelet's periodic probes can land right on such a close (seen as a rare 502 on a canary's first requests).
  // A new loopback connection costs about 0.1 ms. Only free sockets time out: a slow inference is never cut.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 64, scheduling: 'lifo', timeout: UPSTREAM_IDLE_MS });
  const host = o.upstream.hostname;
  const port = Number(o.upstream.port || 80);
  const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const start = process.hrtime.bigint();
    const startMs = Date.now();
    const requestId = usableRequestId(req.headers['x-request-id']) ?? newRequestId(startMs);
    const url = req.url ?? '/';
    if (url.startsWith('/modelship/')) {
      o.ownRoutes(req, res, requestId);
      return;
    }
    // The kubelet's probes pass through but are not traffic: counting them would hide a model nobody calls
    // (the no-traffic alert) and fill the logs with health checks.
    const probe = isKubeletProbe(req.headers['user-agent']);
    const sampled = !probe && o.sample !== undefined && o.sample();
    if (!sampled && !probe && o.sample !== undefined) o.metrics.logRecords.inc({ outcome: 'sampled_out' });
    const reqCopy = sampled ? new BodyCapture(o.maxBodyBytes) : undefined;
    const counted = !probe && o.onPredictions !== undefined && req.method === 'POST';
    const resCopy = sampled || counted ? new BodyCapture(o.maxBodyBytes) : undefined;
    let status = 0;
    let done = false;
    const finish = (code: string) => {
      if (done) return;
      done = true;
      if (probe) return;
      o.metrics.requests.inc({ code });
      const s = seconds(start);
      o.metrics.duration.observe(s);
      // Only a response that was sent whole: a cut one's predictions are not all there.
      if (counted && resCopy !== undefined && status >= 200 && status < 300 && code !== '0' && res.writableFinished) o.onPredictions?.(resCopy.bytes(), resCopy.truncated);
      if (reqCopy !== undefined && resCopy !== undefined && code !== '0') {
        o.onExchange({
          requestId,
          startMs,
          method: req.method ?? 'GET',
          path: url,
          status,
          latencyMs: s * 1000,
          request: { bytes: reqCopy.bytes(), truncated: reqCopy.truncated },
          response: { bytes: resCopy.bytes(), truncated: resCopy.truncated },
        });
      }
    };

    const headers = endToEndHeaders(req.rawHeaders, DROP_TO_UPSTREAM);
    headers.push('x-request-id', requestId);
    const up = http.request({ host, port, method: req.method, path: url, headers, agent, setHost: false });
    up.on('response', (upRes) => {
      status = upRes.statusCode ?? 502;
      const out = endToEndHeaders(upRes.rawHeaders, DROP_TO_CLIENT);
      out.push('x-request-id', requestId);
      res.writeHead(status, upRes.statusMessage, out);
      if (resCopy !== undefined) upRes.on('data', (c: Buffer) => resCopy.add(c));
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    up.on('error', () => {
      if (res.headersSent) {
        res.destroy();
        finish(String(status));
        return;
      }
      status = 502;
      res.writeHead(502, { 'content-type': 'application/json', 'content-length': UNREACHABLE.length, 'x-request-id': requestId });
      res.end(UNREACHABLE);
      finish('0');
    });
    res.on('finish', () => finish(String(status)));
    res.on('close', () => {
      if (!res.writableFinished) {
        up.destroy();
        finish(String(status));
      }
    });
    if (reqCopy !== undefined) req.on('data', (c: Buffer) => reqCopy.add(c));
    req.pipe(up);
  };
  return { handle, agent };
}
