// Always-valid sequential test of "the canary's error rate is higher than stable's" for two binomial
// streams: a mixture SPRT (Johari, Pekelis, Walsh 2017, "Always valid inference"). The difference of
// proportions is treated as Gaussian, theta_hat ~ N(theta, V), and the likelihood ratio against
// theta = 0 is mixed over theta > 0 with a half-normal N(0, tau^2) prior. The mixture ratio is a
// non-negative martingale under theta = 0 (a supermartingale for theta < 0), so by Ville's inequality
// P(ever LR >= 1/alpha) <= alpha: the analysis may look after every interval without inflating the
// false-positive rate. The Gaussian step is an approximation; the unit tests simulate it.
import { logNormalCdf } from './normal-cdf.ts';

export type ProportionVerdict = 'Pass' | 'Fail' | 'Inconclusive';

/** Cumulative counts since the canary started taking traffic. Real numbers are accepted (Prometheus
 * increase() extrapolates); errors are clamped into [0, requests] to absorb scrape skew. */
export interface ProportionCounts {
  stableRequests: number;
  stableErrors: number;
  canaryRequests: number;
  canaryErrors: number;
}

export interface ProportionOptions {
  /** False-Fail (and false-Pass) probability bound over the whole rollout. Default 0.05. */
  alpha?: number;
  /**
   * Standard deviation of the mixing distribution over the error-rate difference. Default 0.01 (one
   * percentage point): power is best for regressions on the order of tau, and a one-point rise is the
   * scale of regression worth rolling back for typical serving error rates (0.1%-5%). Any tau > 0 keeps
   * the test valid; tau only trades power between small and large effects.
   */
  tau?: number;
  /**
   * Pass when the always-valid upper confidence bound on canary - stable error rate is <= this. Default
   * 0.01 (absolute, one percentage point), matching tau: "not worse by more than a point".
   */
  tolerance?: number;
  /**
   * Requests each variant needs before any verdict but Inconclusive, and before the running p-value is
   * updated at all (the Gaussian approximation is poor on tiny samples). Default 100.
   */
  minRequests?: number;
}

export interface ProportionResult {
  verdict: ProportionVerdict;
  /** ln of the mixture likelihood ratio at this look (0 when not computed: below minimum sample). */
  logLikelihoodRatio: number;
  /** Running always-valid p-value, including this look. */
  pValue: number;
  /** Observed canary - stable error rate. */
  difference: number;
  /** Always-valid upper confidence bound on canary - stable error rate (Infinity below minimum sample). */
  upperBound: number;
  stableRate: number;
  canaryRate: number;
  reason: string;
}

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_TAU = 0.01;
export const DEFAULT_TOLERANCE = 0.01;
export const DEFAULT_MIN_REQUESTS = 100;

/** The running always-valid p-value: min over looks of min(1, 1/LR). */
export function nextAlwaysValidPValue(previousPValue: number, logLikelihoodRatio: number): number {
  return Math.min(previousPValue, 1, Math.exp(-logLikelihoodRatio));
}

/**
 * ln of the one-sided (theta > 0) half-normal mixture likelihood ratio for an estimate `difference`
 * with variance `variance`: 2 sqrt(V/(V+tau^2)) exp(d^2 tau^2 / (2V(V+tau^2))) Phi(d tau / sqrt(V(V+tau^2))).
 */
export function logMixtureLikelihoodRatio(difference: number, variance: number, tau: number): number {
  const tau2 = tau * tau;
  const spread = variance * (variance + tau2);
  return (
    Math.LN2 +
    0.5 * Math.log(variance / (variance + tau2)) +
    (difference * difference * tau2) / (2 * spread) +
    logNormalCdf((difference * tau) / Math.sqrt(spread))
  );
}

/**
 * Half-width of the two-sided always-valid confidence sequence from the normal mixture: the set of
 * theta whose mixture ratio stays below 1/alpha. Valid at every look simultaneously.
 */
export function confidenceRadius(variance: number, tau: number, alpha: number): number {
  const tau2 = tau * tau;
  return Math.sqrt(((variance * (variance + tau2)) / tau2) * (2 * Math.log(1 / alpha) + Math.log((variance + tau2) / variance)));
}

/** Add-one smoothed rate: keeps the variance positive when no errors (or only errors) were seen. */
function smoothedRate(errors: number, requests: number): number {
  return (errors + 1) / (requests + 2);
}

export function msprtProportions(
  counts: ProportionCounts,
  options: ProportionOptions = {},
  previousPValue = 1,
): ProportionResult {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const tau = options.tau ?? DEFAULT_TAU;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const minRequests = options.minRequests ?? DEFAULT_MIN_REQUESTS;

  const ns = Math.max(0, counts.stableRequests);
  const nc = Math.max(0, counts.canaryRequests);
  const es = Math.min(ns, Math.max(0, counts.stableErrors));
  const ec = Math.min(nc, Math.max(0, counts.canaryErrors));
  const stableRate = ns > 0 ? es / ns : 0;
  const canaryRate = nc > 0 ? ec / nc : 0;
  const difference = canaryRate - stableRate;

  if (!(ns >= minRequests && nc >= minRequests)) {
    return {
      verdict: 'Inconclusive',
      logLikelihoodRatio: 0,
      pValue: Math.min(1, previousPValue),
      difference,
      upperBound: Infinity,
      stableRate,
      canaryRate,
      reason: `fewer than ${minRequests} requests per variant (stable ${ns}, canary ${nc})`,
    };
  }

  // Test under the null theta = 0: both variants share one (pooled) rate.
  const pooled = smoothedRate(es + ec, ns + nc);
  const nullVariance = pooled * (1 - pooled) * (1 / ns + 1 / nc);
  const logLikelihoodRatio = logMixtureLikelihoodRatio(difference, nullVariance, tau);
  const pValue = nextAlwaysValidPValue(previousPValue, logLikelihoodRatio);

  // Confidence sequence for theta anywhere: each variant keeps its own rate.
  const ps = smoothedRate(es, ns);
  const pc = smoothedRate(ec, nc);
  const variance = (ps * (1 - ps)) / ns + (pc * (1 - pc)) / nc;
  const upperBound = difference + confidenceRadius(variance, tau, alpha);

  const base = { logLikelihoodRatio, pValue, difference, upperBound, stableRate, canaryRate };
  if (pValue <= alpha) {
    return { ...base, verdict: 'Fail', reason: `canary error rate higher: always-valid p ${pValue.toPrecision(3)} <= alpha ${alpha}` };
  }
  if (upperBound <= tolerance) {
    return {
      ...base,
      verdict: 'Pass',
      reason: `canary - stable error rate <= ${upperBound.toPrecision(3)} (always-valid bound) <= tolerance ${tolerance}`,
    };
  }
  return {
    ...base,
    verdict: 'Inconclusive',
    reason: `p ${pValue.toPrecision(3)} > alpha ${alpha} and upper bound ${upperBound.toPrecision(3)} > tolerance ${tolerance}`,
  };
}
