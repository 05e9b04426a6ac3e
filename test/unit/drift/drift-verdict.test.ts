// The verdict of a check: drift needs significance after Benjamini–Hochberg AND an effect size above the
// threshold; too few values give Inconclusive, never NoDrift; drifting features come largest effect first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { categoricalProfile } from '../../../src/drift/categorical-profile.ts';
import { DEFAULT_DRIFT_SETTINGS, driftVerdict } from '../../../src/drift/drift-verdict.ts';
import type { FeatureInput } from '../../../src/drift/drift-verdict.ts';
import { numericProfile } from '../../../src/drift/numeric-profile.ts';
import { normalSample, seededRandom } from './random-data.ts';

const random = seededRandom(21);
const numeric = (name: string, shift: number, n = 2000): FeatureInput => ({ name, profile: numericProfile(normalSample(random, n), random), current: normalSample(random, n, shift) });
const colours = (n: number, red: number) => Array.from({ length: n }, (_, i) => (i < red * n ? 'red' : i % 2 ? 'green' : 'blue'));

test('identical distributions: NoDrift, every feature tested', () => {
  const v = driftVerdict([numeric('a', 0), numeric('b', 0), { name: 'colour', profile: categoricalProfile(colours(1000, 0.3)), current: colours(800, 0.3) }], random);
  assert.equal(v.verdict, 'NoDrift');
  assert.deepEqual(v.drifting, []);
  assert.ok(v.features.every((f) => f.verdict === 'NoDrift' && f.adjustedPValue !== null && f.adjustedPValue > 0.05));
});

test('shifted features drift, largest effect first, with their statistics', () => {
  const v = driftVerdict([numeric('calm', 0), numeric('small', 0.3), numeric('large', 1), { name: 'colour', profile: categoricalProfile(colours(1000, 0.3)), current: colours(1000, 0.6) }], random);
  assert.equal(v.verdict, 'Drift');
  assert.deepEqual(v.drifting.map((f) => f.name), ['large', 'colour', 'small']);
  const colour = v.features.find((f) => f.name === 'colour');
  assert.equal(colour?.test, 'chi2');
  assert.ok((colour?.pValue ?? 1) < 1e-10);
  assert.equal(v.features.find((f) => f.name === 'calm')?.verdict, 'NoDrift');
});

test('significant but negligible: a tiny shift on a large window is not drift below the effect-size threshold', () => {
  const feature = numeric('tiny', 0.1, 5000);
  const v = driftVerdict([feature], random);
  const f = v.features[0];
  assert.ok(f && f.adjustedPValue !== null && f.adjustedPValue <= 0.05, `p ${f?.adjustedPValue}`);
  assert.ok(f.psi !== null && f.psi < DEFAULT_DRIFT_SETTINGS.minEffect, `psi ${f.psi}`);
  assert.equal(v.verdict, 'NoDrift');
  assert.equal(driftVerdict([feature], random, { ...DEFAULT_DRIFT_SETTINGS, minEffect: 0 }).verdict, 'Drift');
});

test('too few values: Inconclusive, never NoDrift, even when shifted; other features are still judged', () => {
  const v = driftVerdict([numeric('few', 5, 50), numeric('enough', 0)], random);
  assert.equal(v.verdict, 'Inconclusive');
  assert.deepEqual(v.features.map((f) => f.verdict), ['Inconclusive', 'NoDrift']);
  assert.equal(v.features[0]?.pValue, null);
  const empty = driftVerdict([{ name: 'silent', profile: categoricalProfile(colours(1000, 0.5)), current: [] }], random);
  assert.equal(empty.verdict, 'Inconclusive');
  assert.equal(driftVerdict([], random).verdict, 'Inconclusive');
});

test('all one category on both sides: no evidence of drift; moved to another category: drift', () => {
  const same = driftVerdict([{ name: 'c', profile: categoricalProfile(new Array<string>(500).fill('x')), current: new Array<string>(500).fill('x') }], random);
  assert.deepEqual([same.verdict, same.features[0]?.pValue, same.features[0]?.psi], ['NoDrift', 1, 0]);
  const moved = driftVerdict([{ name: 'c', profile: categoricalProfile(new Array<string>(500).fill('x')), current: new Array<string>(500).fill('y') }], random);
  assert.equal(moved.verdict, 'Drift');
});

test('Jensen–Shannon as the effect size', () => {
  const settings = { ...DEFAULT_DRIFT_SETTINGS, effectSize: 'jensenShannon', minEffect: 0.1 } as const;
  assert.equal(driftVerdict([numeric('large', 1)], random, settings).verdict, 'Drift');
  assert.equal(driftVerdict([numeric('small', 0.15)], random, settings).verdict, 'NoDrift');
});

test('a window summarized while streaming (counts + reservoir) gives the verdict of its raw values', async () => {
  const { Reservoir } = await import('../../../src/drift/reservoir-sample.ts');
  const { binCounts } = await import('../../../src/drift/numeric-profile.ts');
  const { categoryCounts } = await import('../../../src/drift/categorical-profile.ts');
  const profile = numericProfile(normalSample(random, 2000), random);
  const current = normalSample(random, 3000, 0.4);
  const reservoir = new Reservoir(DEFAULT_DRIFT_SETTINGS.sampleSize, random);
  for (const v of current) reservoir.add(v);
  const colourProfile = categoricalProfile(colours(1000, 0.3));
  const windowed = driftVerdict([
    { name: 'x', profile, current: { kind: 'numeric-window', count: current.length, counts: binCounts(profile.edges, current), sample: reservoir.sample } },
    { name: 'colour', profile: colourProfile, current: { kind: 'categorical-window', counts: categoryCounts(colourProfile.categories, colours(900, 0.5)) } },
  ], random);
  const raw = driftVerdict([{ name: 'x', profile, current }, { name: 'colour', profile: colourProfile, current: colours(900, 0.5) }], random);
  // Below the sample size the reservoir holds every value, so the KS test sees the same values.
  assert.deepEqual(windowed, raw);
  assert.equal(windowed.verdict, 'Drift');
});
