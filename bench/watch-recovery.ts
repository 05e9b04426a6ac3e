// How long an informer takes to recover from watch faults injected between it and a real kube-apiserver
// (test/support/fault-proxy.ts), and how many lists each costs: a connection reset, a 410 Expired, and
// a watch gone silent with the default watchdog (DEFAULT_STALL_TIMEOUT_MS). `npx node bench/watch-recovery.ts [runs]` writes
// bench/results/watch-recovery.json. Figures only; the tests assert the behaviour, not the times.
import { dump } from 'js-yaml';
import pino from 'pino';
import { resolve } from 'node:path';
import { ApiClient, type KubeObject } from '../src/kube/api-client.ts';
import { clusterConnectionFromKubeconfig } from '../src/kube/cluster-connection.ts';
import { DEFAULT_STALL_TIMEOUT_MS, Informer } from '../src/kube/informer.ts';
import { startControlPlane } from '../test/cluster/control-plane.ts';
import { FaultProxy } from '../test/support/fault-proxy.ts';
import { makeTestPki } from '../test/unit/kube/test-pki.ts';
import { load } from './machine.ts';
import { writeResult } from './result-file.ts';
import { summarize } from './stats.ts';

const runs = Number(process.argv[2] ?? 3);
const cp = await startControlPlane({ nodes: 0 });
const pki = makeTestPki();
const proxy = await FaultProxy.start({ upstream: cp.server, upstreamCa: cp.caPem, upstreamToken: cp.adminToken, serverKey: pki.server.key, serverCert: pki.server.cert });
const kubeconfig = (server: string, ca: string) =>
  dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
    users: [{ name: 'u', user: { token: cp.adminToken } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
    'current-context': 'x',
  });
const admin = new ApiClient(clusterConnectionFromKubeconfig(kubeconfig(cp.server, cp.caPem)), { qps: 100, burst: 100 });
const client = new ApiClient(clusterConnectionFromKubeconfig(kubeconfig(proxy.url, pki.ca.cert)), { qps: 100, burst: 100 });
const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default' };
const informer = new Informer<KubeObject>({ client, ref, labelSelector: 'bench=watch-recovery', logger: pino({ enabled: false }), resyncPeriodMs: 0, watchTimeoutSeconds: 600 });
await informer.start();

let n = 0;
/** Injects a fault, creates an object, and times until the informer holds it. */
async function recovery(fault: () => void): Promise<{ seconds: number; lists: number }> {
  const lists = proxy.count('LIST');
  const name = `wr-${++n}`;
  await waitFor(() => proxy.openStreams > 0);
  const t0 = performance.now();
  fault();
  await admin.create(ref, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels: { bench: 'watch-recovery' } } });
  await waitFor(() => informer.get('default', name) !== undefined);
  return { seconds: (performance.now() - t0) / 1000, lists: proxy.count('LIST') - lists };
}

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

const results: Record<string, { seconds: number; lists: number }[]> = { reset: [], gone: [], silent: [] };
for (let i = 0; i < runs; i++) {
  results.reset?.push(await recovery(() => proxy.resetStreams()));
  results.gone?.push(
    await recovery(() => {
      proxy.inject({ verb: 'WATCH', times: 1, fault: { kind: 'gone' } });
      proxy.resetStreams();
    }),
  );
  // At most the watchdog's 60 s after the last event or bookmark the silent watch delivered.
  results.silent?.push(await recovery(() => proxy.dropStreams()));
}
await informer.stop();
await proxy.close();
await cp.stop();
pki.remove();

const figures = Object.fromEntries(
  Object.entries(results).map(([k, v]) => [k, { recoverySeconds: summarize(v.map((r) => r.seconds)), listsPerFault: v.map((r) => r.lists) }]),
);
const file = writeResult(
  { quick: runs < 3, command: `node bench/watch-recovery.ts ${runs}`, resultsDir: resolve(import.meta.dirname, 'results'), loadAtStart: load(), settings: { runs, stallTimeoutMs: DEFAULT_STALL_TIMEOUT_MS } },
  'watch-recovery',
  figures,
);
process.stdout.write(`${JSON.stringify(figures, null, 2)}\nwritten to ${file}\n`);
