// The inference agent as the process a pod runs (`node src/main.ts agent ...`), logging off, in front of a
// stand-in model server that answers each POST with the JSON it was sent (status from x-status): the
// predictions of every 2xx inference response appear in its /metrics with the right counts, categories by
// output and value (capped per pod), real values in the histogram; error answers, GETs, kubelet probes and
// responses beyond --max-body-bytes are not counted. No Kubernetes, no object store.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { PREDICTION_VALUE_METRIC, PREDICTIONS_METRIC } from '../../src/agent/metrics.ts';
import { MAX_CATEGORIES_PER_OUTPUT, OTHER } from '../../src/agent/prediction-counter.ts';
import { sample, scrape, send, startAgent, type AgentProcess } from '../support/agent-process.ts';

const upstream: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = req.method === 'POST' ? Buffer.concat(chunks) : Buffer.from('{"predictions":[1]}');
    res.writeHead(Number(req.headers['x-status'] ?? 200), { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
upstream.listen(0, '127.0.0.1');
await once(upstream, 'listening');
const upstreamPort = (upstream.address() as { port: number }).port;

const agent: AgentProcess = await startAgent(
  [`--upstream=http://127.0.0.1:${upstreamPort}`, '--namespace=team-a', '--model=iris', '--version=2', '--variant=canary', '--revision=4', '--pod=iris-canary-a', '--max-body-bytes=4Ki'],
  {},
);
after(async () => {
  await agent.stop('SIGKILL');
  upstream.close();
});

const infer = (response: unknown, headers: Record<string, string> = {}) =>
  send(agent.port, { method: 'POST', path: '/v2/models/iris/infer', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(response) });

void test('OIP v2 and v1 predictions of 2xx responses are counted, and nothing else', async () => {
  for (let i = 0; i < 10; i++) {
    assert.equal((await infer({ outputs: [{ name: 'class', datatype: 'INT64', shape: [4], data: [0, 1, 2, 2] }] })).status, 200);
  }
  for (let i = 0; i < 5; i++) await infer({ outputs: [{ name: 'proba', datatype: 'FP32', shape: [2, 2], data: [0.03, 0.97, 0.5, 0.5] }] });
  for (let i = 0; i < 3; i++) await send(agent.port, { method: 'POST', path: '/invocations', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ predictions: ['setosa', 'virginica'] }) });
  // Not counted: an error answer, a GET, a kubelet probe, a body beyond --max-body-bytes, a body without predictions.
  assert.equal((await infer({ outputs: [{ name: 'class', datatype: 'INT64', data: [9] }] }, { 'x-status': '500' })).status, 500);
  await send(agent.port, { method: 'GET', path: '/v2/models/iris' });
  await infer({ outputs: [{ name: 'class', datatype: 'INT64', data: [9] }] }, { 'user-agent': 'kube-probe/1.31' });
  await infer({ outputs: [{ name: 'class', datatype: 'INT64', data: Array.from({ length: 3000 }, () => 9) }] });
  await infer({ result: [9] });

  const m = await scrape(agent.metricsPort);
  const count = (output: string, value: string) => sample(m, PREDICTIONS_METRIC, { output, value });
  assert.deepEqual([count('class', '0'), count('class', '1'), count('class', '2'), count('class', '9')], [10, 10, 20, 0]);
  assert.deepEqual([count('predictions', 'setosa'), count('predictions', 'virginica')], [3, 3]);
  const bucket = (le: string) => sample(m, `${PREDICTION_VALUE_METRIC}_bucket`, { le, output: 'proba' });
  assert.deepEqual([bucket('0.01'), bucket('0.05'), bucket('0.5'), bucket('0.95'), bucket('0.99'), bucket('+Inf')], [0, 5, 15, 15, 20, 20]);
  assert.equal(sample(m, `${PREDICTION_VALUE_METRIC}_count`, { output: 'proba' }), 20);
  assert.equal(sample(m, `${PREDICTION_VALUE_METRIC}_count`, { output: 'class' }), 0, 'integer classes are not in the histogram');
  assert.equal(sample(m, 'modelship_inference_requests_total', { code: '200' }), 10 + 5 + 3 + 1 + 1 + 1, 'the uncounted 2xx responses still passed through');
});

void test('more distinct values than the cap: the first ones keep their label, the rest are __other__', async () => {
  const values = Array.from({ length: MAX_CATEGORIES_PER_OUTPUT + 8 }, (_, i) => `c${i}`);
  await infer({ outputs: [{ name: 'label', datatype: 'BYTES', data: values }] });
  await infer({ outputs: [{ name: 'label', datatype: 'BYTES', data: ['c0', `c${MAX_CATEGORIES_PER_OUTPUT + 1}`] }] });
  const m = await scrape(agent.metricsPort);
  const own = [...m.keys()].filter((k) => k.startsWith(`${PREDICTIONS_METRIC}{`) && k.includes('output="label"') && !k.includes(OTHER));
  assert.equal(own.length, MAX_CATEGORIES_PER_OUTPUT);
  assert.equal(sample(m, PREDICTIONS_METRIC, { output: 'label', value: 'c0' }), 2);
  assert.equal(sample(m, PREDICTIONS_METRIC, { output: 'label', value: OTHER }), 8 + 1);
});
