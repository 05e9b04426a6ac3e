// Reasons from other controllers, passed through so a user can search for them (see api/reasons.ts).
import type { ForeignReason, Reason } from '../api/reasons.ts';

const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/** A reason from elsewhere (the Deployment controller), or `fallback` when it is not CamelCase. */
export function asReason<R extends Reason>(reason: string | undefined, fallback: R): R | ForeignReason {
  return reason !== undefined && reason.length <= 1024 && REASON.test(reason) ? (reason as ForeignReason) : fallback;
}
