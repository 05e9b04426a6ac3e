// PURE: the two Jobs of drift detection, both one pod of modelship's image (the fetcher image flag):
//   profile  `modelship profile ...`: summarises the reference sample of one served version into
//            profile.json under <logging.uri>/_modelship/profiles/; once per version and reference;
//            a logged reference (a window of the model's own logs) once per window, whatever the version;
//   check    `modelship drift ...`: compares the logged traffic of the window ending at its scheduled
//            time with that profile and writes a report under <logging.uri>/_modelship/drift/.
// Their arguments are the contract with the subcommands (src/drift-job); their one-line results come
// back through the termination message (termination.ts). Pod security as the batch runner's Jobs;
// placement (nodeSelector, tolerations) the ModelDeployment's spec.runtime, as its model pods: the
// checks read the model's data on the node pool the tenant chose, with no placement of the operator's.
// Failure handling (podFailurePolicy): a disrupted pod (eviction, preemption) does not count; the exit
// codes that retrying cannot help (2 bad arguments, 3 reference or profile missing, 5 unreadable data)
// fail the Job at once; anything else (4: storage unreachable or denied) is tried once more.
// ttlSecondsAfterFinished stays unset: the operator deletes old checks (checksToDelete), and a TTL
// would remove a Job status still reports.
import type { V1Container, V1EnvFromSource, V1ResourceRequirements } from '@kubernetes/client-node';
import { API_GROUP_VERSION, KIND } from '../api/constants.ts';
import type { DriftSpec, LoggedReference } from '../api/drift-spec.ts';
import { judgesPredictions } from '../api/drift-spec.ts';
import type { LoggingSpec } from '../api/logging-spec.ts';
import type { ModelDeployment } from '../api/model-deployment.ts';
import type { ModelSpec } from '../api/model-spec.ts';
import { partitionValue } from '../agent/layout.ts';
import { loggingSecret } from '../render/agent-container.ts';
import { objectMeta } from '../render/child-objects.ts';
import { podPlacement } from '../render/pod-placement.ts';
import type { JobObject } from '../render/child-objects.ts';
import { LABEL_COMPONENT, LABEL_VERSION, commonLabels } from '../render/labels.ts';
import { containerSecurityContext, podSecurityContext } from '../render/security.ts';
import {
  ANNOTATION_DRIFT_OUTPUT,
  ANNOTATION_DRIFT_SCHEDULED_TIME,
  ANNOTATION_DRIFT_VERSION,
  ANNOTATION_WINDOW_START,
  COMPONENT_DRIFT,
  DRIFT_CONTAINER,
  DRIFT_TERMINATION_LOG,
  LABEL_DRIFT_JOB,
  type DriftJobKind,
} from './labels.ts';
import { DEFAULT_EFFECT_SIZE_MEASURE, DEFAULT_EFFECT_SIZE_THRESHOLD } from '../api/drift-spec.ts';
import { durationMs } from '../api/duration.ts';

/** Exit codes of the subcommands that a retry cannot help. */
export const EXIT_BAD_ARGUMENTS = 2;
export const EXIT_REFERENCE_MISSING = 3;
export const EXIT_STORAGE = 4;
export const EXIT_UNREADABLE_DATA = 5;

export const PROFILE_DEADLINE_SECONDS = 3600;
export const CHECK_DEADLINE_SECONDS = 1800;

export const DEFAULT_DRIFT_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: '250m', memory: '512Mi' },
  limits: { memory: '2Gi' },
};

/** The stable revision the checks are about. */
export interface StableModel {
  version: string;
  /** Its model, a registry model already resolved to its source. */
  model: ModelSpec;
}

export interface DriftJobInput {
  /** Parsed, with metadata.uid: the Jobs' controller reference. */
  md: ModelDeployment;
  drift: DriftSpec;
  logging: LoggingSpec;
  stable: StableModel;
  /** modelship's image (the fetcher image flag). */
  image: string;
}

const trimSlash = (uri: string): string => uri.replace(/\/+$/, '');

/** The reference sample: drift.reference.uri, or modelFile inside the stable version's model folder (a logged reference has none). */
export function referenceUri(drift: DriftSpec, model: ModelSpec): string {
  if (drift.reference.uri !== undefined) return drift.reference.uri;
  return `${trimSlash(model.uri)}/${drift.reference.modelFile ?? ''}`;
}

function partitions(namespace: string, name: string, version: string): string {
  return `namespace=${partitionValue(namespace)}/model=${partitionValue(name)}/version=${partitionValue(version)}`;
}

/** `<log uri>/_modelship/profiles/namespace=<ns>/model=<name>/version=<v>/profile.json`. */
export function profileUri(logUri: string, namespace: string, name: string, version: string): string {
  return `${trimSlash(logUri)}/_modelship/profiles/${partitions(namespace, name, version)}/profile.json`;
}

/** A time as a path segment: RFC 3339 in UTC without '-' and ':', e.g. 20260301T000000Z. */
const compactTime = (text: string): string => new Date(text).toISOString().replace(/[-:]/g, '').replace('.000Z', 'Z');

/**
 * `<log uri>/_modelship/profiles/namespace=<ns>/model=<name>/logged=<start>_<end>[/version=<v>]/profile.json`:
 * the profile of a logged window belongs to the window (and its version filter), not to a served version.
 */
export function loggedProfileUri(logUri: string, namespace: string, name: string, logged: LoggedReference): string {
  const window = `logged=${compactTime(logged.start)}_${compactTime(logged.end)}`;
  const version = logged.version !== undefined ? `/version=${partitionValue(logged.version)}` : '';
  return `${trimSlash(logUri)}/_modelship/profiles/namespace=${partitionValue(namespace)}/model=${partitionValue(name)}/${window}${version}/profile.json`;
}

/** Where the checks of `version` find their profile: the version's own, or the logged window's. */
export function checkedProfileUri(drift: DriftSpec, logUri: string, namespace: string, name: string, version: string): string {
  const logged = drift.reference.logged;
  return logged !== undefined ? loggedProfileUri(logUri, namespace, name, logged) : profileUri(logUri, namespace, name, version);
}

/** `<log uri>/_modelship/drift/namespace=<ns>/model=<name>/version=<v>/<job>/report.json`. */
export function reportUri(logUri: string, namespace: string, name: string, version: string, job: string): string {
  return `${trimSlash(logUri)}/_modelship/drift/${partitions(namespace, name, version)}/${job}/report.json`;
}

/** The Secret the drift Jobs read storage with: drift's own, else logging's, else the model's (not oci://). */
export function driftSecret(drift: DriftSpec, logging: LoggingSpec, model: ModelSpec): string | undefined {
  return drift.credentials?.secretRef.name ?? loggingSecret(logging, model);
}

/** `modelship profile ...`: the contract with the profile subcommand. */
export function profileArgs(a: { reference: string; drift: DriftSpec; output: string }): string[] {
  const r = a.drift.reference;
  return [
    'profile',
    '--reference', a.reference,
    ...(r.format !== undefined ? ['--format', r.format] : []),
    ...(r.target !== undefined ? ['--target', r.target] : []),
    ...(r.exclude !== undefined && r.exclude.length > 0 ? ['--exclude', r.exclude.join(',')] : []),
    ...(a.drift.features !== undefined ? ['--features', JSON.stringify(a.drift.features)] : []),
    '--output', a.output,
    '--termination-log', DRIFT_TERMINATION_LOG,
  ];
}

/** `modelship profile --logs ...`: the contract with the profile subcommand for a logged reference. */
export function loggedProfileArgs(a: { logged: LoggedReference; logUri: string; namespace: string; name: string; drift: DriftSpec; output: string }): string[] {
  return [
    'profile',
    '--logs', a.logUri,
    '--namespace', a.namespace,
    '--model', a.name,
    ...(a.logged.version !== undefined ? ['--version', a.logged.version] : []),
    '--window-start', a.logged.start,
    '--window-end', a.logged.end,
    ...(a.drift.features !== undefined ? ['--features', JSON.stringify(a.drift.features)] : []),
    '--min-samples', String(a.drift.minSamples),
    '--output', a.output,
    '--termination-log', DRIFT_TERMINATION_LOG,
  ];
}

/** `modelship drift ...`: the contract with the drift subcommand. */
export function checkArgs(a: {
  profile: string;
  logUri: string;
  namespace: string;
  name: string;
  version: string;
  windowEnd: Date;
  drift: DriftSpec;
  report: string;
}): string[] {
  const d = a.drift;
  const effect = d.effectSize ?? { measure: DEFAULT_EFFECT_SIZE_MEASURE, threshold: DEFAULT_EFFECT_SIZE_THRESHOLD };
  return [
    'drift',
    '--profile', a.profile,
    '--logs', a.logUri,
    '--namespace', a.namespace,
    '--model', a.name,
    '--version', a.version,
    '--window-end', rfc3339(a.windowEnd),
    '--window', d.window,
    ...(d.features !== undefined ? ['--features', JSON.stringify(d.features)] : []),
    ...(judgesPredictions(d) ? ['--predictions'] : []),
    '--alpha', String(d.alpha),
    '--effect-size', `${effect.measure}:${effect.threshold}`,
    '--min-samples', String(d.minSamples),
    '--report', a.report,
    '--termination-log', DRIFT_TERMINATION_LOG,
  ];
}

/** RFC 3339 in seconds, as metav1.Time. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function driftJob(input: DriftJobInput, kind: DriftJobKind, name: string, args: string[], annotations: Record<string, string>, deadline: number): JobObject {
  const { md, stable } = input;
  const { namespace, uid } = md.metadata;
  // A stored object always has a uid: its absence is a caller's bug.
  if (uid === undefined) throw new Error(`drift Job of ${md.metadata.name}: the ModelDeployment has no uid`);
  const labels: Record<string, string> = {
    ...commonLabels(md),
    [LABEL_COMPONENT]: COMPONENT_DRIFT,
    [LABEL_VERSION]: stable.version,
    [LABEL_DRIFT_JOB]: kind,
  };
  const secret = driftSecret(input.drift, input.logging, stable.model);
  const envFrom: V1EnvFromSource[] = secret !== undefined ? [{ secretRef: { name: secret } }] : [];
  const container: V1Container = {
    name: DRIFT_CONTAINER,
    image: input.image,
    args,
    ...(envFrom.length > 0 ? { envFrom } : {}),
    resources: DEFAULT_DRIFT_RESOURCES,
    securityContext: containerSecurityContext(),
    terminationMessagePath: DRIFT_TERMINATION_LOG,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  return structuredClone({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      ...objectMeta(name, namespace, labels),
      annotations: { [ANNOTATION_DRIFT_VERSION]: stable.version, ...annotations },
      ownerReferences: [{ apiVersion: API_GROUP_VERSION, kind: KIND, name: md.metadata.name, uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      backoffLimit: 1,
      activeDeadlineSeconds: deadline,
      podFailurePolicy: {
        rules: [
          // First: a disrupted pod whose container was killed must not be read as a failure below.
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          { action: 'FailJob', onExitCodes: { containerName: DRIFT_CONTAINER, operator: 'In', values: [EXIT_BAD_ARGUMENTS, EXIT_REFERENCE_MISSING, EXIT_UNREADABLE_DATA] } },
        ],
      },
      template: {
        metadata: { labels, annotations: { 'kubectl.kubernetes.io/default-container': DRIFT_CONTAINER } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(),
          containers: [container],
          ...podPlacement(md.spec.runtime),
        },
      },
    },
  } satisfies JobObject);
}

/** The profile Job of the stable version, or of the logged window. */
export function renderProfileJob(input: DriftJobInput, name: string): JobObject {
  const { md, stable, drift, logging } = input;
  const namespace = md.metadata.namespace ?? '';
  const output = checkedProfileUri(drift, logging.uri, namespace, md.metadata.name, stable.version);
  const logged = drift.reference.logged;
  const args =
    logged !== undefined
      ? loggedProfileArgs({ logged, logUri: logging.uri, namespace, name: md.metadata.name, drift, output })
      : profileArgs({ reference: referenceUri(drift, stable.model), drift, output });
  return driftJob(input, 'profile', name, args, { [ANNOTATION_DRIFT_OUTPUT]: output }, PROFILE_DEADLINE_SECONDS);
}

/** The check Job of one scheduled time: its window ends then. */
export function renderCheckJob(input: DriftJobInput, name: string, scheduledTime: Date): JobObject {
  const { md, stable, drift, logging } = input;
  const namespace = md.metadata.namespace ?? '';
  const report = reportUri(logging.uri, namespace, md.metadata.name, stable.version, name);
  const windowStart = new Date(scheduledTime.getTime() - (durationMs(drift.window) ?? 0));
  const args = checkArgs({
    profile: checkedProfileUri(drift, logging.uri, namespace, md.metadata.name, stable.version),
    logUri: logging.uri,
    namespace,
    name: md.metadata.name,
    version: stable.version,
    windowEnd: scheduledTime,
    drift,
    report,
  });
  const annotations = {
    [ANNOTATION_DRIFT_SCHEDULED_TIME]: rfc3339(scheduledTime),
    [ANNOTATION_WINDOW_START]: rfc3339(windowStart),
    [ANNOTATION_DRIFT_OUTPUT]: report,
  };
  return driftJob(input, 'check', name, args, annotations, CHECK_DEADLINE_SECONDS);
}
