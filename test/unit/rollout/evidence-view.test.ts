// The evidence view: status.analysis is read only through the canary's revision, by the machine's
// rules and by its requests for evidence alike.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalysisStatus, ModelDeploymentStatus } from '../../../src/api/index.ts';
import { analysisActive } from '../../../src/rollout/index.ts';
import { evidenceOf, validationPassed } from '../../../src/rollout/evidence-view.ts';
import { World, spec, type SpecOptions } from './builders.ts';

const OPTIONS: SpecOptions = { steps: [{ weight: 10 }, { weight: 50 }], validation: { smoke: { samples: { configMap: 's' } } }, analysis: { interval: '1m' } };

/** Evidence of revision 1 that would let any canary through: validated, steps passed, window open long ago. */
const STALE: AnalysisStatus = {
  revision: 1,
  phase: 'Running',
  startedAt: '2025-06-01T00:00:00Z',
  stepPasses: 3,
  validation: { revision: 1, method: 'smoke', phase: 'Passed', startedAt: '2025-06-01T00:00:00Z' },
};

/** Stable revision 1; canary revision 2 validating; status.analysis forged to be about revision 1. */
function forged(): World {
  const world = new World(spec(OPTIONS));
  world.settle();
  world.specValue = spec({ ...OPTIONS, version: '8' });
  world.step(); // CanaryStarted
  world.step(); // ValidationStarted
  world.status = { ...world.status!, analysis: STALE };
  return world;
}

void test('evidenceOf: the record only when it is about the canary revision', () => {
  const canary = { revision: 2, phase: 'Progressing' as const };
  assert.equal(evidenceOf({ canary, analysis: STALE }), undefined);
  assert.equal(evidenceOf({ analysis: STALE }), undefined);
  assert.equal(evidenceOf({ canary: { ...canary, revision: 1 }, analysis: STALE }), STALE);
  assert.equal(validationPassed(spec(OPTIONS), { canary, analysis: STALE }), false);
  assert.equal(validationPassed(spec(OPTIONS), { canary: { ...canary, revision: 1 }, analysis: STALE }), true);
});

void test("the machine's requests for evidence ignore evidence of another revision", () => {
  const world = forged();
  const status: ModelDeploymentStatus = world.status!;
  assert.equal(status.canary?.revision, 2);
  assert.equal(analysisActive(world.specValue, status), undefined);
  world.now = new Date('2030-01-01T00:00:00Z');
  const d = world.decide();
  assert.deepEqual(d.evidenceNeeded, [{ kind: 'smoke-check', revision: 2 }], 'the stale Passed validation does not count for revision 2; no measurement');
});

void test('the machine ignores evidence of another revision: the canary is validated afresh and gets no weight', () => {
  const world = forged();
  // A validation result and a measurement for revision 1 arrive too: neither is about this canary.
  world.observed = {
    ...world.observed,
    validation: { revision: 1, method: 'smoke', phase: 'Passed' },
    analysisRun: { revision: 1, verdict: 'Pass', measurements: [], pValue: 0.5, message: 'ok' },
  };
  const d = world.step();
  assert.equal(d.status.canary?.weight, 0);
  assert.equal(d.plan.weights.canary, 0);
  assert.deepEqual(d.events.map((e) => e.reason), ['ValidationStarted']);
  assert.equal(d.status.analysis?.revision, 2);
  assert.equal(d.status.analysis?.phase, 'Validating');
  assert.equal(d.status.analysis?.stepPasses, undefined);
  assert.equal(d.status.analysis?.runs, undefined);
});
