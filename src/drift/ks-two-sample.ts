// The two-sample Kolmogorov–Smirnov test as SciPy's ks_2samp (two-sided, method 'auto') computes it: with
// at most 10,000 values per sample, the exact null distribution (Hodges' lattice-path count, with Viehmann's
// recursion for the complement so it neither overflows nor cancels; for equal sizes the closed alternating
// sum evaluated Horner-style); beyond, the one-sample distribution at the effective size
// round(n1·n2 / (n1 + n2)) (kolmogorov-distribution.ts). Both samples are raw values, ties included.
//
// Design: KS runs on raw values, not on binned counts (binning would make the statistic depend on the bin
// edges and the null distribution would no longer hold). A numeric profile therefore keeps a bounded,
// reservoir-sampled reference sample (numeric-profile.ts, 5,000 values) and the verdict samples the current
// window the same way, so a check stays within the exact method and its cost stays bounded.
import { kolmogorovSurvival } from './kolmogorov-distribution.ts';

/** Above this many values in either sample, SciPy's 'auto' switches from the exact to the asymptotic method. */
export const MAX_EXACT_SAMPLE = 10_000;

export interface KsResult {
  /** sup |F1 − F2| over the pooled values, rounded to the lattice (h / lcm(n1, n2)) as SciPy does. */
  readonly statistic: number;
  readonly pValue: number;
}

const clip = (p: number) => Math.min(Math.max(p, 0), 1);

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Number of values of sorted `xs` that are ≤ v, starting the search at `from` (v increases). */
function countAtMost(xs: Float64Array, v: number, from: number): number {
  let i = from;
  while (i < xs.length && xs[i]! <= v) i++;
  return i;
}

/** The largest distance between the two empirical CDFs, evaluated at every pooled value. */
export function ksStatistic(sorted1: Float64Array, sorted2: Float64Array): number {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  let i = 0;
  let j = 0;
  let maxDiff = 0;
  let minDiff = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && sorted1[i]! <= sorted2[j]!) ? sorted1[i]! : sorted2[j]!;
    i = countAtMost(sorted1, v, i);
    j = countAtMost(sorted2, v, j);
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  return Math.min(Math.max(-minDiff, maxDiff), 1);
}

/** Pr(D ≥ h/n) for two samples of size n: 2·Σ (−1)^(k+1) C(2n, n−kh) / C(2n, n), nested to avoid cancellation. */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/** The proportion of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm(m,n). */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const a = new Float64Array(Math.min(2 * maxj + 2, n + 1)).fill(1);
  a.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (a[jj + minj - lastminj]! * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) a.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return a[maxj - minj - 1]!;
}

/** Round half to even, as NumPy's round. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Two-sided two-sample KS test; both samples non-empty and finite. */
export function ksTwoSample(sample1: readonly number[] | Float64Array, sample2: readonly number[] | Float64Array): KsResult {
  const n1 = sample1.length;
  const n2 = sample2.length;
  if (n1 === 0 || n2 === 0) throw new Error('ksTwoSample: both samples must be non-empty');
  const s1 = Float64Array.from(sample1).sort();
  const s2 = Float64Array.from(sample2).sort();
  if (!s1.every(Number.isFinite) || !s2.every(Number.isFinite)) throw new Error('ksTwoSample: values must be finite');
  const d = ksStatistic(s1, s2);
  if (Math.max(n1, n2) > MAX_EXACT_SAMPLE) {
    return { statistic: d, pValue: clip(kolmogorovSurvival(roundHalfEven((n1 * n2) / (n1 + n2)), d)) };
  }
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  // SciPy rounds the statistic to the lattice of attainable values, and reports the rounded one.
  const h = Math.round(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { statistic, pValue: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  return { statistic, pValue: clip(p) };
}
