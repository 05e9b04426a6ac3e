// Reference profiles: bounded, JSON-serialisable, ties and missing values handled, and current data binned
// against the reference's edges and categories.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { categoricalProfile, categoryCounts } from '../../../src/drift/categorical-profile.ts';
import { binCounts, MAX_BINS, numericProfile } from '../../../src/drift/numeric-profile.ts';
import { reservoirSample } from '../../../src/drift/reservoir-sample.ts';
import { integerSample, normalSample, seededRandom } from './random-data.ts';

test('numeric profile: deciles of a continuous sample give ten bins of equal reference counts', () => {
  const values = Array.from({ length: 1000 }, (_, i) => i);
  const p = numericProfile(values, seededRandom(1));
  assert.equal(p.edges.length, 9);
  assert.deepEqual(p.counts, new Array(10).fill(100));
  assert.deepEqual(p.summary, { count: 1000, missing: 0, mean: 499.5, std: Math.sqrt((1000 * 1000 - 1) / 12), min: 0, max: 999 });
});

test('numeric profile: tied quantiles collapse, bins stay within MAX_BINS, a constant feature still has two bins', () => {
  const ties = numericProfile(integerSample(seededRandom(2), 5000, 3), seededRandom(3), { bins: 10 });
  // Values 0, 1, 2: the deciles are 0 (×3), 1 (×3), 2 (×3); the bin above the largest value stays empty.
  assert.deepEqual(ties.edges, [0, 1, 2]);
  assert.equal(ties.counts.length, 4);
  assert.equal(ties.counts[3], 0);
  assert.equal(ties.counts.reduce((s, c) => s + c, 0), 5000);
  assert.equal(numericProfile(normalSample(seededRandom(4), 1000), seededRandom(5), { bins: 500 }).counts.length, MAX_BINS);
  const constant = numericProfile([7, 7, 7, 7], seededRandom(6));
  assert.deepEqual(constant.edges, [7]);
  assert.deepEqual(constant.counts, [4, 0]);
  assert.deepEqual(binCounts(constant.edges, [6, 7, 8, 9]), [2, 2], 'values above the only reference value get their own bin');
});

test('numeric profile: missing values are counted apart, and current values outside the reference range are binned', () => {
  const p = numericProfile([1, 2, null, 3, Number.NaN, 4, undefined, Infinity], seededRandom(7), { bins: 2 });
  assert.equal(p.summary.count, 4);
  assert.equal(p.summary.missing, 4);
  assert.deepEqual(p.edges, [2.5]);
  assert.deepEqual(binCounts(p.edges, [-100, 2.5, 2.6, 100]), [2, 2]);
  assert.deepEqual(numericProfile([], seededRandom(8)).summary, { count: 0, missing: 0, mean: null, std: null, min: null, max: null });
});

test('numeric profile: bounded in size however large the reference, and survives a JSON round trip', () => {
  const p = numericProfile(normalSample(seededRandom(9), 50_000), seededRandom(10), { sampleSize: 2000 });
  assert.equal(p.sample.length, 2000);
  assert.ok(JSON.stringify(p).length < 60_000, `profile of ${JSON.stringify(p).length} characters`);
  assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
});

test('reservoir sample: keeps everything below its size, and draws uniformly beyond it', () => {
  assert.deepEqual(reservoirSample([1, 2, 3], 5, seededRandom(11)), [1, 2, 3]);
  const random = seededRandom(12);
  const hits = new Array<number>(10).fill(0);
  for (let t = 0; t < 2000; t++) for (const v of reservoirSample(Array.from({ length: 100 }, (_, i) => i), 10, random)) hits[Math.floor(v / 10)]!++;
  // Each tenth of the stream should supply a tenth of the sample: 2,000 of 20,000 draws, sd about 42.
  for (const h of hits) assert.ok(Math.abs(h - 2000) < 200, `tenths supplied ${hits.join(', ')}`);
});

test('categorical profile: top-K by frequency, ties by name, the rest and unseen categories in "other"', () => {
  const values = ['a', 'b', 'b', 'c', 'c', 'c', 'd', 'd', 'd', null, 'e'];
  const p = categoricalProfile(values, { topK: 2 });
  assert.deepEqual(p, { kind: 'categorical', categories: ['c', 'd'], counts: [3, 3, 4], missing: 1 });
  assert.deepEqual(categoryCounts(p.categories, ['c', 'z', 'd', 'd', null, 'a']), [1, 2, 2]);
  assert.deepEqual(categoricalProfile([true, 1, '1', true]), { kind: 'categorical', categories: ['1', 'true'], counts: [2, 2, 0], missing: 0 });
  const many = categoricalProfile(Array.from({ length: 10_000 }, (_, i) => `user-${i}`));
  assert.equal(many.categories.length, 20);
  assert.equal(many.counts.at(-1), 10_000 - 20);
});
