import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestThrottle, type RequestPriority } from '../../../src/kube/request-throttle.ts';
import { FakeClock, settle } from './fake-clock.ts';

/** Takes tokens for the given priorities at once; returns the grant order and times. */
function takeAll(throttle: RequestThrottle, clock: FakeClock, requests: { id: string; priority: RequestPriority }[]) {
  const granted: { id: string; at: number }[] = [];
  for (const r of requests) void throttle.take(r.priority).then(() => granted.push({ id: r.id, at: clock.now() }));
  return granted;
}

void test('the burst goes at once, then one request per 1/qps seconds', async () => {
  const clock = new FakeClock();
  const throttle = new RequestThrottle({ qps: 10, burst: 3, clock });
  const granted = takeAll(throttle, clock, Array.from({ length: 6 }, (_, i) => ({ id: `n${i}`, priority: 'normal' as const })));
  await settle();
  assert.deepEqual(granted.map((g) => g.at), [0, 0, 0]);
  await clock.advance(1000);
  assert.deepEqual(granted.map((g) => g.at), [0, 0, 0, 100, 200, 300]);
  assert.deepEqual(granted.map((g) => g.id), ['n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
});

void test('waiting normal requests go before waiting low ones, in order within each priority', async () => {
  const clock = new FakeClock();
  const throttle = new RequestThrottle({ qps: 10, burst: 1, clock, lowShareEvery: 100 });
  const granted = takeAll(throttle, clock, [
    { id: 'first', priority: 'normal' },
    { id: 'low1', priority: 'low' },
    { id: 'low2', priority: 'low' },
    { id: 'n1', priority: 'normal' },
    { id: 'n2', priority: 'normal' },
  ]);
  await clock.advance(1000);
  assert.deepEqual(granted.map((g) => g.id), ['first', 'n1', 'n2', 'low1', 'low2']);
  assert.deepEqual(throttle.queued, { normal: 0, low: 0 });
});

void test('low requests are never starved: one token in lowShareEvery goes to them while both wait', async () => {
  const clock = new FakeClock();
  const throttle = new RequestThrottle({ qps: 100, burst: 1, clock, lowShareEvery: 4 });
  const requests = [
    ...Array.from({ length: 12 }, (_, i) => ({ id: `n${i}`, priority: 'normal' as const })),
    ...Array.from({ length: 3 }, (_, i) => ({ id: `l${i}`, priority: 'low' as const })),
  ];
  const granted = takeAll(throttle, clock, requests);
  await clock.advance(1000);
  const order = granted.map((g) => g.id);
  // n0 takes the burst token; then every 4th grant is low while both wait.
  assert.deepEqual(order, ['n0', 'n1', 'n2', 'n3', 'l0', 'n4', 'n5', 'n6', 'l1', 'n7', 'n8', 'n9', 'l2', 'n10', 'n11']);
});

void test('the rate is the same whatever the mix of priorities', async () => {
  const clock = new FakeClock();
  const throttle = new RequestThrottle({ qps: 50, burst: 10, clock, normalReserve: 0 });
  const requests = Array.from({ length: 110 }, (_, i) => ({ id: String(i), priority: i % 3 === 0 ? ('low' as const) : ('normal' as const) }));
  const granted = takeAll(throttle, clock, requests);
  await clock.advance(1999);
  assert.equal(granted.length, 10 + 99); // the burst, then 50 per second for 1.999 s
  await clock.advance(1);
  assert.equal(granted.length, 110);
});

void test('a request after an idle spell goes at once from the refilled bucket', async () => {
  const clock = new FakeClock();
  const throttle = new RequestThrottle({ qps: 1, burst: 2, clock, normalReserve: 0 });
  const first = takeAll(throttle, clock, [{ id: 'a', priority: 'normal' }, { id: 'b', priority: 'normal' }, { id: 'c', priority: 'low' }]);
  await clock.advance(1000);
  assert.deepEqual(first.map((g) => [g.id, g.at]), [['a', 0], ['b', 0], ['c', 1000]]);
  await clock.advance(5000);
  const second = takeAll(throttle, clock, [{ id: 'd', priority: 'low' }, { id: 'e', priority: 'normal' }]);
  await settle();
  assert.deepEqual(second.map((g) => [g.id, g.at]), [['d', 6000], ['e', 6000]]);
  assert.equal(clock.pendingTimers(), 0);
});

void test('low requests alone leave the reserve: a normal request arriving after them goes at once', async () => {
  const clock = new FakeClock();
  const throttle = new RequestThrottle({ qps: 10, burst: 5, clock, normalReserve: 2 });
  const lows = takeAll(throttle, clock, Array.from({ length: 5 }, (_, i) => ({ id: `l${i}`, priority: 'low' as const })));
  await settle();
  // 5 tokens: three lows go, two stay for normal requests.
  assert.deepEqual(lows.map((g) => g.id), ['l0', 'l1', 'l2']);
  const normal = takeAll(throttle, clock, [{ id: 'apply', priority: 'normal' }]);
  await settle();
  assert.deepEqual(normal.map((g) => [g.id, g.at]), [['apply', 0]]);
  // The lows left go once the reserve is back (1 token left, 3 needed: 200 ms), then at the full rate.
  await clock.advance(1000);
  assert.deepEqual(lows.map((g) => [g.id, g.at]), [['l0', 0], ['l1', 0], ['l2', 0], ['l3', 200], ['l4', 300]]);
  assert.equal(clock.pendingTimers(), 0);
});

void test('while normal requests wait, low ones still get their share from an empty bucket', async () => {
  const clock = new FakeClock();
  const throttle = new RequestThrottle({ qps: 100, burst: 10, clock, lowShareEvery: 4, normalReserve: 5 });
  const granted = takeAll(throttle, clock, [
    ...Array.from({ length: 20 }, (_, i) => ({ id: `n${i}`, priority: 'normal' as const })),
    ...Array.from({ length: 2 }, (_, i) => ({ id: `l${i}`, priority: 'low' as const })),
  ]);
  await clock.advance(1000);
  const order = granted.map((g) => g.id);
  // The burst goes to the first ten normal requests; after that every 4th token is low's.
  assert.deepEqual(order.slice(10, 18), ['n10', 'n11', 'n12', 'l0', 'n13', 'n14', 'n15', 'l1']);
  assert.equal(granted.length, 22);
});

void test('a normal request does not wait for the reserve a low request is waiting for', async () => {
  const clock = new FakeClock();
  const throttle = new RequestThrottle({ qps: 10, burst: 3, clock, normalReserve: 2 });
  const first = takeAll(throttle, clock, [
    { id: 'n0', priority: 'normal' },
    { id: 'n1', priority: 'normal' },
    { id: 'n2', priority: 'normal' },
    { id: 'status', priority: 'low' },
  ]);
  await clock.advance(50);
  const later = takeAll(throttle, clock, [{ id: 'apply', priority: 'normal' }]);
  await clock.advance(1000);
  assert.deepEqual(later.map((g) => [g.id, g.at]), [['apply', 100]]);
  // The status write waited for three tokens after the apply took the one that came at 100 ms.
  assert.deepEqual(first.map((g) => [g.id, g.at]).slice(3), [['status', 400]]);
});

void test('the reserve stays below the burst, so low requests alone always get tokens', async () => {
  const clock = new FakeClock();
  const throttle = new RequestThrottle({ qps: 10, burst: 1, clock, normalReserve: 4 });
  const granted = takeAll(throttle, clock, [{ id: 'l0', priority: 'low' }, { id: 'l1', priority: 'low' }]);
  await clock.advance(1000);
  assert.deepEqual(granted.map((g) => [g.id, g.at]), [['l0', 0], ['l1', 100]]);
});
