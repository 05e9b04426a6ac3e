// What an answer to a grouped query (the drift check's counts by value or bucket) means: each series'
// value by its label, nothing for no series, and the errors for answers that are not such series.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_GROUPED_SERIES, parseGroupsResponse, PrometheusQueryError, PrometheusUnavailableError } from '../../../src/analysis/prometheus-client.ts';

const address = 'http://prometheus.monitoring:9090';
const query = 'sum by (value) (increase(modelship_inference_predictions_total[600s]))';
const parse = (body: unknown, status = 200) => parseGroupsResponse(address, status, JSON.stringify(body), query, 'value');
const vector = (...samples: [Record<string, string>, string][]) => ({
  status: 'success',
  data: { resultType: 'vector', result: samples.map(([metric, value]) => ({ metric, value: [1_700_000_000.5, value] })) },
});

test('series by their label; no series is an empty map; Prometheus spellings of numbers', () => {
  assert.deepEqual(parse(vector([{ value: 'setosa' }, '120'], [{ value: 'virginica' }, '3.5e+01'], [{}, 'NaN'])), new Map([['setosa', 120], ['virginica', 35], ['', Number.NaN]]));
  assert.deepEqual(parse(vector()), new Map());
});

test('answers that are not series grouped by the label are errors', () => {
  assert.throws(() => parse(vector([{ value: 'a' }, '1'], [{ value: 'a' }, '2'])), (e: unknown) => e instanceof PrometheusQueryError && e.errorType === 'multiple_series');
  assert.throws(() => parse({ status: 'success', data: { resultType: 'scalar', result: [1, '3'] } }), (e: unknown) => e instanceof PrometheusQueryError && e.errorType === 'wrong_result_type');
  const many = Array.from({ length: MAX_GROUPED_SERIES + 1 }, (_, i) => [{ value: `v${i}` }, '1'] as [Record<string, string>, string]);
  assert.throws(() => parse(vector(...many)), (e: unknown) => e instanceof PrometheusQueryError && e.errorType === 'too_many_series');
  assert.throws(() => parse(vector([{ value: 'a' }, 'many'])), PrometheusUnavailableError);
  assert.throws(() => parse({ status: 'error', errorType: 'bad_data', error: 'parse error' }, 400), PrometheusQueryError);
  assert.throws(() => parse({ status: 'error', errorType: 'timeout', error: 'x' }, 503), PrometheusUnavailableError);
});
