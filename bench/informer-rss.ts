// `node --expose-gc --optimize-for-size bench/informer-rss.ts <lists.json> [--streaming] [--refuse-streaming]`:
// the RSS an operator-like process keeps, and its peak, after its informers' first sync of large lists,
// with no cluster. The lists come from `node --expose-gc bench/cache-heap.ts --count=N
// --dump-lists=<lists.json>` and are served by bench/list-server.ts in a process of its own; the real
// ApiClient and Informer read them with the caches' transforms, all kinds at once as the controller
// starts them: plain LISTs (one answer each, as before), or with --streaming, streaming lists (watch-list;
// --refuse-streaming makes the server refuse them, so the informers fall back to LIST). Run it with the
// image's malloc settings (MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072 MALLOC_MMAP_THRESHOLD_=131072).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { Agent } from 'undici';
import { cachedChild, cachedEndpointSlice, cachedModelDeployment, cachedPod } from '../src/controller/cache-transforms.ts';
import { ApiClient, type KubeObject } from '../src/kube/api-client.ts';
import type { ClusterConnection } from '../src/kube/cluster-connection.ts';
import { Informer } from '../src/kube/informer.ts';
import { peakRssMiB, smapsSummary } from './smaps-summary.ts';

const argv = process.argv.slice(2);
const file = argv.find((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: node --expose-gc bench/informer-rss.ts <lists.json> [--streaming] [--refuse-streaming]');
const streamingList = argv.includes('--streaming');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const MiB = 2 ** 20;
const figures = () => {
  const m = process.memoryUsage();
  return `RSS ${(m.rss / MiB).toFixed(1)} MiB (peak ${peakRssMiB().toFixed(1)}), heap used ${(m.heapUsed / MiB).toFixed(1)} / total ${(m.heapTotal / MiB).toFixed(1)} MiB, external ${(m.external / MiB).toFixed(1)} MiB`;
};

const kinds = [
  { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', transform: cachedModelDeployment },
  { apiVersion: 'apps/v1', kind: 'Deployment', transform: cachedChild },
  { apiVersion: 'v1', kind: 'Service', transform: cachedChild },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', transform: cachedChild },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', transform: cachedChild },
  { apiVersion: 'v1', kind: 'Pod', transform: cachedPod },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', transform: cachedEndpointSlice },
];

// The server, in a process of its own (without this process's flags), says its port once the lists are loaded.
const server = spawn(process.execPath, [new URL('list-server.ts', import.meta.url).pathname, file, ...(argv.includes('--refuse-streaming') ? ['--refuse-streaming'] : [])], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, NODE_OPTIONS: '' },
});
const port = await new Promise<string>((resolve, reject) => {
  server.once('exit', (code) => reject(new Error(`list server exited (${code})`)));
  createInterface({ input: server.stdout }).once('line', resolve);
});

gc();
console.log(`start (${streamingList ? 'streaming lists' : 'LIST'}): ${figures()}`);
const dispatcher = new Agent();
const connection: ClusterConnection = {
  server: `http://127.0.0.1:${port}`,
  description: 'bench list server',
  authenticate: () => Promise.resolve({ headers: {}, dispatcher }),
  close: () => dispatcher.close(),
};
const client = new ApiClient(connection, { qps: 1000, burst: 1000 });
const logger = pino({ enabled: false });
const informers = kinds.map(
  ({ apiVersion, kind, transform }) =>
    new Informer<KubeObject>({ client, ref: { apiVersion, kind }, logger, resyncPeriodMs: 0, watchTimeoutSeconds: 3600, transform, streamingList }),
);
const started = performance.now();
await Promise.all(informers.map((i) => i.start()));
const syncSeconds = (performance.now() - started) / 1000;
for (let i = 0; i < 6; i++) {
  gc();
  await new Promise((r) => setTimeout(r, 2000));
}
const cached = informers.reduce((n, i) => n + i.size, 0);
console.log(`idle, ${cached} objects cached (synced in ${syncSeconds.toFixed(1)} s; lists ${informers.reduce((n, i) => n + i.relists, 0)}, streaming ${informers.filter((i) => i.streamingList).length} of ${informers.length} informers): ${figures()}`);
console.log(`resident MiB by mapping: ${smapsSummary()}`);
await Promise.all(informers.map((i) => i.stop()));
await connection.close();
server.kill();
