import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isReasonAt, REASONS, type ConditionReason, type EventReason, type Reason, type StallReason } from '../../../src/api/reasons.ts';
import { reasonsMarkdown } from '../../../src/api/reasons-table.ts';
import { STUCK_WAITING_REASONS } from '../../../src/status/index.ts';

// metav1.Condition's pattern for reason, which the API server enforces.
const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

void test('a reason outside the catalogue does not typecheck', () => {
  // @ts-expect-error not in the catalogue
  const unknown: Reason = 'SomethingHappened';
  // @ts-expect-error a condition reason that no Event carries
  const notAnEvent: EventReason = 'ReplicasReady';
  // @ts-expect-error an Event reason that no condition carries
  const notACondition: ConditionReason = 'StepAdvanced';
  // @ts-expect-error Serving's reason does not stall
  const notAStall: StallReason = 'NoReadyReplicas';
  assert.ok([unknown, notAnEvent, notACondition, notAStall].every((r) => !isReasonAt(r, 'Stalled=True')));
});

void test('every reason is a valid condition reason with a one-line meaning and a place', () => {
  for (const [reason, { where, meaning }] of Object.entries(REASONS)) {
    assert.match(reason, CONDITION_REASON);
    assert.ok(where.length > 0, reason);
    assert.equal(new Set(where).size, where.length, `${reason} lists a place twice`);
    assert.match(meaning, /^[^\n|]+$/, `${reason}: one line, no table separator`);
  }
});

void test('isReasonAt reads the catalogue, not the prototype', () => {
  assert.equal(isReasonAt('ApplyForbidden', 'Stalled=True'), true);
  assert.equal(isReasonAt('Succeeded', 'Stalled=True'), false);
  assert.equal(isReasonAt('FailedCreate', 'Stalled=True'), false);
  assert.equal(isReasonAt('toString', 'Normal Event'), false);
});

void test('every stuck kubelet reason is a catalogued stall', () => {
  for (const r of STUCK_WAITING_REASONS) assert.ok(isReasonAt(r, 'Stalled=True'), r);
});

void test('docs/reasons.md has a row for every reason', () => {
  const doc = reasonsMarkdown();
  for (const reason of Object.keys(REASONS)) assert.ok(doc.includes(`| \`${reason}\` |`), reason);
});
