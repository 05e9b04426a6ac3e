// The rollout state machine with validation and analysis (docs/analysis.md): validation gates the
// first weight, a weight step needs a passing measurement, failures roll back at failureLimit,
// Inconclusive pauses at inconclusiveLimit, an unreachable Prometheus never rolls back, a refused
// query stops the canary at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelDeploymentStatusSchema } from '../../../src/api/index.ts';
import type { Verdict } from '../../../src/api/index.ts';
import type { AnalysisRun, RolloutDecision } from '../../../src/rollout/index.ts';
import { World, spec, type SpecOptions } from './builders.ts';

const STEPS = [{ weight: 10 }, { weight: 50 }];
const ANALYSIS = { interval: '1m', failureLimit: 2, inconclusiveLimit: 3 };
const SMOKE = { smoke: { samples: { configMap: 'fraud-samples' } } };

function reasons(d: RolloutDecision): string[] {
  return d.events.map((e) => e.reason);
}

function run(revision: number, verdict: Verdict, pValue = 1): AnalysisRun {
  return { revision, verdict, pValue, message: `${verdict.toLowerCase()} for the test`, measurements: [{ check: 'success-rate', verdict }] };
}

/** Stable version 7 steady; the spec moved to version 8 (revision 2), canary Deployment rolled out. */
function canaryReady(options: SpecOptions): World {
  const world = new World(spec(options));
  world.settle();
  world.specValue = spec({ ...options, version: '8' });
  world.step(); // CanaryStarted; the cluster rolls the canary out
  return world;
}

/** One reconcile with a measurement taken now. */
function measure(world: World, verdict: Verdict, pValue = 1): RolloutDecision {
  world.observed = { ...world.observed, analysisRun: run(2, verdict, pValue) };
  const d = world.step();
  delete world.observed.analysisRun;
  return d;
}

void test('validation: the canary gets no weight, cohort or mirror until it passed; then the first weight applies', () => {
  const world = canaryReady({ steps: STEPS, validation: SMOKE, match: [{ headers: { 'x-cohort': 'b' } }], mirror: 5 });
  let d = world.step();
  assert.equal(d.status.canary?.weight, 0);
  assert.equal(d.plan.weights.canary, 0);
  assert.equal(d.plan.cohortMatch, undefined);
  assert.equal(d.plan.mirrorPercent, undefined);
  assert.equal(d.status.analysis?.phase, 'Validating');
  assert.equal(d.status.analysis?.validation?.phase, 'Running');
  assert.match(d.status.canary?.message ?? '', /validating canary revision 2/);
  assert.deepEqual(reasons(d), ['ValidationStarted']);
  assert.deepEqual(d.evidenceNeeded, [{ kind: 'smoke-check', revision: 2 }]);
  d = world.step(); // nothing new observed: still waiting, nothing emitted again, the same smoke check asked for
  assert.deepEqual(reasons(d), []);
  assert.equal(d.status.canary?.weight, 0);
  assert.deepEqual(d.evidenceNeeded, [{ kind: 'smoke-check', revision: 2 }]);

  world.observed = { ...world.observed, validation: { revision: 2, method: 'smoke', phase: 'Passed', message: '3 samples x 1 pod answered' } };
  d = world.step();
  assert.deepEqual(reasons(d), ['ValidationPassed']);
  assert.equal(d.status.canary?.weight, 10);
  assert.equal(d.status.analysis?.validation?.phase, 'Passed');
  assert.deepEqual(d.evidenceNeeded, [], 'validated: no smoke check asked for again');
  assert.deepEqual(d.plan.cohortMatch, [{ headers: { 'x-cohort': 'b' } }]);
  assert.ok(modelDeploymentStatusSchema.safeParse(d.status).success);
});

void test('a failing validation aborts before any traffic: Stalled ValidationFailed, weight never above 0', () => {
  const world = canaryReady({ steps: STEPS, validation: SMOKE });
  world.step();
  world.observed = { ...world.observed, validation: { revision: 2, method: 'smoke', phase: 'Failed', message: 'pod fraud-canary-x sample 0: HTTP 500' } };
  const d = world.step();
  assert.deepEqual(reasons(d), ['ValidationFailed', 'Aborted']);
  assert.equal(d.status.canary?.phase, 'Aborted');
  assert.equal(d.status.canary?.weight, 0);
  assert.equal(d.plan.weights.canary, 0);
  assert.equal(d.status.analysis?.phase, 'ValidationFailed');
  assert.equal(d.stalled?.reason, 'ValidationFailed');
  assert.match(d.stalled?.message ?? '', /HTTP 500/);
});

void test('a retry after a failed validation validates afresh', () => {
  const world = canaryReady({ steps: STEPS, validation: SMOKE });
  world.step();
  world.observed = { ...world.observed, validation: { revision: 2, method: 'smoke', phase: 'Failed', message: 'bad' } };
  world.step();
  delete world.observed.validation;
  world.requests = { retry: 'r1' };
  const d = world.step();
  assert.ok(reasons(d).includes('CanaryRestarted'));
  world.step();
  assert.equal(world.last?.status.analysis?.validation?.phase, 'Running');
  assert.equal(world.last?.status.canary?.weight, 0);
});

void test('a validation Job is planned while validating and kept while the canary exists', () => {
  const world = canaryReady({ steps: STEPS, validation: { job: { image: 'registry.example/holdout-scorer:1' } } });
  let d = world.step();
  assert.deepEqual(d.plan.validationJob, { revision: 2 });
  world.observed = { ...world.observed, validation: { revision: 2, method: 'job', phase: 'Passed', job: 'fraud-validate-2', message: 'Job fraud-validate-2 completed' } };
  d = world.step();
  assert.equal(d.status.analysis?.validation?.job, 'fraud-validate-2');
  assert.deepEqual(d.plan.validationJob, { revision: 2 });
  assert.equal(d.status.canary?.weight, 10);
});

void test('analysis: the window opens when the router applies the weight; a step advances only on a Pass at its weight', () => {
  const world = canaryReady({ steps: STEPS, analysis: ANALYSIS });
  let d = world.step(); // weight 10 applied, router reports it
  assert.equal(d.status.canary?.weight, 10);
  d = world.step();
  assert.equal(d.status.analysis?.startedAt, '2025-06-01T12:00:00Z');
  assert.equal(d.requeueAfterMs, 60_000);
  assert.match(d.status.canary?.message ?? '', /waiting for a passing analysis/);
  assert.deepEqual(d.evidenceNeeded, [], 'no measurement before one interval passed');
  world.advance(60);
  assert.deepEqual(world.decide().evidenceNeeded, [
    { kind: 'measurement', revision: 2, stableRevision: 1, windowStartedAt: '2025-06-01T12:00:00Z', intervalMs: 60_000, pValue: 1, accuracyPValue: 1, look: 1 },
  ]);

  d = measure(world, 'Inconclusive');
  assert.equal(d.status.canary?.step, 0, 'Inconclusive never advances');
  assert.deepEqual(reasons(d), ['AnalysisInconclusive']);
  assert.deepEqual(d.evidenceNeeded, [], 'the measurement just taken is not asked for again');
  world.advance(60);
  d = measure(world, 'Pass');
  assert.deepEqual(reasons(d), ['AnalysisPassed', 'StepAdvanced']);
  assert.equal(d.status.canary?.step, 1);
  assert.equal(d.status.canary?.weight, 50);
  assert.equal(d.status.analysis?.stepPasses, 0);
  assert.equal(d.status.analysis?.runs, 2);
});

void test('a Pass measured before the router applied the new weight does not complete that step', () => {
  const world = canaryReady({ steps: STEPS, analysis: ANALYSIS });
  world.step();
  world.step();
  world.advance(60);
  measure(world, 'Pass'); // step 1 done, weight 50 asked
  world.observed = { ...world.observed, routerWeight: 10 }; // the router still applies 10
  world.advance(60);
  world.observed = { ...world.observed, analysisRun: run(2, 'Pass') };
  const d = world.decide();
  assert.equal(d.status.canary?.step, 1);
  assert.equal(d.status.analysis?.stepPasses ?? 0, 0);
});

void test('healthy canary: every step passes and it is promoted with no human action; analysis Succeeded', () => {
  const world = canaryReady({ steps: STEPS, analysis: ANALYSIS });
  world.step();
  world.step();
  const seen: string[] = [];
  for (let i = 0; i < 4 && world.status?.canary?.phase !== 'Promoting'; i++) {
    world.advance(60);
    seen.push(...reasons(measure(world, 'Pass')));
  }
  seen.push(...world.settle());
  world.advance(30); // scaleDownDelaySeconds
  seen.push(...world.settle());
  assert.ok(seen.includes('Promoting') && seen.includes('Promoted'), seen.join(','));
  assert.equal(world.status?.stable?.revision, 2);
  assert.equal(world.status?.canary, undefined);
  assert.equal(world.status?.analysis?.phase, 'Succeeded');
});

void test('failures roll back at failureLimit: weight 0 at once, Stalled AnalysisFailed, measurements kept', () => {
  const world = canaryReady({ steps: STEPS, analysis: ANALYSIS });
  world.step();
  world.step();
  world.advance(60);
  let d = measure(world, 'Fail', 0.2);
  assert.deepEqual(reasons(d), ['AnalysisFailed']);
  assert.equal(d.status.canary?.phase, 'Progressing');
  assert.equal(d.status.analysis?.failures, 1);
  world.advance(60);
  d = measure(world, 'Fail', 0.01);
  assert.deepEqual(reasons(d), ['AnalysisFailed', 'Aborted']);
  assert.equal(d.status.canary?.phase, 'Aborted');
  assert.equal(d.plan.weights.canary, 0);
  assert.equal(d.status.analysis?.phase, 'Failed');
  assert.equal(d.status.analysis?.pValue, 0.01);
  assert.deepEqual(d.status.analysis?.measurements, [{ check: 'success-rate', verdict: 'Fail' }]);
  assert.equal(d.stalled?.reason, 'AnalysisFailed');
  assert.equal(d.status.history.find((h) => h.revision === 2)?.outcome, 'Aborted');
  world.advance(3600);
  assert.deepEqual(world.decide().evidenceNeeded, [], 'an aborted canary is measured no more');
});

void test('a refused query stops the canary at once: Stalled QueryRefused, whatever failureLimit says, kept across reconciles', () => {
  const world = canaryReady({ steps: STEPS, analysis: { ...ANALYSIS, failureLimit: 5 } });
  world.step();
  world.step();
  world.advance(60);
  const d = measure(world, 'Refused');
  assert.deepEqual(reasons(d), ['QueryRefused', 'Aborted']);
  assert.equal(d.status.canary?.phase, 'Aborted');
  assert.equal(d.plan.weights.canary, 0);
  assert.match(d.status.canary?.message ?? '', /an analysis query was refused: refused for the test/);
  assert.equal(d.status.analysis?.phase, 'Failed');
  assert.equal(d.status.analysis?.verdict, 'Refused');
  assert.equal(d.stalled?.reason, 'QueryRefused');
  assert.ok(modelDeploymentStatusSchema.safeParse(d.status).success);
  world.advance(3600);
  const later = world.decide();
  assert.equal(later.stalled?.reason, 'QueryRefused');
  assert.deepEqual(later.evidenceNeeded, [], 'measured no more');
});

void test('a Prometheus the platform does not allow stops the canary the same way, with its own reason as Event and Stall', () => {
  for (const refusal of ['UnknownAnalysisSource', 'AddressNotAllowed', 'SecretNotAllowed'] as const) {
    const world = canaryReady({ steps: STEPS, analysis: { ...ANALYSIS, failureLimit: 5 } });
    world.step();
    world.step();
    world.advance(60);
    world.observed = { ...world.observed, analysisRun: { ...run(2, 'Refused'), measurements: [], message: 'not allowed for the test', refusal } };
    const d = world.step();
    delete world.observed.analysisRun;
    assert.deepEqual(reasons(d), [refusal, 'Aborted'], refusal);
    assert.equal(d.status.canary?.phase, 'Aborted');
    assert.equal(d.plan.weights.canary, 0);
    assert.match(d.status.canary?.message ?? '', /: not allowed for the test/);
    assert.equal(d.status.analysis?.refusal, refusal);
    assert.equal(d.stalled?.reason, refusal);
    assert.ok(modelDeploymentStatusSchema.safeParse(d.status).success);
    world.advance(3600);
    const later = world.decide();
    assert.equal(later.stalled?.reason, refusal, 'kept across reconciles');
    assert.deepEqual(later.evidenceNeeded, [], 'measured no more');
  }
});

void test('Prometheus unreachable: reported, retried within 15 s, never a failure or a rollback', () => {
  const world = canaryReady({ steps: STEPS, analysis: ANALYSIS });
  world.step();
  world.step();
  for (let i = 0; i < 10; i++) {
    world.advance(60);
    const d = measure(world, 'Error');
    assert.deepEqual(reasons(d), ['AnalysisUnavailable']);
    assert.equal(d.status.canary?.phase, 'Progressing');
    assert.equal(d.status.analysis?.failures ?? 0, 0);
    assert.ok((d.requeueAfterMs ?? Infinity) <= 15_000, String(d.requeueAfterMs));
  }
  assert.equal(world.status?.analysis?.errors, 10);
  world.advance(15);
  const d = measure(world, 'Pass');
  assert.equal(d.status.canary?.step, 1);
  assert.equal(d.status.analysis?.errors, 0);
});

void test('Inconclusive in a row up to inconclusiveLimit pauses the canary for a person; promote still works', () => {
  const world = canaryReady({ steps: STEPS, analysis: ANALYSIS });
  world.step();
  world.step();
  let d: RolloutDecision | undefined;
  for (let i = 0; i < 3; i++) {
    world.advance(60);
    d = measure(world, 'Inconclusive');
  }
  assert.deepEqual(reasons(d!), ['AnalysisInconclusive', 'AnalysisPaused']);
  assert.equal(d!.status.canary?.phase, 'Paused');
  assert.equal(d!.status.analysis?.phase, 'Inconclusive');
  assert.equal(d!.status.canary?.weight, 10);
  world.advance(60);
  d = measure(world, 'Pass'); // evidence after the pause does not resume it: a person decides
  assert.equal(d.status.canary?.phase, 'Paused');
  assert.equal(d.status.canary?.step, 0);
  world.requests = { promote: 'p1' };
  d = world.step();
  assert.equal(d.status.canary?.phase, 'Promoting');
  assert.equal(d.status.analysis?.phase, 'Succeeded');
});

void test('measurements of another revision are ignored', () => {
  const world = canaryReady({ steps: STEPS, analysis: ANALYSIS });
  world.step();
  world.step();
  world.advance(60);
  world.observed = { ...world.observed, analysisRun: { ...run(2, 'Fail'), revision: 1 } };
  const d = world.step();
  assert.deepEqual(reasons(d), []);
  assert.equal(d.status.analysis?.runs, undefined);
});

void test('a new canary starts its evidence afresh', () => {
  const world = canaryReady({ steps: STEPS, analysis: ANALYSIS });
  world.step();
  world.step();
  world.advance(60);
  measure(world, 'Fail');
  world.specValue = spec({ steps: STEPS, analysis: ANALYSIS, version: '9' });
  const d = world.step();
  assert.equal(d.status.analysis?.revision, 3);
  assert.equal(d.status.analysis?.failures, undefined);
  assert.equal(d.status.analysis?.startedAt, undefined);
});

void test('the accuracy test keeps its own running p-value: recorded, asked with the next measurement, kept through an Error', () => {
  const world = canaryReady({ steps: STEPS, analysis: ANALYSIS });
  world.step();
  world.step();
  world.advance(60);
  world.observed = { ...world.observed, analysisRun: { ...run(2, 'Inconclusive', 0.6), accuracyPValue: 0.2 } };
  let d = world.step();
  assert.equal(d.status.analysis?.pValue, 0.6);
  assert.equal(d.status.analysis?.accuracyPValue, 0.2);
  world.advance(60);
  assert.deepEqual(
    world.decide().evidenceNeeded.map((r) => (r.kind === 'measurement' ? [r.pValue, r.accuracyPValue] : [])),
    [[0.6, 0.2]],
  );
  // A run that measured nothing carries no accuracy p-value: the recorded one stays.
  world.observed = { ...world.observed, analysisRun: run(2, 'Error', 0.6) };
  d = world.step();
  assert.equal(d.status.analysis?.accuracyPValue, 0.2);
});
