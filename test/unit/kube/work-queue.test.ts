import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DISPATCH_SLICE_MS, WorkQueue, type ReconcileResult, type WorkQueueMetrics, type WorkQueueOptions } from '../../../src/kube/work-queue.ts';
import { FakeClock, settle } from './fake-clock.ts';
import { MAX_REQUEUE_MS } from '../../../src/kube/timer-delay.ts';

function queue(clock: FakeClock, options: Partial<WorkQueueOptions> = {}): WorkQueue {
  return new WorkQueue({ name: 'test', concurrency: 1, clock, ...options });
}

/** A handler that records runs (with start and end times) and flags two runs of one key at once. */
function recorder(clock: FakeClock, behaviour: (key: string, run: number) => { ms?: number; fail?: boolean; result?: ReconcileResult } = () => ({})) {
  const runs: { key: string; start: number; end?: number }[] = [];
  const running = new Set<string>();
  let overlaps = 0;
  let maxParallel = 0;
  const handler = async (key: string): Promise<ReconcileResult> => {
    if (running.has(key)) overlaps++;
    running.add(key);
    maxParallel = Math.max(maxParallel, running.size);
    const entry: { key: string; start: number; end?: number } = { key, start: clock.now() };
    runs.push(entry);
    const b = behaviour(key, runs.filter((r) => r.key === key).length);
    if (b.ms) await clock.sleep(b.ms);
    entry.end = clock.now();
    running.delete(key);
    if (b.fail) throw new Error(`${key} failed`);
    return b.result ?? {};
  };
  return {
    handler,
    runs,
    keys: () => runs.map((r) => r.key),
    starts: (key: string) => runs.filter((r) => r.key === key).map((r) => r.start),
    overlaps: () => overlaps,
    maxParallel: () => maxParallel,
  };
}

void test('a key added many times before it runs is processed once', async () => {
  const clock = new FakeClock();
  const q = queue(clock);
  const rec = recorder(clock);
  q.add('a');
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.len(), 2);
  q.start(rec.handler);
  await clock.advance(10);
  assert.deepEqual(rec.keys(), ['a', 'b']);
  assert.equal(q.len(), 0);
  await q.shutdown();
});

void test('a key re-added while it runs runs once more afterwards, never alongside itself', async () => {
  const clock = new FakeClock();
  const q = queue(clock, { concurrency: 4 });
  const rec = recorder(clock, () => ({ ms: 100 }));
  q.start(rec.handler);
  q.add('a');
  await clock.advance(10);
  q.add('a');
  q.add('a');
  await clock.advance(10);
  q.add('a');
  assert.equal(q.len(), 0, 'the re-added key waits for its run to end, not in the ready queue');
  await clock.advance(1000);
  assert.deepEqual(rec.starts('a'), [0, 100]);
  assert.equal(rec.overlaps(), 0);
  await q.shutdown();
});

void test('no more than `concurrency` handlers run at once, and every key is processed', async () => {
  const clock = new FakeClock();
  const q = queue(clock, { concurrency: 2 });
  const rec = recorder(clock, () => ({ ms: 10 }));
  q.start(rec.handler);
  for (const key of ['a', 'b', 'c', 'd', 'e']) q.add(key);
  await clock.advance(100);
  assert.equal(rec.maxParallel(), 2);
  assert.deepEqual(rec.keys(), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(rec.runs.map((r) => r.start), [0, 0, 10, 10, 20]);
  await q.shutdown();
});

void test('failures back off per key: base * 2^failures, capped at the maximum', async () => {
  const clock = new FakeClock();
  const errors: string[] = [];
  const q = queue(clock, { baseDelayMs: 10, maxDelayMs: 80, qps: 1000, burst: 1000, onError: (key, err) => errors.push(`${key}: ${(err as Error).message}`) });
  const rec = recorder(clock, () => ({ fail: true }));
  q.start(rec.handler);
  q.add('a');
  await clock.advance(400);
  const starts = rec.starts('a');
  const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
  assert.deepEqual(gaps.slice(0, 6), [10, 20, 40, 80, 80, 80]);
  assert.equal(q.numRequeues('a'), starts.length);
  assert.equal(errors[0], 'a: a failed');
  assert.equal(errors.length, starts.length);
  await q.shutdown();
});

void test('the retry token bucket spaces retries of different keys once its burst is spent', async () => {
  const clock = new FakeClock();
  const q = queue(clock, { concurrency: 3, baseDelayMs: 1, qps: 1, burst: 1 });
  const rec = recorder(clock);
  q.start(rec.handler);
  q.addRateLimited('a');
  q.addRateLimited('b');
  q.addRateLimited('c');
  await clock.advance(5000);
  assert.deepEqual(rec.runs.map((r) => [r.key, r.start]), [['a', 1], ['b', 1000], ['c', 2000]]);
  await q.shutdown();
});

void test('forget and a successful run reset the backoff', async () => {
  const clock = new FakeClock();
  const q = queue(clock, { baseDelayMs: 10, qps: 1000, burst: 1000 });
  q.addRateLimited('a');
  q.addRateLimited('a');
  q.addRateLimited('a');
  assert.equal(q.numRequeues('a'), 3);
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);

  const rec = recorder(clock, (_key, run) => ({ fail: run <= 2 }));
  q.start(rec.handler);
  await clock.advance(1000);
  assert.equal(rec.starts('a').length, 3, 'two failures then a success');
  assert.equal(q.numRequeues('a'), 0);
  q.addRateLimited('a');
  await clock.advance(9);
  assert.equal(rec.starts('a').length, 3);
  await clock.advance(1);
  assert.equal(rec.starts('a').length, 4, 'the next retry waits the base delay again');
  await q.shutdown();
});

void test('requeueAfterMs schedules the next run; addAfter keeps the earliest time of a key', async () => {
  const clock = new FakeClock();
  const q = queue(clock);
  const rec = recorder(clock, (key, run) => ({ result: key === 'a' && run === 1 ? { requeueAfterMs: 50 } : {} }));
  q.start(rec.handler);
  q.add('a');
  await clock.advance(200);
  assert.deepEqual(rec.starts('a'), [0, 50]);

  q.addAfter('b', 100);
  q.addAfter('b', 30);
  q.addAfter('b', 60);
  await clock.advance(200);
  assert.deepEqual(rec.starts('b'), [230]);
  await q.shutdown();
});

void test('delayOf tells how long a key still waits, capped at MAX_REQUEUE_MS, until it is added', async () => {
  const clock = new FakeClock();
  const q = queue(clock);
  const rec = recorder(clock);
  q.start(rec.handler);
  assert.equal(q.delayOf('a'), undefined);
  q.addAfter('a', 100);
  await clock.advance(40);
  assert.equal(q.delayOf('a'), 60);
  await clock.advance(60);
  assert.equal(q.delayOf('a'), undefined, 'added');
  assert.deepEqual(rec.starts('a'), [100]);
  q.addAfter('b', 720 * 3600 * 1000);
  assert.equal(q.delayOf('b'), MAX_REQUEUE_MS);
  await q.shutdown();
  assert.equal(q.delayOf('b'), undefined, 'shutdown drops delayed keys');
});

void test('cancelDelayed drops a pending delay or backoff of one key: no timer fires for it', async () => {
  const clock = new FakeClock();
  const q = queue(clock);
  const rec = recorder(clock, (key, run) => ({ fail: key === 'b' && run === 1 }));
  q.start(rec.handler);
  q.addAfter('a', 100);
  q.addAfter('c', 100);
  q.add('b'); // fails once: waits out a backoff
  await clock.advance(1);
  assert.notEqual(q.delayOf('b'), undefined);
  q.cancelDelayed('a');
  q.cancelDelayed('b');
  assert.equal(q.delayOf('a'), undefined);
  assert.equal(q.numRequeues('b'), 0, 'the backoff starts over');
  await clock.advance(1000);
  assert.deepEqual(rec.keys(), ['b', 'c'], 'a never ran, b ran once, c (not cancelled) ran');
  q.add('a'); // a later add still works
  await clock.advance(1);
  assert.deepEqual(rec.starts('a'), [1001]);
  await q.shutdown();
});

void test('shutdown waits for handlers in flight and drops queued and delayed keys', async () => {
  const clock = new FakeClock();
  const q = queue(clock);
  const rec = recorder(clock, () => ({ ms: 100 }));
  q.start(rec.handler);
  q.add('a');
  q.add('b');
  q.addAfter('c', 10);
  await clock.advance(1);
  let done = false;
  const stopped = q.shutdown().then(() => {
    done = true;
  });
  await clock.advance(50);
  assert.equal(done, false, 'still waiting for the handler of a');
  q.add('d');
  await clock.advance(50);
  await stopped;
  assert.equal(done, true);
  assert.deepEqual(rec.keys(), ['a']);
  assert.equal(q.len(), 0);
  assert.equal(clock.pendingTimers(), 0, 'no timers left behind');
  assert.throws(() => q.start(rec.handler));
});

void test('metrics hooks see adds, depth, latency, work duration, retries and unfinished work', async () => {
  const clock = new FakeClock();
  const calls = { added: 0, retried: 0, depth: [] as number[], latency: [] as number[], work: [] as number[], unfinished: [] as number[], longest: [] as number[] };
  const metrics: WorkQueueMetrics = {
    added: () => calls.added++,
    retried: () => calls.retried++,
    depth: (n) => calls.depth.push(n),
    queueLatencySeconds: (s) => calls.latency.push(s),
    workDurationSeconds: (s) => calls.work.push(s),
    unfinishedWorkSeconds: (s) => calls.unfinished.push(s),
    longestRunningProcessorSeconds: (s) => calls.longest.push(s),
  };
  const q = queue(clock, { metrics, baseDelayMs: 100 });
  const rec = recorder(clock, (key, run) => ({ ms: key === 'slow' ? 1200 : 250, fail: key === 'a' && run === 1 }));
  q.add('a');
  q.add('a');
  q.add('b');
  assert.equal(calls.added, 2);
  assert.deepEqual(calls.depth, [1, 2]);
  await clock.advance(1000);
  q.start(rec.handler);
  await clock.advance(2000);
  // a waited 1 s for start, b waited for a as well; a failed once and came back after 100 ms and waited 150 ms more for b.
  assert.deepEqual(calls.latency, [1, 1.25, 0.15]);
  assert.deepEqual(calls.work, [0.25, 0.25, 0.25]);
  assert.equal(calls.retried, 1);
  assert.equal(calls.added, 3);
  assert.equal(calls.depth.at(-1), 0);
  q.add('slow');
  await clock.advance(1000);
  assert.ok(calls.unfinished.length >= 4, 'reported every 500 ms');
  assert.equal(Math.max(...calls.longest), 1);
  assert.equal(Math.max(...calls.unfinished), 1);
  const stopped = q.shutdown();
  await clock.advance(500);
  await stopped;
});

void test('with the real clock, work runs and shutdown resolves', async () => {
  const q = new WorkQueue({ name: 'real', concurrency: 2 });
  const seen: string[] = [];
  q.start(async (key) => {
    seen.push(key);
    await new Promise((r) => setTimeout(r, 5));
    return {};
  });
  q.add('x');
  q.add('y');
  await q.idle();
  assert.deepEqual(seen.sort(), ['x', 'y']);
  await q.shutdown();
});

void test('idle() resolves once nothing is queued or running, not while a key runs or waits for a worker', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ name: 'idle', concurrency: 1, clock });
  await q.idle(); // empty: at once
  const done: string[] = [];
  q.start(async (key) => {
    await clock.sleep(100);
    done.push(key);
    return {};
  });
  q.add('a');
  q.add('b');
  let idle = false;
  const barrier = q.idle().then(() => (idle = true));
  await clock.advance(100);
  assert.deepEqual(done, ['a']);
  assert.equal(idle, false, 'b still waits for the worker');
  await clock.advance(100);
  await barrier;
  assert.deepEqual(done, ['a', 'b']);
  // A key re-added while it runs keeps the queue busy until its second run ends.
  q.add('c');
  await clock.advance(50);
  q.add('c');
  let again = false;
  const second = q.idle().then(() => (again = true));
  await clock.advance(50);
  assert.equal(again, false);
  await clock.advance(100);
  await second;
  assert.deepEqual(done, ['a', 'b', 'c', 'c']);
  await q.shutdown();
});

void test('invalid concurrency is rejected', () => {
  assert.throws(() => new WorkQueue({ name: 'bad', concurrency: 0 }), RangeError);
  assert.throws(() => new WorkQueue({ name: 'bad', concurrency: 1.5 }), RangeError);
});

void test('property: every key is processed after its last add, and no key runs concurrently', async () => {
  const op = fc.record({
    key: fc.constantFrom('a', 'b', 'c', 'd'),
    gap: fc.integer({ min: 0, max: 20 }),
    ms: fc.integer({ min: 0, max: 30 }),
    fail: fc.boolean(),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 3 }), async (ops, concurrency) => {
      const clock = new FakeClock();
      const q = new WorkQueue({ name: 'prop', concurrency, clock, baseDelayMs: 1, maxDelayMs: 50 });
      // Each add brings one behaviour (duration, failure) for a later run of its key; runs beyond
      // those succeed at once, so the work is finite and failures are retried until they pass.
      const behaviours = new Map<string, { ms: number; fail: boolean }[]>();
      const lastAdd = new Map<string, number>();
      const lastGoodStart = new Map<string, number>();
      const running = new Set<string>();
      let seq = 0;
      let overlaps = 0;
      q.start(async (key) => {
        if (running.has(key)) overlaps++;
        running.add(key);
        const startSeq = seq;
        const b = behaviours.get(key)?.shift() ?? { ms: 0, fail: false };
        await clock.sleep(b.ms);
        running.delete(key);
        if (b.fail) throw new Error('fail');
        lastGoodStart.set(key, Math.max(lastGoodStart.get(key) ?? -1, startSeq));
        return {};
      });
      for (const o of ops) {
        await clock.advance(o.gap);
        seq++;
        lastAdd.set(o.key, seq);
        behaviours.set(o.key, [...(behaviours.get(o.key) ?? []), { ms: o.ms, fail: o.fail }]);
        q.add(o.key);
      }
      await clock.advance(10_000);
      await settle();
      assert.equal(overlaps, 0);
      for (const [key, added] of lastAdd) {
        assert.ok((lastGoodStart.get(key) ?? -1) >= added, `${key} last added at #${added}, last good run started at #${lastGoodStart.get(key)}`);
      }
      await q.shutdown();
    }),
    { numRuns: 150 },
  );
});

void test('a handler that yields its slot lets another key start, and its own key still never runs twice at once', async () => {
  const clock = new FakeClock();
  const q = queue(clock, { concurrency: 1 });
  const events: string[] = [];
  const running = new Set<string>();
  let overlaps = 0;
  q.start(async (key, yieldSlot) => {
    if (running.has(key)) overlaps++;
    running.add(key);
    events.push(`start ${key}@${clock.now()}`);
    await clock.sleep(10);
    yieldSlot();
    yieldSlot(); // twice is harmless
    await clock.sleep(100); // e.g. a low-priority status write
    events.push(`end ${key}@${clock.now()}`);
    running.delete(key);
    return {};
  });
  q.add('a');
  q.add('b');
  await clock.advance(5);
  q.add('a'); // re-added while running: must wait for the first run, yielded or not
  await clock.advance(500);
  assert.deepEqual(events, ['start a@0', 'start b@10', 'end a@110', 'start a@110', 'end b@120', 'end a@220']);
  assert.equal(overlaps, 0);
  await q.shutdown();
});

void test('without a yield the worker slot stays taken until the handler ends', async () => {
  const clock = new FakeClock();
  const q = queue(clock, { concurrency: 1 });
  const starts: string[] = [];
  q.start(async (key) => {
    starts.push(`${key}@${clock.now()}`);
    await clock.sleep(110);
    return {};
  });
  q.add('a');
  q.add('b');
  await clock.advance(500);
  assert.deepEqual(starts, ['a@0', 'b@110']);
  await q.shutdown();
});

void test('a requeue beyond the cap (a 720h pause) comes back once per MAX_REQUEUE_MS, never at once', async () => {
  const clock = new FakeClock();
  const q = queue(clock);
  const month = 720 * 3_600_000;
  const rec = recorder(clock, () => ({ result: { requeueAfterMs: month } }));
  q.start(rec.handler);
  q.add('paused');
  await clock.advance(3 * MAX_REQUEUE_MS + 1000);
  assert.deepEqual(rec.starts('paused'), [0, MAX_REQUEUE_MS, 2 * MAX_REQUEUE_MS, 3 * MAX_REQUEUE_MS]);
  await q.shutdown();
});

for (const yields of [false, true]) {
  void test(`keys whose handlers never wait for I/O still let timers run between them (the event loop turns every slice)${yields ? ', handlers that give their slot back too' : ''}`, async () => {
    const q = new WorkQueue({ name: 'slices', concurrency: 4 });
    const total = 400;
    let done = 0;
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    // Each handler resolves without waiting for anything, as a reconcile that finds every child up to date.
    q.start((_key, yieldSlot) => {
      busy(2);
      done++;
      // A reconcile with only its status write left gives its slot to the next key at once.
      if (yields) yieldSlot();
      return Promise.resolve({});
    });
    const turns: number[] = [];
    const timer = setInterval(() => turns.push(done), 1);
    for (let i = 0; i < total; i++) q.add(`k${i}`);
    await q.idle();
    clearInterval(timer);
    assert.equal(done, total);
    // Without the slice the interval could not fire before all 400 (800 ms of work) were done.
    const during = turns.filter((n) => n < total);
    assert.ok(during.length >= 10, `the timer ran ${during.length} times while keys were processed: ${JSON.stringify(turns.slice(0, 20))}`);
    const longestRun = Math.max(...during.map((n, i) => n - (during[i - 1] ?? 0)));
    assert.ok(longestRun <= (DISPATCH_SLICE_MS / 2) * 3, `at most a slice of keys (about ${DISPATCH_SLICE_MS / 2}) between two turns, saw ${longestRun}`);
    await q.shutdown();
  });
}
