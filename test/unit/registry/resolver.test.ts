// The resolver's requests, against a local HTTP server standing in for MLflow: the platform's bearer
// token from the operator's namespace is sent, an answer that changes what is known requeues the key,
// and an unreachable registry keeps the last resolution with RegistryUnavailable.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import pino from 'pino';
import type { ApiClient } from '../../../src/kube/api-client.ts';
import { parseCidr } from '../../../src/outbound/index.ts';
import { RegistryResolver, type RegistryState } from '../../../src/registry/resolver.ts';

const until = async (what: string, check: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

void test('the resolver sends the platform token, requeues on a change and keeps the last version when the registry goes away', async () => {
  let version = '1';
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ model_version: { name: 'iris', version, source: `s3://models/iris/${version}`, status: 'READY' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const secretReads: string[] = [];
  const client = {
    get: (ref: { namespace: string; name: string }) => {
      secretReads.push(`${ref.namespace}/${ref.name}`);
      return Promise.resolve({ metadata: { name: ref.name }, data: { token: Buffer.from('s3cret').toString('base64') } });
    },
  } as unknown as ApiClient;
  const requeued: string[] = [];
  const resolver = new RegistryResolver({
    settings: {
      registries: [{ name: 'mlflow', type: 'mlflow', address: `http://127.0.0.1:${port}`, bearerTokenSecret: { name: 'mlflow-token', key: 'token' }, default: true }],
      namespace: 'modelship-system',
      pollIntervalMs: 50,
    },
    client,
    allowCidrs: [parseCidr('127.0.0.1/32')!],
    requeue: (key) => requeued.push(key),
    log: pino({ level: 'silent' }),
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
  try {
    const state = (): RegistryState | undefined => resolver.current('ns/iris', 'models:/iris@champion', undefined);
    assert.equal(state(), undefined, 'nothing known before the first answer');
    await until('the first resolution', () => state()?.resolution?.version === '1');
    assert.deepEqual(requeued, ['ns/iris']);
    assert.equal(seen[0]?.url, '/api/2.0/mlflow/registered-models/alias?name=iris&alias=champion');
    assert.equal(seen[0]?.headers.authorization, 'Bearer s3cret');
    assert.equal(secretReads[0], 'modelship-system/mlflow-token', 'the Secret is read in the operator namespace');
    const polls = seen.length;
    await until('more polls', () => seen.length > polls + 2);
    assert.deepEqual(requeued, ['ns/iris'], 'an unchanged answer does not requeue');
    version = '2';
    await until('the moved alias', () => state()?.resolution?.version === '2');
    assert.equal(state()?.resolution?.source, 's3://models/iris/2');
    assert.deepEqual(requeued, ['ns/iris', 'ns/iris']);
    await new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
    await until('the failure', () => state()?.failure !== undefined);
    assert.equal(state()?.failure?.reason, 'RegistryUnavailable');
    assert.equal(state()?.resolution?.version, '2', 'the last resolution is kept');
  } finally {
    await resolver.stop();
    server.close();
  }
});
