import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareQuantities, isWholeQuantity, nanoValue } from '../../../src/api/quantity-value.ts';
import { quantitySchema } from '../../../src/api/quantity.ts';

void test('quantities are read in nano units, whatever the suffix', () => {
  const cases: [string | number, bigint][] = [
    [1, 1_000_000_000n],
    ['1', 1_000_000_000n],
    ['500m', 500_000_000n],
    ['.5', 500_000_000n],
    ['1.', 1_000_000_000n],
    ['1Ki', 1024n * 1_000_000_000n],
    ['1k', 1000n * 1_000_000_000n],
    ['1E', 10n ** 27n],
    ['1e3', 1000n * 1_000_000_000n],
    ['1E-3', 1_000_000n],
    ['25u', 25_000n],
    ['7n', 7n],
  ];
  for (const [q, nano] of cases) assert.equal(nanoValue(q), nano, String(q));
});

void test('below a nano unit rounds up, as the API server does', () => {
  assert.equal(nanoValue('0.0000000001'), 1n);
  assert.equal(nanoValue('1e-30'), 1n);
  assert.equal(nanoValue('0'), 0n);
  assert.equal(compareQuantities('0.0000000001', '0.0000000002'), 0);
});

void test('a huge exponent stays cheap', () => {
  assert.ok((nanoValue('1e999999999') ?? 0n) > 10n ** 900n);
  assert.equal(compareQuantities('1e999999999', '1e999999998'), 0, 'both clamp to the same bound');
});

void test('binary quantities are capped at the largest int64', () => {
  assert.equal(compareQuantities('99999999999Ei', '99999999998Ei'), 0);
});

void test('not a quantity', () => {
  for (const q of ['', 'abc', '1 Gi', '-1', '1Xi', 1.5]) assert.equal(nanoValue(q), undefined, String(q));
  assert.equal(compareQuantities('1', 'one'), undefined);
});

void test('comparisons across units', () => {
  assert.equal(compareQuantities('500m', '1'), -1);
  assert.equal(compareQuantities('1Gi', '1024Mi'), 0);
  assert.equal(compareQuantities('1G', '1Gi'), -1);
  assert.equal(compareQuantities(2, '1500m'), 1);
  assert.equal(compareQuantities('1000m', 1), 0);
});

void test('whole numbers in any unit, below 10^15', () => {
  for (const q of [1, '1', '1000m', '2e0', '1k', '999999999999999']) assert.equal(isWholeQuantity(q), true, String(q));
  for (const q of ['500m', '0.5', '1.000000001', 'abc', '1e15', '1e30']) assert.equal(isWholeQuantity(q), false, String(q));
});

test('a decimal quantity written unquoted is refused with how to write it', () => {
  const result = quantitySchema.safeParse(0.5);
  assert.equal(result.success, false);
  assert.match(result.error?.issues[0]?.message ?? '', /^must be quoted, "0\.5" \(or in milli-units, 500m\)/);
  assert.equal(quantitySchema.safeParse('0.5').success, true);
  assert.match(quantitySchema.safeParse('half').error?.issues[0]?.message ?? '', /^must be a quantity such as/);
});
