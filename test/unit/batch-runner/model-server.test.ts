// One V2 inference call over node:http: predictions on 200, a refusal on 4xx, a transient failure on 5xx,
// on a refused connection and on a server that never answers; request slots; waiting for readiness.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createServer, type Server } from 'node:http';
import { classifySourceError, FetchFailure } from '../../../src/fetcher/failure.ts';
import { inferOnce, postJson, SERVER_IDLE_MS, waitReady } from '../../../src/batch-runner/model-server.ts';
import { BatchFailure } from '../../../src/batch-runner/exit-codes.ts';
import { InFlightLimit } from '../../../src/batch-runner/in-flight-limit.ts';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../cluster/free-port.ts';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => server.close());
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

let status = 200;
let seen = '';
const url = await listen(
  createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen = `${req.method} ${req.url} ${req.headers['content-type']} ${body}`;
      res.statusCode = status;
      res.end(status === 200 ? JSON.stringify({ model_version: 'v3', outputs: [{ shape: [2], data: [7, 8] }] }) : 'no such input');
    });
  }),
);

void test('200: the predictions and the model version; the rows go as one FP64 input', async () => {
  status = 200;
  const call = await inferOnce(url, 'iris', undefined, [[1, 2], [3, 4]]);
  assert.deepEqual(call, { outcome: { ok: true, predictions: [7, 8] }, modelVersion: 'v3' });
  assert.equal(seen, 'POST /v2/models/iris/infer application/json {"inputs":[{"name":"input-0","shape":[2,2],"datatype":"FP64","data":[1,2,3,4]}]}');
});

void test('4xx is a refusal of these rows; 5xx throws a transient failure', async () => {
  status = 422;
  const refused = await inferOnce(url, 'iris', undefined, [[1, 2]]);
  assert.deepEqual(refused.outcome, { ok: false, reason: 'rejected by the model: HTTP 422: no such input' });
  status = 503;
  await assert.rejects(inferOnce(url, 'iris', undefined, [[1, 2]]), (err) => err instanceof FetchFailure && err.transient);
});

void test('a refused connection and a silent server are transient failures', async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const refused = await postJson(`${closed}/v2/models/iris/infer`, '{}').then(() => undefined, (err: unknown) => err);
  assert.ok(classifySourceError(refused, 'x').transient);
  const silent = await listen(createServer(() => undefined));
  const timedOut = await postJson(`${silent}/v2/models/iris/infer`, '{}', 200).then(() => undefined, (err: unknown) => err);
  assert.ok(timedOut instanceof Error && timedOut.name === 'TimeoutError');
  assert.ok(classifySourceError(timedOut, 'x').transient);
});

void test('an idle kept-alive connection is closed by the runner after SERVER_IDLE_MS (before the server would); a slow answer is not cut', async () => {
  const ports: number[] = [];
  const slow = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    ports.push(req.socket.remotePort ?? 0);
    req.resume();
    req.on('end', () => setTimeout(() => res.end('{}'), SERVER_IDLE_MS + 1000));
  });
  const slowUrl = await listen(slow);
  assert.equal((await postJson(`${slowUrl}/a`, '{}')).status, 200, 'an answer slower than the idle time arrives');
  await new Promise((r) => setTimeout(r, SERVER_IDLE_MS + 500));
  assert.equal((await postJson(`${slowUrl}/b`, '{}')).status, 200);
  assert.equal(ports.length, 2);
  assert.notEqual(ports[1], ports[0], 'the second request went on a new connection: the idle one was closed by the runner');
  slow.closeAllConnections();
});

void test('waitReady returns once the server answers 200 and fails with ServerNotReady and the last answer after its deadline', async () => {
  let answers = 0;
  const warming = await listen(
    createServer((req, res) => {
      answers++;
      res.statusCode = req.url === '/v2/health/ready' && answers > 1 ? 200 : 503;
      res.end();
    }),
  );
  await waitReady(warming, 5000, () => undefined);
  assert.equal(answers, 2, 'asked again after the 503');
  const never = await listen(createServer((_req, res) => ((res.statusCode = 503), res.end())));
  await assert.rejects(waitReady(never, 300, () => undefined), (err) => err instanceof BatchFailure && err.cls === 'ServerNotReady' && err.message.includes('last: HTTP 503'));
});

void test('waiting for the server does not load Node\'s bundled fetch client (about 12 MiB resident)', () => {
  const script = `
    import { waitReady } from './src/batch-runner/model-server.ts';
    const server = process.getBuiltinModule('node:http').createServer((_req, res) => res.end());
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    await waitReady('http://127.0.0.1:' + server.address().port, 5000, () => undefined);
    server.close();
    process.stdout.write(String(process.moduleLoadList.some((m) => m.includes('undici'))));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '../../..'), encoding: 'utf8' });
  assert.equal(out, 'false');
});

void test('with a limit, no more requests at the server than its slots, each answer to its own request', async () => {
  let open = 0;
  let most = 0;
  const held = await listen(
    createServer((req, res) => {
      open++;
      most = Math.max(most, open);
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          open--;
          res.end(req.url);
        }, 20),
      );
    }),
  );
  const limit = new InFlightLimit(2);
  const answers = await Promise.all(Array.from({ length: 7 }, (_, i) => postJson(`${held}/${i}`, '{}', 60_000, limit)));
  assert.deepEqual(answers.map((a) => a.text), ['/0', '/1', '/2', '/3', '/4', '/5', '/6']);
  assert.equal(most, 2);
  const closed = `http://127.0.0.1:${await freePort()}`;
  const one = new InFlightLimit(1);
  await assert.rejects(postJson(`${closed}/x`, '{}', 60_000, one));
  assert.equal(one.acquire(), undefined, 'a failed request frees its slot too');
});
