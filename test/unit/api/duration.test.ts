import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationMs } from '../../../src/api/duration.ts';

void test('durations add up their parts', () => {
  assert.equal(durationMs('1h30m'), 5_400_000);
  assert.equal(durationMs('1.5s'), 1500);
  assert.equal(durationMs('1d'), undefined);
});

void test('a duration too long for Go is none, as CEL duration() refuses it in the CRD', () => {
  assert.equal(durationMs('2562047h'), 2_562_047 * 3_600_000);
  assert.equal(durationMs('2562048h'), undefined);
});
