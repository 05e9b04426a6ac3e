// Comparative latency check: the canary's latency quantile (e.g. p95) may exceed the stable one by at
// most a relative tolerance. Quantiles come pre-computed (e.g. from Prometheus histogram_quantile), so
// this is a thresholded comparison, not a hypothesis test; the sample-size floor keeps it honest.

export type LatencyVerdict = 'Pass' | 'Fail' | 'Inconclusive';

export interface LatencyObservation {
  /** Quantile of the stable variant's latency, in seconds, over the same window as the canary's. */
  stableQuantile: number;
  canaryQuantile: number;
  /** Requests behind each quantile in the window. */
  stableSamples: number;
  canarySamples: number;
}

export interface LatencyOptions {
  /**
   * Allowed relative excess: Pass when canary <= stable * (1 + tolerance) + slackSeconds. Default 0.2,
   * because histogram_quantile interpolates inside buckets that typically grow 2-2.5x apiece, so
   * estimates of the same distribution routinely differ by ~10%; a tighter default would flap.
   */
  tolerance?: number;
  /**
   * Absolute slack in seconds added to the threshold. Default 0: set it for very fast models, where a
   * relative tolerance on a few milliseconds is below the resolution of the buckets.
   */
  slackSeconds?: number;
  /** Requests each variant needs before any verdict but Inconclusive. Default 100, as for error rates. */
  minSamples?: number;
}

export interface LatencyResult {
  verdict: LatencyVerdict;
  /** canary / stable quantile; NaN when undefined (no stable latency). */
  ratio: number;
  /** Largest canary quantile that passes. */
  threshold: number;
  reason: string;
}

export const DEFAULT_LATENCY_TOLERANCE = 0.2;
export const DEFAULT_LATENCY_MIN_SAMPLES = 100;

export function compareLatency(observation: LatencyObservation, options: LatencyOptions = {}): LatencyResult {
  const tolerance = options.tolerance ?? DEFAULT_LATENCY_TOLERANCE;
  const slack = options.slackSeconds ?? 0;
  const minSamples = options.minSamples ?? DEFAULT_LATENCY_MIN_SAMPLES;
  const { stableQuantile, canaryQuantile, stableSamples, canarySamples } = observation;
  const threshold = stableQuantile * (1 + tolerance) + slack;
  const ratio = stableQuantile > 0 ? canaryQuantile / stableQuantile : Number.NaN;

  if (!(stableSamples >= minSamples && canarySamples >= minSamples)) {
    return { verdict: 'Inconclusive', ratio, threshold, reason: `fewer than ${minSamples} requests per variant` };
  }
  // histogram_quantile yields NaN for an empty window and +Inf above the last bucket; neither is a number
  // we can compare against, but +Inf on the canary alone is a real (bad) measurement.
  if (!Number.isFinite(stableQuantile) || Number.isNaN(canaryQuantile) || canaryQuantile === -Infinity) {
    return { verdict: 'Inconclusive', ratio, threshold, reason: 'latency quantile is not a finite number' };
  }
  if (canaryQuantile <= threshold) {
    return { verdict: 'Pass', ratio, threshold, reason: `canary ${canaryQuantile}s <= threshold ${threshold}s` };
  }
  return { verdict: 'Fail', ratio, threshold, reason: `canary ${canaryQuantile}s > threshold ${threshold}s` };
}
