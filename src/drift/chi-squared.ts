// Chi-squared tests on counts: the homogeneity test of reference against current counts over the same
// categories or bins (SciPy's chi2_contingency on the 2×K table, correction=False), and the goodness-of-fit
// test against expected counts (SciPy's chisquare). Yates' continuity correction is not applied, even for one
// degree of freedom: it is conservative, and drift counts are large.
import { chiSquaredSurvival } from './incomplete-gamma.ts';

export interface ChiSquaredResult {
  readonly statistic: number;
  readonly dof: number;
  readonly pValue: number;
}

/**
 * Reference against current counts, as a 2×K contingency table. Categories empty on both sides carry no
 * information and are dropped first (SciPy refuses a table with a zero expected frequency); with fewer than
 * two categories left there is nothing to compare: statistic 0, p-value 1, as SciPy reports for dof 0.
 */
export function chiSquaredHomogeneity(reference: readonly number[], current: readonly number[]): ChiSquaredResult {
  if (reference.length !== current.length) throw new Error('chiSquaredHomogeneity: counts over different categories');
  const columns = reference.map((r, i) => [r, current[i]!] as const).filter(([r, c]) => r + c > 0);
  const rowR = columns.reduce((s, [r]) => s + r, 0);
  const rowC = columns.reduce((s, [, c]) => s + c, 0);
  const total = rowR + rowC;
  const dof = columns.length - 1;
  if (dof <= 0 || rowR === 0 || rowC === 0) return { statistic: 0, dof: Math.max(dof, 0), pValue: 1 };
  let statistic = 0;
  for (const [r, c] of columns) {
    const col = r + c;
    const er = (rowR * col) / total;
    const ec = (rowC * col) / total;
    statistic += (r - er) ** 2 / er + (c - ec) ** 2 / ec;
  }
  return { statistic, dof, pValue: chiSquaredSurvival(statistic, dof) };
}

/** Observed counts against expected counts with the same total (SciPy's chisquare(f_obs, f_exp)). */
export function chiSquaredGoodnessOfFit(observed: readonly number[], expected: readonly number[]): ChiSquaredResult {
  if (observed.length !== expected.length || observed.length === 0) throw new Error('chiSquaredGoodnessOfFit: counts over different categories');
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) statistic += (observed[i]! - expected[i]!) ** 2 / expected[i]!;
  const dof = observed.length - 1;
  return { statistic, dof, pValue: dof === 0 ? Number.NaN : chiSquaredSurvival(statistic, dof) };
}
