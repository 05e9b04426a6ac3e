// The profile of a numeric feature, computed once from the reference data and stored as JSON on object
// storage: quantile bin edges with the reference's counts (for PSI and Jensen–Shannon), a summary, and a
// bounded reservoir sample of raw values (for the KS test, which runs on raw values: ks-two-sample.ts).
// Its size is bounded by MAX_BINS and the sample size whatever the reference's size.
import { reservoirSample } from './reservoir-sample.ts';

export const DEFAULT_BINS = 10;
export const MAX_BINS = 20;
/** Raw values kept per feature: the KS test stays exact (≤ 10,000 per side) and the profile small. */
export const DEFAULT_SAMPLE_SIZE = 5_000;

export interface NumericSummary {
  /** Finite values. */
  readonly count: number;
  /** Values that were null, NaN or infinite. */
  readonly missing: number;
  readonly mean: number | null;
  /** Population standard deviation (ddof 0). */
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

export interface NumericProfile {
  readonly kind: 'numeric';
  /**
   * Inner bin edges, strictly increasing: bin 0 is (−∞, e0], bin i is (e(i−1), e(i)], the last is (e(last), ∞).
   * Open ends keep current values outside the reference's range countable. Tied quantiles collapse into one
   * edge, so a feature with few distinct values gets fewer bins.
   */
  readonly edges: readonly number[];
  /** Reference counts per bin (edges.length + 1 of them). */
  readonly counts: readonly number[];
  readonly summary: NumericSummary;
  readonly sample: readonly number[];
}

export type NumericValue = number | null | undefined;

export function finiteValues(values: Iterable<NumericValue>): { finite: number[]; missing: number } {
  const finite: number[] = [];
  let missing = 0;
  for (const v of values) {
    if (typeof v === 'number' && Number.isFinite(v)) finite.push(v);
    else missing++;
  }
  return { finite, missing };
}

/** The q-quantile of sorted values by linear interpolation (NumPy's default method). */
export function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const fraction = position - lower;
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * fraction;
}

export function quantileEdges(sorted: Float64Array, bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = quantile(sorted, k / bins);
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  // A single distinct value still gets an edge, so values above it land in a bin of their own.
  if (edges.length === 0 && sorted.length > 0) edges.push(sorted[0]!);
  return edges;
}

/** The bin of v: the first edge ≥ v, or the last bin. */
export function binIndex(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! >= v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Counts per bin of the finite values (missing ones are counted in the summary, not in a bin). */
export function binCounts(edges: readonly number[], values: Iterable<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) counts[binIndex(edges, v)]!++;
  return counts;
}

export function summarize(finite: readonly number[], missing: number): NumericSummary {
  const count = finite.length;
  if (count === 0) return { count, missing, mean: null, std: null, min: null, max: null };
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  // Welford's update: stable for large counts and large offsets.
  finite.forEach((v, i) => {
    const delta = v - mean;
    mean += delta / (i + 1);
    m2 += delta * (v - mean);
    if (v < min) min = v;
    if (v > max) max = v;
  });
  return { count, missing, mean, std: Math.sqrt(m2 / count), min, max };
}

export function numericProfile(
  values: Iterable<NumericValue>,
  random: () => number,
  options: { bins?: number; sampleSize?: number } = {},
): NumericProfile {
  const bins = Math.min(Math.max(Math.trunc(options.bins ?? DEFAULT_BINS), 2), MAX_BINS);
  const { finite, missing } = finiteValues(values);
  const sorted = Float64Array.from(finite).sort();
  const edges = quantileEdges(sorted, bins);
  return {
    kind: 'numeric',
    edges,
    counts: binCounts(edges, finite),
    summary: summarize(finite, missing),
    sample: reservoirSample(finite, options.sampleSize ?? DEFAULT_SAMPLE_SIZE, random),
  };
}
