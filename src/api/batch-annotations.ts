// On-demand batch runs are asked for with an annotation, like Flux's reconcile.fluxcd.io/requestedAt:
// a GitOps tool ignores metadata it does not manage, so asking for a run edits no Git-owned field.

/**
 * `modelship.io/batch-run-requested: <value>`: setting it to a new value (e.g. a timestamp) asks for
 * a run now, also while spec.batch.suspend is true. The operator records the value it acted on in
 * status.batch.lastHandledRunRequest and starts one run per new value.
 */
export const BATCH_RUN_REQUESTED_ANNOTATION = 'modelship.io/batch-run-requested';
