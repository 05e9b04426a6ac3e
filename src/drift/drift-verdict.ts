// The drift verdict of one check: per feature a test (KS on raw values for numeric features, chi-squared
// on counts for categorical ones) and an effect size (PSI, or Jensen–Shannon distance) against the
// reference profile; Benjamini–Hochberg across the tested features. A feature drifts when its adjusted
// p-value is ≤ alpha AND its effect size reaches the threshold: significance alone flags negligible shifts
// on large windows, effect size alone flags noise on small ones. A feature with too few values is
// Inconclusive, never "no drift".
import { benjaminiHochberg } from './benjamini-hochberg.ts';
import type { CategoricalProfile, CategoricalValue } from './categorical-profile.ts';
import { categoryCounts } from './categorical-profile.ts';
import { chiSquaredHomogeneity } from './chi-squared.ts';
import { jensenShannonDistance, populationStabilityIndex } from './distribution-distance.ts';
import { ksTwoSample } from './ks-two-sample.ts';
import type { NumericProfile, NumericValue } from './numeric-profile.ts';
import { binCounts, DEFAULT_SAMPLE_SIZE, finiteValues } from './numeric-profile.ts';
import { reservoirSample } from './reservoir-sample.ts';

export interface DriftSettings {
  readonly alpha: number;
  readonly effectSize: 'psi' | 'jensenShannon';
  /** Effect size at or above which a significant difference counts as drift. */
  readonly minEffect: number;
  /** Values a feature needs on each side (reference and current) to be judged at all. */
  readonly minSamples: number;
  /** The current window's raw values kept for the KS test (a uniform sample beyond it). */
  readonly sampleSize: number;
}

/**
 * PSI 0.02 is about a 0.15-standard-deviation shift of a normal feature over deciles: well under the
 * customary 0.1 ("moderate shift"), so the threshold screens out only shifts too small to act on.
 */
export const DEFAULT_DRIFT_SETTINGS: DriftSettings = { alpha: 0.05, effectSize: 'psi', minEffect: 0.02, minSamples: 100, sampleSize: DEFAULT_SAMPLE_SIZE };

/**
 * A numeric feature's current window summarized while it streamed by, so a long window takes bounded
 * memory: exact counts over the profile's bins, the number of finite values, and a uniform sample of them
 * (at most settings.sampleSize, reservoir-sample.ts).
 */
export interface NumericWindow {
  readonly kind: 'numeric-window';
  readonly count: number;
  readonly counts: readonly number[];
  readonly sample: readonly number[];
}

/** A categorical feature's current window as exact counts over the profile's categories, then "other". */
export interface CategoricalWindow {
  readonly kind: 'categorical-window';
  readonly counts: readonly number[];
}

export type FeatureInput =
  | { readonly name: string; readonly profile: NumericProfile; readonly current: Iterable<NumericValue> | NumericWindow }
  | { readonly name: string; readonly profile: CategoricalProfile; readonly current: Iterable<CategoricalValue> | CategoricalWindow };

const isWindow = (current: object): current is NumericWindow | CategoricalWindow => 'kind' in current;

export interface FeatureDrift {
  readonly name: string;
  readonly test: 'ks' | 'chi2';
  /** Values compared on the current side. */
  readonly currentCount: number;
  readonly statistic: number | null;
  readonly pValue: number | null;
  readonly adjustedPValue: number | null;
  readonly psi: number | null;
  readonly jensenShannon: number | null;
  readonly verdict: 'Drift' | 'NoDrift' | 'Inconclusive';
}

export interface DriftVerdict {
  readonly verdict: 'Drift' | 'NoDrift' | 'Inconclusive';
  /** Drifting features, largest effect first. */
  readonly drifting: readonly FeatureDrift[];
  readonly features: readonly FeatureDrift[];
}

interface Tested {
  readonly name: string;
  readonly test: 'ks' | 'chi2';
  readonly currentCount: number;
  readonly enough: boolean;
  readonly statistic: number | null;
  readonly pValue: number | null;
  readonly psi: number | null;
  readonly jensenShannon: number | null;
}

function testFeature(feature: FeatureInput, settings: DriftSettings, random: () => number): Tested {
  const { name } = feature;
  if (feature.profile.kind === 'numeric') {
    const profile = feature.profile;
    const current = feature.current;
    let window: { count: number; counts: readonly number[]; sample: () => readonly number[] };
    if (isWindow(current) && current.kind === 'numeric-window') {
      if (current.counts.length !== profile.counts.length) throw new Error(`${name}: ${current.counts.length} window counts for ${profile.counts.length} bins`);
      window = { count: current.count, counts: current.counts, sample: () => current.sample };
    } else {
      const { finite } = finiteValues(current as Iterable<NumericValue>);
      window = { count: finite.length, counts: binCounts(profile.edges, finite), sample: () => reservoirSample(finite, settings.sampleSize, random) };
    }
    const referenceCount = profile.counts.reduce((s, c) => s + c, 0);
    const enough = window.count >= settings.minSamples && profile.sample.length >= settings.minSamples && referenceCount >= settings.minSamples;
    if (!enough) return { name, test: 'ks', currentCount: window.count, enough, statistic: null, pValue: null, psi: null, jensenShannon: null };
    const counts = window.counts;
    const ks = ksTwoSample(profile.sample, window.sample());
    return {
      name,
      test: 'ks',
      currentCount: window.count,
      enough,
      statistic: ks.statistic,
      pValue: ks.pValue,
      psi: populationStabilityIndex(profile.counts, counts),
      jensenShannon: jensenShannonDistance(profile.counts, counts),
    };
  }
  const profile = feature.profile;
  const current = feature.current;
  const counts = isWindow(current) && current.kind === 'categorical-window' ? current.counts : categoryCounts(profile.categories, current as Iterable<CategoricalValue>);
  if (counts.length !== profile.counts.length) throw new Error(`${name}: ${counts.length} window counts for ${profile.counts.length} categories`);
  const currentCount = counts.reduce((s, c) => s + c, 0);
  const referenceCount = profile.counts.reduce((s, c) => s + c, 0);
  const enough = currentCount >= settings.minSamples && referenceCount >= settings.minSamples;
  if (!enough) return { name, test: 'chi2', currentCount, enough, statistic: null, pValue: null, psi: null, jensenShannon: null };
  const chi2 = chiSquaredHomogeneity(profile.counts, counts);
  return {
    name,
    test: 'chi2',
    currentCount,
    enough,
    statistic: chi2.statistic,
    pValue: chi2.pValue,
    psi: populationStabilityIndex(profile.counts, counts),
    jensenShannon: jensenShannonDistance(profile.counts, counts),
  };
}

/** `random` draws the current window's KS sample when it exceeds settings.sampleSize (seed it to reproduce). */
export function driftVerdict(features: readonly FeatureInput[], random: () => number, settings: DriftSettings = DEFAULT_DRIFT_SETTINGS): DriftVerdict {
  const tested = features.map((f) => testFeature(f, settings, random));
  const judged = tested.filter((t) => t.enough);
  const adjusted = benjaminiHochberg(judged.map((t) => t.pValue ?? 1));
  const adjustedOf = new Map(judged.map((t, i) => [t, adjusted[i]!]));
  const effect = (f: { psi: number | null; jensenShannon: number | null }) => (settings.effectSize === 'psi' ? f.psi : f.jensenShannon) ?? 0;
  const results: FeatureDrift[] = tested.map((t) => {
    const adjustedPValue = adjustedOf.get(t) ?? null;
    const verdict = !t.enough ? 'Inconclusive' : adjustedPValue !== null && adjustedPValue <= settings.alpha && effect(t) >= settings.minEffect ? 'Drift' : 'NoDrift';
    const { enough: _enough, ...rest } = t;
    return { ...rest, adjustedPValue, verdict };
  });
  const drifting = results.filter((r) => r.verdict === 'Drift').sort((a, b) => effect(b) - effect(a));
  const verdict = drifting.length > 0 ? 'Drift' : results.some((r) => r.verdict === 'Inconclusive') || results.length === 0 ? 'Inconclusive' : 'NoDrift';
  return { verdict, drifting, features: results };
}
