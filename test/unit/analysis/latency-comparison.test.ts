// The latency comparison: tolerance boundary, slack, the sample-size floor, and Prometheus' NaN/Inf.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareLatency } from '../../../src/analysis/index.ts';

const enough = { stableSamples: 500, canarySamples: 500 };

describe('compareLatency', () => {
  test('passes within the default 20% tolerance, fails beyond it', () => {
    assert.equal(compareLatency({ stableQuantile: 0.5, canaryQuantile: 0.6, ...enough }).verdict, 'Pass');
    const failed = compareLatency({ stableQuantile: 0.5, canaryQuantile: 0.61, ...enough });
    assert.equal(failed.verdict, 'Fail');
    assert.ok(Math.abs(failed.threshold - 0.6) < 1e-12);
    assert.ok(Math.abs(failed.ratio - 1.22) < 1e-12);
  });

  test('a faster canary passes', () => {
    assert.equal(compareLatency({ stableQuantile: 0.5, canaryQuantile: 0.1, ...enough }).verdict, 'Pass');
  });

  test('tolerance and slack are options', () => {
    const observation = { stableQuantile: 0.01, canaryQuantile: 0.02, ...enough };
    assert.equal(compareLatency(observation).verdict, 'Fail');
    assert.equal(compareLatency(observation, { tolerance: 1 }).verdict, 'Pass');
    assert.equal(compareLatency(observation, { slackSeconds: 0.01 }).verdict, 'Pass');
  });

  test('below the minimum sample size the verdict is Inconclusive even for glaring differences', () => {
    const glaring = { stableQuantile: 0.1, canaryQuantile: 30 };
    assert.equal(compareLatency({ ...glaring, stableSamples: 500, canarySamples: 99 }).verdict, 'Inconclusive');
    assert.equal(compareLatency({ ...glaring, stableSamples: 99, canarySamples: 500 }).verdict, 'Inconclusive');
    assert.equal(compareLatency({ stableQuantile: 0.1, canaryQuantile: 0.1, stableSamples: 0, canarySamples: 0 }).verdict, 'Inconclusive');
    assert.equal(compareLatency({ ...glaring, ...enough }, { minSamples: 1000 }).verdict, 'Inconclusive');
  });

  test('NaN quantiles are Inconclusive; a canary above the last bucket fails', () => {
    assert.equal(compareLatency({ stableQuantile: Number.NaN, canaryQuantile: 0.1, ...enough }).verdict, 'Inconclusive');
    assert.equal(compareLatency({ stableQuantile: 0.1, canaryQuantile: Number.NaN, ...enough }).verdict, 'Inconclusive');
    assert.equal(compareLatency({ stableQuantile: Infinity, canaryQuantile: 0.1, ...enough }).verdict, 'Inconclusive');
    assert.equal(compareLatency({ stableQuantile: 0.1, canaryQuantile: Infinity, ...enough }).verdict, 'Fail');
  });
});
