// The inference agent's pure parts: arguments, request ids, headers, sampling, redaction, layout keys,
// logged records and bodies, labels and their comparison, the feedback body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAgentArgs, parseAgentDuration, parseBytes } from '../../../src/agent/args.ts';
import { BodyCapture, loggedBody } from '../../../src/agent/body-capture.ts';
import { parseFeedback } from '../../../src/agent/feedback-body.ts';
import { indexedOf, mayBeUnflushed } from '../../../src/agent/feedback.ts';
import { sniff, H2_PREFACE } from '../../../src/agent/front-door.ts';
import { endToEndHeaders } from '../../../src/agent/headers.ts';
import { compareLabels, predictionsOf, sameClass } from '../../../src/agent/labels.ts';
import { datesBack, hourOfKey, logFileKey, modelPrefix, partitionValue, scanOrder } from '../../../src/agent/layout.ts';
import { logRecord, requestIdOfLine } from '../../../src/agent/log-record.ts';
import { redact, REDACTED } from '../../../src/agent/redact.ts';
import { usableRequestId, uuidv7, uuidv7Time } from '../../../src/agent/request-id.ts';
import { sampler } from '../../../src/agent/sampler.ts';
import { joinExpositions } from '../../../src/agent/upstream-metrics.ts';

const base = ['--port=8080', '--upstream=http://127.0.0.1:8081', '--metrics-port=9090', '--namespace=ns', '--model=iris', '--version=1', '--variant=stable', '--revision=3'];

test('arguments: defaults, sizes, durations and refusals', () => {
  const r = parseAgentArgs([...base, '--log-uri=s3://logs/pre/', '--redact=ssn, name'], { MODELSHIP_POD_NAME: 'iris-abc' });
  assert.ok(r.ok);
  assert.equal(r.plan.identity.pod, 'iris-abc');
  assert.equal(r.plan.host, '0.0.0.0');
  const bound = parseAgentArgs(base, { MODELSHIP_AGENT_HOST: '10.1.2.3' });
  assert.ok(bound.ok);
  assert.equal(bound.plan.host, '10.1.2.3');
  assert.deepEqual(r.plan.log, { bucket: 'logs', key: 'pre' });
  assert.deepEqual(r.plan.redact, ['ssn', 'name']);
  assert.equal(r.plan.sampleRate, 1);
  assert.equal(r.plan.flushBytes, 8 * 1024 * 1024);
  assert.equal(r.plan.bufferBytes, 16 * 1024 * 1024);
  assert.equal(r.plan.maxBodyBytes, 1024 * 1024);
  assert.equal(r.plan.flushIntervalMs, 10_000);
  assert.equal(r.plan.labelLookbackMs, 7 * 86_400_000);
  assert.equal(parseAgentDuration('1500ms'), 1500);
  assert.equal(parseAgentDuration('2h'), 7_200_000);
  // What the operator renders from the spec's Go-style durations.
  assert.equal(parseAgentDuration('168h'), 7 * 86_400_000);
  assert.equal(parseAgentDuration('1h30m'), 5_400_000);
  assert.equal(parseAgentDuration('10'), undefined);
  assert.equal(parseBytes('512Ki'), 512 * 1024);
  assert.equal(parseBytes('8MiB'), 8 * 1024 * 1024);
  assert.equal(parseBytes('1M'), 1_000_000);
  assert.equal(parseBytes('1.5Mi'), undefined);
  for (const bad of [['--sample-rate=1.5'], ['--sample-rate=x'], ['--log-uri=gs://b/p'], ['--upstream=https://x'], ['--bogus=1'], ['--flush-interval=soon'], ['--metrics-port=8080']]) {
    const res = parseAgentArgs([...base, ...bad], {});
    assert.equal(res.ok, false, bad.join(' '));
  }
  assert.equal(parseAgentArgs(base.filter((a) => !a.startsWith('--model')), {}).ok, false);
});

test('request ids: UUIDv7 layout and time, client ids kept when usable', () => {
  const now = Date.parse('2026-12-04T06:00:00.123Z');
  const id = uuidv7(now, new Uint8Array(10).fill(0xff));
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(uuidv7Time(id), now);
  assert.ok(uuidv7(now, new Uint8Array(10)) < uuidv7(now + 1, new Uint8Array(10)), 'ids sort by time');
  assert.equal(uuidv7Time('not-a-uuid'), undefined);
  assert.equal(uuidv7Time('123e4567-e89b-42d3-a456-426614174000'), undefined, 'a v4 carries no time');
  assert.equal(usableRequestId('client-id-1'), 'client-id-1');
  assert.equal(usableRequestId(['a', 'b']), 'a');
  assert.equal(usableRequestId(''), undefined);
  assert.equal(usableRequestId('has space'), undefined);
  assert.equal(usableRequestId('x'.repeat(201)), undefined);
  assert.equal(usableRequestId(undefined), undefined);
});

test('headers: hop-by-hop and Connection-named headers stay on their hop, casing and repeats survive', () => {
  const raw = ['Host', 'h', 'Connection', 'keep-alive, X-Hop', 'Keep-Alive', 'timeout=5', 'X-Hop', '1', 'Transfer-Encoding', 'chunked', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'TE', 'trailers', 'Upgrade', 'h2c', 'X-Request-Id', 'old'];
  assert.deepEqual(endToEndHeaders(raw, new Set(['x-request-id'])), ['Host', 'h', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
});

test('h2c preface sniffing', () => {
  assert.equal(sniff(H2_PREFACE), 'h2');
  assert.equal(sniff(Buffer.concat([H2_PREFACE, Buffer.from('frames')])), 'h2');
  assert.equal(sniff(H2_PREFACE.subarray(0, 10)), undefined);
  assert.equal(sniff(Buffer.from('PRIVATE')), 'http1');
  assert.equal(sniff(Buffer.from('GET / HTTP/1.1\r\n')), 'http1');
});

/** A seeded generator (mulberry32) so the sampling test is reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('sampling: Bernoulli at the rate (within 5 sigma over 100,000 trials), 0 and 1 exact', () => {
  for (const rate of [0.01, 0.25, 0.5, 0.9]) {
    const take = sampler(rate, seeded(42));
    const n = 100_000;
    let k = 0;
    for (let i = 0; i < n; i++) if (take()) k++;
    const sigma = Math.sqrt(n * rate * (1 - rate));
    assert.ok(Math.abs(k - n * rate) < 5 * sigma, `rate ${rate}: ${k} of ${n}`);
  }
  const never = sampler(0, () => 0);
  const always = sampler(1, () => 0.999999);
  assert.equal(never(), false);
  assert.equal(always(), true);
});

test('redaction: keys at any depth, OIP v2 named inputs and outputs keep their shape, the input is untouched', () => {
  const body = {
    id: 'r1',
    ssn: '123',
    parameters: { user: { ssn: '456', keep: 1 } },
    rows: [{ ssn: 'x', a: 1 }],
    inputs: [
      { name: 'ssn', shape: [1], datatype: 'BYTES', data: ['123-45'] },
      { name: 'petal', shape: [1, 2], datatype: 'FP64', data: [1, 2] },
    ],
    outputs: [{ name: 'email', shape: [1], datatype: 'BYTES', data: ['a@b'] }],
  };
  const copy = structuredClone(body);
  const out = redact(body, new Set(['ssn', 'email']));
  assert.deepEqual(out, {
    id: 'r1',
    parameters: { user: { keep: 1 } },
    rows: [{ a: 1 }],
    inputs: [
      { name: 'ssn', shape: [1], datatype: 'BYTES', data: REDACTED },
      { name: 'petal', shape: [1, 2], datatype: 'FP64', data: [1, 2] },
    ],
    outputs: [{ name: 'email', shape: [1], datatype: 'BYTES', data: REDACTED }],
  });
  assert.deepEqual(body, copy);
  assert.equal(redact(body, new Set()), body);
  assert.equal(redact('text', new Set(['ssn'])), 'text');
});

test('layout: Hive partitions, encoded versions, a file per hour, scan order newest hour first', () => {
  const id = { namespace: 'team-a', model: 'iris', version: 'v1+build/2', pod: 'iris-stable-abc' };
  const t = Date.parse('2026-12-04T06:59:59.999Z');
  assert.equal(partitionValue('v1+build/2 é'), 'v1%2Bbuild%2F2%20%C3%A9');
  assert.equal(modelPrefix('logs/x', 'team-a', 'iris'), 'logs/x/namespace=team-a/model=iris/');
  assert.equal(modelPrefix('', 'ns', 'm'), 'namespace=ns/model=m/');
  const key = logFileKey('logs', id, t, t + 5, 7);
  assert.equal(key, `logs/namespace=team-a/model=iris/version=v1%2Bbuild%2F2/date=2026-12-04/hour=06/iris-stable-abc-${t + 5}-7.jsonl`);
  assert.equal(hourOfKey(key), Date.parse('2026-12-04T06:00:00Z'));
  const now = Date.parse('2026-12-04T08:30:00Z');
  assert.deepEqual(datesBack(now, 2 * 86_400_000), ['2026-12-04', '2026-12-03', '2026-12-02']);
  const k = (date: string, hour: string, ms: number) => `p/version=1/date=${date}/hour=${hour}/pod-${ms}-0.jsonl`;
  const keys = [k('2026-12-04', '06', 1), k('2026-12-04', '08', 1), k('2026-12-04', '08', 2), k('2026-12-01', '23', 1), k('2026-12-04', '07', 9), 'p/version=1/date=2026-12-04/hour=08/_tmp'];
  assert.deepEqual(scanOrder(keys, now, 86_400_000), [k('2026-12-04', '08', 2), k('2026-12-04', '08', 1), k('2026-12-04', '07', 9), k('2026-12-04', '06', 1)]);
});

test('logged bodies: JSON when whole and parseable, else text; captures bounded and marked truncated', () => {
  const c = new BodyCapture(10);
  c.add(Buffer.from('{"a":1}'));
  assert.equal(c.truncated, false);
  assert.deepEqual(loggedBody(c.bytes(), c.truncated), { a: 1 });
  c.add(Buffer.from('0123456789'));
  assert.equal(c.truncated, true);
  assert.equal(c.bytes().length, 10);
  assert.equal(loggedBody(c.bytes(), c.truncated), '{"a":1}012');
  assert.equal(loggedBody(Buffer.from('plain'), false), 'plain');
  assert.equal(loggedBody(Buffer.from('{bad'), false), '{bad');
});

test('a logged record: field order, identity, redaction, truncation flag, request id readable off the line', () => {
  const identity = { namespace: 'ns', model: 'iris', version: '1', variant: 'canary', revision: '5', pod: 'p' };
  const rec = logRecord(
    identity,
    {
      requestId: 'rid-1',
      startMs: Date.parse('2026-12-04T06:00:00.5Z'),
      method: 'POST',
      path: '/v2/models/iris/infer',
      status: 200,
      latencyMs: 1.23456,
      request: { bytes: Buffer.from('{"inputs":[{"name":"ssn","data":[1]}]}'), truncated: false },
      response: { bytes: Buffer.from('{"outputs":[{"name":"p","data":[2'), truncated: true },
    },
    new Set(['ssn']),
  );
  const line = JSON.stringify(rec);
  assert.equal(requestIdOfLine(line), 'rid-1');
  assert.deepEqual(Object.keys(rec), ['requestId', 'time', 'namespace', 'model', 'version', 'variant', 'revision', 'method', 'path', 'status', 'latencyMs', 'request', 'response', 'truncated']);
  assert.equal(rec.time, '2026-12-04T06:00:00.500Z');
  assert.equal(rec.latencyMs, 1.235);
  assert.deepEqual(rec.request, { inputs: [{ name: 'ssn', data: REDACTED }] });
  assert.equal(typeof rec.response, 'string');
  assert.equal(requestIdOfLine('{"other":1}'), undefined);
});

test('predictions: OIP v2 outputs[0] by datatype, v1 predictions, anything else none', () => {
  assert.deepEqual(predictionsOf({ outputs: [{ name: 'p', datatype: 'INT64', shape: [2, 1], data: [1, 2] }] }), { kind: 'classification', values: [1, 2] });
  assert.deepEqual(predictionsOf({ outputs: [{ name: 'p', datatype: 'FP32', data: [[1], [2]] }] }), { kind: 'regression', values: [1, 2] });
  assert.deepEqual(predictionsOf({ outputs: [{ name: 'p', datatype: 'BYTES', data: ['setosa'] }] }), { kind: 'classification', values: ['setosa'] });
  assert.deepEqual(predictionsOf({ predictions: [0, 2, 1] }), { kind: 'classification', values: [0, 2, 1] });
  assert.deepEqual(predictionsOf({ predictions: [1.5, 2] }), { kind: 'regression', values: [1.5, 2] });
  assert.deepEqual(predictionsOf({ predictions: [[3], { label: 'cat' }] }), { kind: 'classification', values: [3, 'cat'] });
  assert.equal(predictionsOf('text'), undefined);
  assert.equal(predictionsOf({ outputs: [] }), undefined);
  assert.equal(predictionsOf({ predictions: [] }), undefined);
});

test('label comparison: classification counts, regression errors, element-wise up to the shorter', () => {
  assert.ok(sameClass('1', 1) && sameClass(true, 'true') && !sameClass(1, 2) && !sameClass('a', 'b'));
  assert.deepEqual(compareLabels([1, 0, 2, 9], { kind: 'classification', values: [1, 1, 2] }), { correct: 2, incorrect: 1, absoluteError: 0, squaredError: 0, errors: 0 });
  assert.deepEqual(compareLabels([1.5, 3, 'x'], { kind: 'regression', values: [1, 5, 2] }), { correct: 0, incorrect: 0, absoluteError: 2.5, squaredError: 4.25, errors: 2 });
});

test('feedback body: one label, a row of labels, arrays; refusals', () => {
  assert.deepEqual(parseFeedback({ requestId: 'a', label: 1 }), { ok: true, items: [{ requestId: 'a', labels: [1] }] });
  assert.deepEqual(parseFeedback([{ requestId: 'a', labels: ['x', 'y'] }, { requestId: 'b', label: true }]), {
    ok: true,
    items: [
      { requestId: 'a', labels: ['x', 'y'] },
      { requestId: 'b', labels: [true] },
    ],
  });
  for (const bad of [{}, { requestId: 'a' }, { requestId: '', label: 1 }, { requestId: 'a', label: { x: 1 } }, [], Array.from({ length: 10_001 }, (_, i) => ({ requestId: `r${i}`, label: 1 })), { requestId: 'a', label: 1, extra: 2 }]) {
    assert.equal(parseFeedback(bad).ok, false, JSON.stringify(bad).slice(0, 60));
  }
  for (const bad of [{ requestId: 'a', labels: [] }, { requestId: 'a', labels: [1, null] }, { requestId: 'x'.repeat(201), label: 1 }, { requestId: 7, label: 1 }, { requestId: 'a', label: null }, 'a', null, 3]) {
    assert.equal(parseFeedback(bad).ok, false, JSON.stringify(bad).slice(0, 60));
  }
  assert.deepEqual(parseFeedback({ requestId: 'x'.repeat(200), labels: [1.5, 'b', false] }), { ok: true, items: [{ requestId: 'x'.repeat(200), labels: [1.5, 'b', false] }] });
  const third = parseFeedback([{ requestId: 'a', label: 1 }, { requestId: 'b', label: 2 }, { requestId: 'c', label: [3] }]);
  assert.deepEqual(third, { ok: false, error: 'expected {"requestId","label"} or {"requestId","labels":[...]} or an array of at most 10000 of them at item 2' });
});

test('a logged line back to a prediction identity; what may still be unflushed', () => {
  assert.deepEqual(indexedOf({ variant: 'canary', revision: '5', version: '2', response: { outputs: [{ datatype: 'INT64', data: [1] }] } }), {
    variant: 'canary',
    revision: '5',
    version: '2',
    predictions: { kind: 'classification', values: [1] },
  });
  assert.equal(indexedOf({ variant: 'canary', revision: '5', version: '2', response: 'cut off' }), undefined);
  const now = Date.parse('2026-12-04T06:00:00Z');
  assert.equal(mayBeUnflushed('client-id', now, 10_000), true);
  assert.equal(mayBeUnflushed(uuidv7(now - 5_000, new Uint8Array(10)), now, 10_000), true);
  assert.equal(mayBeUnflushed(uuidv7(now - 3_600_000, new Uint8Array(10)), now, 10_000), false);
});

test('metrics exposition: the server text follows, without an OpenMetrics EOF', () => {
  assert.equal(joinExpositions('a 1\n', undefined), 'a 1\n');
  assert.equal(joinExpositions('a 1\n', 'b 2\n# EOF\n'), 'a 1\nb 2\n');
  assert.equal(joinExpositions('a 1', 'b 2'), 'a 1\nb 2\n');
});
