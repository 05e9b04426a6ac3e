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

/**
 * The value of a PromQL string literal as written (quotes included: "...", '...' or `raw`), or
 * undefined for a spelling this code does not decode, which callers treat as a value they cannot trust.
 */
export function stringLiteralValue(literal: string): string | undefined {
  const quote = literal[0];
  if (literal.length < 2 || literal.at(-1) !== quote) return undefined;
  const body = literal.slice(1, -1);
  if (quote === '`') return body.includes('`') ? undefined : body;
  if (quote !== '"' && quote !== "'") return undefined;
  const rest = body.replace(GO_ESCAPE, '');
  if (rest.includes('\\') || rest.includes(quote)) return undefined;
  let undecodable = false;
  const value = body.replace(GO_ESCAPE, (_whole: string, simple?: string, hex?: string, octal?: string, u4?: string, u8?: string) => {
    if (simple !== undefined) return UNESCAPES[simple] ?? '';
    const n = parseInt(hex ?? octal ?? u4 ?? u8 ?? '', octal !== undefined ? 8 : 16);
    // \x and octal escapes are bytes in Go (above 0x7f not one character each); surrogates are refused.
    if (((hex !== undefined || octal !== undefined) && n > 0x7f) || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) undecodable = true;
    return undecodable ? '' : String.fromCodePoint(n);
  });
  return undecodable ? undefined : value;
}

const GO_ESCAPE = /\\(?:([abfnrtv\\'"])|x([0-9a-fA-F]{2})|([0-7]{3})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/g;

const UNESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};
