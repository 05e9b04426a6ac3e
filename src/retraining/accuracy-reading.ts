// PURE: the accuracy reading behind `retraining.on.accuracyBelow` (docs/retraining.md): the stable
// revision's labelled accuracy over the last hour, from the inference agent's
// modelship_inference_labels_total, with the same queries as the analysis' accuracy check
// (src/analysis/accuracy-queries.ts). Read at most once per 5-minute slot; the reading's time is the slot's
// start, so the trigger id built from it is the same for every retry within the slot.
import { DEFAULT_MIN_LABELS } from '../api/analysis-spec.ts';
import { accuracyQueries, type AccuracyQueries, type RevisionTarget } from '../analysis/accuracy-queries.ts';
import type { PrometheusValue } from '../analysis/prometheus-client.ts';

export const ACCURACY_WINDOW_SECONDS = 3600;
export const ACCURACY_SLOT_MS = 5 * 60_000;
/** Fewer labels in the window than this give no reading: the analysis' default minimum. */
export const ACCURACY_MIN_LABELS = DEFAULT_MIN_LABELS;

/** The start of the 5-minute slot `now` falls in (UTC, aligned to the epoch). */
export function accuracySlot(now: Date): Date {
  return new Date(Math.floor(now.getTime() / ACCURACY_SLOT_MS) * ACCURACY_SLOT_MS);
}

/** The two queries of one reading: labels counted in the last hour, and the incorrect ones among them. */
export function accuracyReadingQueries(target: RevisionTarget): AccuracyQueries {
  return accuracyQueries(target, ACCURACY_WINDOW_SECONDS);
}

export type AccuracyOutcome =
  | { readonly kind: 'reading'; readonly value: number; readonly time: Date; readonly labels: number }
  | { readonly kind: 'too-few'; readonly labels: number; readonly time: Date }
  | { readonly kind: 'invalid'; readonly message: string; readonly time: Date };

/** What Prometheus' two answers, asked at `slot`, mean. No series counts as no label. */
export function accuracyReading(labels: PrometheusValue, incorrect: PrometheusValue, slot: Date, minLabels = ACCURACY_MIN_LABELS): AccuracyOutcome {
  const n = labels ?? 0;
  const wrong = incorrect ?? 0;
  if (!Number.isFinite(n) || !Number.isFinite(wrong) || n < 0 || wrong < 0) {
    return { kind: 'invalid', message: `Prometheus answered ${String(labels)} labels and ${String(incorrect)} incorrect ones`, time: slot };
  }
  if (n < minLabels) return { kind: 'too-few', labels: n, time: slot };
  // increase() extrapolates, so the incorrect count can come out a hair above the total.
  const value = Math.min(1, Math.max(0, 1 - wrong / n));
  return { kind: 'reading', value, time: slot, labels: n };
}
