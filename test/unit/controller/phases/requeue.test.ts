// When a reconcile looks again: retryable failures go back to the queue's backoff, a stall waits five
// minutes (a name taken by another's object thirty seconds), a rollout asks for its own next look (never under a second).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requeue } from '../../../../src/controller/phases/requeue.ts';
import type { RolloutDecision } from '../../../../src/rollout/index.ts';

const decision = (requeueAfterMs?: number) => ({ ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) }) as RolloutDecision;

void test('converged: no requeue', () => {
  assert.deepEqual(requeue([], false, undefined), {});
  assert.deepEqual(requeue([], false, decision()), {});
});

void test('a retryable failure throws, naming every one, for the backoff', () => {
  assert.throws(() => requeue([{ kind: 'Deployment', name: 'fraud-stable', code: 500, message: 'boom' }], false, undefined), /apply failed, will retry: Deployment\/fraud-stable: boom/);
  assert.throws(() => requeue([{ kind: 'Service', name: 'fraud', message: 'timeout' }], false, undefined), /Service\/fraud: timeout/);
});

void test('a name taken by an object the caches cannot see is looked at again in thirty seconds', () => {
  const taken = { kind: 'Service', name: 'fraud', code: 409, retryable: false, message: 'taken' };
  assert.deepEqual(requeue([taken], false, undefined), { requeueAfterMs: 30_000 });
  assert.deepEqual(requeue([taken, { kind: 'HTTPRoute', name: 'fraud', code: 403, message: 'forbidden' }], false, undefined), { requeueAfterMs: 30_000 });
});

void test('a stall looks again in five minutes, or sooner when the rollout asks', () => {
  assert.deepEqual(requeue([{ kind: 'HTTPRoute', name: 'fraud', code: 403, message: 'forbidden' }], false, undefined), { requeueAfterMs: 300_000 });
  assert.deepEqual(requeue([], true, undefined), { requeueAfterMs: 300_000 });
  assert.deepEqual(requeue([], true, decision(60_000)), { requeueAfterMs: 60_000 });
  assert.deepEqual(requeue([], false, decision(10)), { requeueAfterMs: 1000 });
});
