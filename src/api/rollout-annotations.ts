// Operator actions that must not edit Git-owned fields are annotations on the ModelDeployment: a
// GitOps tool ignores metadata it does not manage. Each holds a request id (the CLI writes a
// timestamp); the operator acts once per id and records it in status.rollout.handledRequests.
// The on-demand batch run annotation is in batch-annotations.ts.
import type { RolloutRequestKind } from './rollout-status.ts';

/** `modelship.io/promote: <id>`: skip the remaining steps and promote the canary now. */
export const PROMOTE_ANNOTATION = 'modelship.io/promote';
/** `modelship.io/abort: <id>`: canary weight 0 now, canary removed after scaleDownDelaySeconds. */
export const ABORT_ANNOTATION = 'modelship.io/abort';
/**
 * `modelship.io/rollback: <id>/<revision>`: serve that known-good revision of status.history now,
 * without steps. `<id>` alone rolls back to the newest known-good revision other than stable.
 */
export const ROLLBACK_ANNOTATION = 'modelship.io/rollback';
/** `modelship.io/retry: <id>`: restart an aborted (or rolled back) canary from step 0. */
export const RETRY_ANNOTATION = 'modelship.io/retry';

export const ROLLOUT_REQUEST_ANNOTATIONS: Readonly<Record<RolloutRequestKind, string>> = {
  promote: PROMOTE_ANNOTATION,
  abort: ABORT_ANNOTATION,
  rollback: ROLLBACK_ANNOTATION,
  retry: RETRY_ANNOTATION,
};
