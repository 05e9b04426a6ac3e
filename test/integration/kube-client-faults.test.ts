// The operator's Kubernetes client against a real kube-apiserver behind a fault-injecting proxy
// (test/support/fault-proxy.ts): informers list only where client-go's reflector would (the first
// sync, and after 410 Expired), resume watches from their resourceVersion after transient errors and
// dead connections, resync from their store; requests honour Retry-After, re-read credentials on 401,
// and follow a rotated token file, CA file and client certificate without a restart.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { dump } from 'js-yaml';
import pino from 'pino';
import { ApiClient, type KubeObject } from '../../src/kube/api-client.ts';
import { ApiError } from '../../src/kube/api-error.ts';
import { loadClusterConnection } from '../../src/kube/cluster-connection.ts';
import { DEFAULT_STALL_TIMEOUT_MS, Informer, type InformerEvent, type InformerOptions } from '../../src/kube/informer.ts';
import { LeaderElector } from '../../src/kube/leader-election.ts';
import { FILE_RECHECK_MS } from '../../src/kube/reloading-file.ts';
import { sharedCluster } from '../support/cluster.ts';
import { ConnectProxy } from '../support/connect-proxy.ts';
import { FaultProxy, type FaultProxyOptions } from '../support/fault-proxy.ts';
import { testNamespace } from '../support/namespaces.ts';
import { testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import type { FixtureAnswer } from '../unit/kube/exec-plugin-fixture.ts';
import { makeTestPki } from '../unit/kube/test-pki.ts';

const cluster = await sharedCluster();
const kc = cluster.kubeConfig();
const admin = testClient(kc);
const namespace = await testNamespace(kc, 'faults');
const pki = makeTestPki();
const dir = mkdtempSync(join(tmpdir(), 'modelship-faults-'));
after(() => {
  pki.remove();
  rmSync(dir, { recursive: true, force: true });
});
const logger = pino({ level: process.env.MODELSHIP_TEST_LOG_LEVEL ?? 'silent' });
const upstream = kc.getCurrentCluster();
const upstreamOptions = {
  upstream: upstream?.server ?? '',
  upstreamCa: Buffer.from(upstream?.caData ?? '', 'base64'),
  upstreamToken: kc.getCurrentUser()?.token ?? '',
};

let seq = 0;
/** A proxy and a client of the operator's behind it, with its CA, token and client certificate in files of their own. */
async function setup(options: Partial<FaultProxyOptions> & { clientCert?: boolean; server?: (proxyUrl: string) => string; env?: NodeJS.ProcessEnv; user?: object } = {}) {
  const id = ++seq;
  const proxy = await FaultProxy.start({ ...upstreamOptions, serverKey: pki.server.key, serverCert: pki.server.cert, ...options });
  after(() => proxy.close());
  const files = { ca: join(dir, `ca-${id}.crt`), token: join(dir, `token-${id}`), cert: join(dir, `client-${id}.crt`), key: join(dir, `client-${id}.key`) };
  copyFileSync(pki.ca.certFile, files.ca);
  writeFileSync(files.token, 'token-one');
  copyFileSync(pki.client.certFile, files.cert);
  copyFileSync(pki.client.keyFile, files.key);
  const kubeconfig = join(dir, `kubeconfig-${id}`);
  writeFileSync(
    kubeconfig,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: options.server?.(proxy.url) ?? proxy.url, 'certificate-authority': files.ca } }],
      users: [{ name: 'u', user: options.user ?? { tokenFile: files.token, ...(options.clientCert ? { 'client-certificate': files.cert, 'client-key': files.key } : {}) } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  const connection = loadClusterConnection(kubeconfig, options.env ?? {});
  after(() => connection.close());
  const client = new ApiClient(connection, { qps: 100, burst: 100 });
  return { proxy, client, files };
}

const configMaps = { apiVersion: 'v1', kind: 'ConfigMap', namespace };
const label = (suite: string) => `modelship.io/fault-test=${suite}`;

async function createConfigMap(suite: string, name: string): Promise<void> {
  await admin.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { 'modelship.io/fault-test': suite } }, data: { a: '1' } });
}

async function startInformer(client: ApiClient, suite: string, options: Partial<InformerOptions<KubeObject>> = {}) {
  const events: { event: InformerEvent; name: string }[] = [];
  const informer = new Informer<KubeObject>({ client, ref: configMaps, labelSelector: label(suite), logger, resyncPeriodMs: 0, watchTimeoutSeconds: 600, ...options });
  informer.onEvent((event, obj) => events.push({ event, name: obj.metadata?.name ?? '' }));
  await informer.start();
  after(() => informer.stop());
  const sees = (name: string, timeoutMs = 30_000) => eventually(`the informer to see ${name}`, () => Promise.resolve(informer.get(namespace, name)), (o) => o !== undefined, timeoutMs, 50);
  return { informer, events, sees };
}

const cmPath = `/namespaces/${namespace}/configmaps`;

test('the first list is served from the watch cache (resourceVersion 0); a resync re-delivers the store and sends no list', async () => {
  const { proxy, client } = await setup();
  await createConfigMap('resync', 'r1');
  const { informer, events } = await startInformer(client, 'resync', { resyncPeriodMs: 300 });
  const lists = proxy.requests.filter((r) => r.verb === 'LIST' && r.path.includes(cmPath));
  assert.equal(lists.length, 1);
  assert.equal(lists[0]?.query.get('resourceVersion'), '0', 'listed from the watch cache');
  assert.equal(informer.get(namespace, 'r1')?.metadata?.name, 'r1');
  await eventually('three resyncs', () => Promise.resolve(events.filter((e) => e.event === 'resync').length), (n) => n >= 3, 10_000, 50);
  assert.equal(proxy.count('LIST', cmPath), 1, 'resyncs sent no list');
  assert.equal(informer.relists, 1);
});

test('a broken watch and 500s resume the watch from the last resourceVersion, with no list', async () => {
  const { proxy, client } = await setup();
  const { informer, sees } = await startInformer(client, 'transient');
  await createConfigMap('transient', 't1');
  await sees('t1');
  const rvSeen = informer.get(namespace, 't1')?.metadata?.resourceVersion;
  const watches = proxy.count('WATCH', cmPath);
  proxy.inject({ verb: 'WATCH', pathIncludes: cmPath, times: 2, fault: { kind: 'status', status: 500 } });
  await eventually('the watch to be open', () => Promise.resolve(proxy.openStreams), (n) => n >= 1, 10_000, 50);
  proxy.resetStreams();
  await createConfigMap('transient', 't2');
  await sees('t2');
  assert.equal(proxy.count('LIST', cmPath), 1, 'no list after the reset and the 500s');
  const resumed = proxy.requests.filter((r) => r.verb === 'WATCH' && r.path.includes(cmPath)).slice(watches);
  assert.ok(resumed.length >= 3, `two refused watches and the one that resumed (${resumed.length})`);
  assert.equal(resumed[0]?.query.get('resourceVersion'), rvSeen, 'resumed from the resourceVersion last seen');
  assert.equal(informer.relists, 1);
});

test('410 Expired on a watch makes exactly one list, and the store catches up', async () => {
  const { proxy, client } = await setup();
  const { informer, sees } = await startInformer(client, 'gone');
  proxy.inject({ verb: 'WATCH', pathIncludes: cmPath, times: 1, fault: { kind: 'gone' } });
  await eventually('the watch to be open', () => Promise.resolve(proxy.openStreams), (n) => n >= 1, 10_000, 50);
  proxy.resetStreams();
  await createConfigMap('gone', 'g1');
  await sees('g1');
  // Back at rest: a watch opened after the relist, and an object created then comes through it; a stray
  // relist would have shown by now.
  const verbs = () => proxy.requests.filter((r) => r.path.includes(cmPath) && (r.verb === 'LIST' || r.verb === 'WATCH')).map((r) => r.verb);
  await eventually('a watch open after the relist', () => Promise.resolve(verbs()), (v) => v.at(-1) === 'WATCH' && v.filter((x) => x === 'LIST').length >= 2 && proxy.openStreams >= 1, 10_000, 50);
  await createConfigMap('gone', 'g2');
  await sees('g2');
  assert.equal(proxy.count('LIST', cmPath), 2, 'the first list and one after 410');
  assert.equal(informer.relists, 2);
  const relist = proxy.requests.filter((r) => r.verb === 'LIST' && r.path.includes(cmPath))[1];
  assert.notEqual(relist?.query.get('resourceVersion'), '', 'the relist is served from the watch cache too');
});

const streamingWatches = (proxy: FaultProxy) => proxy.requests.filter((r) => r.verb === 'WATCH' && r.path.includes(cmPath) && r.query.get('sendInitialEvents') === 'true');

test('a streaming list (watch-list) syncs from one watch that goes on as the watch: no LIST', async () => {
  const { proxy, client } = await setup();
  await createConfigMap('stream', 's1');
  const { informer, events, sees } = await startInformer(client, 'stream', { streamingList: true });
  assert.equal(informer.get(namespace, 's1')?.metadata?.name, 's1', 'synced only with the initial state in the store');
  assert.deepEqual(events, [{ event: 'add', name: 's1' }]);
  const streams = streamingWatches(proxy);
  assert.equal(streams.length, 1);
  assert.equal(streams[0]?.query.get('resourceVersionMatch'), 'NotOlderThan');
  assert.equal(streams[0]?.query.get('allowWatchBookmarks'), 'true');
  await createConfigMap('stream', 's2');
  await sees('s2');
  assert.equal(proxy.count('LIST', cmPath), 0, 'no LIST');
  assert.equal(proxy.count('WATCH', cmPath), 1, 'the streaming list went on as the watch');
  assert.equal(informer.relists, 1);
  assert.equal(informer.watches, 1);
  assert.equal(informer.streamingList, true);
});

test('after 410 a streaming informer streams its state again: objects deleted meanwhile are deleted', async () => {
  const { proxy, client } = await setup();
  await createConfigMap('restream', 'w1');
  await createConfigMap('restream', 'w2');
  const { informer, events, sees } = await startInformer(client, 'restream', { streamingList: true });
  await eventually('the watch to be open', () => Promise.resolve(proxy.openStreams), (n) => n >= 1, 10_000, 50);
  // The watch breaks and cannot resume until w2 is gone; then its resourceVersion is refused (410).
  proxy.inject({ verb: 'WATCH', pathIncludes: cmPath, times: 1000, fault: { kind: 'status', status: 500 } });
  proxy.resetStreams();
  await admin.delete(configMapRef('w2'));
  await createConfigMap('restream', 'w3');
  proxy.clearFaults();
  proxy.inject({ verb: 'WATCH', pathIncludes: cmPath, times: 1, fault: { kind: 'gone' } });
  await sees('w3');
  await eventually('w2 to be deleted from the store', () => Promise.resolve(informer.get(namespace, 'w2')), (o) => o === undefined, 30_000, 50);
  assert.ok(events.some((e) => e.event === 'delete' && e.name === 'w2'), 'a delete event for the object that vanished');
  assert.equal(informer.get(namespace, 'w1')?.metadata?.name, 'w1');
  assert.equal(streamingWatches(proxy).length, 2, 'the first sync and one after 410');
  assert.equal(informer.relists, 2);
  assert.equal(proxy.count('LIST', cmPath), 0, 'no LIST');
});

test('a server that refuses streaming lists (400) gets a LIST instead, and from then on', async () => {
  const { proxy, client } = await setup();
  await createConfigMap('refused', 'f1');
  proxy.inject({ verb: 'WATCH', pathIncludes: cmPath, times: 1, fault: { kind: 'status', status: 400 } });
  const { informer, sees } = await startInformer(client, 'refused', { streamingList: true });
  assert.equal(informer.get(namespace, 'f1')?.metadata?.name, 'f1');
  assert.equal(informer.streamingList, false, 'remembered');
  assert.equal(proxy.count('LIST', cmPath), 1);
  // A 410 now relists with a LIST, not a streaming list.
  await eventually('the watch to be open', () => Promise.resolve(proxy.openStreams), (n) => n >= 1, 10_000, 50);
  proxy.inject({ verb: 'WATCH', pathIncludes: cmPath, times: 1, fault: { kind: 'gone' } });
  proxy.resetStreams();
  await createConfigMap('refused', 'f2');
  await sees('f2');
  await eventually('a LIST after the 410', () => Promise.resolve(proxy.count('LIST', cmPath)), (n) => n === 2, 10_000, 50);
  assert.equal(streamingWatches(proxy).length, 1, 'only the refused one');
});

test('a watch that goes silent (connection dropped without a close) is noticed by the watchdog and resumed without a list', async (t) => {
  const { proxy, client } = await setup();
  const stallTimeoutMs = 2000;
  const { informer, sees } = await startInformer(client, 'dead', { stallTimeoutMs });
  await eventually('the watch to be open', () => Promise.resolve(proxy.openStreams), (n) => n >= 1, 10_000, 50);
  const watchesBefore = informer.watches;
  const dropped = performance.now();
  proxy.dropStreams();
  await createConfigMap('dead', 'd1');
  // The server-side timeout is 600 s: only the watchdog can bring this object in.
  await sees('d1', 20_000);
  const noticedMs = performance.now() - dropped;
  t.diagnostic(`dropped watch noticed and resumed in ${Math.round(noticedMs)} ms (watchdog ${stallTimeoutMs} ms)`);
  assert.ok(informer.stalls >= 1, 'the watchdog ended the silent watch');
  assert.ok(informer.watches > watchesBefore, 'a new watch was opened');
  assert.equal(proxy.count('LIST', cmPath), 1, 'no list');
});

test('a watch whose objects do not change hears the API server\'s minute bookmark before the default watchdog: never re-opened, no list', { timeout: 150_000 }, async (t) => {
  const { proxy, client } = await setup();
  // Nothing ever matches this selector: the watch carries bookmarks only. The API server bookmarks a watch only
  // past its resourceVersion, so other ConfigMaps change meanwhile (as other objects of a kind do in a cluster).
  const { informer } = await startInformer(client, 'idle-bookmarks');
  const opened = performance.now();
  let n = 0;
  const others = setInterval(() => void createConfigMap('other-than-idle', `other-${++n}`).catch(() => undefined), 5_000);
  try {
    // The first bookmark comes about 60 s after the watch opened; a watchdog under that re-opens it first, every time.
    await eventually('a bookmark', () => Promise.resolve(informer.bookmarks), (b) => b >= 1, 85_000, 250);
  } finally {
    clearInterval(others);
  }
  t.diagnostic(`first bookmark ${Math.round((performance.now() - opened) / 1000)} s after the watch opened (watchdog ${DEFAULT_STALL_TIMEOUT_MS / 1000} s)`);
  assert.equal(informer.stalls, 0, 'the watchdog took a healthy idle watch for dead');
  assert.equal(informer.watches, 1);
  assert.equal(proxy.count('LIST', cmPath), 1, 'no list after the first');
});

test('/healthz verdict: an informer whose requests hang reports itself wedged, and recovers', async () => {
  const { proxy, client } = await setup();
  const { informer } = await startInformer(client, 'wedged', { stallTimeoutMs: 500, wedgedAfterMs: 1500 });
  assert.equal(informer.health(), true);
  // Every watch from now on hangs: no progress.
  proxy.inject({ verb: 'WATCH', pathIncludes: cmPath, times: 1000, fault: { kind: 'drop' } });
  proxy.dropStreams();
  const verdict = await eventually('the informer to report itself wedged', () => Promise.resolve(informer.health()), (v) => v !== true, 15_000, 100);
  assert.match(String(verdict), /informer ConfigMap\/.*: no progress for \d+ s/);
  proxy.clearFaults();
  await eventually('the informer to recover', () => Promise.resolve(informer.health()), (v) => v === true, 15_000, 100);
});

test('429 and 503 with Retry-After are retried as told; a 500 without one is not', async () => {
  const { proxy, client } = await setup();
  await createConfigMap('retry', 'ra');
  const path = `${cmPath}/ra`;
  proxy.inject({ verb: 'GET', pathIncludes: path, times: 1, fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } });
  proxy.inject({ verb: 'GET', pathIncludes: path, times: 1, fault: { kind: 'status', status: 503, headers: { 'retry-after': '1' } } });
  const started = performance.now();
  const got = await client.get(configMapRef('ra'));
  const waited = performance.now() - started;
  assert.equal(got?.metadata?.name, 'ra');
  assert.deepEqual(proxy.requests.filter((r) => r.path === `/api/v1${path}`).map((r) => r.status), [429, 503, 200]);
  assert.ok(waited >= 1900, `waited as told (${Math.round(waited)} ms for two Retry-After: 1)`);
  proxy.inject({ verb: 'GET', pathIncludes: path, times: 1, fault: { kind: 'status', status: 500 } });
  await assert.rejects(client.get(configMapRef('ra')), (err) => err instanceof ApiError && err.status === 500);
  assert.equal(proxy.count('GET', path), 4, 'the 500 was not retried');
});

test('a request can be cancelled: an aborted signal ends a hanging request at once', async () => {
  const { proxy, client } = await setup();
  proxy.inject({ verb: 'GET', pathIncludes: `${cmPath}/hang`, times: 1, fault: { kind: 'drop' } });
  const abort = new AbortController();
  const pending = client.request('GET', `/api/v1${cmPath}/hang`, { signal: abort.signal });
  await eventually('the request to reach the proxy', () => Promise.resolve(proxy.count('GET', `${cmPath}/hang`)), (n) => n === 1, 10_000, 20);
  abort.abort(new Error('stopped'));
  await assert.rejects(pending, /stopped|abort/i);
});

test('a rotated token file: the first 401 re-reads it and the request succeeds; no request fails', async () => {
  const { proxy, client, files } = await setup();
  proxy.acceptTokens(['token-one']);
  await createConfigMap('token', 'tk');
  assert.equal((await client.get(configMapRef('tk')))?.metadata?.name, 'tk');
  // The token is rotated: the server accepts only the new one, the file holds the new one.
  proxy.acceptTokens(['token-two']);
  writeFileSync(files.token, 'token-two');
  for (let i = 0; i < 5; i++) assert.equal((await client.get(configMapRef('tk')))?.metadata?.name, 'tk');
  const seen = proxy.requests.filter((r) => r.path.endsWith('/tk'));
  assert.deepEqual(seen.map((r) => `${r.status} ${r.token ?? ''}`), ['200 token-one', '401 token-one', ...Array<string>(5).fill('200 token-two')]);
});

test('an exec plugin whose token the server stops accepting: the 401 runs the plugin again and the request succeeds', async () => {
  const state = join(dir, 'exec-state');
  mkdirSync(state);
  // The fixture answers token-<run number>, with no expiry: cached until a 401 says otherwise.
  writeFileSync(join(state, 'answer.json'), JSON.stringify({ token: 'token' } satisfies FixtureAnswer));
  const fixture = join(import.meta.dirname, '..', 'unit', 'kube', 'exec-plugin-fixture.ts');
  const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [fixture, state], interactiveMode: 'Never' };
  const { proxy, client } = await setup({ user: { exec } });
  proxy.acceptTokens(['token-1']);
  await createConfigMap('exec', 'e1');
  for (let i = 0; i < 3; i++) assert.equal((await client.get(configMapRef('e1')))?.metadata?.name, 'e1');
  proxy.acceptTokens(['token-2']);
  for (let i = 0; i < 3; i++) assert.equal((await client.get(configMapRef('e1')))?.metadata?.name, 'e1');
  assert.equal(readFileSync(join(state, 'count'), 'utf8'), '2', 'the plugin ran once more, after the 401');
  const seen = proxy.requests.filter((r) => r.path.endsWith('/e1'));
  assert.deepEqual(seen.map((r) => `${r.status} ${r.token ?? ''}`), [...Array<string>(3).fill('200 token-1'), '401 token-1', ...Array<string>(3).fill('200 token-2')]);
});

test('a rotated CA file and serving certificate: no restart, no failed request', async () => {
  const { proxy, client, files } = await setup();
  const { sees } = await startInformer(client, 'ca');
  await createConfigMap('ca', 'c1');
  await sees('c1');
  // First the bundle gains the new CA (as a rotation does), then the server switches to a certificate it signed.
  writeFileSync(files.ca, pki.ca.cert + pki.otherCa.cert);
  // Time must pass: the client looks at the file at most once per FILE_RECHECK_MS, and this request must re-read it.
  await new Promise((r) => setTimeout(r, FILE_RECHECK_MS + 100));
  assert.equal((await client.get(configMapRef('c1')))?.metadata?.name, 'c1');
  proxy.setServerCertificate(pki.otherCaServer.key, pki.otherCaServer.cert);
  writeFileSync(files.ca, pki.otherCa.cert);
  for (let i = 0; i < 5; i++) assert.equal((await client.get(configMapRef('c1')))?.metadata?.name, 'c1');
  await createConfigMap('ca', 'c2');
  await sees('c2');
  assert.equal(proxy.count('LIST', cmPath), 1, 'the informer resumed its watch over the new certificate, no list');
});

test('a rotated client certificate and key: new connections present the new one, no request fails', async () => {
  const { proxy, client, files } = await setup({ clientCa: pki.ca.cert, requireClientCert: true, clientCert: true });
  await createConfigMap('cert', 'k1');
  assert.equal((await client.get(configMapRef('k1')))?.metadata?.name, 'k1');
  copyFileSync(pki.otherClient.certFile, files.cert);
  // The key follows a moment later, past FILE_RECHECK_MS (time must pass so the next request sees the
  // mismatched pair): it is not taken.
  await new Promise((r) => setTimeout(r, FILE_RECHECK_MS + 100));
  assert.equal((await client.get(configMapRef('k1')))?.metadata?.name, 'k1');
  copyFileSync(pki.otherClient.keyFile, files.key);
  await eventually('requests to present the new certificate', async () => (await client.get(configMapRef('k1')), proxy.requests.at(-1)?.clientCn), (cn) => cn === 'modelship-rotated', 10_000, 200);
  assert.deepEqual(proxy.requests.filter((r) => r.status !== 200 && r.verb !== 'WATCH'), [], 'no request failed');
});

test('HTTPS_PROXY is used for the API server (CONNECT), and NO_PROXY bypasses it', async () => {
  const forward = await ConnectProxy.start();
  after(() => forward.close());
  // kube.internal resolves nowhere but in the forward proxy, which tunnels it to the fault proxy.
  const server = (url: string) => url.replace('127.0.0.1', 'kube.internal');
  const named = { serverKey: pki.namedServer.key, serverCert: pki.namedServer.cert, server };
  const proxied = await setup({ ...named, env: { HTTPS_PROXY: forward.url, NO_PROXY: 'example.com' } });
  await createConfigMap('proxy', 'p1');
  assert.equal((await proxied.client.get(configMapRef('p1')))?.metadata?.name, 'p1');
  assert.ok(forward.tunnels.length >= 1 && forward.tunnels.every((t) => t.startsWith('kube.internal:')), `tunnelled: ${forward.tunnels.join(', ')}`);
  const tunnels = forward.tunnels.length;
  const bypassed = await setup({ ...named, env: { HTTPS_PROXY: forward.url, NO_PROXY: '.internal' } });
  await assert.rejects(bypassed.client.get(configMapRef('p1')), 'a direct connection to kube.internal fails: it does not resolve');
  assert.equal(forward.tunnels.length, tunnels, 'NO_PROXY kept it off the proxy');
});

test('lease requests that hang are aborted at renewDeadline: the leader steps down, and stopping run() ends them', async (t) => {
  const { proxy, client } = await setup();
  let leading = false;
  let stoppedAt = 0;
  const elector = new LeaderElector({
    client,
    namespace,
    name: 'fault-lease',
    identity: 'a',
    leaseDurationMs: 3000,
    renewDeadlineMs: 2000,
    retryPeriodMs: 500,
    onStartedLeading: () => (leading = true),
    onStoppedLeading: () => (stoppedAt = performance.now()),
  });
  const stop = new AbortController();
  const running = elector.run(stop.signal);
  await eventually('to lead', () => Promise.resolve(leading), (l) => l, 15_000, 50);
  assert.equal(elector.health(), true);
  proxy.inject({ pathIncludes: '/leases/fault-lease', times: 1000, fault: { kind: 'drop' } });
  const cutAt = performance.now();
  await eventually('to step down', () => Promise.resolve(stoppedAt), (t) => t > 0, 15_000, 50);
  const hung = () => proxy.requests.filter((r) => r.path.endsWith('/leases/fault-lease') && r.status === 0);
  assert.ok(hung().length >= 1, 'renewals hung');
  await eventually('every hung lease request to be aborted by the client', () => Promise.resolve(hung().filter((r) => !r.closed).length), (n) => n === 0, 5000, 50);
  stop.abort();
  await running;
  await eventually('the last hung request to be aborted on stop', () => Promise.resolve(hung().filter((r) => !r.closed).length), (n) => n === 0, 5000, 50);
  t.diagnostic(`stepped down ${Math.round(stoppedAt - cutAt)} ms after the lease requests started hanging (renewDeadline 2000 ms)`);
});

function configMapRef(name: string) {
  return { ...configMaps, name };
}
