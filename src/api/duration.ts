// Go-style durations in the spec (`30s`, `10m`, `1h30m`, `1.5h`), kept as strings so the spec
// round-trips unchanged through Git and the API server; the rollout logic converts them.
export const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
export const MAX_DURATION_LENGTH = 32;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration such as `1m30s`; undefined when it is not one. */
export function durationMs(duration: string): number | undefined {
  if (!DURATION.test(duration)) return undefined;
  let ms = 0;
  for (const [, n, unit] of duration.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) ms += Number(n) * UNIT_MS[unit!]!;
  return Math.round(ms);
}
