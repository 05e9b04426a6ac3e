// Status, Events and logs report a query's values and series counts, never the label sets of series:
// Prometheus's own error texts quote them (duplicate series of a join, "the same labelset"), so those
// texts lose every {...} before they are kept anywhere.

/** `text` with each innermost `{...}` replaced by `{…}`. */
export function redactLabelSets(text: string): string {
  return text.replace(/\{[^{}]*\}/g, '{…}');
}
