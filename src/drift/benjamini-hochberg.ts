// Benjamini–Hochberg adjusted p-values across the features of one check (SciPy's
// false_discovery_control(ps, method='bh')): feature i drifts at false discovery rate alpha when its
// adjusted p-value is ≤ alpha.

export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  if (pValues.some((p) => !(p >= 0 && p <= 1))) throw new Error('benjaminiHochberg: p-values must lie in [0, 1]');
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const [p, i] = order[rank - 1]!;
    running = Math.min(running, (p * m) / rank);
    adjusted[i] = Math.min(running, 1);
  }
  return adjusted;
}
