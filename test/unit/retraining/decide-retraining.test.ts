import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RetrainingSpec } from '../../../src/api/retraining-spec.ts';
import type { RetrainingStatus } from '../../../src/api/retraining-status.ts';
import { decideRetraining, type RetrainingEvidence } from '../../../src/retraining/decide-retraining.ts';
import { triggerId, triggerJobName } from '../../../src/retraining/trigger-id.ts';

const UID = '6f1c2a9e-0000-4000-8000-000000000001';
const spec = (on: RetrainingSpec['on'], cooldown = '24h'): RetrainingSpec => ({ on, cooldown, job: { image: 'retrain:1', timeoutSeconds: 60 } });
const T = (iso: string) => new Date(iso);
const ev = (extra: Partial<RetrainingEvidence> = {}): RetrainingEvidence => ({ uid: UID, createdAt: T('2026-12-01T00:00:00Z'), ...extra });

void test('ids are deterministic from uid, reason and evidence time, and differ when any differs', () => {
  const a = triggerId(UID, 'Drift', T('2026-12-04T10:00:00Z'));
  assert.equal(a, triggerId(UID, 'Drift', T('2026-12-04T10:00:00Z')));
  assert.match(a, /^rt-[0-9a-f]{16}$/);
  assert.notEqual(a, triggerId(UID, 'Schedule', T('2026-12-04T10:00:00Z')));
  assert.notEqual(a, triggerId(UID, 'Drift', T('2026-12-04T10:00:01Z')));
  assert.notEqual(a, triggerId('another-uid', 'Drift', T('2026-12-04T10:00:00Z')));
  assert.ok(triggerJobName('a'.repeat(42), a).length <= 63);
});

void test('drift: a check with verdict Drift triggers, with the id of that check', () => {
  const check = { time: T('2026-12-04T10:00:00Z'), verdict: 'Drift' as const };
  const d = decideRetraining(spec({ drift: true }), undefined, T('2026-12-04T10:01:00Z'), ev({ driftCheck: check }));
  assert.deepEqual(d, { kind: 'trigger', id: triggerId(UID, 'Drift', check.time), reason: 'Drift', evidenceTime: check.time, resend: false });
});

void test('drift: NoDrift, Inconclusive, or drift not asked for trigger nothing', () => {
  const now = T('2026-12-04T10:01:00Z');
  for (const verdict of ['NoDrift', 'Inconclusive'] as const) {
    assert.equal(decideRetraining(spec({ drift: true }), undefined, now, ev({ driftCheck: { time: now, verdict } })).kind, 'none');
  }
  assert.equal(decideRetraining(spec({ accuracyBelow: 0.5 }), undefined, now, ev({ driftCheck: { time: now, verdict: 'Drift' } })).kind, 'none');
});

void test('drift: the check that already triggered does not trigger again, a newer one after the cooldown does', () => {
  const first = T('2026-12-04T10:00:00Z');
  const status: RetrainingStatus = { lastTrigger: { id: triggerId(UID, 'Drift', first), reason: 'Drift', time: '2026-12-04T10:01:00Z', evidenceTime: first.toISOString(), state: 'Sent' } };
  assert.equal(decideRetraining(spec({ drift: true }), status, T('2026-12-05T12:00:00Z'), ev({ driftCheck: { time: first, verdict: 'Drift' } })).kind, 'none');
  const later = T('2026-12-05T11:00:00Z');
  const d = decideRetraining(spec({ drift: true }), status, T('2026-12-05T12:00:00Z'), ev({ driftCheck: { time: later, verdict: 'Drift' } }));
  assert.equal(d.kind, 'trigger');
  assert.equal(d.kind === 'trigger' && d.id, triggerId(UID, 'Drift', later));
});

void test('cooldown: a reason inside it waits until lastTrigger.time + cooldown', () => {
  const status: RetrainingStatus = { lastTrigger: { id: 'rt-x', reason: 'Drift', time: '2026-12-04T10:00:00Z', state: 'Succeeded' } };
  const d = decideRetraining(spec({ drift: true }, '24h'), status, T('2026-12-04T20:00:00Z'), ev({ driftCheck: { time: T('2026-12-04T19:00:00Z'), verdict: 'Drift' } }));
  assert.deepEqual(d, { kind: 'wait-until', time: T('2026-12-05T10:00:00Z'), reason: 'Drift' });
  // The moment the cooldown ends, the same evidence triggers.
  const after = decideRetraining(spec({ drift: true }, '24h'), status, T('2026-12-05T10:00:00Z'), ev({ driftCheck: { time: T('2026-12-04T19:00:00Z'), verdict: 'Drift' } }));
  assert.equal(after.kind, 'trigger');
});

void test('pending: a Pending trigger is sent again with its own id, before any new reason and whatever the cooldown', () => {
  const status: RetrainingStatus = {
    lastTrigger: { id: 'rt-aaaaaaaaaaaaaaaa', reason: 'Schedule', time: '2026-12-04T10:00:00Z', evidenceTime: '2026-12-04T10:00:00Z', state: 'Pending' },
  };
  const d = decideRetraining(spec({ drift: true }), status, T('2026-12-04T10:00:05Z'), ev({ driftCheck: { time: T('2026-12-04T10:00:04Z'), verdict: 'Drift' } }));
  assert.deepEqual(d, { kind: 'trigger', id: 'rt-aaaaaaaaaaaaaaaa', reason: 'Schedule', evidenceTime: T('2026-12-04T10:00:00Z'), resend: true });
});

void test('pending with a backoff: waits for nextAttemptTime, then sends again', () => {
  const status: RetrainingStatus = {
    lastTrigger: { id: 'rt-b', reason: 'Drift', time: '2026-12-04T10:00:00Z', state: 'Pending', attempts: 3, nextAttemptTime: '2026-12-04T10:02:00Z' },
  };
  assert.deepEqual(decideRetraining(spec({ drift: true }), status, T('2026-12-04T10:01:00Z'), ev()), { kind: 'wait-until', time: T('2026-12-04T10:02:00Z'), reason: 'Backoff' });
  const d = decideRetraining(spec({ drift: true }), status, T('2026-12-04T10:02:00Z'), ev());
  assert.ok(d.kind === 'trigger' && d.resend && d.id === 'rt-b');
});

void test('schedule: a due time triggers once, the next check after it triggers nothing until the next time', () => {
  const s = spec({ schedule: '0 3 * * *' }, '1h');
  const due = T('2026-12-04T03:00:00Z');
  const d = decideRetraining(s, undefined, T('2026-12-04T03:00:30Z'), ev());
  assert.deepEqual(d, { kind: 'trigger', id: triggerId(UID, 'Schedule', due), reason: 'Schedule', evidenceTime: due, resend: false });
  const status: RetrainingStatus = { lastTrigger: { id: triggerId(UID, 'Schedule', due), reason: 'Schedule', time: '2026-12-04T03:00:30Z', evidenceTime: due.toISOString(), state: 'Sent' } };
  assert.deepEqual(decideRetraining(s, status, T('2026-12-04T03:04:00Z'), ev()), { kind: 'none', recheckAt: T('2026-12-05T03:00:00Z') });
});

void test('schedule: a time missed by more than the starting deadline is not sent late', () => {
  const d = decideRetraining(spec({ schedule: '0 3 * * *' }), undefined, T('2026-12-04T03:10:00Z'), ev());
  assert.deepEqual(d, { kind: 'none', recheckAt: T('2026-12-05T03:00:00Z') });
});

void test('schedule honours the time zone', () => {
  const d = decideRetraining(spec({ schedule: '0 3 * * *', timeZone: 'Europe/Berlin' }), undefined, T('2026-12-04T02:00:10Z'), ev());
  assert.ok(d.kind === 'trigger' && d.evidenceTime.toISOString() === '2026-12-04T02:00:00.000Z', JSON.stringify(d));
});

void test('accuracyBelow: a reading below the threshold triggers; at or above it does not', () => {
  const s = spec({ accuracyBelow: 0.9 });
  const time = T('2026-12-04T10:00:00Z');
  const d = decideRetraining(s, undefined, T('2026-12-04T10:00:10Z'), ev({ accuracy: { value: 0.85, time } }));
  assert.deepEqual(d, { kind: 'trigger', id: triggerId(UID, 'AccuracyBelow', time), reason: 'AccuracyBelow', evidenceTime: time, resend: false });
  assert.equal(decideRetraining(s, undefined, T('2026-12-04T10:00:10Z'), ev({ accuracy: { value: 0.9, time } })).kind, 'none');
});

void test('drift comes before accuracy when both hold', () => {
  const now = T('2026-12-04T10:00:10Z');
  const d = decideRetraining(spec({ drift: true, accuracyBelow: 0.9 }), undefined, now, ev({ accuracy: { value: 0.1, time: now }, driftCheck: { time: now, verdict: 'Drift' } }));
  assert.ok(d.kind === 'trigger' && d.reason === 'Drift');
});
