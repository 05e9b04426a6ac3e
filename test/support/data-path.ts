// Tests on the real data path (test/cluster/data-path.ts): a cluster with a pod network, the pod simulator
// and Traefik; plain Kubernetes objects shaped like modelship's children; requests through the gateway.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { AppsV1Api, CoreV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { SERVING_ANNOTATION } from '../cluster/kwok-stages.ts';
import { LABEL_MODEL_DEPLOYMENT } from '../../src/render/labels.ts';
import { startControlPlane } from '../cluster/control-plane.ts';
import type { DataPath } from '../cluster/data-path.ts';
import { loadKubeConfig } from './cluster.ts';
import { request } from 'undici';
import { eventually } from './wait.ts';

export interface DataPathCluster {
  readonly kubeconfigPath: string;
  readonly toolsDir: string;
  readonly dataPath: DataPath;
  kubeConfig(): KubeConfig;
}

/**
 * A control plane with a data path (pod network, simulator, Traefik; Prometheus with `prometheus: true`, the
 * process runtime with `processRuntime: true`) for
 * this test file, stopped after it.
 */
export async function dataPathCluster(options: { prometheus?: boolean; processRuntime?: boolean } = {}): Promise<DataPathCluster> {
  // Always a control plane of its own, with its own pod /16: data-path files never share addresses.
  const cp = await startControlPlane({ dataPath: true, prometheus: options.prometheus ?? false, processRuntime: options.processRuntime ?? false });
  after(async () => {
    await cp.stop();
  });
  const dataPath = cp.dataPath;
  if (!dataPath) throw new Error('control plane started without its data path');
  return { kubeconfigPath: cp.kubeconfigPath, toolsDir: cp.toolsDir, dataPath, kubeConfig: () => loadKubeConfig(cp.kubeconfigPath) };
}

/** Creates objects in order (server-side: plain create). */
export async function createObjects(kc: KubeConfig, objects: readonly KubernetesObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of objects) await client.create(obj);
}

export interface VariantSpec {
  readonly namespace: string;
  /** The ModelDeployment's name: value of modelship.io/model-deployment. */
  readonly model: string;
  readonly variant: 'stable' | 'canary';
  /** app.kubernetes.io/version */
  readonly version: string;
  readonly replicas?: number;
  /** Default MLServer's image. */
  readonly image?: string;
  /** Container ports; default http 8080 and metrics 8082 (MLServer's). The Service targets `http`. */
  readonly ports?: readonly { name: string; containerPort: number }[];
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * A Deployment and a Service `<model>-<variant>` shaped like modelship's children (HTTP on 8080, port `http`),
 * its pods annotated for Prometheus like modelship's: the `metrics` port (else the first), path /metrics.
 */
export function variantObjects(spec: VariantSpec): KubernetesObject[] {
  const name = `${spec.model}-${spec.variant}`;
  const selector = { 'modelship.io/model-deployment': spec.model, 'modelship.io/variant': spec.variant };
  const labels = { ...selector, 'app.kubernetes.io/name': spec.model, 'app.kubernetes.io/version': spec.version };
  const ports = spec.ports ?? [
    { name: 'http', containerPort: 8080 },
    { name: 'metrics', containerPort: 8082 },
  ];
  const metricsPort = (ports.find((p) => p.name === 'metrics') ?? ports[0])?.containerPort;
  const annotations = metricsPort ? { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(metricsPort), 'prometheus.io/path': '/metrics' } : {};
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: spec.namespace, labels },
      spec: {
        replicas: spec.replicas ?? 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations },
          spec: {
            containers: [
              {
                name: 'server',
                image: spec.image ?? 'docker.io/seldonio/mlserver:1.7.1',
                ports,
                env: Object.entries(spec.env ?? {}).map(([k, value]) => ({ name: k, value })),
              },
            ],
          },
        },
      },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: spec.namespace, labels: selector },
      spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    } as KubernetesObject,
  ];
}

/** Inference requests received so far by the pods of one namespace, summed per variant (mirrored copies included). */
export async function inferCountsByVariant(dataPath: DataPath, namespace: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const s of await dataPath.simulator.stats()) {
    if (s.key.startsWith(`${namespace}/`)) counts[s.variant] = (counts[s.variant] ?? 0) + s.infer;
  }
  return counts;
}

export interface Reply {
  readonly status: number;
  readonly variant: string;
  readonly pod: string;
  readonly version: string;
  readonly body: string;
}

export interface RequestOptions {
  readonly path?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly timeoutMs?: number;
  /** Host header, to reach an HTTPRoute by its hostnames (fetch cannot set Host). */
  readonly host?: string;
}

export const inferBody = { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [[5.1, 3.5, 1.4, 0.2]] }] };

/** One request (an OIP v2 inference by default); network errors come back as status 0. */
export async function send(baseUrl: string, options: RequestOptions = {}): Promise<Reply> {
  const method = options.method ?? 'POST';
  const body = method === 'GET' || method === 'HEAD' ? undefined : JSON.stringify(options.body ?? inferBody);
  if (options.host !== undefined) return sendWithHost(baseUrl, method, body, options.host, options);
  try {
    const res = await fetch(`${baseUrl}${options.path ?? '/v2/models/x/infer'}`, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    return {
      status: res.status,
      variant: res.headers.get('x-modelship-variant') ?? '',
      pod: res.headers.get('x-pod-name') ?? '',
      version: res.headers.get('x-model-version') ?? '',
      body: await res.text(),
    };
  } catch (err) {
    return { status: 0, variant: '', pod: '', version: '', body: err instanceof Error ? err.message : String(err) };
  }
}

async function sendWithHost(baseUrl: string, method: string, body: string | undefined, host: string, options: RequestOptions): Promise<Reply> {
  try {
    const res = await request(`${baseUrl}${options.path ?? '/v2/models/x/infer'}`, {
      method: method as 'POST',
      headers: { host, ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const header = (name: string) => {
      const v = res.headers[name];
      return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
    };
    return { status: res.statusCode, variant: header('x-modelship-variant'), pod: header('x-pod-name'), version: header('x-model-version'), body: await res.body.text() };
  } catch (err) {
    return { status: 0, variant: '', pod: '', version: '', body: err instanceof Error ? err.message : String(err) };
  }
}

/** Exactly `count` requests, `concurrency` at a time: a bounded loop that stops by itself. */
export async function sendMany(baseUrl: string, count: number, options: RequestOptions & { concurrency?: number } = {}): Promise<Reply[]> {
  const replies: Reply[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      replies.push(await send(baseUrl, options));
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, options.concurrency ?? 8) }, worker));
  return replies;
}

export function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** The range a Binomial(n, p) count falls in with `sigmas` standard deviations either side. */
export function binomialRange(n: number, p: number, sigmas = 4): { low: number; high: number } {
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  return { low: Math.max(0, Math.floor(mean - sigmas * sd)), high: Math.min(n, Math.ceil(mean + sigmas * sd)) };
}

/**
 * Polls the gateway until a batch of `probe` requests satisfies `holds` (a route was programmed, endpoints
 * became ready); returns the last batch.
 */
export function routed(baseUrl: string, holds: (replies: Reply[]) => boolean, options: RequestOptions & { probe?: number; timeoutMs?: number } = {}): Promise<Reply[]> {
  return eventually('the gateway to route as expected', () => sendMany(baseUrl, options.probe ?? 20, { ...options, concurrency: 4 }), holds, options.timeoutMs ?? 60_000, 250);
}

/** Request counters once they stop moving: no mirrored copy of earlier requests is still on its way. */
export async function settledCounts<T extends { stable: number; canary: number }>(read: () => Promise<T>): Promise<T> {
  let last = await read();
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await read();
    if (now.canary === last.canary && now.stable === last.stable) return now;
    last = now;
  }
  throw new Error(`request counts never settled: ${JSON.stringify(last)}`);
}

/**
 * For a failed assertion on gateway replies: Traefik's access-log lines of answers of 500 and above (they name
 * the backend URL, so the pod, and the time), and the pod simulator's log lines about those backends.
 */
export function gatewayFailures(dataPath: DataPath, max = 10): string {
  const traefikLog = dataPath.traefik?.process.logFile;
  if (!traefikLog) return '';
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').split('\n');
    } catch {
      return [];
    }
  };
  // The status follows the request line ("POST /path HTTP/1.1" 503 ...); a later field counts requests.
  const failed = read(join(dirname(traefikLog), 'traefik-access.log')).filter((l) => /HTTP\/[\d.]+" 5\d\d /.test(l)).slice(-max);
  const backends = [...new Set(failed.flatMap((l) => [...l.matchAll(/http:\/\/(\d+\.\d+\.\d+\.\d+):\d+/g)].map((m) => m[1] ?? '')))];
  const simulator = read(dataPath.simulator.process.logFile).filter((l) => backends.some((ip) => l.includes(`${ip}:`))).slice(-max);
  return `\ngateway answers of 5xx (Traefik access log):\n${failed.join('\n') || '(none)'}\npod simulator about those backends:\n${simulator.join('\n') || '(none)'}`;
}

/**
 * For a wait that timed out on a ModelDeployment of the data path: its Deployments' and pods' state as the
 * API server has them, what the pod simulator serves, and the operator's last lines about it; enough to
 * tell a pod that never got Ready from a status the operator did not write.
 */
export async function modelPodsReport(kc: KubeConfig, dataPath: DataPath, namespace: string, name: string, operatorLog?: (key: string) => string): Promise<string> {
  const selector = `${LABEL_MODEL_DEPLOYMENT}=${name}`;
  const [deployments, pods] = await Promise.all([
    kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace, labelSelector: selector }).then((l) => l.items, (err: unknown) => [`(${String(err)})`]),
    kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: selector }).then((l) => l.items, (err: unknown) => [`(${String(err)})`]),
  ]);
  const served = [...dataPath.simulator.served().keys()].filter((k) => k.startsWith(`${namespace}/${name}-`));
  return [
    ...deployments.map((d) => (typeof d === 'string' ? d : `deployment ${d.metadata?.name}: ${JSON.stringify({ replicas: d.status?.replicas, ready: d.status?.readyReplicas, updated: d.status?.updatedReplicas, observedGeneration: d.status?.observedGeneration, generation: d.metadata?.generation })}`)),
    ...pods.map((p) =>
      typeof p === 'string'
        ? p
        : `pod ${p.metadata?.name}: ${p.status?.phase} ip ${p.status?.podIP ?? '-'} ready ${p.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '-'} serving-annotation ${p.metadata?.annotations?.[SERVING_ANNOTATION] ?? '-'} deleting ${p.metadata?.deletionTimestamp !== undefined}`,
    ),
    `simulator serves: ${served.join(', ') || '(none of them)'}`,
    ...(operatorLog !== undefined ? [`operator about ${namespace}/${name}:\n${operatorLog(`${namespace}/${name}`)}`] : []),
  ].join('\n');
}

/**
 * Waits until the Deployment `<model>-<variant>` (made by variantObjects) has all its replicas Ready; a
 * timeout says what each of the model's pods is (IP, Ready, served) rather than only the Deployment's status.
 */
export async function waitVariantReady(kc: KubeConfig, dataPath: DataPath, namespace: string, model: string, variant: string, timeoutMs = 60_000): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const name = `${model}-${variant}`;
  try {
    await eventually(`${name} Ready`, () => apps.readNamespacedDeployment({ namespace, name }), (d) => (d.status?.readyReplicas ?? 0) === (d.spec?.replicas ?? 1), timeoutMs);
  } catch (err) {
    // The wait's message ends with the whole Deployment; its start and the pods say more.
    const message = err instanceof Error ? err.message : String(err);
    const head = message.length > 300 ? `${message.slice(0, 300)}…` : message;
    throw new Error(`${head}\n${await modelPodsReport(kc, dataPath, namespace, model)}`, { cause: err });
  }
}
