// PURE: the smoke check's result from the outcome of each request: passed only when every sample
// passed on every pod; the message names the first failure (in pod and sample order, not in the
// order answers came back, so the same failures always read the same).
import type { SmokeVerdict } from './smoke-response.ts';

export interface SmokeOutcome {
  readonly pod: string;
  /** Index of the sample in the ConfigMap's array. */
  readonly sample: number;
  readonly verdict: SmokeVerdict;
  /** Time to the whole response; undefined when none came. */
  readonly latencyMs: number | undefined;
}

export interface SmokeCheckResult {
  readonly passed: boolean;
  readonly message: string;
  readonly requests: number;
  readonly failures: number;
}

/** status.analysis.validation.message holds at most 1024 characters. */
export const MAX_SMOKE_MESSAGE = 1024;

function clip(message: string): string {
  return message.length > MAX_SMOKE_MESSAGE ? `${message.slice(0, MAX_SMOKE_MESSAGE - 3)}...` : message;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `outcomes` in pod order, then sample order; `note` (what the check left out, and why) ends the message. */
export function summarizeSmokeCheck(outcomes: readonly SmokeOutcome[], note?: string): SmokeCheckResult {
  const noted = (message: string) => (note === undefined ? message : `${message} (${note})`);
  const requests = outcomes.length;
  const pods = new Set(outcomes.map((o) => o.pod)).size;
  const failed = outcomes.filter((o) => !o.verdict.ok);
  if (failed.length === 0) {
    const slowest = Math.max(0, ...outcomes.map((o) => o.latencyMs ?? 0));
    return {
      passed: requests > 0,
      message: requests > 0 ? clip(noted(`${plural(requests, 'request')} to ${plural(pods, 'pod')} passed; slowest ${Math.round(slowest)} ms`)) : 'no requests were sent',
      requests,
      failures: 0,
    };
  }
  const first = failed[0]!;
  const reason = first.verdict.ok ? '' : first.verdict.reason;
  return {
    passed: false,
    message: clip(noted(`${failed.length} of ${plural(requests, 'request')} to ${plural(pods, 'pod')} failed; first: pod ${first.pod} sample ${first.sample}: ${reason}`)),
    requests,
    failures: failed.length,
  };
}
