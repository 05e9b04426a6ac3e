import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../../src/kube/retry-after.ts';

void test('Retry-After is honoured on 429 and 5xx only, in seconds or as an HTTP date, clamped', () => {
  assert.equal(retryAfterMs(429, '2'), 2000);
  assert.equal(retryAfterMs(503, '0'), 0);
  assert.equal(retryAfterMs(500, ' 3 '), 3000);
  assert.equal(retryAfterMs(429, '3600'), MAX_RETRY_AFTER_MS);
  assert.equal(retryAfterMs(429, '5', 0, 1000), 1000);
  const now = Date.parse('2026-12-03T10:00:00Z');
  assert.equal(retryAfterMs(429, 'Thu, 03 Dec 2026 10:00:04 GMT', now), 4000);
  assert.equal(retryAfterMs(429, 'Thu, 03 Dec 2026 09:00:00 GMT', now), 0);
  assert.equal(retryAfterMs(429, null), undefined, 'no header: not retried (client-go retries only when told when)');
  assert.equal(retryAfterMs(429, 'soon'), undefined);
  assert.equal(retryAfterMs(409, '1'), undefined);
  assert.equal(retryAfterMs(404, '1'), undefined);
});
