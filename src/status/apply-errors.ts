// Which server-side apply refusals a retry can fix and which need a person.
import type { ApplyError } from './observations.ts';

/** 408 timeout, 409 conflict, 429 throttled: the API server will likely accept the same request later. */
const RETRYABLE_4XX = new Set([408, 409, 429]);

/** The caller's word if it gave one, else a 4xx other than the retryable ones: refused again if resent. */
export function isTerminal(error: ApplyError): boolean {
  if (error.retryable !== undefined) return !error.retryable;
  return error.code !== undefined && error.code >= 400 && error.code < 500 && !RETRYABLE_4XX.has(error.code);
}

export function isRetryable(error: ApplyError): boolean {
  return !isTerminal(error);
}

export function describeChild(error: ApplyError): string {
  return `${error.kind} ${error.name}`;
}

export function describeCode(error: ApplyError): string {
  return error.code === undefined ? 'no response' : `HTTP ${error.code}`;
}

/** By kind, then name: the API server answers applies in no particular order. */
export function byChild(a: ApplyError, b: ApplyError): number {
  const ka = `${a.kind}/${a.name}`;
  const kb = `${b.kind}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
