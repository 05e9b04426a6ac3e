// Monte Carlo of whole drift checks through driftVerdict: 20 normal features profiled from a reference
// sample, a current window of the same size, and optionally one feature shifted by some standard deviations.
// Shared by test/unit/drift/drift-simulation.test.ts and bench/drift-power.ts.
import { driftVerdict, DEFAULT_DRIFT_SETTINGS } from '../../../src/drift/drift-verdict.ts';
import type { DriftSettings, FeatureInput } from '../../../src/drift/drift-verdict.ts';
import { numericProfile } from '../../../src/drift/numeric-profile.ts';
import { normalSample } from './random-data.ts';

export interface DriftScenario {
  readonly features: number;
  /** Values in the reference and in the current window, per feature. */
  readonly samples: number;
  /** Shift of feature 0's mean in the current window, in standard deviations (0: no drift). */
  readonly shift: number;
}

export interface DriftRates {
  readonly checks: number;
  /** Checks whose verdict was Drift. */
  readonly driftRate: number;
  /** Checks that named the shifted feature (feature 0) as drifting. */
  readonly shiftedFeatureFound: number;
  /** Checks that named any unshifted feature as drifting. */
  readonly otherFeatureFlagged: number;
  /** Checks whose shifted feature was significant after correction, whatever its effect size. */
  readonly shiftedFeatureSignificant: number;
}

export function simulateChecks(random: () => number, scenario: DriftScenario, checks: number, settings: DriftSettings = DEFAULT_DRIFT_SETTINGS): DriftRates {
  let drift = 0;
  let found = 0;
  let other = 0;
  let significant = 0;
  for (let c = 0; c < checks; c++) {
    const features: FeatureInput[] = Array.from({ length: scenario.features }, (_, f) => ({
      name: `f${f}`,
      profile: numericProfile(normalSample(random, scenario.samples), random),
      current: normalSample(random, scenario.samples, f === 0 ? scenario.shift : 0),
    }));
    const v = driftVerdict(features, random, settings);
    if (v.verdict === 'Drift') drift++;
    if (v.drifting.some((d) => d.name === 'f0')) found++;
    if (v.drifting.some((d) => d.name !== 'f0')) other++;
    if ((v.features[0]?.adjustedPValue ?? 1) <= settings.alpha) significant++;
  }
  return { checks, driftRate: drift / checks, shiftedFeatureFound: found / checks, otherFeatureFlagged: other / checks, shiftedFeatureSignificant: significant / checks };
}
