// transition() is the one writer of the machine's state: it never mutates what it is given, and
// only the intents named for it change a phase or a message (of the canary or of its evidence).
// Evidence is written through the canary's revision: a record about another revision is replaced,
// never updated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countRun } from '../../../src/rollout/analysis-state.ts';
import { contextOf, type Context } from '../../../src/rollout/decision-context.ts';
import type { Intent } from '../../../src/rollout/intents.ts';
import { initialState, type MachineState } from '../../../src/rollout/machine-state.ts';
import { canaryPlan, specPlan, stablePlan } from '../../../src/rollout/revisions.ts';
import { transition } from '../../../src/rollout/transition.ts';
import { objectsIn } from '../../support/objects-in.ts';
import { World, spec, type SpecOptions } from './builders.ts';

const OPTIONS: SpecOptions = { steps: [{ weight: 10 }, { weight: 50 }], validation: { smoke: { samples: { configMap: 's' } } }, analysis: { interval: '1m' } };

/** A canary of revision 2 at weight 10, validated, its analysis window open. */
function liveCanary(): { ctx: Context; state: MachineState; status: typeof World.prototype.status } {
  const world = new World(spec(OPTIONS));
  world.settle();
  world.specValue = spec({ ...OPTIONS, version: '8' });
  world.step();
  world.step(); // ValidationStarted
  world.observed = { ...world.observed, validation: { revision: 2, method: 'smoke', phase: 'Passed' } };
  world.step(); // ValidationPassed, weight 10
  delete world.observed.validation;
  world.step(); // the router applies it: the window opens
  const input = { spec: world.specValue, status: world.status, requests: {}, observed: world.observed, now: world.now };
  const state = initialState(input);
  assert.equal(state.canary?.weight, 10);
  assert.notEqual(state.analysis?.startedAt, undefined);
  return { ctx: contextOf(input), state, status: input.status };
}

void test('the state a decision starts from shares no array or object with the status it was read from', () => {
  const { state, status } = liveCanary();
  assert.ok(state.canary && state.analysis && state.history.length > 0 && status);
  const read = objectsIn(status);
  assert.deepEqual([...objectsIn(state)].filter((o) => read.has(o)), []);
});

/** One intent of every kind (the Record makes the compiler check that none is missing). */
function everyIntent(ctx: Context, s: MachineState): Record<Intent['kind'], Intent> {
  const evidence = s.analysis ?? { revision: s.canary!.revision, phase: 'Running' as const };
  const run = { revision: s.canary!.revision, verdict: 'Pass' as const, measurements: [], pValue: 0.5, message: 'ok' };
  return {
    emit: { kind: 'emit', event: { type: 'Normal', reason: 'Paused', message: 'x' } },
    handled: { kind: 'handled', request: 'promote', id: 'p' },
    'hold-spec': { kind: 'hold-spec', rolledBack: { template: ctx.specTemplate, at: ctx.at } },
    serve: { kind: 'serve', variant: stablePlan(ctx, s)!, outcome: 'Replaced' },
    record: { kind: 'record', variant: canaryPlan(ctx, s)!, outcome: 'Aborted' },
    'drop-canary': { kind: 'drop-canary' },
    wake: { kind: 'wake', at: ctx.now + 1000 },
    'trim-history': { kind: 'trim-history' },
    'start-canary': { kind: 'start-canary', variant: specPlan(ctx, s), reason: 'CanaryRestarted', why: 'test' },
    abort: { kind: 'abort', type: 'Warning', why: 'test' },
    'start-promotion': { kind: 'start-promotion', why: 'test' },
    'complete-promotion': { kind: 'complete-promotion' },
    progressing: { kind: 'progressing' },
    pause: { kind: 'pause' },
    'hold-inconclusive': { kind: 'hold-inconclusive' },
    'set-weight': { kind: 'set-weight', weight: 50 },
    drain: { kind: 'drain' },
    detached: { kind: 'detached' },
    advance: { kind: 'advance' },
    wait: { kind: 'wait', message: 'waiting for the test' },
    'touch-evidence': { kind: 'touch-evidence' },
    'validation-started': { kind: 'validation-started', method: 'smoke' },
    'validation-observed': { kind: 'validation-observed', observation: { revision: s.canary!.revision, method: 'smoke', phase: 'Failed', message: 'bad' } },
    measured: { kind: 'measured', count: countRun(evidence, { ...run, verdict: 'Fail' }, { interval: '1m', failureLimit: 1, inconclusiveLimit: 3 }, ctx.at, false), message: 'failed' },
    'await-traffic': { kind: 'await-traffic' },
    'open-analysis': { kind: 'open-analysis', interval: '1m' },
  };
}

type Kind = Intent['kind'];
const CANARY_PHASE = new Set<Kind>(['start-canary', 'abort', 'start-promotion', 'complete-promotion', 'drop-canary', 'progressing', 'pause', 'hold-inconclusive']);
const CANARY_MESSAGE = new Set<Kind>(['start-canary', 'abort', 'start-promotion', 'complete-promotion', 'drop-canary', 'hold-inconclusive', 'wait']);
const EVIDENCE_PHASE = new Set<Kind>(['start-canary', 'start-promotion', 'validation-started', 'validation-observed', 'measured']);
const EVIDENCE_MESSAGE = new Set<Kind>([...EVIDENCE_PHASE, 'await-traffic', 'open-analysis']);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

void test('transition never mutates the state it is given', () => {
  const { ctx, state } = liveCanary();
  const before = structuredClone(state);
  deepFreeze(state);
  for (const intent of Object.values(everyIntent(ctx, state))) transition(ctx, state, intent);
  assert.deepEqual(state, before);
});

void test('only the intents named for it change a phase or a message', () => {
  const { ctx, state } = liveCanary();
  for (const [kind, intent] of Object.entries(everyIntent(ctx, state)) as [Kind, Intent][]) {
    const next = transition(ctx, state, intent);
    const changed = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
    if (changed(state.canary?.phase, next.canary?.phase)) assert.ok(CANARY_PHASE.has(kind), `${kind} changed the canary's phase`);
    if (changed(state.canary?.message, next.canary?.message)) assert.ok(CANARY_MESSAGE.has(kind), `${kind} changed the canary's message`);
    if (changed(state.analysis?.phase, next.analysis?.phase)) assert.ok(EVIDENCE_PHASE.has(kind), `${kind} changed the evidence's phase`);
    if (changed(state.analysis?.message, next.analysis?.message)) assert.ok(EVIDENCE_MESSAGE.has(kind), `${kind} changed the evidence's message`);
  }
});

void test("evidence about another revision is replaced by a fresh record for the canary's, never updated", () => {
  const { ctx, state } = liveCanary();
  // status.analysis left over from revision 1: passed validation, steps passed, failures counted.
  const stale: MachineState = {
    ...state,
    analysis: { ...state.analysis!, revision: 1, stepPasses: 3, failures: 1, validation: { revision: 1, method: 'smoke', phase: 'Passed', startedAt: ctx.at } },
  };
  // Intents that do not write evidence leave the stale record alone (advance does not reset its stepPasses).
  assert.deepEqual(transition(ctx, stale, { kind: 'advance' }).analysis, stale.analysis);
  assert.deepEqual(transition(ctx, stale, { kind: 'start-promotion', why: 'test' }).analysis, stale.analysis);
  // Intents that do write it start from a fresh record of revision 2: nothing of revision 1 carries over.
  const intents = everyIntent(ctx, stale);
  for (const kind of ['touch-evidence', 'validation-observed', 'measured', 'await-traffic', 'open-analysis', 'validation-started'] as const) {
    const a = transition(ctx, stale, intents[kind]).analysis!;
    assert.equal(a.revision, 2, kind);
    assert.equal(a.stepPasses, undefined, kind);
    assert.notEqual(a.validation?.revision, 1, kind);
    if (kind !== 'measured') assert.equal(a.failures, undefined, kind);
  }
});
