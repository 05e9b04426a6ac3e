// The pod simulator: gives every pod of a ModelDeployment (label modelship.io/model-deployment) its IP inside
// the pod network and answers there as its model server would (pod-simulator-server.ts, pod-simulator-model.ts).
//
// Split in two because the pod network namespace cannot reach the API server on the host's loopback: this
// side runs in the test process on the host, watches Pods through the kubeconfig, adds and removes the pod
// IPs (/32) in the namespace, and drives the server process, which runs inside the namespace, over a Unix
// socket. Tests in other processes read the request counters through the same socket (podSimulatorStats).
//
// A pod is served from the moment it is Running with an IP; once it answers, the simulator sets
// SERVING_ANNOTATION on it, and only then does kwok mark a model-server pod Ready (kwok-stages.ts), so its
// EndpointSlice never says ready before it answers. It is served until the Pod is gone from the API (a
// terminating pod still finishes what it was sent). kwok reuses the IPs of deleted pods: when two pods claim
// one IP, the newer live one owns it.
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { SERVING_ANNOTATION } from './kwok-stages.ts';
import { ManagedProcess } from './managed-process.ts';
import { cidrContains, type PodNetwork } from './pod-network.ts';
import { LABEL_MODEL_DEPLOYMENT, type PodRequestStats, type SimulatedPod } from './pod-simulator-model.ts';
import { PROCESS_NODE_PREFIX } from './process-pod-plan.ts';

export type { PodRequestStats, SimulatedPod } from './pod-simulator-model.ts';

const serverScript = resolve(import.meta.dirname, 'pod-simulator-server.ts');

export interface PodSimulatorOptions {
  readonly kubeconfig: string;
  readonly network: PodNetwork;
  /** Folder for the control socket and the server's log. */
  readonly dir: string;
}

export interface PodSimulator {
  /** The server's control socket (for podSimulatorStats from another process). */
  readonly socketPath: string;
  readonly process: ManagedProcess;
  /** Pods served now, by namespace/name. */
  served(): ReadonlyMap<string, SimulatedPod>;
  /** Requests received per pod since the simulator started (pods that are gone included). */
  stats(): Promise<PodRequestStats[]>;
  /** Waits until the pod is served and returns what is served. */
  waitServed(namespace: string, name: string, timeoutMs?: number): Promise<SimulatedPod>;
  stop(): Promise<void>;
}

interface SocketResponse {
  readonly status: number;
  readonly body: string;
}

function socketRequest(socketPath: string, method: string, path: string, body?: unknown): Promise<SocketResponse> {
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { socketPath, method, path, headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: 30_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`pod simulator: timeout on ${method} ${path}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Request counters of a pod simulator, read through its control socket (from any process). */
export async function podSimulatorStats(socketPath: string): Promise<PodRequestStats[]> {
  const res = await socketRequest(socketPath, 'GET', '/stats');
  if (res.status !== 200) throw new Error(`pod simulator stats: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as PodRequestStats[];
}

function envOf(container: { env?: { name: string; value?: string }[] }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  return env;
}

/**
 * The pods to serve: Running, with an IP of the pod network, not on the process runtime's node; one owner per
 * IP (the newest live pod).
 */
export function podsToServe(pods: readonly V1Pod[], cidr: string): SimulatedPod[] {
  const byIp = new Map<string, V1Pod>();
  const rank = (p: V1Pod) => [p.metadata?.deletionTimestamp ? 0 : 1, new Date(p.metadata?.creationTimestamp ?? 0).getTime()] as const;
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || !cidrContains(cidr, ip) || pod.spec?.hostNetwork) continue;
    if (pod.status?.phase !== 'Running') continue;
    if (!pod.metadata?.labels?.[LABEL_MODEL_DEPLOYMENT]) continue;
    // Pods on the process runtime's node run for real (process-kubelet.ts).
    if (pod.spec?.nodeName?.startsWith(PROCESS_NODE_PREFIX)) continue;
    const other = byIp.get(ip);
    if (other) {
      const [a, b] = [rank(pod), rank(other)];
      if (a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1])) continue;
    }
    byIp.set(ip, pod);
  }
  return [...byIp.entries()].map(([ip, pod]) => {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    return {
      key: `${namespace}/${name}`,
      uid: pod.metadata?.uid ?? `${namespace}/${name}`,
      namespace,
      name,
      ip,
      labels: { ...(pod.metadata?.labels ?? {}) },
      containers: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image ?? '',
        ports: [...new Set((c.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort))],
        env: envOf(c),
      })),
    };
  });
}

/**
 * Live (Running, not deleting) model pods that share an IP: only one of each group is served, so the others
 * never become Ready. kwok should never do this; said on stderr so that a test that times out shows it.
 */
export function sharedIps(pods: readonly V1Pod[]): string[] {
  const byIp = new Map<string, string[]>();
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || pod.status?.phase !== 'Running' || pod.metadata?.deletionTimestamp || !pod.metadata?.labels?.[LABEL_MODEL_DEPLOYMENT]) continue;
    byIp.set(ip, [...(byIp.get(ip) ?? []), `${pod.metadata.namespace}/${pod.metadata.name}`]);
  }
  return [...byIp].filter(([, keys]) => keys.length > 1).map(([ip, keys]) => `pods ${keys.join(', ')} all have the IP ${ip}`);
}

export async function startPodSimulator(options: PodSimulatorOptions): Promise<PodSimulator> {
  const { network } = options;
  const socketPath = join(options.dir, 'pod-simulator.sock');
  const proc = new ManagedProcess({
    name: 'pod-simulator',
    command: 'ip',
    args: ['netns', 'exec', network.namespace, process.execPath, serverScript, socketPath],
    logFile: join(options.dir, 'pod-simulator.log'),
  });
  network.recordProcess(proc.pid);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!proc.running) throw new Error(`pod simulator exited:\n${proc.tail()}`);
    try {
      if ((await socketRequest(socketPath, 'GET', '/healthz')).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`pod simulator did not start:\n${proc.tail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => core.listPodForAllNamespaces({ labelSelector: LABEL_MODEL_DEPLOYMENT }), LABEL_MODEL_DEPLOYMENT);

  let served = new Map<string, SimulatedPod>();
  let addresses = new Set<string>();
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let lastError: unknown;
  const waiters = new Set<() => void>();

  const warned = new Set<string>();
  const syncOnce = async () => {
    for (const conflict of sharedIps(informer.list())) {
      if (!warned.has(conflict)) console.warn(`pod simulator: ${conflict}; only the newest is served`);
      warned.add(conflict);
    }
    const pods = podsToServe(informer.list(), network.cidr);
    const wanted = new Set(pods.map((p) => p.ip));
    for (const ip of wanted) if (!addresses.has(ip)) await network.addAddress(ip);
    addresses = new Set([...addresses, ...wanted]);
    const res = await socketRequest(socketPath, 'PUT', '/pods', { pods });
    if (res.status !== 200) throw new Error(`pod simulator: ${res.body}`);
    for (const ip of addresses) if (!wanted.has(ip)) await network.removeAddress(ip);
    addresses = wanted;
    served = new Map(pods.map((p) => [p.key, p]));
    for (const w of waiters) w();
    await markServing(pods);
  };
  // The readiness probe's part: a served pod is annotated once, which lets kwok mark it Ready.
  const markServing = async (pods: readonly SimulatedPod[]) => {
    const byKey = new Map(informer.list().map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
    await Promise.all(
      pods.map(async (pod) => {
        const current = byKey.get(pod.key);
        const annotations = current?.metadata?.annotations;
        if (!current || current.metadata?.uid !== pod.uid || annotations?.[SERVING_ANNOTATION] === 'true') return;
        const body = annotations
          ? [{ op: 'add', path: `/metadata/annotations/${SERVING_ANNOTATION.replace('/', '~1')}`, value: 'true' }]
          : [{ op: 'add', path: '/metadata/annotations', value: { [SERVING_ANNOTATION]: 'true' } }];
        try {
          await core.patchNamespacedPod({ namespace: pod.namespace, name: pod.name, body });
        } catch (err) {
          // Gone already, or a concurrent write: the next pass (an event, or the ticker) tries again.
          if (!/404|409|422/.test(String(err))) throw err;
        }
      }),
    );
  };
  const sync = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await syncOnce();
          lastError = undefined;
        } catch (err) {
          lastError = err;
          if (!stopped) await new Promise((r) => setTimeout(r, 500));
          again = !stopped;
        }
      } while (again && !stopped);
      running = undefined;
    })();
  };
  for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, sync);
  informer.on('error', () => {
    if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 1000);
  });
  await informer.start();
  sync();
  // A periodic pass catches what an event missed (an informer restarting after an error).
  const ticker = setInterval(sync, 5000);
  ticker.unref();

  return {
    socketPath,
    process: proc,
    served: () => served,
    stats: () => podSimulatorStats(socketPath),
    waitServed(namespace, name, timeoutMs = 30_000) {
      const key = `${namespace}/${name}`;
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const pod = served.get(key);
          if (!pod) return;
          cleanup();
          resolvePromise(pod);
        };
        const timer = setTimeout(() => {
          cleanup();
          const why = lastError instanceof Error ? `; last sync error: ${lastError.message}` : '';
          reject(new Error(`pod ${key} not served after ${timeoutMs} ms${why}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(ticker);
      await informer.stop().catch(() => undefined);
      await running;
      await proc.stop();
    },
  };
}
