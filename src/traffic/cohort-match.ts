// Cohort matching shared by the routers: header and cookie matches pinned to the canary.
import type { TrafficMatch } from '../api/rollout-spec.ts';
import type { RouterInput } from './provider.ts';

/** A regular expression matching the text literally, in RE2 and Go syntax alike. */
export function escapeRegex(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '\\$&');
}

/** A Cookie header holding `name=value`, wherever it is in the list (full and partial matchers alike). */
export function cookieRegex(name: string, value: string): string {
  return `^(.*;\\s*)?${escapeRegex(name)}=${escapeRegex(value)}(;.*)?$`;
}

export function sortedHeaders(headers: Record<string, string>): [string, string][] {
  return Object.keys(headers)
    .sort()
    .map((k) => [k, headers[k]!]);
}

/** The cohorts to route to the canary: none without one. */
export function cohorts(input: RouterInput): readonly TrafficMatch[] {
  return input.canary && input.cohortMatch !== undefined ? input.cohortMatch : [];
}
