// Every condition reason and Event reason modelship writes, with what it means to a user and where it
// appears. The types below are derived from this object, so a reason missing here fails the typecheck;
// docs/reasons.md is generated from it (npm run generate). Reasons are CamelCase (metav1.Condition) and
// stable: alerts, `kubectl wait` and Argo CD health checks may match them.
// Kubelet, Deployment controller and render reasons are passed through as they are, so a user can search
// for them; the ones modelship acts on are listed too. Only a Deployment's ReplicaFailure reason is open
// ended (see ForeignReason).

/** A condition of the ModelDeployment with the status the reason goes with, or an Event of that type. */
export type ReasonPlace =
  | `${'Ready' | 'Reconciling' | 'Stalled' | 'Serving' | 'RolloutInProgress' | 'TrafficMirror' | 'ModelResolved' | 'LastRunSucceeded'}=${'True' | 'False'}`
  | `DriftDetected=${'True' | 'False' | 'Unknown'}`
  | 'Normal Event'
  | 'Warning Event';

interface ReasonEntry {
  readonly where: readonly ReasonPlace[];
  /** One line for a user: what happened and, when it needs one, what to do. */
  readonly meaning: string;
}

// A stall blocks Ready, and becoming Stalled is announced with a Warning Event of the same reason.
const STALL = ['Stalled=True', 'Ready=False', 'Warning Event'] as const;
const UNDER_WAY = ['Reconciling=True', 'Ready=False'] as const;

export const REASONS = {
  // --- Ready
  Succeeded: { where: ['Ready=True'], meaning: 'the spec is fully acted on and every desired replica is ready' },
  Ready: { where: ['Normal Event'], meaning: 'the ModelDeployment became Ready' },

  // --- Reconciling: work that needs only time
  Progressing: { where: UNDER_WAY, meaning: 'children are applied; the Deployment controller has not caught up yet' },
  ProgressingWithRetry: { where: UNDER_WAY, meaning: 'a transient failure (conflict, throttling, server error) met an apply; retrying' },
  RollingOut: { where: UNDER_WAY, meaning: 'pods of the new template are being created or old ones removed' },
  ScalingUp: { where: UNDER_WAY, meaning: 'every pod runs the current template but not all are ready yet' },
  RolloutInProgress: { where: UNDER_WAY, meaning: 'a canary is under way; the message says at which step' },

  // --- Stalled: progress needs a person
  ApplyForbidden: { where: STALL, meaning: "the API server refused an apply with 403; grant the permission to the operator's ServiceAccount" },
  ApplyInvalid: { where: STALL, meaning: 'the API server refused an apply with 422: the object is invalid' },
  ApplyConflict: { where: STALL, meaning: "a conflict retrying cannot solve, e.g. a child's name is taken by an object modelship does not own" },
  ApplyRejected: { where: STALL, meaning: 'the API server refused an apply with another 4xx that retrying cannot fix' },
  MissingPermissions: { where: STALL, meaning: "a permission check found permissions the operator lacks; grant them to its ServiceAccount" },
  ReplicaFailure: {
    where: STALL,
    meaning: "a Deployment cannot create pods; its own ReplicaFailure reason (e.g. FailedCreate) is used instead when it is CamelCase",
  },
  ProgressDeadlineExceeded: { where: STALL, meaning: "a Deployment made no progress within its progressDeadlineSeconds (the Deployment controller's reason)" },
  ImagePullBackOff: { where: STALL, meaning: 'the kubelet cannot pull the image; check its name, tag and the registry access of the node' },
  ErrImagePull: { where: STALL, meaning: 'the kubelet failed to pull the image; check its name, tag and the registry access of the node' },
  InvalidImageName: { where: STALL, meaning: 'the image reference cannot be parsed; fix it' },
  CrashLoopBackOff: { where: STALL, meaning: 'the model server keeps exiting; see kubectl logs --previous' },
  CreateContainerConfigError: { where: STALL, meaning: 'a Secret or ConfigMap the container references is missing' },
  CreateContainerError: { where: STALL, meaning: 'the container runtime could not create the container; see kubectl describe pod' },
  InvalidSpec: { where: STALL, meaning: 'the spec does not parse, or asks for what the CRD now refuses (an object created under an older CRD or without validation)' },
  InvalidName: { where: STALL, meaning: 'metadata.name is too long, or not lower-case letters, digits and -, for the objects named after it' },
  InvalidLabelValue: { where: STALL, meaning: 'a value that becomes a label (model name, version) is not a valid label value' },
  UnsupportedFormat: { where: STALL, meaning: 'the runtime cannot serve spec.model.format; choose another runtime' },
  MissingImage: { where: STALL, meaning: 'the runtime has no default image (preset custom): set spec.runtime.image' },
  PortConflict: { where: STALL, meaning: 'a port in spec.runtime.ports is already taken by another port of the model server, or by the logging agent (8079, 9464)' },
  InvalidModelUri: { where: STALL, meaning: 'spec.model.uri cannot be used as given (e.g. a path with . or .. inside a claim)' },
  UncheckableChecksum: { where: STALL, meaning: "spec.model.sha256 is set but the platform's fetcher image (--fetcher-image) cannot check it; remove it or ask the platform team" },
  ModelFetchFailed: {
    where: STALL,
    meaning: "the model fetcher (init container model-fetcher) failed: an unsafe or corrupt archive, a model over the size cap, a source that kept failing, or another image's failure; the message has the fetcher's last line",
  },
  ModelNotFound: { where: STALL, meaning: 'the model fetcher found no object, prefix, bucket or file at spec.model.uri (404); fix the URI or upload the model' },
  AccessDenied: {
    where: STALL,
    meaning: "the model's store refused the fetcher's credentials (401, 403, unknown key, bad signature); fix the keys of the Secret in spec.model.credentials or what they may read",
  },
  ChecksumMismatch: { where: STALL, meaning: 'the object fetched does not have the sha256 in spec.model.sha256: nothing was served; fix the sha256 or the object' },
  MissingGateway: { where: STALL, meaning: 'the traffic provider needs spec.rollout.traffic.gateway' },
  HostNotAllowed: {
    where: STALL,
    meaning: "a VirtualService host is neither a Service of the namespace nor allowed by the platform (--istio-allowed-hosts); remove it or ask the platform team",
  },
  GatewayNotAllowed: {
    where: STALL,
    meaning: "the Istio Gateway is in another namespace and not allowed by the platform (--istio-allowed-gateways); ask the platform team",
  },
  TrafficProviderMissing: { where: STALL, meaning: "the traffic provider's CRD is not installed; the stable version keeps serving" },
  AnalysisFailed: {
    where: STALL,
    meaning: 'a canary measurement failed (Event); failureLimit was reached and the canary was aborted (Stalled)',
  },
  QueryRefused: {
    where: STALL,
    meaning: "an analysis query cannot be confined to the ModelDeployment's namespace (it matches namespace otherwise, or does not parse): the canary was aborted; fix the query",
  },
  UnknownAnalysisSource: {
    where: STALL,
    meaning:
      "spec.rollout.analysis.prometheus.source names no source the platform configured, or none is named and there is no default; the message lists the known sources: the canary was aborted",
  },
  AddressNotAllowed: {
    where: STALL,
    meaning: 'spec.rollout.analysis.prometheus.address is not allowed by the platform (--prometheus-user-addresses): the canary was aborted; name a source instead',
  },
  SecretNotAllowed: {
    where: STALL,
    meaning: `a bearerTokenSecret or caSecret of the namespace may not be sent to the address: the platform does not allow it (--prometheus-user-secrets) or the Secret lacks the label modelship.io/analysis-credentials=true; nothing was sent`,
  },
  UnknownModelRegistry: {
    where: STALL,
    meaning: "spec.model.registry names no registry the platform configured (--model-registries), or none is named and there is no default; the message lists the known ones",
  },
  RegistryUnavailable: {
    where: [...STALL, 'ModelResolved=False'],
    meaning: 'the model registry could not be asked or gave an unusable answer; the last resolved version keeps serving (ModelResolved=False), Stalled when there is none',
  },
  AliasNotFound: {
    where: [...STALL, 'ModelResolved=False'],
    meaning: 'the alias of the models:/ URI does not exist in the registry; the last resolved version keeps serving (ModelResolved=False), Stalled when there is none',
  },
  ModelVersionNotFound: {
    where: [...STALL, 'ModelResolved=False'],
    meaning: 'the model version of the models:/ URI does not exist in the registry or is not READY; the last resolved version keeps serving (ModelResolved=False), Stalled when there is none',
  },
  UnsupportedModelSource: {
    where: [...STALL, 'ModelResolved=False'],
    meaning: "the registered version's source is not s3://, gs:// or https:// (e.g. mlflow-artifacts:), which the fetcher cannot read; register it with such a source",
  },
  ValidationFailed: { where: STALL, meaning: 'the canary failed its validation (smoke check or Job) and was aborted' },
  RolloutAborted: {
    where: [...STALL, 'RolloutInProgress=False'],
    meaning: 'the canary was aborted and all traffic went back to stable; change the spec or retry (modelship retry)',
  },
  RolledBack: {
    where: [...STALL, 'Normal Event'],
    meaning: 'stable went back to a known-good revision; while the spec still asks for another, change it or retry',
  },

  // --- Serving
  ReplicasReady: { where: ['Serving=True'], meaning: 'at least one ready replica serves the stable Service' },
  NoReadyReplicas: { where: ['Serving=False'], meaning: 'no replica is ready to serve (or the ModelDeployment is scaled to zero)' },

  // --- RolloutInProgress
  CanaryProgressing: { where: ['RolloutInProgress=True'], meaning: 'a canary is under way' },
  NoRollout: { where: ['RolloutInProgress=False'], meaning: 'no canary: the stable version serves all traffic' },

  // --- ModelResolved
  Resolved: { where: ['ModelResolved=True'], meaning: 'the models:/ URI resolved in the model registry; status.model says to what' },

  // --- TrafficMirror
  MirrorApplied: { where: ['TrafficMirror=True'], meaning: 'the router mirrors the requested percentage of requests to the canary' },
  MirrorPercentUnsupported: {
    where: ['TrafficMirror=False'],
    meaning: 'the Gateway API CRDs (older than v1.3) dropped the mirror percent: every request is mirrored; upgrade them',
  },

  // --- Batch runs (mode: batch)
  RunStarted: { where: ['Normal Event'], meaning: 'a batch run started (its Job was created)' },
  RunSucceeded: { where: ['LastRunSucceeded=True', 'Normal Event'], meaning: 'the newest finished batch run scored its input' },
  RunFailed: {
    where: ['LastRunSucceeded=False', 'Warning Event'],
    meaning:
      "a batch run failed; the condition carries the failure class of the runner of the shard that failed it (TooManyBadRecords, InputNotFound, AccessDenied, Unavailable, ServerNotReady...) when it wrote one, else the Job's own reason (MaxFailedIndexesExceeded, FailedIndexes, DeadlineExceeded...) when it has one",
  },
  RunSkipped: { where: ['Normal Event'], meaning: 'a batch run was due or requested while one was active and concurrencyPolicy is Forbid: it was skipped' },

  // --- Drift checks (spec.monitoring.drift); never part of Ready
  DriftDetected: {
    where: ['DriftDetected=True', 'Warning Event'],
    meaning: "the last drift check found the logged traffic (or the predictions) of the stable version shifted from the reference; the message names the features, status.drift has the tests",
  },
  NoDrift: { where: ['DriftDetected=False'], meaning: 'the last drift check found no shift from the reference' },
  Inconclusive: { where: ['DriftDetected=Unknown'], meaning: 'the last drift check had too few logged values in its window (minSamples) for a verdict' },
  NoReference: { where: ['DriftDetected=Unknown'], meaning: 'no check has judged the stable version yet: its reference profile is being made, or failed (status.drift.reference)' },
  DriftCleared: { where: ['Normal Event'], meaning: 'a drift check found no drift after one that did' },
  DriftCheckFailed: {
    where: ['Warning Event'],
    meaning: 'a profile or drift check Job failed (status.drift says why: reference or logs missing, storage unreachable or denied, unreadable data); DriftDetected keeps its last value and serving is not affected',
  },

  // --- Events of a reconcile and of a rollout
  Applied: { where: ['Normal Event'], meaning: 'children were created, updated or pruned; the message names them' },
  Replaced: { where: ['Normal Event'], meaning: 'a new version replaced stable in place (strategy immediate)' },
  CanaryStarted: { where: ['Normal Event'], meaning: 'a canary of the new version started beside stable' },
  CanaryRestarted: { where: ['Normal Event'], meaning: 'the canary restarted from step 0 (the spec changed, or a retry was requested)' },
  StepAdvanced: { where: ['Normal Event'], meaning: 'the canary finished a step and moved to the next' },
  Paused: { where: ['Normal Event'], meaning: 'the canary reached a pause step' },
  Promoting: { where: ['Normal Event'], meaning: 'the canary is being promoted: traffic moves to it' },
  Promoted: { where: ['Normal Event'], meaning: 'the canary became stable and takes all traffic' },
  Aborted: { where: ['Normal Event', 'Warning Event'], meaning: 'the canary was aborted: all traffic goes to stable (Warning when something failed)' },
  RequestIgnored: { where: ['Warning Event'], meaning: 'a request annotation (promote, abort, retry, rollback) could not be acted on; the message says why' },
  HistoryMissing: { where: ['Warning Event'], meaning: 'status.history lacks a revision the rollout needs; the spec is served as stable' },
  ValidationStarted: { where: ['Normal Event'], meaning: 'the canary is being validated before it takes traffic' },
  ValidationPassed: { where: ['Normal Event'], meaning: 'the canary passed its validation' },
  AnalysisPassed: { where: ['Normal Event'], meaning: 'a canary measurement passed' },
  AnalysisInconclusive: { where: ['Normal Event'], meaning: 'a canary measurement could not decide yet (too few requests, or too close)' },
  AnalysisUnavailable: { where: ['Warning Event'], meaning: 'a canary measurement could not be taken (Prometheus unreachable or a query failed)' },
  AnalysisPaused: { where: ['Warning Event'], meaning: 'too many inconclusive measurements in a row: the canary holds; promote or abort it' },
  RetrainingTriggered: { where: ['Normal Event'], meaning: 'a retraining trigger was accepted by its target (Job, Airflow DAG run or webhook); the message names the run' },
  RetrainingFailed: { where: ['Warning Event'], meaning: 'a retraining trigger could not be sent, or its run failed; a send is retried with backoff under the same id' },
  RetrainingAccuracyUnavailable: { where: ['Warning Event'], meaning: 'on.accuracyBelow cannot be evaluated: no Prometheus to ask, or it did not answer; told once per distinct problem, read again every 5 minutes' },
} as const satisfies Record<string, ReasonEntry>;

export type Reason = keyof typeof REASONS;

/** The reasons that may appear at any of the places `P`. */
export type ReasonAt<P extends ReasonPlace> = { [R in Reason]: P extends (typeof REASONS)[R]['where'][number] ? R : never }[Reason];

export type EventReason = ReasonAt<'Normal Event' | 'Warning Event'>;
export type ConditionReason = ReasonAt<Exclude<ReasonPlace, 'Normal Event' | 'Warning Event'>>;
export type StallReason = ReasonAt<'Stalled=True'>;

/**
 * A reason passed through from another controller that the catalogue cannot list in full: a
 * Deployment's ReplicaFailure reason. Made by asReason (status/foreign-reason.ts), which checks it is
 * CamelCase, and read back from the Stalled condition for its Event.
 */
export type ForeignReason = string & { readonly foreignReason: true };

export function isReasonAt<P extends ReasonPlace>(reason: string, place: P): reason is ReasonAt<P> {
  if (!Object.hasOwn(REASONS, reason)) return false;
  const where: readonly ReasonPlace[] = REASONS[reason as Reason].where;
  return where.includes(place);
}
