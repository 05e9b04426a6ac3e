// The built-in PromQL per runtime preset, as golden strings: each server's own metric names (the table
// in test/cluster/pod-simulator-model.ts), the scrape's target labels, units and escaping.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RUNTIME_PRESETS } from '../../../src/api/index.ts';
import {
  LABEL_MODEL_DEPLOYMENT,
  LABEL_NAMESPACE,
  LABEL_POD,
  LABEL_REVISION,
  LABEL_VARIANT,
  PRESET_LATENCY_KIND,
  builtinQueries,
  escapeLabelValue,
  promqlDuration,
} from '../../../src/analysis/index.ts';

const canary = { namespace: 'shop', name: 'iris', variant: 'canary' } as const;
const sel = 'namespace="shop",model_deployment="iris",variant="canary"';

describe('builtinQueries', () => {
  test('mlserver: success + failure counters, the REST histogram on inference paths only', () => {
    assert.deepEqual(builtinQueries('mlserver', canary, 300, 0.99), {
      requests: `(sum(increase(model_infer_request_success_total{${sel}}[300s])) or vector(0)) + (sum(increase(model_infer_request_failure_total{${sel}}[300s])) or vector(0))`,
      errors: `sum(increase(model_infer_request_failure_total{${sel}}[300s])) or vector(0)`,
      latency: `histogram_quantile(0.99, sum by (le) (rate(rest_server_request_duration_seconds_bucket{${sel},path=~".+/infer"}[300s])))`,
      latencyKind: 'quantile',
    });
  });

  test('tensorflow-serving: names starting with a colon go through __name__, microseconds become seconds', () => {
    assert.deepEqual(builtinQueries('tensorflow-serving', canary, 300, 0.99), {
      requests: `sum(increase({__name__=":tensorflow:serving:request_count",${sel}}[300s])) or vector(0)`,
      errors: `sum(increase({__name__=":tensorflow:serving:request_count",${sel},status!="OK"}[300s])) or vector(0)`,
      latency: `histogram_quantile(0.99, sum by (le) (rate({__name__=":tensorflow:serving:request_latency_bucket",${sel}}[300s]))) / 1e6`,
      latencyKind: 'quantile',
    });
  });

  test('triton: success + failure, and the mean from the cumulative duration counter (microseconds)', () => {
    assert.deepEqual(builtinQueries('triton', canary, 300, 0.99), {
      requests: `(sum(increase(nv_inference_request_success{${sel}}[300s])) or vector(0)) + (sum(increase(nv_inference_request_failure{${sel}}[300s])) or vector(0))`,
      errors: `sum(increase(nv_inference_request_failure{${sel}}[300s])) or vector(0)`,
      latency: `sum(increase(nv_inference_request_duration_us{${sel}}[300s])) / sum(increase(nv_inference_request_success{${sel}}[300s])) / 1e6`,
      latencyKind: 'mean',
    });
  });

  test('torchserve: Requests5XX selected by the target labels alone, the mean from the latency counter', () => {
    assert.deepEqual(builtinQueries('torchserve', canary, 300, 0.99), {
      requests: `sum(increase(ts_inference_requests_total{${sel}}[300s])) or vector(0)`,
      errors: `sum(increase(Requests5XX{${sel}}[300s])) or vector(0)`,
      latency: `sum(increase(ts_inference_latency_microseconds{${sel}}[300s])) / sum(increase(ts_inference_requests_total{${sel}}[300s])) / 1e6`,
      latencyKind: 'mean',
    });
  });

  test('custom: generic http_requests_total with 5xx codes as errors', () => {
    assert.deepEqual(builtinQueries('custom', canary, 300, 0.99), {
      requests: `sum(increase(http_requests_total{${sel}}[300s])) or vector(0)`,
      errors: `sum(increase(http_requests_total{${sel},code=~"5.."}[300s])) or vector(0)`,
      latency: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[300s])))`,
      latencyKind: 'quantile',
    });
  });

  test('mlflow exports no metrics: no queries', () => {
    assert.equal(builtinQueries('mlflow', canary, 300, 0.99), undefined);
  });

  test('every preset with queries says how it measures latency, and agrees with PRESET_LATENCY_KIND', () => {
    for (const preset of RUNTIME_PRESETS) {
      const q = builtinQueries(preset, canary, 60, 0.95);
      assert.equal(q?.latencyKind, PRESET_LATENCY_KIND[preset], preset);
      if (q === undefined) continue;
      for (const text of [q.requests, q.errors, q.latency]) {
        assert.ok(text.includes(sel), `${preset}: ${text}`);
        assert.ok(text.includes('[60s]'), `${preset}: ${text}`);
      }
      if (q.latencyKind === 'quantile') assert.ok(q.latency.startsWith('histogram_quantile(0.95, '), `${preset}: ${q.latency}`);
    }
  });

  test('the stable variant and the window are selected as given', () => {
    const q = builtinQueries('custom', { ...canary, variant: 'stable' }, 60, 0.5);
    assert.equal(q?.requests, 'sum(increase(http_requests_total{namespace="shop",model_deployment="iris",variant="stable"}[60s])) or vector(0)');
  });

  test('label values are escaped so no value can end the PromQL string', () => {
    const q = builtinQueries('custom', { namespace: 'a"b', name: 'c\\d\ne', variant: 'canary' }, 60, 0.5);
    assert.equal(q?.requests, 'sum(increase(http_requests_total{namespace="a\\"b",model_deployment="c\\\\d\\ne",variant="canary"}[60s])) or vector(0)');
  });
});

describe('PromQL syntax', () => {
  test('escapeLabelValue escapes backslash, quote and control characters, in that order of concern', () => {
    assert.equal(escapeLabelValue('plain-name'), 'plain-name');
    assert.equal(escapeLabelValue('a"b'), 'a\\"b');
    assert.equal(escapeLabelValue('a\\"b'), 'a\\\\\\"b');
    assert.equal(escapeLabelValue('x\ny\tz\r'), 'x\\ny\\tz\\r');
  });

  test('promqlDuration: whole seconds, at least one', () => {
    assert.equal(promqlDuration(60), '60s');
    assert.equal(promqlDuration(60.2), '61s');
    assert.equal(promqlDuration(0), '1s');
    assert.equal(promqlDuration(-5), '1s');
    assert.equal(promqlDuration(Number.NaN), '1s');
  });

  test('the target label names the scrape config gives model pods', () => {
    assert.deepEqual([LABEL_NAMESPACE, LABEL_MODEL_DEPLOYMENT, LABEL_VARIANT, LABEL_REVISION, LABEL_POD], [
      'namespace',
      'model_deployment',
      'variant',
      'revision',
      'pod',
    ]);
  });
});
