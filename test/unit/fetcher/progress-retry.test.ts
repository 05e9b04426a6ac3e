import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, progressLine } from '../../../src/fetcher/progress.ts';
import { DEFAULT_RETRY, retryDelayMs, shouldRetry } from '../../../src/fetcher/retry.ts';

void test('formatBytes in binary units', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(256 * 1024 ** 2), '256.0 MiB');
  assert.equal(formatBytes(3 * 1024 ** 4), '3.0 TiB');
});

void test('progress line: bytes (of the total when known), rate, files, elapsed', () => {
  assert.equal(
    progressLine({ bytes: 64 * 1024 ** 2, totalBytes: 256 * 1024 ** 2, files: 0, totalFiles: 1, elapsedMs: 4000 }),
    'modelship-fetch: progress 64.0 MiB of 256.0 MiB (25.0%), 16.0 MiB/s, 0 of 1 files, 4s',
  );
  assert.equal(progressLine({ bytes: 2048, files: 3, elapsedMs: 0 }), 'modelship-fetch: progress 2.0 KiB, 2.0 MiB/s, 3 files, 0s');
});

void test('retry: transient failures only, a bounded number of attempts', () => {
  assert.equal(shouldRetry(DEFAULT_RETRY, 1, true), true);
  assert.equal(shouldRetry(DEFAULT_RETRY, DEFAULT_RETRY.attempts, true), false);
  assert.equal(shouldRetry(DEFAULT_RETRY, 1, false), false);
});

void test('retry delay: exponential, capped, between half and all of the backoff', () => {
  const policy = { attempts: 10, baseMs: 100, maxMs: 1000 };
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => retryDelayMs(policy, n, 0.999999)), [100, 200, 400, 800, 1000]);
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => retryDelayMs(policy, n, 0)), [50, 100, 200, 400, 500]);
});
