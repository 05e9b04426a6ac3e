// Effect sizes between the reference and current distributions over the same bins or categories, from
// counts: the population stability index and the Jensen–Shannon distance.

/**
 * Empty bins get this proportion in the PSI, whose log term is infinite otherwise: 1e-4 is below one value in
 * the largest window profiled (5,000), so it only matters where a bin is truly empty, and caps one empty
 * bin's contribution at about p·ln(p / 1e-4).
 */
export const PSI_EPSILON = 1e-4;

function proportions(counts: readonly number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  if (!(total > 0)) throw new Error('distribution distance: counts must have a positive total');
  return counts.map((c) => c / total);
}

/** PSI = Σ (c − r) · ln(c / r) over the proportions, each floored at PSI_EPSILON. */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[]): number {
  if (reference.length !== current.length) throw new Error('populationStabilityIndex: counts over different bins');
  const r = proportions(reference);
  const c = proportions(current);
  let psi = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = Math.max(r[i]!, PSI_EPSILON);
    const ci = Math.max(c[i]!, PSI_EPSILON);
    psi += (ci - ri) * Math.log(ci / ri);
  }
  return psi;
}

/** x·ln(x / y), 0 for x = 0 (SciPy's rel_entr for y > 0). */
function relativeEntropyTerm(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(x / y);
}

/**
 * Jensen–Shannon distance as SciPy's jensenshannon(p, q, base): sqrt of the JS divergence, with natural
 * logarithms by default (bounded by sqrt(ln 2)) or base 2 (bounded by 1). Counts are normalised first.
 */
export function jensenShannonDistance(reference: readonly number[], current: readonly number[], base?: number): number {
  if (reference.length !== current.length) throw new Error('jensenShannonDistance: counts over different bins');
  const p = proportions(reference);
  const q = proportions(current);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    divergence += relativeEntropyTerm(p[i]!, m) + relativeEntropyTerm(q[i]!, m);
  }
  if (base !== undefined) divergence /= Math.log(base);
  return Math.sqrt(Math.max(divergence, 0) / 2);
}
