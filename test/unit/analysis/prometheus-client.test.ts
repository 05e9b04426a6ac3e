// What each answer of Prometheus's /api/v1/query means to the operator: one number, no data, or one of
// the two errors (the query is wrong vs no usable answer). Bodies are the shapes Prometheus 2.x sends.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPrometheusClient, parseQueryResponse, PrometheusQueryError, PrometheusUnavailableError } from '../../../src/analysis/prometheus-client.ts';

const address = 'http://prometheus.monitoring:9090';
const query = 'sum(rate(model_infer_request_success_total[1m]))';
const parse = (status: number, body: unknown) => parseQueryResponse(address, status, typeof body === 'string' ? body : JSON.stringify(body), query);
const vector = (...samples: { metric?: Record<string, string>; value: string }[]) => ({
  status: 'success',
  data: { resultType: 'vector', result: samples.map((s) => ({ metric: s.metric ?? {}, value: [1_700_000_000.123, s.value] })) },
});

function throwsWith<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E, check: (err: E) => void): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    check(err);
    return true;
  });
}

describe('parseQueryResponse', () => {
  test('a one-series vector and a scalar are their number', () => {
    assert.equal(parse(200, vector({ value: '42' })), 42);
    assert.equal(parse(200, vector({ metric: { variant: 'canary' }, value: '0.125' })), 0.125);
    assert.equal(parse(200, vector({ value: '1e+06' })), 1_000_000);
    assert.equal(parse(200, { status: 'success', data: { resultType: 'scalar', result: [1_700_000_000, '3.5'] } }), 3.5);
  });

  test("Prometheus's NaN and infinities come back as JavaScript's", () => {
    assert.ok(Number.isNaN(parse(200, vector({ value: 'NaN' }))));
    assert.equal(parse(200, vector({ value: '+Inf' })), Infinity);
    assert.equal(parse(200, vector({ value: '-Inf' })), -Infinity);
  });

  test('an empty vector is no data: undefined', () => {
    assert.equal(parse(200, vector()), undefined);
  });

  test('several series are a query error that says to aggregate and names no series', () => {
    const body = vector(
      { metric: { __name__: 'up', pod: 'a' }, value: '1' },
      { metric: { __name__: 'up', pod: 'b' }, value: '1' },
      { metric: { __name__: 'up', pod: 'c' }, value: '1' },
      { metric: { __name__: 'up', pod: 'd' }, value: '1' },
    );
    throwsWith(() => parse(200, body), PrometheusQueryError, (err) => {
      assert.equal(err.errorType, 'multiple_series');
      assert.equal(err.query, query);
      assert.match(err.message, /must return one series but returned 4/);
      assert.doesNotMatch(err.message, /pod|up\{/, 'a count, not the series');
      assert.match(err.message, /sum\(/);
    });
  });

  test('a range vector, a string or a native histogram is not a number', () => {
    const matrix = { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, '1']] }] } };
    throwsWith(() => parse(200, matrix), PrometheusQueryError, (err) => assert.equal(err.errorType, 'wrong_result_type'));
    const str = { status: 'success', data: { resultType: 'string', result: [1, 'hello'] } };
    throwsWith(() => parse(200, str), PrometheusQueryError, (err) => assert.equal(err.errorType, 'wrong_result_type'));
    const histogram = { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, histogram: [1, { count: '3', sum: '1', buckets: [] }] }] } };
    throwsWith(() => parse(200, histogram), PrometheusQueryError, (err) => assert.match(err.message, /native histogram/));
  });

  test('400 bad_data and 422 execution are query errors with Prometheus\'s type and message', () => {
    const bad = { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis' };
    throwsWith(() => parse(400, bad), PrometheusQueryError, (err) => {
      assert.equal(err.errorType, 'bad_data');
      assert.match(err.message, /unclosed left parenthesis/);
    });
    const exec = { status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory' };
    throwsWith(() => parse(422, exec), PrometheusQueryError, (err) => assert.equal(err.errorType, 'execution'));
  });

  test("label sets quoted in Prometheus's error text are not passed on", () => {
    const error =
      'found duplicate series for the match group {pod="a"} on the right hand-side of the operation: [{__name__="x", namespace="other", pod="a"}, {__name__="x", pod="a"}];many-to-many matching not allowed';
    throwsWith(() => parse(422, { status: 'error', errorType: 'execution', error }), PrometheusQueryError, (err) => {
      assert.doesNotMatch(err.message, /pod=|namespace=|__name__/);
      assert.match(err.message, /duplicate series for the match group \{…\} .*\[\{…\}, \{…\}\];many-to-many/);
    });
    throwsWith(() => parse(500, { status: 'error', errorType: 'internal', error }), PrometheusUnavailableError, (err) => assert.doesNotMatch(err.message, /pod=/));
  });

  test('5xx, other statuses, non-JSON and foreign JSON mean Prometheus is unavailable', () => {
    const timeout = { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' };
    throwsWith(() => parse(503, timeout), PrometheusUnavailableError, (err) => {
      assert.equal(err.status, 503);
      assert.equal(err.address, address);
      // Prometheus's error type, not its words: remote text never reaches status.
      assert.match(err.message, /answered HTTP 503 \(timeout\)$/);
    });
    throwsWith(() => parse(502, '<html>Bad Gateway</html>'), PrometheusUnavailableError, (err) => {
      assert.match(err.message, /answered HTTP 502 with a body that is not JSON$/);
      assert.doesNotMatch(err.message, /Bad Gateway/);
    });
    throwsWith(() => parse(500, { status: 'error', errorType: 'x\ny', error: 'secret' }), PrometheusUnavailableError, (err) => assert.match(err.message, /answered HTTP 500$/));
    throwsWith(() => parse(200, '<html>login</html>'), PrometheusUnavailableError, (err) => assert.equal(err.status, 200));
    throwsWith(() => parse(403, 'forbidden'), PrometheusUnavailableError, (err) => assert.equal(err.status, 403));
    throwsWith(() => parse(200, { hello: 'world' }), PrometheusUnavailableError, (err) => assert.match(err.message, /not a Prometheus query response/));
    throwsWith(() => parse(200, vector({ value: 'many' })), PrometheusUnavailableError, (err) => assert.match(err.message, /not a number/));
  });
});

describe('createPrometheusClient', () => {
  test('refuses an address that is not http(s)', () => {
    assert.throws(() => createPrometheusClient({ address: 'ftp://prometheus:9090' }), /must be an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => createPrometheusClient({ address: 'prometheus:9090' }), /must be an http/);
  });

  test('refuses an address with a query string, a fragment or credentials: only the path is the user\'s', () => {
    for (const address of ['http://prometheus:9090/?x=1', 'http://prometheus:9090/#a', 'http://u:p@prometheus:9090']) {
      assert.throws(() => createPrometheusClient({ address }), /without credentials, \? or #/, address);
    }
    assert.doesNotThrow(() => createPrometheusClient({ address: 'https://thanos.example/prefix/' }).close());
  });
});
