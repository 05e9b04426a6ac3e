// The evidence the machine asks for (decision.evidenceNeeded): the smoke check once the canary revision
// is rolled out, live and not validated yet; the Job's result only while the Job validation runs; a
// measurement exactly when one is due. Nothing else, and never about another revision.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Json } from '../../fixtures/manifests.ts';
import { World, spec, type SpecOptions } from './builders.ts';

const STEPS: Json[] = [{ weight: 10 }, { weight: 50 }];
const SMOKE = { smoke: { samples: { configMap: 'fraud-samples' } } };
const JOB = { job: { image: 'registry.example/holdout-scorer:1' } };
const ANALYSIS = { interval: '1m' };

/** Stable version 7 steady; the spec moved to version 8 (revision 2): CanaryStarted, the canary not rolled out yet. */
function canaryStarted(options: SpecOptions): World {
  const world = new World(spec(options));
  world.settle();
  world.specValue = spec({ ...options, version: '8' });
  world.decide();
  return world;
}

const notRolledOut = (world: World) => ({ ...world.observed, canary: { revision: 2, ready: true, updatedReady: false } });

void test('smoke check: asked for once the canary revision is rolled out, until it passed', () => {
  const world = canaryStarted({ steps: STEPS, validation: SMOKE });
  assert.deepEqual(world.last?.evidenceNeeded, [], 'no canary pods yet');
  world.observed = notRolledOut(world);
  assert.deepEqual(world.decide().evidenceNeeded, [], 'not rolled out');
  world.observed = { ...world.observed, canary: { revision: 1, ready: true, updatedReady: true } };
  assert.deepEqual(world.decide().evidenceNeeded, [], 'the canary Deployment still runs another revision');
  world.observed = { ...world.observed, canary: { revision: 2, ready: true, updatedReady: true } };
  assert.deepEqual(world.decide().evidenceNeeded, [{ kind: 'smoke-check', revision: 2 }]);
  world.observed = { ...world.observed, validation: { revision: 2, method: 'smoke', phase: 'Passed' } };
  assert.deepEqual(world.decide().evidenceNeeded, [], 'passed in this very decision: not asked again');
});

void test('smoke check: a failed one aborts the canary and nothing more is asked for', () => {
  const world = canaryStarted({ steps: STEPS, validation: SMOKE });
  world.observed = { ...world.observed, canary: { revision: 2, ready: true, updatedReady: true }, validation: { revision: 2, method: 'smoke', phase: 'Failed', message: 'HTTP 500' } };
  const d = world.decide();
  assert.equal(d.status.canary?.phase, 'Aborted');
  assert.deepEqual(d.evidenceNeeded, []);
});

void test('Job result: asked for only while the Job validation runs', () => {
  const world = canaryStarted({ steps: STEPS, validation: JOB });
  world.observed = notRolledOut(world);
  assert.deepEqual(world.decide().evidenceNeeded, [], 'validation has not started');
  world.observed = { ...world.observed, canary: { revision: 2, ready: true, updatedReady: true } };
  let d = world.decide();
  assert.equal(d.status.analysis?.validation?.phase, 'Running');
  assert.deepEqual(d.evidenceNeeded, [{ kind: 'job-result', revision: 2 }]);
  world.observed = { ...world.observed, validation: { revision: 2, method: 'job', phase: 'Running', job: 'fraud-validate-2' } };
  assert.deepEqual(world.decide().evidenceNeeded, [{ kind: 'job-result', revision: 2 }], 'still running');
  world.observed = { ...world.observed, validation: { revision: 2, method: 'job', phase: 'Passed', job: 'fraud-validate-2' } };
  d = world.decide();
  assert.equal(d.status.canary?.weight, 10);
  assert.deepEqual(d.evidenceNeeded, []);
});

void test('measurement: asked for exactly when due, about the canary against stable, with the p-value so far', () => {
  const world = canaryStarted({ steps: STEPS, analysis: ANALYSIS });
  world.observed = { ...world.observed, canary: { revision: 2, ready: true, updatedReady: true } };
  world.step(); // weight 10 asked
  world.step(); // the router applies it: the window opens now
  assert.equal(world.status?.analysis?.startedAt, '2025-06-01T12:00:00Z');
  world.advance(59);
  assert.deepEqual(world.decide().evidenceNeeded, [], 'one second early');
  world.advance(1);
  const asked = { kind: 'measurement', revision: 2, stableRevision: 1, windowStartedAt: '2025-06-01T12:00:00Z', intervalMs: 60_000, pValue: 1, accuracyPValue: 1, look: 1 };
  assert.deepEqual(world.decide().evidenceNeeded, [asked]);
  assert.deepEqual(world.decide().evidenceNeeded, [asked], 'the same request until a measurement comes');
  world.observed = { ...world.observed, analysisRun: { revision: 2, verdict: 'Error', measurements: [], pValue: 0.4, message: 'Prometheus unreachable' } };
  assert.deepEqual(world.decide().evidenceNeeded, [], 'just measured');
  delete world.observed.analysisRun;
  world.advance(15);
  assert.deepEqual(world.decide().evidenceNeeded, [{ ...asked, pValue: 0.4, look: 2 }], 'after an Error, again within 15 s, as the next look');
});

void test('no evidence is asked for without validation or analysis in the spec', () => {
  const world = canaryStarted({ steps: STEPS });
  world.observed = { ...world.observed, canary: { revision: 2, ready: true, updatedReady: true } };
  for (let i = 0; i < 4; i++) {
    assert.deepEqual(world.step().evidenceNeeded, []);
    world.advance(600);
  }
});
