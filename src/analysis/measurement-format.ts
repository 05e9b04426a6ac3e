// Numbers and text as status.analysis holds them: JSON has no NaN or Infinity, and the API server
// refuses strings over the schema's limits, so every measurement passes through here.
import type { Measurement } from '../api/analysis-status.ts';
import { MAX_SHORT_STRING } from '../api/limits.ts';

export const MAX_MESSAGE_LENGTH = 1024;

/** A measurement without undefined fields, non-finite numbers dropped and text cut to its limit. */
export function measurement(m: Measurement): Measurement {
  const out: Measurement = { check: m.check, verdict: m.verdict };
  for (const key of ['value', 'stableValue', 'samples', 'stableSamples'] as const) {
    const v = m[key];
    if (v !== undefined && Number.isFinite(v)) out[key] = v;
  }
  if (m.statistic !== undefined) out.statistic = truncate(m.statistic, MAX_SHORT_STRING);
  if (m.threshold !== undefined) out.threshold = truncate(m.threshold, MAX_SHORT_STRING);
  if (m.message !== undefined) out.message = truncate(m.message, MAX_MESSAGE_LENGTH);
  return out;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Two significant digits, the way a person reads a p-value or a bound: 0.0042, 0.41, 1. */
export function short(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(2))) : String(x);
}

/** A rate as a percentage: error rates with two digits (2.1%, 0.050%), success rates with up to four (99.95%). */
export function percent(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const p = x * 100;
  if (p === 0) return '0%';
  return `${Math.abs(p) >= 10 ? String(Number(p.toPrecision(4))) : p.toPrecision(2)}%`;
}

/** Seconds as milliseconds with three significant digits; NaN (no data) as "n/a". */
export function milliseconds(seconds: number): string {
  if (Number.isNaN(seconds)) return 'n/a';
  if (!Number.isFinite(seconds)) return seconds > 0 ? '+Inf (above the largest bucket)' : String(seconds);
  return `${Number((seconds * 1000).toPrecision(3))} ms`;
}

/** A request count as a whole number (increase() extrapolates to fractions). */
export function requestCount(n: number): number {
  return Math.round(n);
}
