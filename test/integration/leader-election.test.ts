// Leader election against the real API server: one leader among candidates, takeover after a crash
// (once the lease expires) or at once after a release, and a leader cut off from the API server
// stepping down before anyone else takes over. Throughout, isLeader() of every candidate is sampled
// every 50 ms and two leaders at once fail the test.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { ApiClient } from '../../src/kube/api-client.ts';
import { LeaderElector } from '../../src/kube/leader-election.ts';
import { sharedCluster } from '../support/cluster.ts';
import { connectionOf } from '../support/connection.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';

const cluster = await sharedCluster();
const kc = cluster.kubeConfig();
const namespace = await testNamespace(kc, 'leader-election');
const coordination = kc.makeApiClient(CoordinationV1Api);

const FAST = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };

interface Candidate {
  readonly identity: string;
  readonly elector: LeaderElector;
  readonly started: number[];
  readonly stopped: number[];
  readonly newLeaders: string[];
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

const everyCandidate: Candidate[] = [];
after(async () => {
  for (const c of everyCandidate) c.abort.abort();
  await Promise.all(everyCandidate.map((c) => c.done));
});

function candidate(identity: string, lease: string, timing = FAST, kubeConfig: KubeConfig = kc): Candidate {
  const started: number[] = [];
  const stopped: number[] = [];
  const newLeaders: string[] = [];
  const elector = new LeaderElector({
    client: new ApiClient(connectionOf(kubeConfig), { qps: 5, burst: 10, userAgent: `modelship-test/${identity}` }),
    namespace,
    name: lease,
    identity,
    ...timing,
    onStartedLeading: () => started.push(Date.now()),
    onStoppedLeading: () => stopped.push(Date.now()),
    onNewLeader: (id) => newLeaders.push(id),
  });
  const abort = new AbortController();
  const c: Candidate = { identity, elector, started, stopped, newLeaders, abort, done: elector.run(abort.signal) };
  everyCandidate.push(c);
  return c;
}

/** Samples isLeader() of the candidates every 50 ms and remembers any moment with two leaders. */
function sampleLeaders(candidates: Candidate[]) {
  const overlaps: string[] = [];
  let samples = 0;
  const timer = setInterval(() => {
    samples++;
    const leaders = candidates.filter((c) => c.elector.isLeader()).map((c) => c.identity);
    if (leaders.length > 1) overlaps.push(`${new Date().toISOString()}: ${leaders.join(', ')}`);
  }, 50);
  return {
    /** Resolves once `n` more samples were taken. */
    taken(n: number): Promise<number> {
      const target = samples + n;
      return eventually(`${n} more samples`, () => Promise.resolve(samples), (s) => s >= target, 30_000, 50);
    },
    stop(): void {
      clearInterval(timer);
      assert.ok(samples > 10, `only ${samples} samples were taken`);
      assert.deepEqual(overlaps, [], 'two candidates led at once');
    },
  };
}

function leaderOf(candidates: Candidate[]): Promise<Candidate> {
  return eventually(
    'exactly one leader',
    () => Promise.resolve(candidates.filter((c) => c.elector.isLeader())),
    (leaders) => leaders.length === 1,
    20_000,
    50,
  ).then((leaders) => leaders[0]!);
}

async function leaseSpec(name: string) {
  const lease = await coordination.readNamespacedLease({ name, namespace });
  return lease.spec ?? {};
}

/** Resolves once the Lease was written `n` times after this call: renewals, while one candidate leads. */
async function renewals(name: string, n: number): Promise<void> {
  const version = async () => (await coordination.readNamespacedLease({ name, namespace })).metadata?.resourceVersion;
  const seen = new Set([await version()]);
  await eventually(`${n} renewals of Lease ${name}`, async () => seen.add(await version()).size, (size) => size > n, 20_000, 100);
}

/** Leading intervals, from the callbacks, must not overlap either. */
function assertIntervalsDisjoint(candidates: Candidate[]): void {
  const intervals = candidates.flatMap((c) => c.started.map((s, i) => ({ who: c.identity, from: s, to: c.stopped[i] ?? Infinity })));
  intervals.sort((x, y) => x.from - y.from);
  for (let i = 1; i < intervals.length; i++) {
    const prev = intervals[i - 1]!;
    const cur = intervals[i]!;
    assert.ok(cur.from >= prev.to, `${cur.who} started leading before ${prev.who} stopped`);
  }
}

void test('of two candidates exactly one leads, and the Lease names it', async () => {
  const candidates = [candidate('one-a', 'one'), candidate('one-b', 'one')];
  const sampler = sampleLeaders(candidates);
  const leader = await leaderOf(candidates);
  const follower = candidates.find((c) => c !== leader)!;
  // Several renewals later (seen in the Lease), the same candidate still leads and the other still waits.
  await renewals('one', 3);
  assert.equal(leader.elector.isLeader(), true);
  assert.equal(follower.elector.isLeader(), false);
  const spec = await leaseSpec('one');
  assert.equal(spec.holderIdentity, leader.identity);
  assert.equal(spec.leaseDurationSeconds, 3);
  assert.equal(spec.leaseTransitions, 0);
  assert.deepEqual(leader.started.length, 1);
  assert.deepEqual(follower.started, []);
  await eventually('the follower to report the leader', () => Promise.resolve(follower.newLeaders), (ids) => ids.includes(leader.identity));
  sampler.stop();
  for (const c of candidates) c.abort.abort();
  await Promise.all(candidates.map((c) => c.done));
});

void test('when the leader crashes, the other takes over once the lease has expired', async (t) => {
  const candidates = [candidate('crash-a', 'crash'), candidate('crash-b', 'crash')];
  const sampler = sampleLeaders(candidates);
  const leader = await leaderOf(candidates);
  const follower = candidates.find((c) => c !== leader)!;
  // A crash: the renew loop stops, nothing is released.
  const crashedAt = Date.now();
  leader.abort.abort();
  await leader.done;
  assert.equal(leader.elector.isLeader(), false);
  await eventually('the follower to lead', () => Promise.resolve(follower.elector.isLeader()), (l) => l, 20_000, 50);
  const waited = follower.started[0]! - crashedAt;
  t.diagnostic(`took over ${waited} ms after the crash`);
  // The last renewal was at most one retry period (0.5 s) before the crash; the lease lasts 3 s.
  assert.ok(waited >= 2000, `took over ${waited} ms after the crash, before the lease expired`);
  const spec = await leaseSpec('crash');
  assert.equal(spec.holderIdentity, follower.identity);
  assert.equal(spec.leaseTransitions, 1);
  sampler.stop();
  assertIntervalsDisjoint(candidates);
  follower.abort.abort();
  await follower.done;
});

void test('after release() the other candidate takes over without waiting for the lease to expire', async (t) => {
  // A long lease, so that waiting for its expiry (>= 8 s) and taking over at once (about a retry period) differ plainly.
  const timing = { leaseDurationMs: 10_000, renewDeadlineMs: 6000, retryPeriodMs: 500 };
  const candidates = [candidate('release-a', 'release', timing), candidate('release-b', 'release', timing)];
  const sampler = sampleLeaders(candidates);
  const leader = await leaderOf(candidates);
  const follower = candidates.find((c) => c !== leader)!;
  await eventually('the follower to see the leader', () => Promise.resolve(follower.newLeaders), (ids) => ids.includes(leader.identity));
  const releasedAt = Date.now();
  await leader.elector.release();
  assert.equal(leader.elector.isLeader(), false);
  assert.equal(leader.stopped.length, 1);
  await eventually('the follower to lead', () => Promise.resolve(follower.elector.isLeader()), (l) => l, 20_000, 50);
  const waited = follower.started[0]! - releasedAt;
  t.diagnostic(`took over ${waited} ms after the release`);
  assert.ok(waited < 5000, `took ${waited} ms to take over a released lease`);
  // An observation window past the takeover, counted in samples rather than time: one leader throughout.
  await sampler.taken(15);
  const spec = await leaseSpec('release');
  assert.equal(spec.holderIdentity, follower.identity);
  assert.equal(spec.leaseDurationSeconds, 10);
  assert.equal(spec.leaseTransitions, 1);
  // release() of a candidate that does not lead changes nothing.
  await leader.elector.release();
  assert.equal((await leaseSpec('release')).holderIdentity, follower.identity);
  sampler.stop();
  assertIntervalsDisjoint(candidates);
  follower.abort.abort();
  await follower.done;
});

void test('a released Lease is taken over through the watch, long before a retry period', async (t) => {
  // A 60 s retry period (and a lease that outlasts the test): only a follower that watches the Lease
  // can take it within seconds of the release; a polling one would wait 60 s or more.
  const timing = { leaseDurationMs: 100_000, renewDeadlineMs: 80_000, retryPeriodMs: 60_000 };
  const first = candidate('watch-a', 'watch', timing);
  const leader = await leaderOf([first]);
  const follower = candidate('watch-b', 'watch', timing);
  const candidates = [leader, follower];
  await eventually('the follower to see the leader', () => Promise.resolve(follower.newLeaders), (ids) => ids.includes('watch-a'));
  const sampler = sampleLeaders(candidates);
  const releasedAt = Date.now();
  await leader.elector.release();
  await eventually('the follower to lead', () => Promise.resolve(follower.elector.isLeader()), (l) => l, 30_000, 50);
  const waited = follower.started[0]! - releasedAt;
  t.diagnostic(`took over ${waited} ms after the release (retry period ${timing.retryPeriodMs} ms)`);
  assert.ok(waited < timing.retryPeriodMs / 4, `took ${waited} ms to take over a released lease: not driven by the watch`);
  assert.equal((await leaseSpec('watch')).holderIdentity, 'watch-b');
  // An observation window, counted in samples rather than time: one leader throughout.
  await sampler.taken(15);
  assert.equal(follower.elector.isLeader(), true);
  sampler.stop();
  assertIntervalsDisjoint(candidates);
  follower.abort.abort();
  await follower.done;
});

void test('a leader cut off from the API server steps down within renewDeadline, before the other takes over', async (t) => {
  const proxy = await pausableProxy(new URL(kc.getCurrentCluster()!.server));
  t.after(() => proxy.close());
  const cutOff = candidate('cut-a', 'cut', FAST, withServer(kc, proxy.url));
  await leaderOf([cutOff]);
  const other = candidate('cut-b', 'cut');
  const candidates = [cutOff, other];
  const sampler = sampleLeaders(candidates);
  await eventually('the other to see the leader', () => Promise.resolve(other.newLeaders), (ids) => ids.includes('cut-a'));
  const pausedAt = Date.now();
  proxy.pause();
  await eventually('the other to lead', () => Promise.resolve(other.elector.isLeader()), (l) => l, 20_000, 50);
  const steppedDown = cutOff.stopped[0];
  assert.ok(steppedDown !== undefined, 'the cut-off leader stepped down');
  t.diagnostic(`stepped down ${steppedDown - pausedAt} ms after the cut, the other took over ${other.started[0]! - pausedAt} ms after it`);
  assert.ok(steppedDown - pausedAt <= FAST.renewDeadlineMs + 1000, `stepped down ${steppedDown - pausedAt} ms after losing the API server`);
  assert.ok(other.started[0]! > steppedDown, 'the other took over only after the cut-off leader stepped down');
  assert.equal((await leaseSpec('cut')).holderIdentity, 'cut-b');
  // The step-down says why: attempts that hung, not a process that could not run.
  const loss = cutOff.elector.lastLoss;
  t.diagnostic(`loss: ${JSON.stringify(loss)}`);
  assert.equal(loss?.cause, 'renew-deadline');
  assert.ok(loss.failedAttempts >= 1, 'the renewal was attempted');
  assert.ok(loss.longestAttemptMs >= FAST.retryPeriodMs, `an attempt waited for the API server (${loss.longestAttemptMs} ms)`);
  assert.ok(loss.eventLoopDelayMaxMs < FAST.renewDeadlineMs / 2, `the event loop ran (${loss.eventLoopDelayMaxMs} ms)`);
  sampler.stop();
  assertIntervalsDisjoint(candidates);
  for (const c of candidates) c.abort.abort();
  await Promise.all(candidates.map((c) => c.done));
});

void test('a leader whose own process cannot run steps down, and its step-down names the event-loop delay', async (t) => {
  const blocked = candidate('blocked-a', 'blocked');
  await leaderOf([blocked]);
  await renewals('blocked', 1);
  // As a long garbage collection or a CPU-starved container would: nothing runs for longer than renewDeadline.
  const until = performance.now() + FAST.renewDeadlineMs + 1000;
  while (performance.now() < until) {
    /* busy */
  }
  await eventually('the blocked leader to step down', () => Promise.resolve(blocked.stopped.length), (n) => n === 1, 10_000, 50);
  const loss = blocked.elector.lastLoss;
  t.diagnostic(`loss: ${JSON.stringify(loss)}`);
  assert.equal(loss?.cause, 'renew-deadline');
  assert.ok(loss.eventLoopDelayMaxMs >= FAST.renewDeadlineMs, `the event loop was blocked ${loss.eventLoopDelayMaxMs} ms`);
  assert.ok(loss.sinceRenewalMs >= FAST.renewDeadlineMs);
  blocked.abort.abort();
  await blocked.done;
});

/** Samples health() of the candidates every 100 ms and keeps every verdict that is not healthy. */
function sampleHealth(candidates: Candidate[]) {
  const failing: string[] = [];
  const timer = setInterval(() => {
    for (const c of candidates) {
      const verdict = c.elector.health();
      if (verdict !== true) failing.push(`${c.identity}: ${verdict}`);
    }
  }, 100);
  return {
    stop(): string[] {
      clearInterval(timer);
      return failing;
    },
  };
}

// /healthz fails when the elector's loop made no progress (an attempt ended) for 4 * leaseDuration.
const HEALTH = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 500 };
const healthBoundMs = 4 * HEALTH.leaseDurationMs;

void test('/healthz verdict: a follower of a renewing leader stays healthy past the bound, though it never needs an attempt', async () => {
  const candidates = [candidate('follow-a', 'follow', HEALTH), candidate('follow-b', 'follow', HEALTH)];
  const leader = await leaderOf(candidates);
  const follower = candidates.find((c) => c !== leader)!;
  await eventually('the follower to see the leader', () => Promise.resolve(follower.newLeaders), (ids) => ids.includes(leader.identity));
  const health = sampleHealth(candidates);
  // Time must pass: the verdict is about no progress for the bound; the watch shows the follower each renewal.
  await new Promise((r) => setTimeout(r, healthBoundMs + 2000));
  assert.deepEqual(health.stop(), [], 'every verdict healthy');
  assert.equal(leader.elector.isLeader(), true);
  assert.deepEqual(follower.started, [], 'the follower kept following');
  for (const c of candidates) c.abort.abort();
  await Promise.all(candidates.map((c) => c.done));
});

void test('/healthz verdict: a follower whose Lease requests hang is waiting, not wedged, and takes over once they are answered', async () => {
  const proxy = await pausableProxy(new URL(kc.getCurrentCluster()!.server));
  after(() => proxy.close());
  const leader = await leaderOf([candidate('hang-a', 'hang', HEALTH)]);
  const follower = candidate('hang-b', 'hang', HEALTH, withServer(kc, proxy.url));
  await eventually('the follower to see the leader', () => Promise.resolve(follower.newLeaders), (ids) => ids.includes('hang-a'));
  const health = sampleHealth([follower]);
  proxy.pause();
  // Time must pass: every request of the follower hangs for longer than the bound; each attempt ends at its deadline.
  await new Promise((r) => setTimeout(r, healthBoundMs + 2000));
  assert.deepEqual(health.stop(), [], 'every verdict healthy while the API server does not answer');
  proxy.resume();
  leader.abort.abort();
  await leader.done;
  await eventually('the follower to lead', () => Promise.resolve(follower.elector.isLeader()), (l) => l, 20_000, 50);
  assert.equal(follower.elector.health(), true);
  follower.abort.abort();
  await follower.done;
});

function withServer(base: KubeConfig, server: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: base.clusters.map((c) => ({ ...c, server })),
    users: base.users,
    contexts: base.contexts,
    currentContext: base.currentContext,
  });
  return kubeConfig;
}

/** A TCP proxy to the API server that, while paused, drops its connections and black-holes new ones. */
async function pausableProxy(target: URL) {
  const sockets = new Set<Socket>();
  let paused = false;
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (paused) return;
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    url: `https://127.0.0.1:${address.port}`,
    pause(): void {
      paused = true;
      for (const s of sockets) s.destroy();
    },
    /** New connections are forwarded again (those accepted while paused stay black-holed). */
    resume(): void {
      paused = false;
    },
    close(): Promise<void> {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
