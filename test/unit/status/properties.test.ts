// Properties of computeStatus over random observations (fast-check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { modelDeploymentStatusSchema } from '../../../src/api/index.ts';
import type { ModelDeploymentStatus } from '../../../src/api/index.ts';
import { computeStatus, isTrue, kstatusOf, statusEqual } from '../../../src/status/index.ts';
import type { DeploymentObservation, Observations } from '../../../src/status/index.ts';
import { observationsArb } from './arbitraries.ts';
import { LATER, NOW } from './fixtures.ts';

/** A previous status as an earlier reconcile (of maybe another generation) would have written it. */
const previousArb: fc.Arbitrary<ModelDeploymentStatus | undefined> = fc.option(
  observationsArb.map((obs) => computeStatus(undefined, obs, NOW)),
  { nil: undefined },
);

const RUNS = { numRuns: 500 };

/** An oracle written independently of progress.ts: the plainest signs that a Deployment is not done. */
function plainlyUnfinished(d: DeploymentObservation): boolean {
  const desired = d.replicas ?? 1;
  return (
    !d.exists ||
    d.observedGeneration === undefined ||
    (d.generation !== undefined && d.observedGeneration < d.generation) ||
    (d.updatedReplicas ?? 0) < desired ||
    (d.readyReplicas ?? 0) < desired
  );
}

function kstatus(obs: Observations, status: ModelDeploymentStatus) {
  return kstatusOf({ metadata: { generation: obs.generation }, status });
}

void test('idempotent: computing again from its own output, later, gives an equal status', () => {
  fc.assert(
    fc.property(previousArb, observationsArb, (previous, obs) => {
      const once = computeStatus(previous, obs, NOW);
      const twice = computeStatus(once, obs, LATER);
      assert.ok(statusEqual(once, twice), `${JSON.stringify(once)}\n!=\n${JSON.stringify(twice)}`);
    }),
    RUNS,
  );
});

void test('the status is valid for the CRD, and every condition is for this generation with a reason and a message', () => {
  fc.assert(
    fc.property(previousArb, observationsArb, (previous, obs) => {
      const status = computeStatus(previous, obs, NOW);
      const parsed = modelDeploymentStatusSchema.safeParse(status);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      for (const c of status.conditions ?? []) {
        if (c.type === 'RolloutInProgress') continue;
        assert.equal(c.observedGeneration, obs.generation);
        assert.ok(c.message.length > 0);
      }
    }),
    RUNS,
  );
});

void test('never Reconciling and Stalled together, never Ready with either', () => {
  fc.assert(
    fc.property(previousArb, observationsArb, (previous, obs) => {
      const c = computeStatus(previous, obs, NOW).conditions;
      assert.ok(!(isTrue(c, 'Reconciling') && isTrue(c, 'Stalled')));
      if (isTrue(c, 'Ready')) assert.ok(!isTrue(c, 'Reconciling') && !isTrue(c, 'Stalled'));
    }),
    RUNS,
  );
});

void test('kstatus agrees with Ready: Current exactly when Ready=True', () => {
  fc.assert(
    fc.property(previousArb, observationsArb, (previous, obs) => {
      const status = computeStatus(previous, obs, NOW);
      assert.equal(kstatus(obs, status) === 'Current', isTrue(status.conditions, 'Ready'));
    }),
    RUNS,
  );
});

void test('kstatus never says Current while a Deployment is not fully ready, an apply failed or rendering failed', () => {
  fc.assert(
    fc.property(previousArb, observationsArb, (previous, obs) => {
      const status = computeStatus(previous, obs, NOW);
      if (obs.deployments.some(plainlyUnfinished) || obs.applyErrors.length > 0 || obs.renderError !== undefined) {
        assert.notEqual(kstatus(obs, status), 'Current');
      }
    }),
    RUNS,
  );
});

void test('Stalled=True means kstatus Failed, unless an apply is still being retried', () => {
  fc.assert(
    fc.property(previousArb, observationsArb, (previous, obs) => {
      const status = computeStatus(previous, obs, NOW);
      const retrying = obs.applyErrors.some((e) => e.retryable ?? (e.code === undefined || e.code >= 500 || [408, 409, 429].includes(e.code)));
      if (isTrue(status.conditions, 'Stalled') && !retrying) assert.equal(kstatus(obs, status), 'Failed');
    }),
    RUNS,
  );
});

void test('the order of Deployments, pods and apply errors does not matter', () => {
  fc.assert(
    fc.property(previousArb, observationsArb, fc.nat(), (previous, obs, seed) => {
      const shuffled: Observations = {
        ...obs,
        deployments: shuffle(obs.deployments, seed),
        pods: shuffle(obs.pods, seed + 1),
        applyErrors: shuffle(obs.applyErrors, seed + 2),
      };
      assert.ok(statusEqual(computeStatus(previous, obs, NOW), computeStatus(previous, shuffled, NOW)));
    }),
    RUNS,
  );
});

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
