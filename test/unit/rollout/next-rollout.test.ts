// The rollout state machine, rule by rule (docs/rollouts.md "State and the machine").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelDeploymentStatusSchema } from '../../../src/api/index.ts';
import type { ModelDeploymentStatus } from '../../../src/api/index.ts';
import { nextRollout, templateHash } from '../../../src/rollout/index.ts';
import type { RolloutDecision } from '../../../src/rollout/index.ts';
import { ROUTER_PROPAGATION_GRACE_SECONDS } from '../../../src/rollout/detach.ts';
import { T0, World, at, input, spec, statusAfter } from './builders.ts';

function reasons(d: RolloutDecision): string[] {
  return d.events.map((e) => e.reason);
}

/** A world where version 7 is stable (revision 1) and steady. */
function stableWorld(options: Parameters<typeof spec>[0] = {}): World {
  const world = new World(spec(options));
  world.settle();
  return world;
}

/** A world with stable version 7 and a canary of version 8 started (not yet ready). */
function canaryWorld(options: Parameters<typeof spec>[0] = {}): World {
  const world = stableWorld(options);
  world.specValue = spec({ ...options, version: '8' });
  return world;
}

void test('first deploy: the spec becomes stable revision 1 at once, all traffic to it', () => {
  const s = spec({ version: '7' });
  const d = nextRollout(input({ spec: s }));
  assert.deepEqual(d.status.stable, { revision: 1, version: '7', template: templateHash(s.model, s.runtime) });
  assert.equal(d.status.canary, undefined);
  assert.deepEqual(d.status.traffic, [{ variant: 'stable', weight: 100, exact: true }]);
  assert.equal(d.status.trafficSummary, 'stable=100');
  assert.deepEqual(d.status.history.map((h) => [h.revision, h.version, h.outcome, h.at]), [[1, '7', 'Replaced', '2025-06-01T12:00:00Z']]);
  assert.deepEqual(d.status.history[0]!.model, s.model);
  assert.equal(d.status.rollout.lastRevision, 1);
  assert.equal(d.plan.stable.version, '7');
  assert.equal(d.plan.canary, undefined);
  assert.deepEqual(d.plan.replicas, { stable: { replicas: 10 } });
  assert.deepEqual(d.plan.weights, { stable: 100, canary: 0, exact: true });
  assert.deepEqual(d.events, []);
  assert.equal(d.inProgress, false);
  assert.equal(d.stalled, undefined);
  assert.equal(d.requeueAfterMs, undefined);
  assert.ok(modelDeploymentStatusSchema.safeParse(d.status).success);
});

void test('first deploy with requests already on the object: they are recorded as handled, not acted on', () => {
  const d = nextRollout(input({ spec: spec(), requests: { promote: 'p1', abort: 'a1', rollback: { id: 'r1/1', revision: 1 } } }));
  assert.deepEqual(d.status.rollout.handledRequests, { rollback: 'r1/1', abort: 'a1', promote: 'p1' });
  assert.deepEqual(d.events, []);
});

void test('steady state: the same spec again changes nothing', () => {
  const world = stableWorld();
  const before = world.status;
  const d = world.step();
  assert.deepEqual(d.events, []);
  assert.deepEqual(world.status, before);
});

void test('replicas or rollout settings changing keep the template: no new revision, no canary', () => {
  const world = stableWorld();
  world.specValue = spec({ replicas: 3, steps: [{ weight: 20 }] });
  const d = world.step();
  assert.deepEqual(d.events, []);
  assert.equal(d.status.stable.revision, 1);
  assert.deepEqual(d.plan.replicas, { stable: { replicas: 3 } });
});

void test('strategy immediate: a new template replaces stable in place; history records it', () => {
  const world = stableWorld({ strategy: 'immediate' });
  world.specValue = spec({ strategy: 'immediate', version: '8' });
  const d = world.step();
  assert.deepEqual(reasons(d), ['Replaced']);
  assert.deepEqual(d.status.stable, { revision: 2, version: '8', template: d.status.history[0]!.template });
  assert.equal(d.status.canary, undefined);
  assert.equal(d.plan.canary, undefined);
  assert.equal(d.plan.stable.version, '8');
  assert.deepEqual(d.status.history.map((h) => [h.revision, h.outcome]), [[2, 'Replaced'], [1, 'Replaced']]);
});

void test('canary: a new template starts a canary at step 0 beside stable, which keeps serving the old spec', () => {
  const world = canaryWorld();
  const d = world.decide();
  assert.deepEqual(reasons(d), ['CanaryStarted']);
  assert.equal(d.status.canary?.revision, 2);
  assert.equal(d.status.canary?.version, '8');
  assert.equal(d.status.canary?.step, 0);
  assert.equal(d.status.canary?.weight, 0);
  assert.equal(d.status.canary?.phase, 'Progressing');
  assert.equal(d.status.canary?.stepStartedAt, '2025-06-01T12:00:00Z');
  assert.equal(d.plan.stable.version, '7');
  assert.equal(d.plan.stable.revision, 1);
  assert.equal(d.plan.canary?.version, '8');
  assert.equal(d.plan.canary?.revision, 2);
  // Sized for its first weight (10% of 10) before any traffic moves.
  assert.deepEqual(d.plan.replicas, { stable: { replicas: 10 }, canary: { replicas: 1 } });
  assert.deepEqual(d.plan.weights, { stable: 100, canary: 0, exact: true });
  assert.equal(d.inProgress, true);
  assert.match(d.message, /waiting for canary revision 2 \(version 8\) to be ready/);
  assert.deepEqual(d.status.history.map((h) => h.revision), [1], 'a canary enters history when it ends');
});

void test('a weight step applies its weight once the canary is ready and completes when the router reports it', () => {
  const world = canaryWorld();
  world.decide();
  // Canary Deployment exists but is not rolled out: the weight waits.
  world.observed = { stable: { revision: 1, ready: true, updatedReady: true }, canary: { revision: 2, ready: true, updatedReady: false }, routerWeight: 0 };
  let d = world.decide();
  assert.equal(d.status.canary?.weight, 0);
  assert.deepEqual(d.events, []);
  // Rolled out: the weight applies; the router still says 0.
  world.observed = { ...world.observed, canary: { revision: 2, ready: true, updatedReady: true } };
  d = world.decide();
  assert.equal(d.status.canary?.weight, 10);
  assert.equal(d.status.canary?.step, 0);
  assert.deepEqual(d.plan.weights, { stable: 90, canary: 10, exact: true });
  assert.equal(d.status.trafficSummary, 'stable=90 canary=10');
  assert.deepEqual(d.status.traffic, [
    { variant: 'stable', weight: 90, exact: true },
    { variant: 'canary', weight: 10, exact: true },
  ]);
  assert.deepEqual(d.events, []);
  // The router reports 10: the step is done and the pause begins.
  world.now = at(5);
  world.observed = { ...world.observed, routerWeight: 10 };
  d = world.decide();
  assert.deepEqual(reasons(d), ['StepAdvanced', 'Paused']);
  assert.equal(d.status.canary?.step, 1);
  assert.equal(d.status.canary?.phase, 'Paused');
  assert.equal(d.status.canary?.stepStartedAt, '2025-06-01T12:00:05Z');
  assert.equal(d.requeueAfterMs, 600_000);
});

void test('a pause with a duration completes when it has elapsed since stepStartedAt', () => {
  const world = canaryWorld();
  world.settle();
  assert.equal(world.status?.canary?.step, 1);
  world.advance(599);
  let d = world.step();
  assert.deepEqual(d.events, []);
  assert.equal(d.requeueAfterMs, 1000);
  world.advance(1);
  d = world.step();
  assert.deepEqual(reasons(d), ['StepAdvanced']);
  assert.equal(d.status.canary?.step, 2);
  assert.equal(d.status.canary?.weight, 50, 'the canary is ready: weight 50 applies in the same decision');
  assert.deepEqual(d.plan.replicas, { stable: { replicas: 10 }, canary: { replicas: 5 } });
});

void test('pause {} holds the split until promoted, however long it takes: a long-running A/B test', () => {
  const world = canaryWorld();
  world.settle();
  world.advance(600);
  const events = world.settle();
  assert.deepEqual(events, ['StepAdvanced', 'StepAdvanced', 'Paused']);
  assert.equal(world.status?.canary?.step, 3);
  assert.equal(world.status?.canary?.phase, 'Paused');
  assert.equal(world.status?.canary?.weight, 50);
  world.advance(30 * 86400);
  const d = world.step();
  assert.deepEqual(d.events, []);
  assert.equal(d.requeueAfterMs, undefined);
  assert.match(d.message, /paused until promoted/);
});

void test('promote: stable takes the canary spec; the canary goes only once stable is rolled out and traffic left it', () => {
  const world = canaryWorld({ scaleDownDelaySeconds: 30 });
  world.settle();
  world.requests = { promote: 'p1' };
  let d = world.decide();
  assert.deepEqual(reasons(d), ['Promoting']);
  assert.equal(d.status.canary?.phase, 'Promoting');
  assert.equal(d.plan.stable.version, '8', 'stable renders the canary spec');
  assert.equal(d.plan.stable.revision, 2);
  assert.equal(d.plan.canary?.version, '8', 'the canary keeps serving meanwhile');
  assert.equal(d.plan.weights.canary, 10, 'traffic stays until stable is ready');
  assert.equal(d.status.stable.revision, 1, 'stable in status changes when the promotion is done');
  // Stable rolls out revision 2: all traffic moves to it, the canary keeps its pods.
  world.observed = { ...world.observed, stable: { revision: 2, ready: true, updatedReady: true } };
  world.now = at(10);
  d = world.decide();
  assert.equal(d.status.canary?.weight, 0);
  assert.deepEqual(d.plan.weights, { stable: 100, canary: 0, exact: true });
  assert.deepEqual(d.plan.replicas.canary, { replicas: 1 }, 'still sized for its traffic while it drains');
  assert.deepEqual(d.events, []);
  assert.equal(d.plan.detached, true, 'the router is rendered without the canary, its pods stay');
  // The router reports 0 to the canary but still names its Service: the pods stay, however long.
  world.observed = { ...world.observed, routerWeight: 0, routerNamesCanary: true };
  world.now = at(100);
  d = world.decide();
  assert.ok(d.plan.canary);
  assert.equal(d.requeueAfterMs, undefined);
  assert.match(d.message, /router to drop the canary's Service/);
  // The router is seen without it: its pods go scaleDownDelaySeconds from then.
  world.observed = { ...world.observed, routerNamesCanary: false };
  d = world.decide();
  assert.equal(d.status.canary?.detachedAt, '2025-06-01T12:01:40Z');
  assert.equal(d.requeueAfterMs, 30_000);
  assert.ok(d.plan.canary);
  world.now = at(129);
  d = world.decide();
  assert.ok(d.plan.canary);
  world.now = at(130);
  d = world.decide();
  assert.deepEqual(reasons(d), ['Promoted']);
  assert.deepEqual(d.status.stable, { revision: 2, version: '8', template: d.status.history[0]!.template });
  assert.equal(d.status.canary, undefined);
  assert.equal(d.plan.canary, undefined);
  assert.equal(d.plan.stable.version, '8');
  assert.deepEqual(d.status.history.map((h) => [h.revision, h.outcome]), [[2, 'Promoted'], [1, 'Replaced']]);
  assert.equal(d.inProgress, false);
});

void test('after the last step the canary is promoted without a request', () => {
  const world = canaryWorld({ steps: [{ weight: 20 }, { pause: { duration: '1m' } }], scaleDownDelaySeconds: 0 });
  world.settle();
  world.advance(60);
  const events = world.settle();
  assert.deepEqual(events, ['StepAdvanced', 'Promoting']);
  world.advance(ROUTER_PROPAGATION_GRACE_SECONDS);
  assert.deepEqual(world.settle(), ['Promoted']);
  assert.equal(world.status?.stable?.version, '8');
  assert.equal(world.status?.canary, undefined);
});

void test('abort: weight 0 at once, phase Aborted, canary removed after scaleDownDelaySeconds, stalled until spec or retry', () => {
  const world = canaryWorld({ scaleDownDelaySeconds: 30 });
  world.settle();
  world.requests = { abort: 'a1' };
  let d = world.decide();
  assert.deepEqual(reasons(d), ['Aborted']);
  assert.equal(d.events[0]!.type, 'Warning');
  assert.equal(d.status.canary?.phase, 'Aborted');
  assert.equal(d.status.canary?.weight, 0);
  assert.deepEqual(d.plan.weights, { stable: 100, canary: 0, exact: true });
  assert.ok(d.plan.canary, 'canary pods kept for the delay');
  assert.deepEqual(d.plan.replicas.canary, { replicas: 1 });
  assert.equal(d.plan.stable.version, '7');
  assert.equal(d.plan.detached, true, 'the router is rendered without the canary');
  assert.equal(d.requeueAfterMs, undefined, 'the delay counts once the router is seen without the canary');
  assert.equal(d.stalled?.reason, 'RolloutAborted');
  assert.equal(d.inProgress, false);
  assert.deepEqual(d.status.history.map((h) => [h.revision, h.outcome]), [[2, 'Aborted'], [1, 'Replaced']]);
  assert.deepEqual(d.status.rollout.handledRequests, { abort: 'a1' });
  world.observed = { ...world.observed, routerWeight: 0, routerNamesCanary: false };
  d = world.decide();
  assert.equal(d.requeueAfterMs, 30_000);
  assert.ok(d.plan.canary);
  world.now = at(30);
  d = world.decide();
  assert.equal(d.plan.canary, undefined, 'pods removed after the delay');
  assert.equal(d.status.canary?.phase, 'Aborted', 'status still says what happened');
  assert.equal(d.stalled?.reason, 'RolloutAborted');
  assert.deepEqual(d.events, []);
  assert.equal(d.status.trafficSummary, 'stable=100');
});

for (const provider of ['traefik', 'gateway-api', 'istio'] as const) {
  void test(`${provider}: a canary enters the router with its first weight, not while its pods start`, () => {
    const world = canaryWorld({ provider });
    let d = world.decide();
    assert.deepEqual(reasons(d), ['CanaryStarted']);
    assert.ok(d.plan.canary);
    assert.equal(d.plan.detached, true, 'no share yet: the router does not name a Service whose pods start');
    world.observed = { ...world.observed, canary: { revision: 2, ready: true, updatedReady: true } };
    d = world.decide();
    assert.equal(d.plan.weights.canary, 10);
    assert.equal(d.plan.detached, undefined, 'rolled out, with a share: in the router');
  });

  void test(`${provider}, scaleDownDelaySeconds 0: a promoted canary leaves the router before its pods go`, () => {
    const world = canaryWorld({ provider, scaleDownDelaySeconds: 0 });
    world.settle();
    world.requests = { promote: 'p1' };
    world.decide();
    world.observed = { ...world.observed, stable: { revision: 2, ready: true, updatedReady: true } };
    let d = world.decide();
    assert.equal(d.status.canary?.weight, 0, 'drained');
    assert.equal(d.plan.detached, true, 'rendered out of the router in the same step');
    assert.ok(d.plan.canary, 'its pods stay');
    // Weight 0 applied, but the live router still names the canary's Service: its pods must stay.
    world.observed = { ...world.observed, routerWeight: 0, routerNamesCanary: true };
    world.advance(600);
    d = world.decide();
    assert.deepEqual(reasons(d), []);
    assert.ok(d.plan.canary, 'no pods removed while the router names the canary');
    assert.equal(d.status.canary?.phase, 'Promoting');
    // Seen without it: the pods go after the propagation grace, not at once.
    world.observed = { ...world.observed, routerNamesCanary: false };
    d = world.decide();
    assert.ok(d.plan.canary);
    assert.equal(d.requeueAfterMs, ROUTER_PROPAGATION_GRACE_SECONDS * 1000);
    world.advance(ROUTER_PROPAGATION_GRACE_SECONDS);
    d = world.decide();
    assert.deepEqual(reasons(d), ['Promoted']);
    assert.equal(d.plan.canary, undefined);
  });

  void test(`${provider}, scaleDownDelaySeconds 0: an aborted canary leaves the router before its pods go`, () => {
    const world = canaryWorld({ provider, scaleDownDelaySeconds: 0 });
    world.settle();
    world.requests = { abort: 'a1' };
    let d = world.decide();
    assert.deepEqual(reasons(d), ['Aborted']);
    assert.equal(d.plan.detached, true);
    assert.ok(d.plan.canary, 'its pods stay while the router names it');
    world.advance(600);
    d = world.decide();
    assert.ok(d.plan.canary, 'still: the router was not seen without it');
    world.observed = { ...world.observed, routerWeight: 0, routerNamesCanary: false };
    d = world.decide();
    assert.ok(d.plan.canary);
    assert.equal(d.requeueAfterMs, ROUTER_PROPAGATION_GRACE_SECONDS * 1000);
    world.advance(ROUTER_PROPAGATION_GRACE_SECONDS);
    d = world.decide();
    assert.equal(d.plan.canary, undefined, 'pods removed');
    assert.equal(d.status.canary?.phase, 'Aborted');
  });
}

void test('replicas, scaleDownDelaySeconds 0: no router to leave, the canary goes once its pods are drained', () => {
  const world = canaryWorld({ provider: 'replicas', scaleDownDelaySeconds: 0 });
  world.settle();
  world.requests = { promote: 'p1' };
  const events = world.settle();
  assert.deepEqual(events, ['Promoting', 'Promoted']);
  assert.equal(world.last?.plan.detached, undefined);
});

void test('abort with the replicas provider scales the canary to 0 at once (its pods are the split)', () => {
  const world = canaryWorld({ provider: 'replicas' });
  world.settle();
  assert.deepEqual(world.last?.plan.replicas, { stable: { replicas: 9 }, canary: { replicas: 1 } });
  world.requests = { abort: 'a1' };
  const d = world.decide();
  assert.deepEqual(d.plan.replicas, { stable: { replicas: 10 }, canary: { replicas: 0 } });
  assert.equal(d.plan.weights.canary, 0);
});

void test('retry after abort restarts the canary from step 0 with the same revision', () => {
  const world = canaryWorld();
  world.settle();
  world.requests = { abort: 'a1' };
  world.settle();
  world.requests = { abort: 'a1', retry: 'r1' };
  const d = world.decide();
  assert.deepEqual(reasons(d), ['CanaryRestarted']);
  assert.equal(d.status.canary?.revision, 2);
  assert.equal(d.status.canary?.step, 0);
  assert.equal(d.status.canary?.phase, 'Progressing');
  assert.equal(d.stalled, undefined);
});

void test('the spec back to the stable template during a canary aborts it without stalling', () => {
  const world = canaryWorld({ scaleDownDelaySeconds: 30 });
  world.settle();
  world.specValue = spec({ version: '7', scaleDownDelaySeconds: 30 });
  let d = world.decide();
  assert.deepEqual(reasons(d), ['Aborted']);
  assert.equal(d.events[0]!.type, 'Normal');
  assert.equal(d.status.canary?.phase, 'Aborted');
  assert.equal(d.plan.weights.canary, 0);
  assert.equal(d.plan.canary?.version, '8', 'the canary renders its own snapshot while it scales down');
  assert.equal(d.stalled, undefined);
  world.observed = { ...world.observed, routerWeight: 0, routerNamesCanary: false };
  assert.ok(world.decide().plan.canary, 'seen without the router: the delay starts');
  world.now = at(30);
  d = world.decide();
  assert.equal(d.status.canary, undefined, 'forgotten once its pods are gone');
  assert.equal(d.plan.canary, undefined);
  assert.equal(d.stalled, undefined);
});

void test('a new template during a canary restarts it at step 0 with a new revision; the old one is recorded as aborted', () => {
  const world = canaryWorld();
  world.settle();
  world.specValue = spec({ version: '9' });
  const d = world.decide();
  assert.deepEqual(reasons(d), ['CanaryRestarted']);
  assert.equal(d.status.canary?.revision, 3);
  assert.equal(d.status.canary?.version, '9');
  assert.equal(d.status.canary?.step, 0);
  assert.equal(d.status.canary?.weight, 0, 'revision 3 is not ready yet');
  assert.deepEqual(d.status.history.map((h) => [h.revision, h.outcome]), [[2, 'Aborted'], [1, 'Replaced']]);
  assert.equal(d.stalled, undefined);
});

void test('an aborted canary and then a new spec: a new canary starts', () => {
  const world = canaryWorld();
  world.settle();
  world.requests = { abort: 'a1' };
  world.settle();
  world.specValue = spec({ version: '9' });
  const d = world.decide();
  assert.deepEqual(reasons(d), ['CanaryStarted']);
  assert.equal(d.status.canary?.revision, 3);
  assert.equal(d.stalled, undefined);
});

/** Stable version 8 (revision 2) promoted over version 7 (revision 1). */
function promotedWorld(): World {
  const world = canaryWorld({ scaleDownDelaySeconds: 0 });
  world.settle();
  world.requests = { promote: 'p1' };
  world.settle();
  world.advance(ROUTER_PROPAGATION_GRACE_SECONDS);
  world.settle();
  assert.equal(world.status?.stable?.revision, 2);
  return world;
}

void test('rollback to a history revision: served at once without steps, and the spec is held until it changes', () => {
  const world = promotedWorld();
  world.requests = { ...world.requests, rollback: { id: 'r1/1', revision: 1 } };
  let d = world.step();
  assert.deepEqual(reasons(d), ['RolledBack']);
  assert.equal(d.status.stable.revision, 1);
  assert.equal(d.plan.stable.version, '7');
  assert.equal(d.plan.canary, undefined);
  assert.deepEqual(d.status.history.map((h) => [h.revision, h.outcome]), [[1, 'RolledBack'], [2, 'Promoted']]);
  assert.equal(d.status.rollout.rolledBack?.revision, 2);
  assert.equal(d.stalled?.reason, 'RolledBack');
  // Git still says version 8: no canary starts.
  const events = world.settle();
  assert.deepEqual(events, []);
  assert.equal(world.status?.canary, undefined);
  // Git moves on to version 9: held no more, a canary starts.
  world.specValue = spec({ version: '9', scaleDownDelaySeconds: 0 });
  d = world.decide();
  assert.deepEqual(reasons(d), ['CanaryStarted']);
  assert.equal(d.status.rollout.rolledBack, undefined);
  assert.equal(d.stalled, undefined);
});

void test('retry after a rollback rolls the spec out again as a canary (same revision)', () => {
  const world = promotedWorld();
  world.requests = { ...world.requests, rollback: { id: 'r1/1', revision: 1 } };
  world.settle();
  world.requests = { ...world.requests, retry: 't1' };
  const d = world.decide();
  assert.deepEqual(reasons(d), ['CanaryStarted'], 'rolled back from once: it walks the steps again');
  assert.equal(d.status.canary?.revision, 2);
  assert.equal(d.status.stable.revision, 1);
  assert.equal(d.stalled, undefined);
});

void test('rollback without a revision goes to the newest known-good revision other than stable', () => {
  const world = promotedWorld();
  world.requests = { ...world.requests, rollback: { id: 'now' } };
  const d = world.step();
  assert.deepEqual(reasons(d), ['RolledBack']);
  assert.equal(d.status.stable.revision, 1);
});

void test('rollback during a canary aborts it and serves the revision at once', () => {
  const world = promotedWorld();
  world.specValue = spec({ version: '9', scaleDownDelaySeconds: 0 });
  world.settle();
  assert.equal(world.status?.canary?.revision, 3);
  world.requests = { ...world.requests, rollback: { id: 'r2/1', revision: 1 } };
  const d = world.decide();
  assert.deepEqual(reasons(d), ['Aborted', 'RolledBack']);
  assert.equal(d.status.stable.revision, 1);
  assert.equal(d.status.canary?.phase, 'Aborted');
  assert.equal(d.plan.weights.canary, 0);
  assert.equal(d.stalled?.reason, 'RolloutAborted');
  assert.equal(d.status.rollout.rolledBack, undefined, 'the aborted canary holds the spec already');
});

void test('rollback requests that cannot be served are ignored with a Warning, once', () => {
  for (const [rollback, why] of [
    [{ id: 'x/9', revision: 9 }, /revision 9 is not in status.history/],
    [{ id: 'x/2', revision: 2 }, /already stable/],
  ] as const) {
    const world = promotedWorld();
    const before = world.status;
    world.requests = { ...world.requests, rollback };
    let d = world.step();
    assert.deepEqual(reasons(d), ['RequestIgnored']);
    assert.equal(d.events[0]!.type, 'Warning');
    assert.match(d.events[0]!.message, why);
    assert.deepEqual({ ...world.status, rollout: undefined }, { ...before, rollout: undefined });
    d = world.step();
    assert.deepEqual(d.events, [], 'handled once');
  }
});

void test('rollback to an aborted revision is refused: it is not known-good', () => {
  const world = canaryWorld();
  world.settle();
  world.requests = { abort: 'a1' };
  world.settle();
  world.requests = { abort: 'a1', rollback: { id: 'x/2', revision: 2 } };
  const d = world.decide();
  assert.deepEqual(reasons(d), ['RequestIgnored']);
  assert.match(d.events[0]!.message, /was aborted/);
});

void test('Git back to a known-good revision is fast-tracked: no canary, no steps', () => {
  const world = promotedWorld();
  world.specValue = spec({ version: '7', scaleDownDelaySeconds: 0 });
  const d = world.decide();
  assert.deepEqual(reasons(d), ['RolledBack']);
  assert.equal(d.status.stable.revision, 1, 'the revision keeps its number');
  assert.equal(d.status.canary, undefined);
  assert.equal(d.status.rollout.lastRevision, 2);
});

void test('strategy switched to immediate during a canary promotes it', () => {
  const world = canaryWorld();
  world.settle();
  world.specValue = spec({ version: '8', strategy: 'immediate' });
  const d = world.decide();
  assert.deepEqual(reasons(d), ['Promoting']);
  assert.equal(d.status.canary?.phase, 'Promoting');
});

void test('requests act once per id: the same promote id again does nothing; a new id acts', () => {
  const world = canaryWorld();
  world.settle();
  world.requests = { promote: 'p1' };
  assert.deepEqual(reasons(world.decide()), ['Promoting']);
  assert.deepEqual(reasons(world.decide()), []);
  world.requests = { promote: 'p2' };
  const d = world.decide();
  assert.deepEqual(reasons(d), ['RequestIgnored'], 'already promoting');
  assert.equal(d.status.rollout.handledRequests?.promote, 'p2');
});

void test('promote, abort and retry without anything to act on are ignored with a Warning', () => {
  const world = stableWorld();
  world.requests = { promote: 'p', abort: 'a', retry: 'r' };
  const d = world.decide();
  assert.deepEqual(reasons(d), ['RequestIgnored', 'RequestIgnored', 'RequestIgnored']);
  assert.ok(d.events.every((e) => e.type === 'Warning'));
});

void test('an operator restart resumes from status: a fresh machine decides the same from the stored status', () => {
  const world = canaryWorld();
  world.settle();
  world.advance(120);
  const stored = JSON.parse(JSON.stringify(world.status)) as ModelDeploymentStatus;
  const a = nextRollout({ spec: world.specValue, status: stored, requests: {}, observed: world.observed, now: world.now });
  const b = world.decide();
  assert.deepEqual(a, b);
  assert.equal(a.status.canary?.step, 1);
  assert.equal(a.requeueAfterMs, 480_000, 'the pause keeps its start time across the restart');
});

void test('revision numbers grow by one per new template, and a known template keeps its number', () => {
  const world = stableWorld({ strategy: 'immediate' });
  const revisions: number[] = [];
  for (const version of ['8', '9', '8', '10']) {
    world.specValue = spec({ strategy: 'immediate', version });
    world.settle();
    revisions.push(world.status!.stable!.revision);
  }
  assert.deepEqual(revisions, [2, 3, 2, 4]);
  assert.equal(world.status?.rollout?.lastRevision, 4);
});

void test('history: newest first, at most 10 revisions, and the stable revision is never dropped', () => {
  const world = stableWorld({ strategy: 'immediate' });
  for (let v = 8; v < 20; v++) {
    world.specValue = spec({ strategy: 'immediate', version: String(v) });
    world.settle();
  }
  const history = world.status!.history!;
  assert.equal(history.length, 10);
  assert.deepEqual(history.map((h) => h.revision), [13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
  // Stable at revision 1 (a rollback), then ten aborted canaries: revision 1 stays.
  const w2 = promotedWorld();
  w2.requests = { ...w2.requests, rollback: { id: 'back/1', revision: 1 } };
  w2.settle();
  for (let v = 10; v < 22; v++) {
    w2.specValue = spec({ version: String(v), scaleDownDelaySeconds: 0 });
    w2.settle();
    w2.requests = { ...w2.requests, abort: `a${v}` };
    w2.settle();
  }
  const h2 = w2.status!.history!;
  assert.equal(h2.length, 10);
  assert.ok(h2.some((h) => h.revision === 1), 'stable revision 1 kept');
  assert.equal(w2.last?.plan.stable.version, '7');
});

void test('a stable revision whose model and runtime are lost: the spec is served as stable, with a Warning', () => {
  const s = spec({ version: '8' });
  const status: ModelDeploymentStatus = { stable: { revision: 4, version: '7', template: 'ffffffffffffffff' }, history: [] };
  const d = nextRollout(input({ spec: s, status }));
  assert.deepEqual(reasons(d), ['HistoryMissing']);
  assert.equal(d.status.stable.revision, 5);
  assert.equal(d.plan.stable.version, '8');
});

void test('cohort match and mirror are planned only while the canary serves, and only for routers', () => {
  const match = [{ headers: { 'x-model-variant': 'canary' } }];
  const world = canaryWorld({ provider: 'istio', mirror: 10, match });
  let d = world.decide();
  assert.equal(d.plan.mirrorPercent, undefined, 'not ready yet');
  assert.equal(d.plan.cohortMatch, undefined);
  world.observed = observedFor(d);
  d = world.decide();
  assert.equal(d.plan.mirrorPercent, 10);
  assert.deepEqual(d.plan.cohortMatch, match);
  assert.equal(d.status.trafficSummary, 'stable=90 canary=10 mirror=10%');
  world.requests = { abort: 'a' };
  d = world.decide();
  assert.equal(d.plan.mirrorPercent, undefined);
  assert.equal(d.plan.cohortMatch, undefined);
});

function observedFor(d: RolloutDecision): World['observed'] {
  return {
    stable: { revision: d.plan.stable.revision, ready: true, updatedReady: true },
    canary: d.plan.canary && { revision: d.plan.canary.revision, ready: true, updatedReady: true },
    routerWeight: d.plan.weights.canary,
  };
}

void test('replicas provider: weights are approximated by pod counts and say so', () => {
  const world = canaryWorld({ provider: 'replicas', replicas: 3 });
  world.settle();
  const d = world.last!;
  assert.deepEqual(d.plan.replicas, { stable: { replicas: 2 }, canary: { replicas: 1 } });
  assert.deepEqual(d.plan.weights, { stable: 67, canary: 33, exact: false });
  assert.deepEqual(d.status.traffic, [
    { variant: 'stable', weight: 67, exact: false },
    { variant: 'canary', weight: 33, exact: false },
  ]);
  assert.equal(d.status.trafficSummary, 'stable=67 canary=33 (approximate)');
  assert.equal(d.status.canary?.step, 1, 'the step completed: the router (the pods) reported the effective weight');
});

void test('status written by the machine is valid for the CRD and survives a JSON round trip', () => {
  const world = canaryWorld();
  world.settle();
  const parsed = modelDeploymentStatusSchema.safeParse(world.status);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  const again = nextRollout({ spec: world.specValue, status: statusAfter(undefined, world.last!), requests: {}, observed: world.observed, now: world.now });
  assert.deepEqual(again.events, []);
  assert.equal(T0.toISOString(), '2025-06-01T12:00:00.000Z');
});

void test('a request id longer than status keeps is stored hashed and still acts once', () => {
  const world = canaryWorld();
  world.settle();
  world.requests = { promote: 'p'.repeat(300) };
  assert.deepEqual(reasons(world.decide()), ['Promoting']);
  assert.match(world.status?.rollout?.handledRequests?.promote ?? '', /^sha256:/);
  assert.deepEqual(reasons(world.decide()), []);
  assert.ok(modelDeploymentStatusSchema.safeParse(world.status).success);
});
