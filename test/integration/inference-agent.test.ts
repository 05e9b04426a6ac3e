// The inference agent as the process a pod runs (`node src/main.ts agent ...`) in front of a real model
// server process-local stand-in (OIP v2 iris with deterministic predictions, /metrics, h2c on the same
// port) and a real S3-compatible store (versitygw). No Kubernetes. Checked: bytes and status pass through
// unchanged (a streamed multi-MiB body both ways, keep-alive reuse, h2c), request ids, every sampled
// record in the files with its identity, sampling within binomial bounds, redaction, an object-store outage
// that fails no request and is counted, multi-MiB files through a slow store, labels joined from memory and,
// after a restart, from the files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as h2connect } from 'node:http2';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { uuidv7, uuidv7Time } from '../../src/agent/request-id.ts';
import { REDACTED } from '../../src/agent/redact.ts';
import { freePort } from '../cluster/free-port.ts';
import { irisClass, patternByte, startIrisUpstream } from '../support/iris-upstream.ts';
import { UPSTREAM_IDLE_MS } from '../../src/agent/proxy.ts';
import { agentTestBed } from '../support/agent-test-bed.ts';
import { sample, scrape, send, startAgent, type AgentProcess, type Reply } from '../support/agent-process.ts';
import { eventually } from '../support/wait.ts';
import { slowRelay } from '../support/slow-relay.ts';
import type { LoadedModules } from '../support/loaded-modules-probe.ts';

const { s3, upstream, agents } = await agentTestBed(['logs']);

const identity = ['--namespace=team-a', '--model=iris', '--version=1', '--variant=stable', '--revision=3'];
async function agent(name: string, extra: readonly string[], env: Record<string, string> = {}): Promise<AgentProcess> {
  const a = await startAgent([`--upstream=http://127.0.0.1:${upstream.port}`, `--upstream-metrics=http://127.0.0.1:${upstream.port}/metrics`, `--log-uri=s3://logs/${name}`, `--pod=${name}-pod`, ...identity, ...extra], { ...s3.fetcherEnv(), ...env });
  agents.push(a);
  return a;
}

function row(i: number): number[] {
  return [(i % 7) * 0.9, (i % 5) * 0.7, (i % 3) * 1.3, (i % 11) * 0.4];
}
function inferBody(i: number): string {
  return JSON.stringify({ id: `q${i}`, secret: 'top', inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP64', data: row(i) }, { name: 'ssn', shape: [1], datatype: 'BYTES', data: [`123-45-${i}`] }] });
}

/** n inference requests, `concurrency` at a time over keep-alive connections; every reply in order. */
async function load(port: number, n: number, concurrency: number, headers: (i: number) => Record<string, string> = () => ({})): Promise<Reply[]> {
  const keepAlive = new Agent({ keepAlive: true, maxSockets: concurrency });
  const replies: Reply[] = new Array<Reply>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        replies[i] = await send(port, { method: 'POST', path: '/v2/models/iris/infer', headers: { 'content-type': 'application/json', ...headers(i) }, body: inferBody(i), agent: keepAlive });
      }
    }),
  );
  keepAlive.destroy();
  return replies;
}

async function listKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await s3.client.send(new ListObjectsV2Command({ Bucket: 'logs', Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

async function loggedRecords(name: string): Promise<{ keys: string[]; records: Record<string, unknown>[] }> {
  const keys = await listKeys(`${name}/`);
  const records: Record<string, unknown>[] = [];
  for (const key of keys) {
    const text = await (await s3.client.send(new GetObjectCommand({ Bucket: 'logs', Key: key }))).Body!.transformToString();
    assert.ok(text.endsWith('\n'), `${key} is whole lines`);
    for (const line of text.trimEnd().split('\n')) records.push(JSON.parse(line) as Record<string, unknown>);
  }
  return { keys, records };
}

const predictionOf = (i: number) => irisClass(row(i));
let a: AgentProcess;
const ids: string[] = [];

test('bodies, status and headers pass through; request ids kept or made; keep-alive reused; h2c piped; 502 when the server is down', async () => {
  a = await agent('a', ['--sample-rate=1', '--redact=ssn,secret', '--flush-interval=1h']);
  const direct = await send(upstream.port, { method: 'POST', path: '/v2/models/iris/infer', body: inferBody(1) });
  const via = await send(a.port, { method: 'POST', path: '/v2/models/iris/infer', body: inferBody(1) });
  assert.equal(via.status, 200);
  assert.deepEqual(via.body, direct.body);
  // A generated id: UUIDv7 of now, the same on the upstream request and the client response.
  const made = via.headers['x-request-id'] as string;
  assert.ok(Math.abs(uuidv7Time(made)! - Date.now()) < 60_000, made);
  assert.equal(via.headers['x-upstream-saw-request-id'], made);
  const kept = await send(a.port, { path: '/status?code=503', headers: { 'x-request-id': 'client-given-42' } });
  assert.equal(kept.status, 503);
  assert.equal(kept.body.toString(), 'status 503');
  assert.equal(kept.headers['x-request-id'], 'client-given-42');
  assert.equal(kept.headers['x-upstream-saw-request-id'], 'client-given-42');

  // 24 MiB streamed down, 12 MiB up and echoed back, byte for byte.
  const n = 24 * 1024 * 1024;
  const big = await send(a.port, { path: `/bytes?n=${n}` });
  assert.equal(big.body.length, n);
  assert.equal(big.headers['x-custom'], 'kept');
  for (let i = 0; i < n; i += 4099) assert.equal(big.body[i], patternByte(i));
  const up = Buffer.alloc(12 * 1024 * 1024);
  for (let i = 0; i < up.length; i++) up[i] = (i * 7) & 0xff;
  const echoed = await send(a.port, { method: 'POST', path: '/echo', body: up });
  assert.ok(echoed.body.equals(up));

  // Keep-alive: one client connection for 20 requests, one upstream connection behind it.
  const one = new Agent({ keepAlive: true, maxSockets: 1 });
  const seq: Reply[] = [];
  for (let i = 0; i < 20; i++) seq.push(await send(a.port, { method: 'POST', path: '/v2/models/iris/infer', body: inferBody(i), agent: one }));
  one.destroy();
  assert.equal(seq.filter((r) => r.reusedSocket).length, 19);
  assert.equal(new Set(seq.map((r) => r.headers['x-upstream-socket'])).size, 1);

  // HTTP/2 cleartext with prior knowledge (gRPC) is piped to the same upstream port.
  const h2 = h2connect(`http://127.0.0.1:${a.port}`);
  const h2Call = () => new Promise<{ status: number; path: string; body: string }>((ok, fail) => {
    const stream = h2.request({ ':path': '/iris.Predict/Infer', ':method': 'POST', 'content-type': 'application/grpc' });
    let body = '';
    let head: { status: number; path: string } = { status: 0, path: '' };
    stream.on('response', (h) => (head = { status: Number(h[':status']), path: String(h['x-h2-path']) }));
    stream.setEncoding('utf8').on('data', (d: string) => (body += d));
    stream.on('end', () => ok({ ...head, body }));
    stream.on('error', fail);
    stream.end('payload');
  });
  // Three calls on one connection: counted as one connection and three streams, not as requests.
  const h2Replies = [await h2Call(), ...(await Promise.all([h2Call(), h2Call()]))];
  h2.close();
  for (const h2Reply of h2Replies) assert.deepEqual(h2Reply, { status: 200, path: '/iris.Predict/Infer', body: 'h2 ok' });

  const m = await scrape(a.metricsPort);
  assert.ok(sample(m, 'modelship_inference_requests_total', { code: '200' }) >= 23);
  assert.equal(sample(m, 'modelship_inference_requests_total', { code: '503' }), 1);
  assert.equal(sample(m, 'mlserver_requests_total', { model: 'iris' }), 42, "the server's own metrics are appended");
  assert.equal(sample(m, 'modelship_inference_h2c_connections_total'), 1);
  assert.equal(sample(m, 'modelship_inference_h2c_streams_total'), 3);
  assert.equal(sample(m, 'modelship_agent_upstream_scrape_errors_total'), 0);

  // The kubelet's probes pass through but are neither counted nor logged (they are not traffic).
  const seen = (mm: Map<string, number>) => [sample(mm, 'modelship_inference_requests_total'), sample(mm, 'modelship_inference_request_duration_seconds_count'), sample(mm, 'modelship_agent_log_buffer_records'), sample(mm, 'modelship_agent_log_records_total')];
  const beforeProbes = seen(m);
  for (let i = 0; i < 3; i++) {
    const probe = await send(a.port, { path: '/status?code=200', headers: { 'user-agent': 'kube-probe/1.35' } });
    assert.equal(probe.status, 200);
  }
  assert.deepEqual(seen(await scrape(a.metricsPort)), beforeProbes);

  // A server that cannot be reached: 502 with a short JSON error, counted as code "0".
  const nowhere = await startAgent([`--upstream=http://127.0.0.1:${await freePort()}`, ...identity], {});
  agents.push(nowhere);
  const down = await send(nowhere.port, { path: '/v2/health/ready', headers: { 'x-request-id': 'r-down' } });
  assert.equal(down.status, 502);
  assert.deepEqual(JSON.parse(down.body.toString()), { error: 'the model server could not be reached' });
  assert.equal(down.headers['x-request-id'], 'r-down');
  assert.equal(sample(await scrape(nowhere.metricsPort), 'modelship_inference_requests_total', { code: '0' }), 1);
  assert.equal(await nowhere.stop(), 0);
});

test('500 requests at sample rate 1 are labelled from memory: 350 correct, 150 incorrect, for revision 3', async () => {
  const replies = await load(a.port, 500, 16);
  replies.forEach((r, i) => {
    assert.equal(r.status, 200);
    assert.deepEqual((JSON.parse(r.body.toString()) as { outputs: { data: number[] }[] }).outputs[0]!.data, [predictionOf(i)]);
    ids.push(r.headers['x-request-id'] as string);
  });
  const labels = ids.map((requestId, i) => ({ requestId, label: i % 10 < 7 ? predictionOf(i) : (predictionOf(i) + 1) % 3 }));
  const fb = await send(a.port, { method: 'POST', path: '/modelship/v1/feedback', headers: { 'content-type': 'application/json' }, body: JSON.stringify(labels) });
  assert.equal(fb.status, 202);
  assert.deepEqual(JSON.parse(fb.body.toString()), { accepted: 500, matched: 500, pending: 0, unmatched: 0 });
  // An id whose time is long past and that was never logged is unmatched at once.
  const old = await send(a.port, { method: 'POST', path: '/modelship/v1/feedback', body: JSON.stringify({ requestId: uuidv7(Date.now() - 86_400_000, new Uint8Array(10)), label: 1 }) });
  assert.deepEqual(JSON.parse(old.body.toString()), { accepted: 1, matched: 0, pending: 0, unmatched: 1 });
  const bad = await send(a.port, { method: 'POST', path: '/modelship/v1/feedback', body: '{"requestId":1}' });
  assert.equal(bad.status, 400);
  const m = await scrape(a.metricsPort);
  const rev3 = { prediction_variant: 'stable', prediction_revision: '3', prediction_version: '1' };
  assert.equal(sample(m, 'modelship_inference_labels_total', { ...rev3, result: 'correct' }), 350);
  assert.equal(sample(m, 'modelship_inference_labels_total', { ...rev3, result: 'incorrect' }), 150);
  assert.equal(sample(m, 'modelship_inference_labels_unmatched_total'), 1);
  assert.equal(sample(m, 'modelship_agent_log_records_total', { outcome: 'written' }), 0, 'nothing flushed yet (flush interval 1h)');
});

test('SIGTERM flushes every record: each of the 500 is in the files once, with its identity, redacted', async () => {
  const before = sample(await scrape(a.metricsPort), 'modelship_agent_log_buffer_records');
  assert.equal(await a.stop('SIGTERM'), 0);
  const { keys, records } = await loggedRecords('a');
  assert.equal(records.length, before);
  for (const key of keys) assert.match(key, /^a\/namespace=team-a\/model=iris\/version=1\/date=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/a-pod-\d+-\d+\.jsonl$/);
  const byId = new Map(records.map((r) => [r.requestId as string, r]));
  for (const [i, id] of ids.entries()) {
    const r = byId.get(id);
    assert.ok(r, `request ${i} (${id}) is logged`);
    assert.equal(records.filter((x) => x.requestId === id).length, 1);
    assert.deepEqual([r.namespace, r.model, r.version, r.variant, r.revision, r.method, r.path, r.status], ['team-a', 'iris', '1', 'stable', '3', 'POST', '/v2/models/iris/infer', 200]);
    assert.match(r.time as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const request = r.request as { secret?: string; inputs: { name: string; data: unknown }[] };
    assert.equal(request.secret, undefined);
    assert.deepEqual(request.inputs[0]!.data, row(i));
    assert.equal(request.inputs[1]!.data, REDACTED);
    assert.ok(!JSON.stringify(r).includes(`123-45-${i}"`));
    assert.deepEqual((r.response as { outputs: { data: number[] }[] }).outputs[0]!.data, [predictionOf(i)]);
  }
});

test('after a restart (empty memory) labels still match from the files, under the prediction revision', async () => {
  // The new process is another revision: the labels count for the revision that predicted.
  const b = await agent('a', ['--revision=4', '--flush-interval=2s']);
  const labels = ids.slice(0, 100).map((requestId, i) => ({ requestId, labels: [i % 10 < 7 ? predictionOf(i) : (predictionOf(i) + 2) % 3] }));
  const fb = await send(b.port, { method: 'POST', path: '/modelship/v1/feedback', body: JSON.stringify(labels) });
  assert.deepEqual(JSON.parse(fb.body.toString()), { accepted: 100, matched: 100, pending: 0, unmatched: 0 });
  // A fresh id nobody logged (yet): pending, then unmatched after the next flush interval.
  const fresh = await send(b.port, { method: 'POST', path: '/modelship/v1/feedback', body: JSON.stringify({ requestId: 'not-logged-yet', label: 0 }) });
  assert.deepEqual(JSON.parse(fresh.body.toString()), { accepted: 1, matched: 0, pending: 1, unmatched: 0 });
  const m = await eventually('the pending label to be settled', () => scrape(b.metricsPort), (x) => sample(x, 'modelship_inference_labels_unmatched_total') === 1, 30_000);
  const rev3 = { prediction_variant: 'stable', prediction_revision: '3', prediction_version: '1' };
  assert.equal(sample(m, 'modelship_inference_labels_total', { ...rev3, result: 'correct' }), 70);
  assert.equal(sample(m, 'modelship_inference_labels_total', { ...rev3, result: 'incorrect' }), 30);
  assert.equal(sample(m, 'modelship_inference_labels_total', { prediction_variant: 'stable', prediction_revision: '4', prediction_version: '1', result: 'correct' }), 0);
  assert.equal(await b.stop(), 0);
});

test('sample rate 0.25 over 2000 requests logs a binomial share (6 sigma), all of them written', async () => {
  const c = await agent('c', ['--sample-rate=0.25', '--flush-interval=500ms']);
  const replies = await load(c.port, 2000, 16);
  assert.ok(replies.every((r) => r.status === 200));
  const m = await eventually('sampled records to be written', () => scrape(c.metricsPort), (x) => sample(x, 'modelship_agent_log_buffer_records') === 0 && sample(x, 'modelship_agent_log_records_total', { outcome: 'written' }) + sample(x, 'modelship_agent_log_records_total', { outcome: 'sampled_out' }) === 2000, 30_000);
  const written = sample(m, 'modelship_agent_log_records_total', { outcome: 'written' });
  const sigma = Math.sqrt(2000 * 0.25 * 0.75);
  assert.ok(Math.abs(written - 500) <= 6 * sigma, `${written} of 2000 logged`);
  const { records } = await loggedRecords('c');
  assert.equal(records.length, written);
  const sent = new Set(replies.map((r) => r.headers['x-request-id'] as string));
  assert.ok(records.every((r) => sent.has(r.requestId as string)));
  assert.equal(await c.stop(), 0);
});

test('the object store down under load: no request fails, drops are counted, logging resumes when it is back', async () => {
  const d = await agent('d', ['--sample-rate=1', '--flush-interval=300ms', '--buffer-bytes=256Ki']);
  await load(d.port, 50, 4);
  await eventually('the first records to be written', () => scrape(d.metricsPort), (x) => sample(x, 'modelship_agent_log_records_total', { outcome: 'written' }) === 50, 30_000);
  await s3.halt();
  try {
    const replies = await load(d.port, 2000, 16);
    assert.ok(replies.every((r) => r.status === 200), 'every request succeeds while the store is down');
    const m = await eventually('a failed upload', () => scrape(d.metricsPort), (x) => sample(x, 'modelship_agent_log_flushes_total', { result: 'error' }) > 0, 20_000);
    assert.ok(sample(m, 'modelship_agent_log_records_total', { outcome: 'dropped' }) > 0, 'the full buffer drops');
    assert.ok(sample(m, 'modelship_agent_log_buffer_records') > 0);
  } finally {
    await s3.resume();
  }
  await eventually('the buffer to drain', () => scrape(d.metricsPort), (x) => sample(x, 'modelship_agent_log_buffer_records') === 0, 30_000);
  const after = await load(d.port, 100, 4);
  const m = await eventually('every record to be accounted for', () => scrape(d.metricsPort), (x) => sample(x, 'modelship_agent_log_buffer_records') === 0 && sample(x, 'modelship_agent_log_records_total', { outcome: 'written' }) + sample(x, 'modelship_agent_log_records_total', { outcome: 'dropped' }) === 2150, 30_000);
  const { records } = await loggedRecords('d');
  assert.equal(records.length, sample(m, 'modelship_agent_log_records_total', { outcome: 'written' }));
  const logged = new Set(records.map((r) => r.requestId as string));
  assert.ok(after.every((r) => logged.has(r.headers['x-request-id'] as string)), 'requests after the outage are logged');
  assert.equal(await d.stop(), 0);
});

test('a slow store (every chunk held 50 ms each way) takes multi-MiB files at the first attempt, every record in them', async () => {
  const relay = await slowRelay(Number(new URL(s3.endpoint).port), 50);
  try {
    const e = await agent('e', ['--sample-rate=1', '--flush-interval=1s', '--flush-bytes=4Mi'], { AWS_ENDPOINT_URL: `http://127.0.0.1:${(relay.address() as { port: number }).port}` });
    // 24 requests of about 300 KiB: files of a few MiB, where versitygw closes the connection after answering.
    const pad = 'x'.repeat(300 * 1024);
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
    const replies = await Promise.all(Array.from({ length: 24 }, (_, i) => send(e.port, { method: 'POST', path: '/v2/models/iris/infer', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad, inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP64', data: row(i) }] }), agent: keepAlive })));
    keepAlive.destroy();
    assert.ok(replies.every((r) => r.status === 200));
    const m = await eventually('every record to be written', () => scrape(e.metricsPort), (x) => sample(x, 'modelship_agent_log_records_total', { outcome: 'written' }) === 24, 30_000);
    assert.equal(sample(m, 'modelship_agent_log_flushes_total', { result: 'error' }), 0, 'no upload failed');
    const { keys, records } = await loggedRecords('e');
    assert.ok(keys.length >= 1);
    assert.deepEqual(new Set(records.map((r) => r.requestId)), new Set(replies.map((r) => r.headers['x-request-id'])));
    assert.equal(await e.stop(), 0);
  } finally {
    relay.close();
  }
});

test('an idle connection to the model server is closed by the agent first, so no request races the server closing it; a slow inference is not cut', async () => {
  // The server keeps idle connections for 65 s: only the agent can have closed the first one.
  const slow = await startIrisUpstream({ delayMs: UPSTREAM_IDLE_MS + 1500 });
  try {
    const f = await startAgent([`--upstream=http://127.0.0.1:${slow.port}`, ...identity], {});
    agents.push(f);
    const call = (i: number) => send(f.port, { method: 'POST', path: '/v2/models/iris/infer', headers: { 'content-type': 'application/json' }, body: inferBody(i) });
    const first = await call(1);
    assert.equal(first.status, 200, 'an inference longer than the idle timeout is answered');
    assert.deepEqual((JSON.parse(first.body.toString()) as { outputs: { data: number[] }[] }).outputs[0]!.data, [predictionOf(1)]);
    await sleep(UPSTREAM_IDLE_MS + 500);
    const second = await call(2);
    assert.equal(second.status, 200);
    assert.notEqual(second.headers['x-upstream-socket'], first.headers['x-upstream-socket'], 'a new upstream connection after the idle time');
    assert.equal(slow.connections(), 2);
    assert.equal(await f.stop(), 0);
  } finally {
    await slow.close();
  }
});

test('the agent never loads Node\'s bundled undici, prom-client\'s index or zod, nor the AWS SDK before it writes (memory it does not use)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-modules-'));
  const file = join(dir, 'loaded.json');
  try {
    const g = await startAgent(
      [`--upstream=http://127.0.0.1:${upstream.port}`, `--upstream-metrics=http://127.0.0.1:${upstream.port}/metrics`, '--log-uri=s3://logs/modules', '--pod=modules-pod', '--flush-interval=1s', ...identity],
      { ...s3.fetcherEnv(), LOADED_MODULES_FILE: file },
      ['--import', './test/support/loaded-modules-probe.ts'],
    );
    agents.push(g);
    assert.ok((await load(g.port, 20, 4)).every((r) => r.status === 200));
    assert.equal(sample(await scrape(g.metricsPort), 'modelship_inference_requests_total', { code: '200' }), 20);
    await eventually('the 20 records written', () => loggedRecords('modules'), (l) => l.records.length === 20, 15_000);
    assert.equal(await g.stop(), 0);
    const loaded = JSON.parse(readFileSync(file, 'utf8')) as LoadedModules;
    // Positive controls: the probe saw the modules the agent does use.
    assert.ok(loaded.builtins.includes('NativeModule http'), 'the probe lists Node\'s own modules');
    assert.ok(loaded.urls.some((u) => u.includes('/prom-client/lib/histogram.js')) && loaded.urls.some((u) => u.includes('@aws-sdk/client-s3')), 'the probe lists imported files');
    assert.deepEqual(loaded.builtins.filter((m) => m.includes('undici')), [], 'Node\'s bundled undici (an ES import of node:http reads its WebSocket getter)');
    assert.deepEqual(loaded.urls.filter((u) => /\/prom-client\/index\.js$|@opentelemetry|\/node_modules\/zod\//.test(u)), [], 'prom-client\'s index (its push gateway, OpenTelemetry), zod');

    // Sampling nothing, it never opens object storage: the AWS SDK is not loaded at all.
    const quietFile = join(dir, 'quiet.json');
    const q = await startAgent(
      [`--upstream=http://127.0.0.1:${upstream.port}`, '--log-uri=s3://logs/quiet', '--pod=quiet-pod', '--sample-rate=0', '--flush-interval=1s', ...identity],
      { ...s3.fetcherEnv(), LOADED_MODULES_FILE: quietFile },
      ['--import', './test/support/loaded-modules-probe.ts'],
    );
    agents.push(q);
    assert.ok((await load(q.port, 20, 4)).every((r) => r.status === 200));
    await sleep(1500);
    assert.equal(await q.stop(), 0);
    const quiet = JSON.parse(readFileSync(quietFile, 'utf8')) as LoadedModules;
    assert.ok(quiet.urls.some((u) => u.includes('/src/agent/log-shipper.ts')), 'the probe lists the agent\'s files');
    assert.deepEqual(quiet.urls.filter((u) => u.includes('@aws-sdk/')), [], 'no AWS SDK module in an agent that wrote nothing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
