// Labels and annotations of the drift Jobs. A Job carries what status needs to describe it (the kind,
// the model version, the judged window), so status.drift is computed from the Jobs and their pods.

/** `profile` or `check`: the Job is one of the drift Jobs of its ModelDeployment. */
export const LABEL_DRIFT_JOB = 'modelship.io/drift-job';
/** app.kubernetes.io/component of drift Jobs and pods: never selected by a model Service. */
export const COMPONENT_DRIFT = 'drift';
/** The stable model version the Job profiles or checks. */
export const ANNOTATION_DRIFT_VERSION = 'modelship.io/drift-version';
/** The scheduled time (RFC 3339) of a check: also the end of its window. */
export const ANNOTATION_DRIFT_SCHEDULED_TIME = 'modelship.io/scheduled-time';
/** The start of a check's window (RFC 3339). */
export const ANNOTATION_WINDOW_START = 'modelship.io/drift-window-start';
/** Where a profile Job writes the profile, or a check Job its report. */
export const ANNOTATION_DRIFT_OUTPUT = 'modelship.io/drift-output';

export const DRIFT_JOB_KINDS = ['profile', 'check'] as const;
export type DriftJobKind = (typeof DRIFT_JOB_KINDS)[number];

/** The one container of a drift Job. */
export const DRIFT_CONTAINER = 'drift';
/** Where the subcommands write their one-line result; the kubelet copies it into the pod status. */
export const DRIFT_TERMINATION_LOG = '/dev/termination-log';
