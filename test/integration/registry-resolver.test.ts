// The registry resolver against the real API server (its credential Secrets) and a local HTTP server
// posing as MLflow's REST API that records every request. The platform's token is read from the
// operator's namespace (not a same-named Secret elsewhere) and sent; an answer that changes what is
// known requeues every ModelDeployment using the URI; an unreachable registry keeps the last resolution.
// Fifty ModelDeployments naming one URI cost one request per poll interval, and a URI nobody uses any
// more is not asked again. The Secret is read at most once per poll interval per registry: after a
// rotation the old token keeps being sent until the interval passes, or until the registry answers 401.
// No Secret value reaches a failure message or the log.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { Writable } from 'node:stream';
import { CoreV1Api } from '@kubernetes/client-node';
import pino from 'pino';
import { sharedCluster } from '../support/cluster.ts';
import { testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';
import { parseCidr } from '../../src/outbound/index.ts';
import type { ModelRegistry } from '../../src/registry/mlflow.ts';
import { RegistryResolver, type RegistryState } from '../../src/registry/resolver.ts';

const cluster = await sharedCluster();
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const operatorNs = await testNamespace(kc, 'resolver-operator');
const otherNs = await testNamespace(kc, 'resolver-other');

const TOKEN = { a: 'ZZ-TOKEN-A-ZZ', b: 'ZZ-TOKEN-B-ZZ', c: 'ZZ-TOKEN-C-ZZ', elsewhere: 'ZZ-OTHER-NAMESPACE-ZZ' };

const setToken = async (namespace: string, name: string, token: string): Promise<void> => {
  const body = { metadata: { name }, stringData: { token } };
  try {
    await core.replaceNamespacedSecret({ namespace, name, body });
  } catch {
    await core.createNamespacedSecret({ namespace, body });
  }
};

interface Seen {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly at: number;
}

/** A local MLflow: aliases and versions of one model, the tokens it accepts (any when empty), every request recorded. */
class FakeMlflow {
  readonly seen: Seen[] = [];
  aliases = new Map<string, string>([['champion', '1']]);
  accepted = new Set<string>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.seen.push({ path: `${url.pathname}${url.search}`, authorization: req.headers.authorization, at: Date.now() });
      req.resume();
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (this.accepted.size > 0 && ![...this.accepted].some((t) => req.headers.authorization === `Bearer ${t}`)) {
        return answer(401, { error_code: 'UNAUTHENTICATED', message: 'bad token' });
      }
      const name = url.searchParams.get('name') ?? '';
      const alias = url.searchParams.get('alias');
      const version = alias !== null ? this.aliases.get(alias) : url.searchParams.get('version');
      if (version === undefined || version === null) return answer(400, { error_code: 'INVALID_PARAMETER_VALUE', message: `Registered model alias ${alias} not found.` });
      answer(200, { model_version: { name, version, source: `s3://models/${name}/${version}`, status: 'READY' } });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    after(() => this.close());
  }

  requestsFor(query: string): Seen[] {
    return this.seen.filter((s) => s.path.includes(query));
  }

  close(): Promise<void> {
    return new Promise<void>((r) => {
      if (this.server === undefined) return r();
      this.server.closeAllConnections();
      this.server.close(() => r());
    });
  }
}

const logLines: string[] = [];
const log = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
);

function resolverFor(registries: ModelRegistry[], pollIntervalMs: number, requeued: string[] = []): RegistryResolver {
  const resolver = new RegistryResolver({
    settings: { registries, namespace: operatorNs, pollIntervalMs },
    client,
    allowCidrs: [parseCidr('127.0.0.1/32')!],
    requeue: (key) => requeued.push(key),
    log,
    now: () => new Date(),
  });
  after(() => resolver.stop());
  return resolver;
}

const mlflow = (address: string, secret = 'mlflow-token'): ModelRegistry => ({ name: 'mlflow', type: 'mlflow', address, bearerTokenSecret: { name: secret, key: 'token' }, default: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = (what: string, check: () => boolean, timeoutMs = 15_000) => eventually(what, () => Promise.resolve(check()), (v) => v, timeoutMs, 20);

await setToken(operatorNs, 'mlflow-token', TOKEN.a);
await setToken(otherNs, 'mlflow-token', TOKEN.elsewhere);

void test('the platform token from the operator namespace is sent, a moved alias requeues, and the last version outlives the registry', async () => {
  const server = new FakeMlflow();
  await server.start();
  const requeued: string[] = [];
  const resolver = resolverFor([mlflow(server.url)], 200, requeued);
  const state = (): RegistryState | undefined => resolver.current('ns/iris', 'models:/iris@champion', undefined);
  assert.equal(state(), undefined, 'nothing known before the first answer');
  await until('the first resolution', () => state()?.resolution?.version === '1');
  assert.deepEqual(requeued, ['ns/iris']);
  assert.equal(server.seen[0]?.path, '/api/2.0/mlflow/registered-models/alias?name=iris&alias=champion');
  assert.equal(server.seen[0]?.authorization, `Bearer ${TOKEN.a}`, "the operator namespace's Secret, not another namespace's");
  const polls = server.seen.length;
  await until('more polls', () => server.seen.length > polls + 2);
  assert.deepEqual(requeued, ['ns/iris'], 'an unchanged answer does not requeue');
  server.aliases.set('champion', '2');
  await until('the moved alias', () => state()?.resolution?.version === '2');
  assert.equal(state()?.resolution?.source, 's3://models/iris/2');
  assert.deepEqual(requeued, ['ns/iris', 'ns/iris']);
  await server.close();
  await until('the failure', () => state()?.failure !== undefined);
  assert.equal(state()?.failure?.reason, 'RegistryUnavailable');
  assert.equal(state()?.resolution?.version, '2', 'the last resolution is kept');
});

void test('fifty ModelDeployments naming one URI cost one request per poll interval; a URI nobody uses is not asked again', async () => {
  const server = new FakeMlflow();
  await server.start();
  const interval = 1000;
  const requeued: string[] = [];
  const resolver = resolverFor([mlflow(server.url)], interval, requeued);
  const keys = Array.from({ length: 50 }, (_, i) => `team-${i % 5}/md-${i}`);
  const started = Date.now();
  // Half name the default registry, half name it explicitly: the same registry, one entry.
  const use = (k: string, i: number) => resolver.current(k, 'models:/iris@champion', i % 2 === 0 ? undefined : 'mlflow');
  keys.forEach(use);
  resolver.current('team-0/pinned', 'models:/iris/3', undefined);
  // Both URIs answered: the pinned one may answer after the alias.
  await until('every key resolved', () => keys.every((k, i) => use(k, i)?.resolution?.version === '1') && resolver.current('team-0/pinned', 'models:/iris/3', undefined)?.resolution?.version === '3');
  assert.deepEqual(new Set(requeued), new Set([...keys, 'team-0/pinned']), 'the first answer requeues every key using the URI');
  assert.equal(requeued.filter((k) => k === 'team-0/md-0').length, 1);
  assert.deepEqual(
    resolver.polled().map((p) => [p.uri, p.keys.length]).sort(),
    [
      ['models:/iris/3', 1],
      ['models:/iris@champion', 50],
    ],
  );

  await sleep(3.5 * interval);
  const aliasAsks = server.requestsFor('alias=champion').length;
  const elapsedIntervals = (Date.now() - started) / interval;
  assert.ok(aliasAsks >= 3 && aliasAsks <= Math.ceil(elapsedIntervals) + 1, `one request per interval for fifty keys: ${aliasAsks} in ${elapsedIntervals.toFixed(1)} intervals`);
  assert.ok(server.requestsFor('version=3').length <= Math.ceil(elapsedIntervals) + 1);

  // A moved alias requeues all fifty, from one answer.
  requeued.length = 0;
  server.aliases.set('champion', '2');
  await until('the moved alias requeued every key', () => new Set(requeued).size === 50);
  assert.equal(requeued.length, 50, 'each key once');
  assert.ok(!requeued.includes('team-0/pinned'), 'a key on another URI is not requeued');

  // Keys leave (deleted, or their spec names another URI): the URI is asked while one key uses it.
  for (const k of keys.slice(0, 49)) resolver.forget(k);
  resolver.current(keys[49]!, 'models:/iris/3', undefined); // its spec changed: it leaves the alias
  assert.deepEqual(resolver.polled().map((p) => [p.uri, p.keys.sort()]), [['models:/iris/3', [keys[49], 'team-0/pinned'].sort()]]);
  const stoppedAt = server.requestsFor('alias=champion').length;
  await sleep(2.5 * interval);
  assert.equal(server.requestsFor('alias=champion').length, stoppedAt, 'an entry without keys is not polled');
  assert.ok(server.requestsFor('version=3').length > 0);
  resolver.forget(keys[49]!);
  resolver.forget('team-0/pinned');
  assert.deepEqual(resolver.polled(), []);
  const lastAsks = server.seen.length;
  await sleep(2 * interval);
  assert.equal(server.seen.length, lastAsks, 'nothing is polled once no key uses the registry');
});

void test('a rotated token is read again once the poll interval has passed, or at the next ask after a 401', async () => {
  await setToken(operatorNs, 'rotating-token', TOKEN.a);
  const server = new FakeMlflow();
  await server.start();

  // A short interval: the cache lasts one interval, shared by the entries of the registry.
  const interval = 2500;
  const short = resolverFor([mlflow(server.url, 'rotating-token')], interval);
  short.current('ns/a', 'models:/iris@champion', undefined);
  await until('the first ask', () => server.seen.length === 1);
  const firstAt = Date.now();
  assert.equal(server.seen[0]?.authorization, `Bearer ${TOKEN.a}`);
  await setToken(operatorNs, 'rotating-token', TOKEN.b);
  short.current('ns/b', 'models:/iris/1', undefined); // another entry of the same registry
  await until('the second entry asked', () => server.requestsFor('version=1').length === 1);
  assert.ok(Date.now() - firstAt < interval - 200, 'the second entry asked within the interval');
  assert.equal(server.requestsFor('version=1')[0]?.authorization, `Bearer ${TOKEN.a}`, 'within the interval the cached token is sent, the Secret is not read again');
  await until('the next poll after the interval', () => server.seen.some((s) => s.at - firstAt >= interval && s.authorization === `Bearer ${TOKEN.b}`), 4 * interval);
  assert.ok(
    server.seen.filter((s) => s.at - firstAt > interval + 500).every((s) => s.authorization === `Bearer ${TOKEN.b}`),
    'once the interval has passed only the new token is sent',
  );
  await short.stop();

  // A long interval: only a 401 makes the resolver read the Secret again before it ends.
  await setToken(operatorNs, 'rotating-token', TOKEN.b);
  server.seen.length = 0;
  server.accepted = new Set([TOKEN.b, TOKEN.c]);
  const long = resolverFor([mlflow(server.url, 'rotating-token')], 10 * 60_000);
  long.current('ns/1', 'models:/iris/1', undefined);
  await until('the first entry', () => long.current('ns/1', 'models:/iris/1', undefined)?.resolution !== undefined);
  await setToken(operatorNs, 'rotating-token', TOKEN.c);
  long.current('ns/2', 'models:/iris/2', undefined);
  await until('the second entry', () => long.current('ns/2', 'models:/iris/2', undefined)?.resolution !== undefined);
  assert.deepEqual(
    server.seen.map((s) => s.authorization),
    [`Bearer ${TOKEN.b}`, `Bearer ${TOKEN.b}`],
    'the rotated Secret is not read again within the interval',
  );
  server.accepted = new Set([TOKEN.c]); // the old token is revoked
  long.current('ns/3', 'models:/iris/3', undefined);
  await until('the refused ask', () => long.current('ns/3', 'models:/iris/3', undefined)?.failure !== undefined);
  const refused = long.current('ns/3', 'models:/iris/3', undefined)!.failure!;
  assert.equal(refused.reason, 'RegistryUnavailable');
  assert.match(refused.message, /HTTP 401/);
  long.current('ns/4', 'models:/iris/4', undefined);
  await until('the next ask', () => long.current('ns/4', 'models:/iris/4', undefined)?.resolution !== undefined);
  assert.deepEqual(
    server.seen.map((s) => s.authorization),
    [`Bearer ${TOKEN.b}`, `Bearer ${TOKEN.b}`, `Bearer ${TOKEN.b}`, `Bearer ${TOKEN.c}`],
    'after the 401 the Secret is read again and the new token sent',
  );
});

void test('a missing Secret is RegistryUnavailable with no Secret value in the message or the log', async () => {
  const server = new FakeMlflow();
  await server.start();
  const resolver = resolverFor([mlflow(server.url, 'no-such-secret')], 60_000);
  await until('the failure', () => resolver.current('ns/x', 'models:/iris@champion', undefined)?.failure !== undefined);
  const failure = resolver.current('ns/x', 'models:/iris@champion', undefined)!.failure!;
  assert.equal(failure.reason, 'RegistryUnavailable');
  assert.match(failure.message, /credentials cannot be read/);
  assert.equal(server.seen.length, 0, 'nothing is sent without the credentials');
  const everything = [failure.message, ...logLines].join('\n');
  for (const t of Object.values(TOKEN)) assert.ok(!everything.includes(t), `${t} is in a message or the log`);
  assert.ok(logLines.some((l) => l.includes('credentials cannot be read')));
});
