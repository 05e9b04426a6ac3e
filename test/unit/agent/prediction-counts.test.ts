// The agent's prediction counting for the drift check: which values of a response are categories and which
// are real numbers (OIP v2 and v1), the per-pod caps on label values, and what reaches the metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentMetrics, PREDICTION_VALUE_BUCKETS } from '../../../src/agent/metrics.ts';
import { MAX_CATEGORIES_PER_OUTPUT, MAX_OUTPUTS, OTHER, PredictionCounter } from '../../../src/agent/prediction-counter.ts';
import { MAX_CATEGORY_LENGTH, MAX_PREDICTION_VALUES, predictionValues, predictionValuesOfBytes } from '../../../src/agent/prediction-values.ts';

test('OIP v2: outputs[0] only; integer classes are categories, FP outputs are real even when whole', () => {
  assert.deepEqual(predictionValues({ outputs: [{ name: 'class', datatype: 'INT64', shape: [3], data: [0, 2, 2] }, { name: 'proba', data: [0.5] }] }), {
    output: 'class',
    categories: ['0', '2', '2'],
    reals: [],
  });
  assert.deepEqual(predictionValues({ outputs: [{ name: 'proba', datatype: 'FP32', shape: [2, 2], data: [[1, 0], [0.25, 0.75]] }] }), {
    output: 'proba',
    categories: [],
    reals: [1, 0, 0.25, 0.75],
  });
  assert.deepEqual(predictionValues({ outputs: [{ datatype: 'BYTES', data: ['setosa', 'x'.repeat(MAX_CATEGORY_LENGTH + 1), 'virginica'] }] }), {
    output: 'output-0',
    categories: ['setosa', 'virginica'],
    reals: [],
  });
  assert.deepEqual(predictionValues({ outputs: [{ name: 'ok', datatype: 'BOOL', data: [true, false] }] })?.categories, ['true', 'false']);
});

test('v1: predictions flattened; without a datatype one non-integer makes every number real', () => {
  assert.deepEqual(predictionValues({ predictions: [1, 0, 1] }), { output: 'predictions', categories: ['1', '0', '1'], reals: [] });
  assert.deepEqual(predictionValues({ predictions: [[0.1, 0.9], [1, 0]] }), { output: 'predictions', categories: [], reals: [0.1, 0.9, 1, 0] });
  assert.deepEqual(predictionValues({ predictions: [{ label: 'cat' }, { label: 'dog' }] })?.categories, ['cat', 'dog']);
  for (const none of [null, [], 'text', { result: [1] }, { predictions: [] }, { outputs: [] }, { predictions: [null, {}] }]) assert.equal(predictionValues(none), undefined, JSON.stringify(none));
  const big = predictionValues({ predictions: Array.from({ length: MAX_PREDICTION_VALUES + 5 }, (_, i) => i % 3) });
  assert.equal(big?.categories.length, MAX_PREDICTION_VALUES, 'a huge batch is counted by its first values');
});

test('bytes: only a whole JSON object is parsed', () => {
  const body = Buffer.from(' \n{"predictions":[2]}');
  assert.deepEqual(predictionValuesOfBytes(body, false)?.categories, ['2']);
  assert.equal(predictionValuesOfBytes(body, true), undefined, 'truncated');
  assert.equal(predictionValuesOfBytes(Buffer.from('[1,2]'), false), undefined);
  assert.equal(predictionValuesOfBytes(Buffer.from('{"predictions":[2'), false), undefined);
  assert.equal(predictionValuesOfBytes(Buffer.alloc(0), false), undefined);
});

async function samples(metrics: ReturnType<typeof createAgentMetrics>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of [metrics.predictions, metrics.predictionValues]) {
    const got = await m.get();
    for (const v of got.values) {
      const labels = Object.entries(v.labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => `${k}=${String(x)}`)
        .join(',');
      out.set(`${'metricName' in v && v.metricName !== undefined ? v.metricName : got.name}{${labels}}`, v.value);
    }
  }
  return out;
}

test('counter: categories by output and value, capped at 32 values per output and 4 outputs per pod', async () => {
  const metrics = createAgentMetrics(() => 0);
  const counter = new PredictionCounter(metrics.predictions, metrics.predictionValues);
  counter.count({ output: 'class', categories: ['a', 'b', 'a'], reals: [] });
  const many = Array.from({ length: MAX_CATEGORIES_PER_OUTPUT + 10 }, (_, i) => `v${i}`);
  counter.count({ output: 'class', categories: many, reals: [] });
  // Values first seen once the cap is reached stay __other__; the ones admitted keep their label.
  counter.count({ output: 'class', categories: ['a', 'v40', OTHER], reals: [] });
  const s = await samples(metrics);
  assert.equal(s.get('modelship_inference_predictions_total{output=class,value=a}'), 3);
  assert.equal(s.get('modelship_inference_predictions_total{output=class,value=v0}'), 1);
  const own = [...s.keys()].filter((k) => k.startsWith('modelship_inference_predictions_total{output=class,') && !k.includes(OTHER));
  assert.equal(own.length, MAX_CATEGORIES_PER_OUTPUT);
  // 42 new values, 30 admitted (a and b took two places), 12 beyond; then v40 and a literal __other__.
  assert.equal(s.get(`modelship_inference_predictions_total{output=class,value=${OTHER}}`), 12 + 2);
  for (let i = 0; i < MAX_OUTPUTS + 2; i++) counter.count({ output: `out${i}`, categories: ['x'], reals: [] });
  const outputs = new Set([...(await samples(metrics)).keys()].map((k) => /output=([^,}]+)/.exec(k)?.[1]));
  assert.equal(outputs.size, MAX_OUTPUTS + 1, `${[...outputs].join(' ')}: the first four outputs and ${OTHER}`);
  assert.ok(outputs.has(OTHER));
});

test('counter: real values go to the histogram with the documented buckets', async () => {
  const metrics = createAgentMetrics(() => 0);
  const counter = new PredictionCounter(metrics.predictions, metrics.predictionValues);
  counter.count({ output: 'proba', categories: [], reals: [0.03, 0.5, 0.97, 0.97, 2500, -2] });
  const s = await samples(metrics);
  const bucket = (le: number | string) => s.get(`modelship_inference_prediction_value_bucket{le=${le},output=proba}`);
  assert.equal(bucket(-3), 0);
  assert.equal(bucket(-0.3), 1);
  assert.equal(bucket(0.01), 1);
  assert.equal(bucket(0.05), 2);
  assert.equal(bucket(0.5), 3);
  assert.equal(bucket(0.95), 3);
  assert.equal(bucket(0.99), 5);
  assert.equal(bucket(1000), 5, 'a value above every bound is in +Inf only');
  assert.equal(bucket('+Inf'), 6);
  assert.equal(s.get('modelship_inference_prediction_value_count{output=proba}'), 6);
  assert.ok(!PREDICTION_VALUE_BUCKETS.includes(-1), "-1 is prom-client's marker for +Inf");
  assert.deepEqual(PREDICTION_VALUE_BUCKETS, [...PREDICTION_VALUE_BUCKETS].sort((x, y) => x - y), 'increasing');
  assert.equal((await metrics.predictions.get()).values.length, 0, 'no category counted');
});
