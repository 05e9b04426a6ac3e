import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Condition } from '../../../src/api/index.ts';
import { findCondition, isTrue, keepTransitionTimes, removeCondition, setCondition } from '../../../src/status/index.ts';
import { LATER, NOW } from './fixtures.ts';

const ready = { type: 'Ready', status: 'True' as const, reason: 'Succeeded' as const, message: 'all good', observedGeneration: 1 };

void test('a new condition gets lastTransitionTime = now, without fractions of a second (metav1.Time)', () => {
  const [c] = setCondition(undefined, ready, '2026-01-02T03:04:05.678Z');
  assert.deepEqual(c, { ...ready, lastTransitionTime: '2026-01-02T03:04:05Z' });
});

void test('rewriting the same condition later is a no-op: lastTransitionTime is kept', () => {
  const first = setCondition(undefined, ready, NOW);
  assert.deepEqual(setCondition(first, ready, LATER), first);
});

void test('a new reason, message or generation with the same status keeps lastTransitionTime', () => {
  const first = setCondition(undefined, ready, NOW);
  const [c] = setCondition(first, { ...ready, reason: 'RollingOut', message: 'changed', observedGeneration: 2 }, LATER);
  assert.equal(c?.lastTransitionTime, NOW);
  assert.equal(c?.reason, 'RollingOut');
  assert.equal(c?.message, 'changed');
  assert.equal(c?.observedGeneration, 2);
});

void test('a status change moves lastTransitionTime', () => {
  const first = setCondition(undefined, ready, NOW);
  const [c] = setCondition(first, { ...ready, status: 'False', reason: 'ScalingUp' }, LATER);
  assert.equal(c?.lastTransitionTime, LATER);
});

void test('order: Ready, Reconciling, Stalled, Serving, then other types alphabetically, whatever the insertion order', () => {
  let conditions: Condition[] = [];
  for (const type of ['Zeta', 'Serving', 'Alpha', 'Stalled', 'Reconciling', 'Ready']) {
    conditions = setCondition(conditions, { ...ready, type }, NOW);
  }
  assert.deepEqual(
    conditions.map((c) => c.type),
    ['Ready', 'Reconciling', 'Stalled', 'Serving', 'Alpha', 'Zeta'],
  );
});

void test('the input list is not modified', () => {
  const first = setCondition(undefined, ready, NOW);
  const copy = structuredClone(first);
  setCondition(first, { ...ready, status: 'False' }, LATER);
  removeCondition(first, 'Ready');
  assert.deepEqual(first, copy);
});

void test('findCondition, isTrue and removeCondition', () => {
  const conditions = setCondition(setCondition(undefined, ready, NOW), { ...ready, type: 'Stalled', status: 'False' }, NOW);
  assert.equal(findCondition(conditions, 'Ready')?.reason, 'Succeeded');
  assert.equal(findCondition(conditions, 'Serving'), undefined);
  assert.equal(findCondition(undefined, 'Ready'), undefined);
  assert.equal(isTrue(conditions, 'Ready'), true);
  assert.equal(isTrue(conditions, 'Stalled'), false);
  assert.equal(isTrue(conditions, 'Serving'), false);
  assert.deepEqual(
    removeCondition(conditions, 'Ready').map((c) => c.type),
    ['Stalled'],
  );
});

void test('keepTransitionTimes: a condition set again by a later layer keeps the stored time unless its status changed', () => {
  const stored = setCondition(setCondition(undefined, { ...ready, status: 'False', reason: 'RolloutInProgress' }, NOW), { ...ready, type: 'Serving' }, NOW);
  // The serving layer sees everything ready (True, a transition), the rollout's overlay sets False again.
  const served = setCondition(stored, ready, LATER);
  const overlaid = setCondition(served, { ...ready, status: 'False', reason: 'RolloutInProgress' }, LATER);
  assert.equal(findCondition(overlaid, 'Ready')?.lastTransitionTime, LATER, 'the layers alone stamp a new time');
  assert.deepEqual(keepTransitionTimes(stored, overlaid), stored);
  // A real change keeps its new time; a type that was not stored keeps its own.
  const flipped = setCondition(stored, ready, LATER);
  assert.equal(findCondition(keepTransitionTimes(stored, flipped), 'Ready')?.lastTransitionTime, LATER);
  const added = setCondition(stored, { ...ready, type: 'Stalled' }, LATER);
  assert.equal(findCondition(keepTransitionTimes(stored, added), 'Stalled')?.lastTransitionTime, LATER);
  assert.equal(keepTransitionTimes(stored, stored), stored, 'nothing to keep: the same list');
  assert.equal(keepTransitionTimes(undefined, flipped), flipped);
});
