// Labels and annotations of batch runs. A run's Job carries everything status needs to describe the
// run (trigger, model version and source, output), so status is computed from the Jobs alone.

/** The run a Job or pod belongs to: its name. */
export const LABEL_BATCH_RUN = 'modelship.io/batch-run';
/** The model version a run scores with. */
export const LABEL_MODEL_VERSION = 'modelship.io/model-version';
/** Kueue's queue label: Kueue admits (unsuspends) the Job when the queue has quota. */
export const LABEL_KUEUE_QUEUE = 'kueue.x-k8s.io/queue-name';
/** app.kubernetes.io/component of run Jobs and pods: never selected by a model Service. */
export const COMPONENT_BATCH = 'batch-run';

/** `Schedule` or `Manual`. */
export const ANNOTATION_TRIGGER = 'modelship.io/batch-trigger';
/** The scheduled time (RFC 3339) of a scheduled run. */
export const ANNOTATION_SCHEDULED_TIME = 'modelship.io/scheduled-time';
/** The model URI the run's fetcher reads (the resolved source for a registry model). */
export const ANNOTATION_MODEL_SOURCE = 'modelship.io/model-source';
/** Where the run writes: `<output.uri>/<run>`. */
export const ANNOTATION_OUTPUT = 'modelship.io/batch-output';

export const TRIGGERS = ['Schedule', 'Manual'] as const;
export type Trigger = (typeof TRIGGERS)[number];
