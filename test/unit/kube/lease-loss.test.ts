// What a leader's step-down reports: failed attempts and the event-loop delay since its last renewal.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { RenewalRecorder } from '../../../src/kube/lease-loss.ts';

function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* busy */
  }
}

void test('a stalled event loop shows in the loss, and a renewal read too late does not hide it', async () => {
  const r = new RenewalRecorder();
  r.started();
  await sleep(120);
  block(400);
  await sleep(120); // the sampling timer runs once the loop is free
  r.renewed(performance.now() - 1); // its certainty ran out while the loop stood still
  r.attempted(30, false);
  r.attempted(700, false);
  r.attempted(5, true);
  const loss = r.loss('renew-deadline');
  r.stopped();
  assert.equal(loss.cause, 'renew-deadline');
  assert.equal(loss.failedAttempts, 2);
  assert.equal(loss.longestAttemptMs, 700);
  assert.ok(loss.eventLoopDelayMaxMs >= 350, `delay ${loss.eventLoopDelayMaxMs} ms`);
  assert.ok(loss.sinceRenewalMs >= 600, `since renewal ${loss.sinceRenewalMs} ms`);
});

void test('a renewal in time starts a new window: no earlier delay or attempt is reported', async () => {
  const r = new RenewalRecorder();
  r.started();
  await sleep(60);
  block(600);
  await sleep(120);
  r.attempted(900, false);
  r.renewed(performance.now() + 10_000);
  await sleep(120);
  const loss = r.loss('taken');
  r.stopped();
  assert.equal(loss.failedAttempts, 0);
  assert.equal(loss.longestAttemptMs, 0);
  assert.ok(loss.eventLoopDelayMaxMs < 400, `delay ${loss.eventLoopDelayMaxMs} ms`);
  assert.ok(loss.sinceRenewalMs < 1000);
});

void test("the renewal loop's own late timer counts, though the sampler has not run since the stall", () => {
  const r = new RenewalRecorder();
  r.started();
  block(200);
  // Read at once, as the renewal loop does when its timer is the first to run after a stall.
  r.woke(180);
  const loss = r.loss('renew-deadline');
  assert.ok(loss.eventLoopDelayMaxMs >= 180, `delay ${loss.eventLoopDelayMaxMs} ms`);
  r.renewed(performance.now() + 10_000);
  assert.ok(r.loss('taken').eventLoopDelayMaxMs < 180, 'a renewal in time starts a new window');
  r.stopped();
});
