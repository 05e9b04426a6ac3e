// Names of the queries one analysis run plans and the controller answers, `<check>:<series>:<variant>`.
// Custom metric names are [-a-z0-9] only, so the ':' separators and the fixed prefixes cannot collide.
import type { AnalysisVariant } from './promql-syntax.ts';

export const queryIds = {
  /** Inference requests since the analysis started (cumulative: the sequential test needs all of it). */
  requests: (variant: AnalysisVariant): string => `success-rate:requests:${variant}`,
  /** Failed inference requests since the analysis started. */
  errors: (variant: AnalysisVariant): string => `success-rate:errors:${variant}`,
  /** Latency in seconds over the last interval. */
  latency: (variant: AnalysisVariant): string => `latency:seconds:${variant}`,
  /** Inference requests over the last interval: the samples behind the latency. */
  latencyRequests: (variant: AnalysisVariant): string => `latency:requests:${variant}`,
  /** Labelled predictions of the variant's revision since the analysis started (cumulative). */
  labels: (variant: AnalysisVariant): string => `accuracy:labels:${variant}`,
  /** Of those, the incorrect ones. */
  incorrectLabels: (variant: AnalysisVariant): string => `accuracy:incorrect:${variant}`,
  /** Categorical predictions of the variant since the analysis started, by value (grouped). */
  driftCategories: (variant: AnalysisVariant): string => `drift:categories:${variant}`,
  /** Real-valued predictions of the variant since the analysis started, by cumulative bucket (grouped). */
  driftBuckets: (variant: AnalysisVariant): string => `drift:buckets:${variant}`,
  /** A custom metric's value over its own template's window. */
  metric: (name: string, variant: AnalysisVariant): string => `metric:${name}:${variant}`,
};
