// Log of the standard normal CDF, computed in log space so that far tails stay finite: the mixture
// likelihood ratio multiplies by Φ(z), and z can be large and negative when the canary is better.

// Chebyshev fit of erfc (Numerical Recipes `erfcc`), fractional error below 1.2e-7 everywhere,
// including the tails, which is what log-space needs.
function logErfcNonNegative(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
      t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - x * x + poly;
}

/** ln Φ(z) for the standard normal distribution. */
export function logNormalCdf(z: number): number {
  const x = -z / Math.SQRT2;
  // Φ(z) = erfc(-z/√2) / 2; erfc(x) = 2 - erfc(-x) for negative x.
  if (x >= 0) return logErfcNonNegative(x) - Math.LN2;
  return Math.log(2 - Math.exp(logErfcNonNegative(-x))) - Math.LN2;
}

/** Φ(z) for the standard normal distribution. */
export function normalCdf(z: number): number {
  return Math.exp(logNormalCdf(z));
}
