// Delays the operator turns into timers: never past Node's 32-bit limit (which fires at once), requeues
// capped so a long pause is looked at again, not spun on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_REQUEUE_MS, MAX_TIMER_MS, boundedTimeout, requeueDelay, sleepUntilAborted, timerDelay } from '../../../src/kube/timer-delay.ts';

const hour = 3_600_000;

void test('timerDelay: a month becomes the timer limit; negative, NaN and zero become 0; fractions round up', () => {
  assert.equal(timerDelay(720 * hour), MAX_TIMER_MS);
  assert.equal(timerDelay(Number.POSITIVE_INFINITY), MAX_TIMER_MS);
  assert.equal(timerDelay(-5), 0);
  assert.equal(timerDelay(Number.NaN), 0);
  assert.equal(timerDelay(0), 0);
  assert.equal(timerDelay(0.2), 1);
  assert.equal(timerDelay(1500), 1500);
});

void test('requeueDelay: at most MAX_REQUEUE_MS, otherwise as asked', () => {
  assert.equal(requeueDelay(720 * hour), MAX_REQUEUE_MS);
  assert.equal(requeueDelay(10 * 60_000), 10 * 60_000);
});

void test('every delay lands in [0, MAX_TIMER_MS] (property)', () => {
  fc.assert(
    fc.property(fc.double({ noDefaultInfinity: false }), (ms) => {
      const d = timerDelay(ms);
      const r = requeueDelay(ms);
      return Number.isInteger(d) && d >= 0 && d <= MAX_TIMER_MS && r >= 0 && r <= MAX_REQUEUE_MS;
    }),
  );
});

void test('boundedTimeout of a month neither fires at once nor warns', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  let fired = false;
  const timer = boundedTimeout(() => (fired = true), 720 * hour);
  await new Promise((r) => setTimeout(r, 50));
  clearTimeout(timer);
  process.off('warning', onWarning);
  assert.equal(fired, false);
  assert.deepEqual(warnings, []);
});

test('sleepUntilAborted waits its time, ends early on abort and never rejects', async () => {
  const started = performance.now();
  await sleepUntilAborted(30, new AbortController().signal);
  assert.ok(performance.now() - started >= 25);
  const controller = new AbortController();
  const waiting = sleepUntilAborted(60_000, controller.signal);
  controller.abort(new Error('stop'));
  await waiting;
  await sleepUntilAborted(60_000, AbortSignal.abort());
});
