// The outbound client against hostile local servers: what it refuses, and that a refusal costs
// neither memory nor a request the server can see.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createOutboundClient, OutboundError, parseCidr, type OutboundRequest } from '../../../src/outbound/index.ts';
import { answerJson, hostileServer, redirectTo, sendGibibyte, sendGzipBomb } from '../../support/hostile-server.ts';

const loopback = [parseCidr('127.0.0.1/32')!];
const client = createOutboundClient({ allowCidrs: loopback, connectTimeoutMs: 1000 });
after(() => client.close());
const post: OutboundRequest = { method: 'POST', body: '{}', maxBytes: 1024 * 1024, timeoutMs: 5000 };

async function failure(promise: Promise<unknown>): Promise<OutboundError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof OutboundError, `an OutboundError, got ${String(err)}`);
  return err;
}

test('a plain answer comes back, and identity encoding was asked for', async () => {
  const server = await hostileServer(answerJson({ ok: true }));
  const res = await client.send(new URL(server.url), post);
  assert.deepEqual(res, { status: 200, body: '{"ok":true}' });
  assert.equal(server.seen[0]?.['accept-encoding'], 'identity');
});

test('a gzip bomb is refused, never inflated', async () => {
  const server = await hostileServer(sendGzipBomb);
  const before = process.memoryUsage().rss;
  const err = await failure(client.send(new URL(server.url), post));
  assert.equal(err.message, 'compressed body refused');
  assert.ok(process.memoryUsage().rss - before < 50 * 1024 * 1024, 'no inflated copy in memory');
});

test('a 1 GiB body stops at the cap', async () => {
  const server = await hostileServer(sendGibibyte);
  const started = Date.now();
  const err = await failure(client.send(new URL(server.url), post));
  assert.equal(err.message, 'body over 1 MiB');
  assert.ok(Date.now() - started < 4000, 'stopped early, not after reading it all');
});

test('a redirect is an error and is not followed', async () => {
  const second = await hostileServer(answerJson({ secret: 'internal' }));
  const first = await hostileServer(redirectTo(`${second.url}/latest/meta-data`));
  const err = await failure(client.send(new URL(first.url), post));
  assert.equal(err.message, 'redirect refused (HTTP 302)');
  assert.equal(second.seen.length, 0);
});

test('loopback and link-local addresses are refused unless allowlisted, by IP and by name', async () => {
  const server = await hostileServer(answerJson({}));
  const strict = createOutboundClient({ allowCidrs: [], connectTimeoutMs: 500 });
  after(() => strict.close());
  assert.match((await failure(strict.send(new URL(server.url), post))).message, /^address 127\.0\.0\.1 refused/);
  assert.match((await failure(strict.send(new URL(`http://localhost:${server.port}`), post))).message, /^address (127\.0\.0\.1|::1) refused/);
  assert.match((await failure(strict.send(new URL('http://169.254.169.254/latest/meta-data'), post))).message, /^address 169\.254\.169\.254 refused/);
  assert.match((await failure(strict.send(new URL('http://[::1]:1/'), post))).message, /^address ::1 refused/);
  assert.equal(server.seen.length, 0);
  // Allowlisted (the shared client allows 127.0.0.1/32), the same server answers. Link-local allowlisting
  // is covered by the policy's unit test: no request to a real link-local address from a test.
  assert.equal((await client.send(new URL(server.url), post)).status, 200);
  assert.equal((await client.send(new URL(`http://localhost:${server.port}`), post)).status, 200);
});

test('a header value with a line break is not sent, and the error does not quote it', async () => {
  const server = await hostileServer(answerJson({}));
  const err = await failure(client.send(new URL(server.url), { ...post, headers: { authorization: 'Bearer line-one\nline-two' } }));
  assert.equal(err.message, 'header authorization has a line break or NUL in its value, so it was not sent');
  assert.equal(server.seen.length, 0);
});

test('the whole request has a time limit, and the caller can cancel', async () => {
  const server = await hostileServer(() => undefined); // never answers
  assert.equal((await failure(client.send(new URL(server.url), { ...post, timeoutMs: 300 }))).message, 'no answer within 300 ms');
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  assert.equal((await failure(client.send(new URL(server.url), { ...post, signal: controller.signal }))).message, 'request cancelled');
});
