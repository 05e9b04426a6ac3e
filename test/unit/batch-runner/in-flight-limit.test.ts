// The request slots: never more than max taken, waiters served in order, a freed slot handed on before
// what was queued after the release runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InFlightLimit } from '../../../src/batch-runner/in-flight-limit.ts';

void test('never more than max slots taken, and waiters get them in the order they asked', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 30 }), async (max, holds) => {
      const limit = new InFlightLimit(max);
      let taken = 0;
      let most = 0;
      const started: number[] = [];
      const jobs = holds.map(async (ticks, i) => {
        const wait = limit.acquire();
        if (wait !== undefined) await wait;
        started.push(i);
        taken++;
        most = Math.max(most, taken);
        for (let t = 0; t < ticks; t++) await Promise.resolve();
        taken--;
        limit.release();
      });
      await Promise.all(jobs);
      assert.ok(most <= max, `${most} taken at once with max ${max}`);
      assert.deepEqual(started, holds.map((_, i) => i), 'in order');
      assert.equal(limit.waiters, 0);
    }),
  );
});

void test('a released slot goes to the waiter before work queued after the release', async () => {
  const limit = new InFlightLimit(1);
  assert.equal(limit.acquire(), undefined);
  const order: string[] = [];
  const waiting = limit.acquire()!.then(() => order.push('next request sent'));
  limit.release();
  const answer = Promise.resolve().then(() => order.push('answer read'));
  await Promise.all([waiting, answer]);
  assert.deepEqual(order, ['next request sent', 'answer read']);
});
