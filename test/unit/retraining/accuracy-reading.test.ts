import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCURACY_MIN_LABELS, accuracyReading, accuracyReadingQueries, accuracySlot } from '../../../src/retraining/accuracy-reading.ts';
import { decideRetraining } from '../../../src/retraining/decide-retraining.ts';

void test('the queries count the stable revision’s labels of the last hour, scoped to namespace and ModelDeployment', () => {
  const q = accuracyReadingQueries({ namespace: 'team-a', name: 'iris', revision: 3 });
  assert.equal(q.labels, 'sum(increase(modelship_inference_labels_total{namespace="team-a",model_deployment="iris",prediction_revision="3"}[3600s])) or vector(0)');
  assert.equal(q.incorrect, 'sum(increase(modelship_inference_labels_total{namespace="team-a",model_deployment="iris",prediction_revision="3",result="incorrect"}[3600s])) or vector(0)');
});

void test('the slot is the start of the 5-minute slot, the same for every time within it', () => {
  assert.equal(accuracySlot(new Date('2026-12-04T10:07:59.999Z')).toISOString(), '2026-12-04T10:05:00.000Z');
  assert.equal(accuracySlot(new Date('2026-12-04T10:05:00.000Z')).toISOString(), '2026-12-04T10:05:00.000Z');
  assert.equal(accuracySlot(new Date('2026-12-04T10:04:59.999Z')).toISOString(), '2026-12-04T10:00:00.000Z');
});

const slot = new Date('2026-12-04T10:05:00Z');

void test('a reading is 1 - incorrect / labels, once at least the minimum of labels was counted', () => {
  assert.equal(ACCURACY_MIN_LABELS, 100);
  assert.deepEqual(accuracyReading(200, 80, slot), { kind: 'reading', value: 0.6, time: slot, labels: 200 });
  assert.deepEqual(accuracyReading(100, 0, slot), { kind: 'reading', value: 1, time: slot, labels: 100 });
  assert.deepEqual(accuracyReading(120, undefined, slot), { kind: 'reading', value: 1, time: slot, labels: 120 });
  // increase() extrapolates: never above 1 or below 0.
  assert.equal((accuracyReading(100, 100.4, slot) as { value: number }).value, 0);
});

void test('below the minimum of labels, or with no series, there is no reading', () => {
  assert.deepEqual(accuracyReading(99.9, 90, slot), { kind: 'too-few', labels: 99.9, time: slot });
  assert.deepEqual(accuracyReading(undefined, undefined, slot), { kind: 'too-few', labels: 0, time: slot });
  assert.equal(accuracyReading(40, 0, slot, 30).kind, 'reading');
});

void test('NaN, infinities or negative counts are no reading', () => {
  assert.equal(accuracyReading(NaN, 0, slot).kind, 'invalid');
  assert.equal(accuracyReading(Infinity, 0, slot).kind, 'invalid');
  assert.equal(accuracyReading(200, -1, slot).kind, 'invalid');
});

void test('a reading below the threshold gives one trigger id for the slot, and none again in it after the trigger', () => {
  const spec = { on: { accuracyBelow: 0.9 }, cooldown: '1m', job: { image: 'x', timeoutSeconds: 86400 } };
  const reading = accuracyReading(200, 80, slot);
  assert.equal(reading.kind, 'reading');
  const accuracy = { value: (reading as { value: number }).value, time: reading.time };
  const at = (iso: string) => decideRetraining(spec, undefined, new Date(iso), { uid: 'u', accuracy });
  const a = at('2026-12-04T10:05:10Z');
  const b = at('2026-12-04T10:09:00Z');
  assert.equal(a.kind, 'trigger');
  assert.deepEqual(a, b, 'a retry within the slot decides the same trigger');
  assert.equal(a.kind === 'trigger' ? a.reason : '', 'AccuracyBelow');
  const after = decideRetraining(spec, { lastTrigger: { id: 'rt-1', reason: 'AccuracyBelow', time: '2026-12-04T10:05:10Z', state: 'Sent' } }, new Date('2026-12-04T10:09:00Z'), { uid: 'u', accuracy });
  assert.equal(after.kind, 'none', 'the slot’s reading is not newer than the trigger it caused');
  assert.equal(decideRetraining(spec, undefined, new Date('2026-12-04T10:06:00Z'), { uid: 'u', accuracy: { value: 0.95, time: slot } }).kind, 'none');
});
