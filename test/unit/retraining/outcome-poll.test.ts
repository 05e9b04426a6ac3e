import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OUTCOME_POLL_MS, outcomePoll } from '../../../src/retraining/outcome-poll.ts';

void test('the first look polls, and asks to be woken a whole interval later', () => {
  assert.deepEqual(outcomePoll(undefined, 1_000_000), { due: true, wakeInMs: OUTCOME_POLL_MS });
});

void test('a look an interval or more after the last poll polls again', () => {
  assert.equal(outcomePoll(0, OUTCOME_POLL_MS).due, true);
  assert.equal(outcomePoll(0, OUTCOME_POLL_MS * 5).due, true);
});

void test('a look before the interval is out does not poll, yet asks to be woken when it is', () => {
  // Woken by an earlier requeue (a drift schedule, an analysis interval) 10 s after the poll.
  assert.deepEqual(outcomePoll(0, 10_000), { due: false, wakeInMs: OUTCOME_POLL_MS - 10_000 });
  // A timer that fires a millisecond early against the wall clock: the poll is asked for 1 ms later, not lost.
  assert.deepEqual(outcomePoll(0, OUTCOME_POLL_MS - 1), { due: false, wakeInMs: 1 });
});

void test('every look asks for a wake-up no later than the next poll is due', () => {
  for (let now = 0; now <= 3 * OUTCOME_POLL_MS; now += 997) {
    const poll = outcomePoll(0, now);
    assert.ok(poll.wakeInMs > 0);
    if (!poll.due) assert.equal(now + poll.wakeInMs, OUTCOME_POLL_MS);
  }
});
