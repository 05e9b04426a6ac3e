// The catalogue of condition reasons computeStatus writes, in one place. Reasons are CamelCase
// (metav1.Condition) and stable: alerts, `kubectl wait` and Argo CD health checks may match them.
// Pod and Deployment reasons (ImagePullBackOff, ProgressDeadlineExceeded, FailedCreate ...) and render
// error codes (UnsupportedFormat ...) are passed through as they are, so a user can search for them.

/** Ready=True: the spec is fully acted on and every replica is ready (Flux's word for it). */
export const SUCCEEDED = 'Succeeded';

/** Reconciling=True: children applied, the Deployment controller has not caught up yet. */
export const PROGRESSING = 'Progressing';
/** Reconciling=True: a transient failure (conflict, throttling, server error); retrying. */
export const PROGRESSING_WITH_RETRY = 'ProgressingWithRetry';
/** Reconciling=True: pods of the new template are still being created or old ones removed. */
export const ROLLING_OUT = 'RollingOut';
/** Reconciling=True: every pod runs the current template but not all are ready yet. */
export const SCALING_UP = 'ScalingUp';

/** Stalled=True: the API server refused an apply with 403. */
export const APPLY_FORBIDDEN = 'ApplyForbidden';
/** Stalled=True: the API server refused an apply with 422 (the object is invalid). */
export const APPLY_INVALID = 'ApplyInvalid';
/** Stalled=True: a conflict retrying cannot solve, e.g. a child's name is taken by an object modelship does not own. */
export const APPLY_CONFLICT = 'ApplyConflict';
/** Stalled=True: any other 4xx refusal that retrying cannot fix. */
export const APPLY_REJECTED = 'ApplyRejected';
/** Stalled=True: a permission check (not an apply) found permissions the operator lacks. */
export const MISSING_PERMISSIONS = 'MissingPermissions';
/** Stalled=True: a Deployment reports ReplicaFailure with a reason that is not CamelCase. */
export const REPLICA_FAILURE = 'ReplicaFailure';

/** Serving=True / False. */
export const REPLICAS_READY = 'ReplicasReady';
export const NO_READY_REPLICAS = 'NoReadyReplicas';

const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/** A reason from elsewhere (kubelet, Deployment controller), or `fallback` when it is not CamelCase. */
export function asReason(reason: string | undefined, fallback: string): string {
  return reason !== undefined && reason.length <= 1024 && REASON.test(reason) ? reason : fallback;
}
