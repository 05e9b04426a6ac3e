import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KSERVE_CLIENT_SETTINGS, settingsAtRate } from '../../../bench/equal-settings.ts';

test("modelship's limiter is set to KServe's measured mean rate, rounded up, with KServe's burst and one reconcile", () => {
  assert.deepEqual(settingsAtRate(33.6), { qps: 34, burst: 30, concurrency: 1 });
  assert.deepEqual(settingsAtRate(20), { qps: 20, burst: 30, concurrency: 1 });
  assert.deepEqual(settingsAtRate(0.2), { qps: 1, burst: 30, concurrency: 1 });
});

test('without a measured rate it falls back to the per-client settings', () => {
  for (const rate of [NaN, 0, -3, Infinity]) assert.deepEqual(settingsAtRate(rate), KSERVE_CLIENT_SETTINGS);
});
