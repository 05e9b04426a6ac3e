// The pod simulator's servers, run inside the pod network namespace:
//   ip netns exec <namespace> node test/cluster/pod-simulator-server.ts <control socket>
// so that its sockets live there and bind the pods' IPs. It cannot reach the API server (the namespace's
// loopback is its own), so the host side (pod-simulator.ts) watches Pods and drives it over a Unix socket
// (paths are not network-namespaced):
//   PUT /pods   {pods: SimulatedPod[]}  the full set to serve; answers once every listener is bound
//   GET /stats  PodRequestStats[]       requests received per pod (kept after the pod is gone)
// Every pod answers on each of its containers' ports like that container's model server (see
// pod-simulator-model.ts): health, Open Inference Protocol v2 inference and the preset's /metrics.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  LABEL_VARIANT,
  LABEL_VERSION,
  behaviourOf,
  healthResponse,
  inferenceResponse,
  inferenceRoute,
  metricsText,
  newCounters,
  observe,
  presetOf,
  type ModelCounters,
  type PodRequestStats,
  type SimulatedContainer,
  type SimulatedPod,
} from './pod-simulator-model.ts';

const socketPath = process.argv[2] ?? '';
if (!socketPath) {
  process.stderr.write('usage: pod-simulator-server.ts <control socket>\n');
  process.exit(2);
}

interface Owner {
  readonly pod: SimulatedPod;
  readonly container: SimulatedContainer;
}

const listeners = new Map<string, Server>();
const owners = new Map<string, Owner>();
const stats = new Map<string, PodRequestStats>();
const counters = new Map<string, Map<string, ModelCounters>>();
const maxBody = 8 * 1024 * 1024;

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

function statsOf(pod: SimulatedPod): PodRequestStats {
  let s = stats.get(pod.uid);
  if (!s) {
    s = {
      key: pod.key,
      uid: pod.uid,
      ip: pod.ip,
      variant: pod.labels[LABEL_VARIANT] ?? '',
      version: pod.labels[LABEL_VERSION] ?? '',
      requests: 0,
      infer: 0,
      inferFailures: 0,
      lastRequestAt: undefined,
    };
    stats.set(pod.uid, s);
  }
  return s;
}

function countersOf(pod: SimulatedPod, model: string): ModelCounters {
  let byModel = counters.get(pod.uid);
  if (!byModel) counters.set(pod.uid, (byModel = new Map<string, ModelCounters>()));
  let c = byModel.get(model);
  if (!c) byModel.set(model, (c = newCounters()));
  return c;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBody) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(address: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const owner = owners.get(address);
  const body = await readBody(req);
  if (!owner) {
    send(res, 503, { error: 'no pod here' });
    return;
  }
  const { pod, container } = owner;
  const version = pod.labels[LABEL_VERSION] ?? '';
  const s = statsOf(pod);
  s.requests++;
  s.lastRequestAt = new Date().toISOString();
  res.setHeader('x-modelship-variant', pod.labels[LABEL_VARIANT] ?? '');
  res.setHeader('x-pod-name', pod.name);
  res.setHeader('x-model-version', version);
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://pod').pathname;
  const preset = presetOf(container);

  const inference = inferenceRoute(method, path);
  if (inference) {
    s.infer++;
    const started = process.hrtime.bigint();
    const { latencyMs, errorRate } = behaviourOf(container.env);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    const ok = !(errorRate > 0 && Math.random() < errorRate);
    const model = inference.model || pod.labels['app.kubernetes.io/name'] || 'model';
    observe(countersOf(pod, model), ok, Number(process.hrtime.bigint() - started) / 1e9);
    if (!ok) {
      s.inferFailures++;
      send(res, 500, { error: 'simulated failure' });
      return;
    }
    let parsed: unknown;
    try {
      parsed = body ? JSON.parse(body) : undefined;
    } catch {
      send(res, 400, { error: 'request body is not JSON' });
      return;
    }
    const id = (parsed as { id?: unknown } | undefined)?.id;
    send(res, 200, inferenceResponse(inference.kind, model, version, typeof id === 'string' ? id : randomUUID(), parsed));
    return;
  }

  if (method === 'GET' && (path === '/metrics' || path === '/monitoring/prometheus/metrics')) {
    const text = metricsText(preset, version, pod.name, counters.get(pod.uid) ?? new Map<string, ModelCounters>());
    if (text === undefined) send(res, 404, { error: 'no metrics' });
    else send(res, 200, text, 'text/plain; version=0.0.4; charset=utf-8');
    return;
  }

  const health = healthResponse(method, path, version);
  if (health !== undefined) {
    send(res, 200, health);
    return;
  }
  send(res, 404, { error: `not found: ${method} ${path}` });
}

function listen(ip: string, port: number): Promise<Server> {
  const address = `${ip}:${port}`;
  const server = createServer((req, res) => {
    handle(address, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  // Longer than Traefik's idle timeout for backend connections (90 s), so the gateway never reuses a connection
  // the server has just closed (a 502 that no real, well-configured model server would cause).
  server.keepAliveTimeout = 120_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function close(server: Server): void {
  server.close();
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 5000).unref();
}

/** Serves exactly the given pods: new listeners are bound before this resolves, stale ones are closed. */
async function apply(pods: readonly SimulatedPod[]): Promise<{ listening: string[]; errors: string[] }> {
  const desired = new Map<string, Owner>();
  for (const pod of pods) {
    for (const container of pod.containers) {
      for (const port of container.ports) desired.set(`${pod.ip}:${port}`, { pod, container });
    }
  }
  for (const [address, server] of listeners) {
    if (!desired.has(address)) {
      listeners.delete(address);
      owners.delete(address);
      close(server);
      log(`closed ${address}`);
    }
  }
  const errors: string[] = [];
  for (const [address, owner] of desired) {
    owners.set(address, owner);
    if (listeners.has(address)) continue;
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    try {
      listeners.set(address, await listen(owner.pod.ip, port));
      log(`serving ${owner.pod.key} (${owner.container.image}) on ${address}`);
    } catch (err) {
      owners.delete(address);
      errors.push(`${owner.pod.key} ${address}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { listening: [...listeners.keys()].sort(), errors };
}

let queue: Promise<unknown> = Promise.resolve();

const control = createServer((req, res) => {
  void (async () => {
    const body = await readBody(req);
    if (req.method === 'PUT' && req.url === '/pods') {
      const { pods } = JSON.parse(body) as { pods: SimulatedPod[] };
      const result = queue.then(() => apply(pods));
      queue = result.catch(() => undefined);
      const r = await result;
      send(res, r.errors.length > 0 ? 500 : 200, r);
    } else if (req.method === 'GET' && req.url === '/stats') {
      send(res, 200, [...stats.values()]);
    } else if (req.method === 'GET' && req.url === '/healthz') {
      send(res, 200, { ok: true });
    } else {
      send(res, 404, { error: 'not found' });
    }
  })().catch((err: unknown) => send(res, 500, { error: String(err) }));
});

rmSync(socketPath, { force: true });
control.listen(socketPath, () => log(`control socket ${socketPath}`));

function shutdown(): void {
  for (const server of listeners.values()) server.closeAllConnections();
  for (const server of listeners.values()) server.close();
  control.close();
  rmSync(socketPath, { force: true });
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
