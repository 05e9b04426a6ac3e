import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from '../../../src/kube/backoff.ts';

void test('backoff doubles from 800 ms, caps at 30 s, and jitter spreads each wait over [d, 2d)', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffDelay(n, {}, () => 0)), [800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
  assert.equal(backoffDelay(1, {}, () => 0.5), 1200);
  assert.equal(backoffDelay(7, {}, () => 0.999), 30_000 * 1.999);
  assert.equal(backoffDelay(3, { initialMs: 100, maxMs: 250, jitter: 0 }, () => 0.9), 250);
});
