// Every drift statistic against SciPy 1.17 on the same data, to 1e-9 relative: KS (exact and asymptotic,
// ties, identical and disjoint samples, the kstwo distribution in each of its method regions), both
// chi-squared tests, the chi-squared survival function, Jensen–Shannon distance, PSI by its formula,
// Benjamini–Hochberg, and the quantiles behind the bin edges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benjaminiHochberg } from '../../../src/drift/benjamini-hochberg.ts';
import { chiSquaredGoodnessOfFit, chiSquaredHomogeneity } from '../../../src/drift/chi-squared.ts';
import { jensenShannonDistance, populationStabilityIndex, PSI_EPSILON } from '../../../src/drift/distribution-distance.ts';
import { chiSquaredSurvival } from '../../../src/drift/incomplete-gamma.ts';
import { kolmogorovSurvival } from '../../../src/drift/kolmogorov-distribution.ts';
import { ksTwoSample } from '../../../src/drift/ks-two-sample.ts';
import { quantile } from '../../../src/drift/numeric-profile.ts';
import { integerSample, normalSample, seededRandom } from './random-data.ts';
import { assertClose, scipy } from './scipy-reference.ts';
import type { ScipyCall } from './scipy-reference.ts';

const r = seededRandom(2026);
const ksCases: { name: string; a: number[]; b: number[] }[] = [
  { name: 'one value each', a: [1], b: [2] },
  { name: 'n = 10 vs 10, shifted', a: normalSample(r, 10), b: normalSample(r, 10, 1) },
  { name: 'n = 7 vs 13', a: normalSample(r, 7), b: normalSample(r, 13, 0.5) },
  { name: 'n = 3 vs 40', a: normalSample(r, 3), b: normalSample(r, 40) },
  { name: 'ties: integers 0..4, 60 vs 45', a: integerSample(r, 60, 5), b: integerSample(r, 45, 5) },
  { name: 'ties across samples, 200 vs 300', a: integerSample(r, 200, 3), b: integerSample(r, 300, 4) },
  { name: 'identical samples', a: [1, 2, 2, 3, 5, 8], b: [1, 2, 2, 3, 5, 8] },
  { name: 'all one value', a: [4, 4, 4, 4], b: [4, 4, 4] },
  { name: 'disjoint, 25 vs 30', a: normalSample(r, 25), b: normalSample(r, 30, 100) },
  { name: 'disjoint, 400 vs 400 (tiny p)', a: normalSample(r, 400), b: normalSample(r, 400, 100) },
  { name: 'n = 1000 vs 997, same law', a: normalSample(r, 1000), b: normalSample(r, 997) },
  { name: 'n = 1000 vs 1000, 0.1 sd shift', a: normalSample(r, 1000), b: normalSample(r, 1000, 0.1) },
  { name: 'n = 5000 vs 5000, 0.05 sd shift', a: normalSample(r, 5000), b: normalSample(r, 5000, 0.05) },
  { name: 'n = 5000 vs 4999, 0.2 sd shift', a: normalSample(r, 5000), b: normalSample(r, 4999, 0.2) },
  { name: 'n = 10000 vs 2500, scale change', a: normalSample(r, 10000), b: normalSample(r, 2500, 0, 1.1) },
  // Above 10,000 values in a sample: SciPy's asymptotic method.
  { name: 'asymptotic: n = 10001 vs 60 (effective n ≤ 140)', a: normalSample(r, 10001), b: normalSample(r, 60, 0.3) },
  { name: 'asymptotic: n = 20000 vs 15000, same law', a: normalSample(r, 20000), b: normalSample(r, 15000) },
  { name: 'asymptotic: n = 20000 vs 20000, 0.03 sd shift', a: normalSample(r, 20000), b: normalSample(r, 20000, 0.03) },
  { name: 'asymptotic: n = 30000 vs 5000, 0.1 sd shift', a: normalSample(r, 30000), b: normalSample(r, 5000, 0.1) },
  { name: 'asymptotic: ties, n = 12000 vs 9000', a: integerSample(r, 12000, 8), b: integerSample(r, 9000, 8) },
];

const countCases: { name: string; reference: number[]; current: number[] }[] = [
  { name: 'ten bins, similar', reference: [100, 98, 103, 99, 101, 100, 97, 102, 100, 100], current: [52, 47, 55, 49, 50, 51, 46, 53, 48, 49] },
  { name: 'ten bins, shifted', reference: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100], current: [20, 30, 45, 60, 80, 100, 120, 140, 180, 225] },
  { name: 'two categories (one dof)', reference: [700, 300], current: [640, 360] },
  { name: 'an empty bin on the current side', reference: [50, 30, 20, 10], current: [60, 40, 0, 5] },
  { name: 'a category only the current side has', reference: [500, 500, 0], current: [400, 450, 150] },
  { name: 'huge counts, tiny p', reference: [1e6, 2e6, 3e6], current: [1.2e6, 1.9e6, 2.9e6] },
];

test('two-sample KS: statistic and p-value equal scipy.stats.ks_2samp (exact and asymptotic methods)', async () => {
  const expected = await scipy(ksCases.map(({ a, b }): ScipyCall => ({ fn: 'ks_2samp', a, b })));
  let worst = 0;
  ksCases.forEach(({ name, a, b }, i) => {
    const [statistic, pValue] = expected[i]!;
    const ours = ksTwoSample(a, b);
    worst = Math.max(worst, assertClose(ours.statistic, statistic!, `${name}: statistic`), assertClose(ours.pValue, pValue!, `${name}: p-value`));
  });
  console.log(`ks_2samp: ${ksCases.length} cases, max relative error ${worst}`);
});

test('chi-squared: homogeneity equals chi2_contingency(correction=False), goodness of fit equals chisquare', async () => {
  const goodness = countCases.filter((c) => c.reference.every((x) => x > 0));
  const expectedOf = (c: { reference: number[]; current: number[] }) => {
    const rt = c.reference.reduce((s, x) => s + x, 0);
    const ct = c.current.reduce((s, x) => s + x, 0);
    return c.reference.map((x) => (x / rt) * ct);
  };
  // SciPy refuses a column empty on both sides, which chiSquaredHomogeneity drops: none here.
  const calls: ScipyCall[] = [
    ...countCases.map((c): ScipyCall => ({ fn: 'chi2_contingency', table: [c.reference, c.current] })),
    ...goodness.map((c): ScipyCall => ({ fn: 'chisquare', observed: c.current, expected: expectedOf(c) })),
  ];
  const expected = await scipy(calls);
  let worst = 0;
  countCases.forEach((c, i) => {
    const [statistic, pValue, dof] = expected[i]!;
    const ours = chiSquaredHomogeneity(c.reference, c.current);
    assert.equal(ours.dof, dof, c.name);
    worst = Math.max(worst, assertClose(ours.statistic, statistic!, `${c.name}: statistic`), assertClose(ours.pValue, pValue!, `${c.name}: p-value`));
  });
  goodness.forEach((c, i) => {
    const [statistic, pValue] = expected[countCases.length + i]!;
    const ours = chiSquaredGoodnessOfFit(c.current, expectedOf(c));
    worst = Math.max(worst, assertClose(ours.statistic, statistic!, `${c.name}: chisquare statistic`), assertClose(ours.pValue, pValue!, `${c.name}: chisquare p-value`));
  });
  console.log(`chi2_contingency / chisquare: ${calls.length} cases, max relative error ${worst}`);
});

test('chi-squared survival (regularized upper incomplete gamma) equals scipy.stats.chi2.sf across both tails', async () => {
  const points: { x: number; dof: number }[] = [];
  for (const dof of [1, 2, 3, 5, 9, 19, 50, 99]) for (const x of [1e-6, 0.01, 0.5, 1, dof / 2, dof, dof + 1, 2 * dof, 5 * dof + 20, 200]) points.push({ x, dof });
  const expected = await scipy(points.map((p): ScipyCall => ({ fn: 'chi2_sf', ...p })));
  let worst = 0;
  points.forEach(({ x, dof }, i) => {
    worst = Math.max(worst, assertClose(chiSquaredSurvival(x, dof), expected[i]![0]!, `chi2.sf(${x}, ${dof})`));
  });
  console.log(`chi2.sf: ${points.length} points, max relative error ${worst}`);
});

test('the one-sample KS distribution behind the asymptotic p-value equals scipy.stats.kstwo.sf in every method region', async () => {
  const points: { n: number; x: number }[] = [];
  for (const n of [5, 20, 60, 140, 141, 500, 2500, 9000, 50_000, 150_000]) {
    for (const z of [0.3, 0.6, 0.8, 1, 1.2, 1.5, 2, 3, 5, 10]) if (z / Math.sqrt(n) < 1) points.push({ n, x: z / Math.sqrt(n) });
  }
  points.push({ n: 10, x: 0.07 }, { n: 10, x: 0.6 }, { n: 200, x: 0.004 }, { n: 200, x: 0.999 }, { n: 50, x: 0.97 });
  const expected = await scipy(points.map((p): ScipyCall => ({ fn: 'kstwo_sf', ...p })));
  let worst = 0;
  points.forEach(({ n, x }, i) => {
    worst = Math.max(worst, assertClose(kolmogorovSurvival(n, x), expected[i]![0]!, `kstwo.sf(${x}, ${n})`));
  });
  console.log(`kstwo.sf: ${points.length} points, max relative error ${worst}`);
});

test('Jensen–Shannon distance equals scipy.spatial.distance.jensenshannon (natural log and base 2); PSI equals its formula', async () => {
  const pairs = [...countCases, { name: 'identical', reference: [1, 2, 3], current: [2, 4, 6] }, { name: 'all one category', reference: [10, 0], current: [0, 7] }];
  const calls: ScipyCall[] = pairs.flatMap((c): ScipyCall[] => [
    { fn: 'jensenshannon', p: c.reference, q: c.current, base: null },
    { fn: 'jensenshannon', p: c.reference, q: c.current, base: 2 },
    { fn: 'psi', p: c.reference, q: c.current, epsilon: PSI_EPSILON },
  ]);
  const expected = await scipy(calls);
  let worst = 0;
  pairs.forEach((c, i) => {
    const [js, js2, psi] = [expected[3 * i]![0]!, expected[3 * i + 1]![0]!, expected[3 * i + 2]![0]!];
    const ours = [jensenShannonDistance(c.reference, c.current), jensenShannonDistance(c.reference, c.current, 2), populationStabilityIndex(c.reference, c.current)];
    if (c.name === 'identical') assert.deepEqual(ours, [0, 0, 0]);
    worst = Math.max(worst, assertClose(ours[0]!, js, `${c.name}: JS`), assertClose(ours[1]!, js2, `${c.name}: JS base 2`), assertClose(ours[2]!, psi, `${c.name}: PSI`));
  });
  assert.equal(jensenShannonDistance([10, 0], [0, 7], 2), 1, 'disjoint supports are at the maximum distance');
  console.log(`jensenshannon / PSI: ${calls.length} values, max relative error ${worst}`);
});

test('Benjamini–Hochberg equals scipy.stats.false_discovery_control(method="bh"); quantiles equal numpy.quantile', async () => {
  const pSets = [[0.01], [0.04, 0.01, 0.03, 0.2, 0.5], [0.001, 0.001, 0.02, 0.02, 0.9, 1, 0], Array.from({ length: 20 }, () => r())];
  const values = normalSample(r, 101);
  const qs = [0, 0.1, 0.25, 0.5, 0.9, 1];
  const expected = await scipy([...pSets.map((ps): ScipyCall => ({ fn: 'bh', ps })), { fn: 'quantile', values, q: qs }]);
  let worst = 0;
  pSets.forEach((ps, i) => {
    benjaminiHochberg(ps).forEach((p, j) => (worst = Math.max(worst, assertClose(p, expected[i]![j]!, `BH set ${i} p ${j}`))));
  });
  const sorted = Float64Array.from(values).sort();
  qs.forEach((q, j) => (worst = Math.max(worst, assertClose(quantile(sorted, q), expected[pSets.length]![j]!, `quantile ${q}`))));
  console.log(`false_discovery_control / quantile: max relative error ${worst}`);
});

test('KS refuses what SciPy refuses: an empty sample, and non-finite values', () => {
  assert.throws(() => ksTwoSample([], [1, 2]), /non-empty/);
  assert.throws(() => ksTwoSample([1, Number.NaN], [1, 2]), /finite/);
});
