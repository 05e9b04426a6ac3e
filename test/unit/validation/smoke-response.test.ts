import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeSmokeResponse } from '../../../src/validation/index.ts';

const oip = JSON.stringify({ model_name: 'm', outputs: [{ name: 'predict', shape: [1], datatype: 'INT64', data: [1] }] });
const judge = (body: string, status = 200, latencyMs = 10, protocol: 'v2' | 'json' = 'v2') =>
  judgeSmokeResponse({ status, latencyMs, body }, protocol, 500);
const reason = (verdict: ReturnType<typeof judge>) => (verdict.ok ? 'ok' : verdict.reason);

test('a 2xx Open Inference Protocol answer in time passes', () => {
  assert.deepEqual(judge(oip), { ok: true });
  assert.deepEqual(judge(oip, 201, 500), { ok: true }, 'at maxLatencyMs exactly');
  assert.deepEqual(judge(JSON.stringify({ outputs: [{ name: 'a', data: [] }, { name: 'b', data: [[0.1]] }] })), { ok: true });
});

test('a non-2xx status fails with the status alone: the body is never quoted', () => {
  assert.equal(reason(judge('{"error":\n  "model not loaded"}', 503)), 'HTTP 503');
  assert.equal(reason(judge('', 404)), 'HTTP 404');
  assert.equal(reason(judge('x'.repeat(500), 500)), 'HTTP 500');
});

test('a slow answer fails on latency, even when its body is fine', () => {
  assert.equal(reason(judge(oip, 200, 730.4)), 'answered in 730 ms, over maxLatencyMs 500');
});

test('the body must be JSON', () => {
  assert.equal(reason(judge('<html>oops</html>')), 'the response is not JSON');
  assert.equal(reason(judge('', 200, 1, 'json')), 'the response is empty, not JSON');
});

test('protocol v2 needs outputs, each with a name and data; protocol json takes any JSON', () => {
  assert.match(reason(judge('{"predictions": [1]}')), /^the response has no outputs array \(Open Inference Protocol\)$/);
  assert.match(reason(judge('[1, 2]')), /^an Open Inference Protocol response must be a JSON object/);
  assert.match(reason(judge('{"outputs": []}')), /^the response has an empty outputs array/);
  assert.match(reason(judge('{"outputs": [3]}')), /^outputs\[0\] is not an object/);
  assert.match(reason(judge('{"outputs": [{"name": "a", "data": [1]}, {"data": [1]}]}')), /^outputs\[1\] has no name/);
  assert.match(reason(judge('{"outputs": [{"name": "a"}]}')), /^outputs\[0\] has no data/);
  assert.deepEqual(judge('{"predictions": [1]}', 200, 10, 'json'), { ok: true });
  assert.deepEqual(judge('[0, 1]', 200, 10, 'json'), { ok: true });
});
