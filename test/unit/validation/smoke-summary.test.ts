import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SMOKE_MESSAGE, summarizeSmokeCheck } from '../../../src/validation/index.ts';
import type { SmokeOutcome } from '../../../src/validation/index.ts';

const pass = (pod: string, sample: number, latencyMs = 12): SmokeOutcome => ({ pod, sample, verdict: { ok: true }, latencyMs });
const fail = (pod: string, sample: number, reason: string): SmokeOutcome => ({ pod, sample, verdict: { ok: false, reason }, latencyMs: undefined });

test('every request passing passes, with the counts and the slowest answer', () => {
  assert.deepEqual(summarizeSmokeCheck([pass('a', 0, 3.2), pass('a', 1, 40.6), pass('b', 0), pass('b', 1)]), {
    passed: true,
    message: '4 requests to 2 pods passed; slowest 41 ms',
    requests: 4,
    failures: 0,
  });
  assert.equal(summarizeSmokeCheck([pass('a', 0)]).message, '1 request to 1 pod passed; slowest 12 ms');
});

test('one failure fails; the message names the first in pod and sample order', () => {
  const result = summarizeSmokeCheck([pass('a', 0), fail('a', 1, 'HTTP 500'), pass('b', 0), fail('b', 1, 'no response within 3000 ms')]);
  assert.deepEqual(result, {
    passed: false,
    message: '2 of 4 requests to 2 pods failed; first: pod a sample 1: HTTP 500',
    requests: 4,
    failures: 2,
  });
});

test('no requests is not a pass', () => {
  assert.deepEqual(summarizeSmokeCheck([]), { passed: false, message: 'no requests were sent', requests: 0, failures: 0 });
});

test('the message fits in status (1024 characters)', () => {
  const result = summarizeSmokeCheck([fail('a', 0, 'x'.repeat(2000))]);
  assert.equal(result.message.length, MAX_SMOKE_MESSAGE);
  assert.ok(result.message.endsWith('...'));
});
