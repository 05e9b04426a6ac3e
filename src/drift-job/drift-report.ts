// What a check writes: the full report (report.json: every feature's result, the window, the settings and
// what was read) and the termination message, one JSON line of at most MAX_TERMINATION_BYTES that the
// operator copies into status.drift (top features, drifting first; the list is cut to fit, never the
// verdict). Pure.
import type { DriftSettings, FeatureDrift } from '../drift/drift-verdict.ts';

export const REPORT_API_VERSION = 'modelship.io/drift-report/v1';
/** The kubelet keeps 4096 bytes of a termination message; this leaves room to spare. */
export const MAX_TERMINATION_BYTES = 3072;
export const TOP_FEATURES = 5;
const MAX_NAME_CHARS = 128;

export type Verdict = 'Drift' | 'NoDrift' | 'Inconclusive';

export interface ReadCounts {
  /** Log files read. */
  readonly files: number;
  /** Records whose time is inside the window. */
  readonly records: number;
  /** Of those, successful inference calls whose rows were used. */
  readonly used: number;
  /** Rows (instances) extracted from the used records: the samples. */
  readonly rows: number;
  readonly skipped: { readonly notSuccessful: number; readonly notInference: number; readonly unreadable: number };
}

export interface ReportInputs {
  readonly verdict: Verdict;
  readonly features: readonly FeatureDrift[];
  readonly predictions: FeatureDrift | null;
  readonly settings: DriftSettings;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly namespace: string;
  readonly model: string;
  readonly version: string;
  readonly profile: string;
  readonly read: ReadCounts;
  /** Per feature: values that were missing or of the wrong type. */
  readonly missing: ReadonlyMap<string, number>;
  readonly createdAt: string;
}

export interface StatusFeature {
  readonly name: string;
  readonly test: 'ks' | 'chi2';
  readonly statistic: number | null;
  readonly pValue: number | null;
  readonly adjustedPValue: number | null;
  readonly effectSize: number | null;
  readonly verdict: Verdict;
}

const effectOf = (f: FeatureDrift, settings: DriftSettings): number | null => (settings.effectSize === 'psi' ? f.psi : f.jensenShannon);

/** Drifting features first, then by effect size, largest first (no effect size last). */
export function rankFeatures(features: readonly FeatureDrift[], settings: DriftSettings): FeatureDrift[] {
  const rank = (f: FeatureDrift) => (f.verdict === 'Drift' ? 0 : 1);
  return [...features].sort((a, b) => rank(a) - rank(b) || (effectOf(b, settings) ?? -1) - (effectOf(a, settings) ?? -1) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function statusFeature(f: FeatureDrift, settings: DriftSettings): StatusFeature {
  const name = f.name.length <= MAX_NAME_CHARS ? f.name : `${f.name.slice(0, MAX_NAME_CHARS - 3)}...`;
  return { name, test: f.test, statistic: f.statistic, pValue: f.pValue, adjustedPValue: f.adjustedPValue, effectSize: effectOf(f, settings), verdict: f.verdict };
}

export function buildReport(r: ReportInputs): unknown {
  const detail = (f: FeatureDrift) => ({ ...f, effectSize: effectOf(f, r.settings), missing: r.missing.get(f.name) ?? 0 });
  return {
    apiVersion: REPORT_API_VERSION,
    verdict: r.verdict,
    namespace: r.namespace,
    model: r.model,
    version: r.version,
    windowStart: r.windowStart,
    windowEnd: r.windowEnd,
    samples: r.read.rows,
    profile: r.profile,
    settings: { alpha: r.settings.alpha, effectSize: { measure: r.settings.effectSize, threshold: r.settings.minEffect }, minSamples: r.settings.minSamples, sampleSize: r.settings.sampleSize },
    read: r.read,
    features: rankFeatures(r.features, r.settings).map(detail),
    predictions: r.predictions === null ? null : detail(r.predictions),
    createdAt: r.createdAt,
  };
}

/** The termination message: one line, at most `maxBytes` bytes, dropping features from the end to fit. */
export function terminationMessage(r: ReportInputs, reportUri: string, maxBytes = MAX_TERMINATION_BYTES): string {
  const features = rankFeatures(r.features, r.settings).slice(0, TOP_FEATURES).map((f) => statusFeature(f, r.settings));
  const predictions = r.predictions === null ? null : (({ name: _name, adjustedPValue: _adjusted, ...rest }) => rest)(statusFeature(r.predictions, r.settings));
  const line = (n: number) =>
    JSON.stringify({ verdict: r.verdict, samples: r.read.rows, windowStart: r.windowStart, windowEnd: r.windowEnd, report: reportUri, features: features.slice(0, n), predictions });
  for (let n = features.length; n > 0; n--) {
    const text = line(n);
    if (Buffer.byteLength(text) <= maxBytes) return text;
  }
  return line(0);
}
