// PURE: when to look again. What may succeed on its own (server errors, throttling) is retried with
// the queue's backoff (by throwing); a stalled object waits for a change, with a slow periodic look in
// case the cause went away (e.g. RBAC fixed), a quicker one for a name taken by another's object (the
// caches never see that object, so no event says when it is removed); a rollout asks for its own next look.
import type { RolloutDecision } from '../../rollout/index.ts';
import { isRetryable } from '../../status/apply-errors.ts';
import type { ApplyError } from '../../status/observations.ts';
import type { ReconcileOutcome } from '../reconcile-deps.ts';
import { isTakenName } from '../taken-name.ts';

const STALLED_RETRY_MS = 5 * 60_000;
/** A look costs a refused apply and a GET per taken name: cheap enough to converge within 30 s. */
export const TAKEN_NAME_RETRY_MS = 30_000;
const MIN_REQUEUE_MS = 1000;

export function requeue(errors: readonly ApplyError[], renderFailed: boolean, decision: RolloutDecision | undefined): ReconcileOutcome {
  const retryable = errors.filter(isRetryable);
  if (retryable.length > 0) {
    throw new Error(`apply failed, will retry: ${retryable.map((e) => `${e.kind}/${e.name}: ${e.message}`).join('; ')}`);
  }
  const stalledRetryMs = errors.some(isTakenName) ? TAKEN_NAME_RETRY_MS : errors.length > 0 || renderFailed ? STALLED_RETRY_MS : undefined;
  const requeueAfterMs = Math.min(stalledRetryMs ?? Infinity, decision?.requeueAfterMs ?? Infinity);
  return Number.isFinite(requeueAfterMs) ? { requeueAfterMs: Math.max(MIN_REQUEUE_MS, requeueAfterMs) } : {};
}
