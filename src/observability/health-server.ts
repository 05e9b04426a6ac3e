// The probe and metrics endpoints: GET /healthz, /readyz (200 "ok", or 500 with what failed) and /metrics.
// node:http only; the kubelet and Prometheus need nothing more.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.ts';
import { errorMessage } from '../errors.ts';

/** true = healthy; false or a string = failing, the string saying why. */
export type HealthCheck = () => boolean | string;

export interface HealthServerOptions {
  /** 0 picks a free port; the returned `port` is the one bound. */
  port: number;
  /** Interface to bind; undefined or '' binds every interface. */
  host?: string;
  metrics: Metrics;
  checks: { healthz: HealthCheck; readyz: HealthCheck };
  /** Sets the gauges read from the caches, right before each /metrics answer. */
  beforeScrape?: () => void;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => send(res, 500, `internal error: ${errorMessage(error)}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host === '' ? undefined : options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Prometheus and kubelets keep connections alive; don't wait for them to hang up.
        server.closeAllConnections();
      }),
  };
}

async function handle(options: HealthServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const check = path === '/healthz' ? options.checks.healthz : path === '/readyz' ? options.checks.readyz : undefined;
  if (check === undefined && path !== '/metrics') return send(res, 404, 'not found\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed\n');
  }
  if (check === undefined) {
    const registry = options.metrics.registry;
    options.beforeScrape?.();
    return send(res, 200, await registry.metrics(), registry.contentType);
  }
  const verdict = runCheck(check);
  if (verdict === true) return send(res, 200, 'ok');
  return send(res, 500, `${path.slice(1)} check failed: ${verdict}\n`);
}

/** true, or why not. A check that throws is failing, not a crashed server. */
function runCheck(check: HealthCheck): true | string {
  try {
    const result = check();
    if (result === true) return true;
    return result === false ? 'not healthy' : result;
  } catch (error) {
    return errorMessage(error);
  }
}

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
