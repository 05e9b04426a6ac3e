// Go-style durations in the spec (`30s`, `10m`, `1h30m`, `1.5h`), kept as strings so the spec
// round-trips unchanged through Git and the API server; the rollout logic converts them.
export const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
export const MAX_DURATION_LENGTH = 32;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest duration Go (and so CEL's duration(), in the CRD's rules) can hold: 2^63-1 ns, about 292 years. */
const MAX_GO_DURATION_MS = 9_223_372_036_854.775;

/** Milliseconds of a duration such as `1m30s`; undefined when it is not one, or too long for Go. */
export function durationMs(duration: string): number | undefined {
  if (!DURATION.test(duration)) return undefined;
  let ms = 0;
  for (const [, n, unit] of duration.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) ms += Number(n) * UNIT_MS[unit!]!;
  return ms > MAX_GO_DURATION_MS ? undefined : Math.round(ms);
}
