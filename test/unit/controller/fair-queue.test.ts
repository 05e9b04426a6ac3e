// The fair queue of evidence fetches: a global limit, a per-namespace limit, round robin between
// namespaces, the fewest-running namespace first, removed items never start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairQueue } from '../../../src/controller/fair-queue.ts';

const names = (started: { group: string; item: string }[]) => started.map((s) => s.item);

void test('never more than the limit running; a freed slot starts the next', () => {
  const q = new FairQueue<string>({ limit: 2, perGroupLimit: 2 });
  for (const item of ['a1', 'a2', 'a3']) q.enqueue('a', item);
  assert.deepEqual(names(q.start()), ['a1', 'a2']);
  assert.deepEqual(q.start(), [], 'no slot free');
  assert.equal(q.running, 2);
  assert.equal(q.waiting, 1);
  q.done('a');
  assert.deepEqual(names(q.start()), ['a3']);
  assert.equal(q.waiting, 0);
});

void test('one namespace alone takes at most half the slots (rounded up) by default', () => {
  const q = new FairQueue<string>({ limit: 16 });
  assert.equal(q.perGroupLimit, 8);
  for (let i = 0; i < 20; i++) q.enqueue('hostile', `h${i}`);
  assert.equal(q.start().length, 8);
  assert.equal(q.runningIn('hostile'), 8);
  // Another namespace finds a slot at once although the first still has 12 waiting.
  q.enqueue('quiet', 'q1');
  assert.deepEqual(names(q.start()), ['q1']);
  assert.equal(new FairQueue({ limit: 1 }).perGroupLimit, 1);
  assert.equal(new FairQueue({ limit: 3 }).perGroupLimit, 2);
});

void test('freed slots go round robin between waiting namespaces, the one with fewest running first', () => {
  const q = new FairQueue<string>({ limit: 4, perGroupLimit: 4 });
  for (const item of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']) q.enqueue('a', item);
  assert.deepEqual(names(q.start()), ['a1', 'a2', 'a3', 'a4']);
  for (const item of ['b1', 'b2', 'b3']) q.enqueue('b', item);
  q.enqueue('c', 'c1');
  // a holds 4; as its fetches end, b and c (none running) are served before a gets another.
  q.done('a');
  assert.deepEqual(names(q.start()), ['b1']);
  q.done('a');
  assert.deepEqual(names(q.start()), ['c1']);
  q.done('a');
  assert.deepEqual(names(q.start()), ['a5'], 'a, b and c run 1 each: a was served longest ago');
  q.done('a');
  assert.deepEqual(names(q.start()), ['b2'], 'a and b run 1 each: b was served longer ago');
  q.done('b');
  assert.deepEqual(names(q.start()), ['a6']);
  q.done('c');
  assert.deepEqual(names(q.start()), ['b3']);
  assert.equal(q.waiting, 0);
});

void test('several namespaces asking at once are started alternately, in the order each asked', () => {
  const q = new FairQueue<string>({ limit: 5, perGroupLimit: 5 });
  for (const item of ['a1', 'a2', 'a3']) q.enqueue('a', item);
  for (const item of ['b1', 'b2', 'b3']) q.enqueue('b', item);
  assert.deepEqual(names(q.start()), ['a1', 'b1', 'a2', 'b2', 'a3']);
});

void test('a removed item never starts; removing one that is not waiting says so', () => {
  const q = new FairQueue<string>({ limit: 1 });
  q.enqueue('a', 'a1');
  q.enqueue('a', 'a2');
  q.enqueue('b', 'b1');
  assert.deepEqual(names(q.start()), ['a1']);
  assert.equal(q.remove('a', 'a2'), true);
  assert.equal(q.remove('a', 'a1'), false, 'running, not waiting');
  assert.equal(q.remove('x', 'nothing'), false);
  q.done('a');
  assert.deepEqual(names(q.start()), ['b1']);
  q.done('b');
  assert.deepEqual(q.start(), []);
  assert.equal(q.waiting, 0);
});

void test('clear drops what waits; running items still end with done', () => {
  const q = new FairQueue<string>({ limit: 1 });
  q.enqueue('a', 'a1');
  q.enqueue('a', 'a2');
  q.start();
  q.clear();
  assert.equal(q.waiting, 0);
  q.done('a');
  assert.equal(q.running, 0);
  assert.deepEqual(q.start(), []);
  assert.throws(() => q.done('a'), /without a running item/);
  assert.throws(() => new FairQueue({ limit: 0 }), /limit/);
});
