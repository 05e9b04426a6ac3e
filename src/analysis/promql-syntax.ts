// PromQL spelling shared by the built-in queries and the custom-metric templates: string escaping,
// range durations and label selectors. Values end up inside PromQL strings, so they are escaped even
// though Kubernetes names never need it: a selector must not be breakable by any input.

/** Target labels the Prometheus scrape config gives every model pod (relabelled from pod labels). */
export const LABEL_NAMESPACE = 'namespace';
export const LABEL_MODEL_DEPLOYMENT = 'model_deployment';
export const LABEL_VARIANT = 'variant';
export const LABEL_REVISION = 'revision';
export const LABEL_POD = 'pod';

export type AnalysisVariant = 'stable' | 'canary';

/** The body of a double-quoted PromQL string holding `value` (PromQL strings use Go escapes). */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n\r\t]/g, (c) => ESCAPES[c] ?? c);
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A range duration in whole seconds, at least 1s (`[0s]` is a parse error and Prometheus has no sub-second scrapes). */
export function promqlDuration(seconds: number): string {
  const s = Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : 1;
  return `${s}s`;
}

/** `name="value",...` matchers, values escaped. */
export function equalityMatchers(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(',');
}
