// The connection against a real HTTPS server with certificates made for this run (test-pki.ts): the
// CA is verified, the TLS server name is used, the client certificate and the bearer token are
// presented, and many requests share one TLS connection (a pool per connection, not per request),
// also with an exec plugin's client certificate until it changes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { ApiClient } from '../../../src/kube/api-client.ts';
import { loadClusterConnection, type ClusterConnection } from '../../../src/kube/cluster-connection.ts';
import type { FixtureAnswer } from './exec-plugin-fixture.ts';
import { makeTestPki, type KeyPair, type TestPki } from './test-pki.ts';

interface Seen {
  readonly authorization: string | undefined;
  readonly clientCn: string | undefined;
  readonly connection: number;
}

interface TestServer {
  readonly url: string;
  readonly seen: Seen[];
  /** TLS handshakes completed so far. */
  handshakes(): number;
  close(): Promise<void>;
}

let pki: TestPki;
let server: TestServer;
let namedServer: TestServer;
const root = mkdtempSync(join(tmpdir(), 'modelship-tls-'));
let seq = 0;

async function startServer(pair: KeyPair): Promise<TestServer> {
  const seen: Seen[] = [];
  let handshakes = 0;
  const ids = new WeakMap<object, number>();
  // Asks for a client certificate without requiring one, to see which (if any) was presented.
  const srv: Server = createServer({ key: pair.key, cert: pair.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    seen.push({ authorization: req.headers.authorization, clientCn: socket.authorized ? String(peer.subject.CN) : undefined, connection: ids.get(socket) ?? -1 });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } }));
  });
  srv.on('secureConnection', (socket) => ids.set(socket, ++handshakes));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    seen,
    handshakes: () => handshakes,
    close: () => {
      srv.closeAllConnections();
      return new Promise((resolve) => srv.close(() => resolve()));
    },
  };
}

before(async () => {
  pki = makeTestPki();
  server = await startServer(pki.server);
  namedServer = await startServer(pki.namedServer);
});
const connections: ClusterConnection[] = [];
after(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await Promise.all([server.close(), namedServer.close()]);
  pki.remove();
  rmSync(root, { recursive: true, force: true });
});

function connect(cluster: Record<string, unknown>, user: Record<string, unknown>): ClusterConnection {
  const dir = join(root, `k${++seq}`);
  mkdirSync(dir);
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    dump({
      clusters: [{ name: 'c', cluster: { server: server.url, ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  const c = loadClusterConnection(path, { HOME: root });
  connections.push(c);
  return c;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'x' };
const get = (c: ClusterConnection) => new ApiClient(c, { qps: 1000, burst: 1000 }).get(ref);
const last = (s: TestServer): Seen => s.seen.at(-1)!;

void test('the cluster CA is verified: the right CA connects, another CA is refused', async () => {
  assert.equal((await get(connect({ 'certificate-authority': pki.ca.certFile }, { token: 'a' })))?.metadata?.name, 'x');
  assert.equal((await get(connect({ 'certificate-authority-data': b64(pki.ca.cert) }, { token: 'a' })))?.metadata?.name, 'x');
  await assert.rejects(get(connect({ 'certificate-authority-data': b64(pki.otherCa.cert) }, { token: 'a' })), (err: Error) => {
    assert.match(String((err.cause as Error | undefined)?.message ?? err.message), /certificate|verify/i);
    return true;
  });
  // No CA at all: the system roots do not know this one either.
  await assert.rejects(get(connect({}, { token: 'a' })));
  // insecure-skip-tls-verify accepts any certificate.
  assert.equal((await get(connect({ 'insecure-skip-tls-verify': true }, { token: 'a' })))?.metadata?.name, 'x');
});

void test('tls-server-name verifies the certificate against that name instead of the address', async () => {
  const cluster = { server: namedServer.url, 'certificate-authority': pki.ca.certFile };
  await assert.rejects(get(connect(cluster, {})), (err: Error) => {
    assert.match(String((err.cause as Error | undefined)?.message ?? err.message), /kube\.internal|altnames|IP: 127\.0\.0\.1/);
    return true;
  });
  assert.equal((await get(connect({ ...cluster, 'tls-server-name': 'kube.internal' }, {})))?.metadata?.name, 'x');
});

void test('the client certificate and the bearer token are presented', async () => {
  await get(connect({ 'certificate-authority': pki.ca.certFile }, { 'client-certificate': pki.client.certFile, 'client-key': pki.client.keyFile }));
  assert.deepEqual({ ...last(server), connection: 0 }, { authorization: undefined, clientCn: 'modelship-test', connection: 0 });
  await get(connect({ 'certificate-authority': pki.ca.certFile }, { 'client-certificate-data': b64(pki.otherClient.cert), 'client-key-data': b64(pki.otherClient.key) }));
  assert.equal(last(server).clientCn, 'modelship-rotated');
  await get(connect({ 'certificate-authority': pki.ca.certFile }, { token: 'secret-token' }));
  assert.deepEqual({ ...last(server), connection: 0 }, { authorization: 'Bearer secret-token', clientCn: undefined, connection: 0 });
});

void test('many requests of one connection share one TLS connection', async () => {
  const c = connect({ 'certificate-authority': pki.ca.certFile }, { token: 'pooled', 'client-certificate': pki.client.certFile, 'client-key': pki.client.keyFile });
  const client = new ApiClient(c, { qps: 1000, burst: 1000 });
  const before = server.handshakes();
  for (let i = 0; i < 25; i++) await client.get(ref);
  // undici's pool may open a second connection when the next request is dispatched in the same tick
  // as the previous response ended (the first connection is not marked free yet); never more.
  const warm = server.handshakes() - before;
  assert.ok(warm >= 1 && warm <= 2, `${warm} TLS handshakes for 25 requests`);
  for (let i = 0; i < 25; i++) await client.get(ref);
  assert.equal(server.handshakes() - before, warm, 'no new handshake for 25 more requests');
  const mine = server.seen.slice(-50);
  assert.ok(new Set(mine.map((s) => s.connection)).size <= 2);
  assert.ok(mine.every((s) => s.authorization === 'Bearer pooled' && s.clientCn === 'modelship-test'));
  // A second ApiClient on the same connection uses the same pool.
  const [a, b] = await Promise.all([c.authenticate(), c.authenticate()]);
  assert.equal(a.dispatcher, b.dispatcher);
});

void test('an exec plugin’s client certificate: the pool is kept while the certificate stays, replaced when it changes', async () => {
  const dir = join(root, 'exec-cert');
  mkdirSync(dir);
  const answer = (pair: KeyPair) => writeFileSync(join(dir, 'answer.json'), JSON.stringify({ certFile: pair.certFile, keyFile: pair.keyFile, expiresInSeconds: 0 } satisfies FixtureAnswer));
  answer(pki.client);
  const fixture = fileURLToPath(new URL('./exec-plugin-fixture.ts', import.meta.url));
  const c = connect({ 'certificate-authority': pki.ca.certFile }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [fixture, dir] } });
  const client = new ApiClient(c, { qps: 1000, burst: 1000 });
  const before = server.handshakes();
  // Already expired, so the plugin runs for every request: the same certificate keeps the same pool.
  const first = (await c.authenticate()).dispatcher;
  for (let i = 0; i < 3; i++) await client.get(ref);
  assert.equal((await c.authenticate()).dispatcher, first);
  assert.equal(last(server).clientCn, 'modelship-test');
  assert.equal(server.handshakes() - before, 1, 'one TLS connection while the certificate stays');
  answer(pki.otherClient);
  await client.get(ref);
  assert.equal(last(server).clientCn, 'modelship-rotated');
  assert.notEqual((await c.authenticate()).dispatcher, first);
  assert.equal(server.handshakes() - before, 2, 'a new connection for the new certificate');
});
