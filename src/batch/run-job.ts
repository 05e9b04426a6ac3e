// PURE: the Indexed Job of one batch run. One pod per shard:
//   init  model-fetcher  exactly as the realtime pod template renders it (same image, args, Secret);
//   init  model-server   the realtime server container as a native sidecar (restartPolicy Always), with
//                        a startup probe on its readiness endpoint, so the runner starts only once the
//                        model is loaded and the kubelet stops the server when the runner exits;
//   main  batch-runner   modelship's image, `batch ...` (BATCH_RUNNER_ARGS below), scoring shard
//                        $JOB_COMPLETION_INDEX (set by the Job controller) against the local server.
// The fetcher and server come from renderModelDeployment itself, so batch pods never drift from the
// realtime ones. A preset with config files mounts the ConfigMap the realtime render names
// (`<md>-stable`); it is returned beside the Job for the caller to apply.
//
// Failure handling (podFailurePolicy; needs restartPolicy Never):
//   - a pod with condition DisruptionTarget (preemption, eviction, node drain) is Ignored: not the
//     shard's fault, it does not count against its retries;
//   - the runner's exit codes 20 (more bad records than --max-failed-records) and 2 (bad arguments)
//     fail the index at once: retrying cannot help;
//   - anything else is retried up to retriesPerShard times for that index (backoffLimitPerIndex);
//   - maxFailedIndexes 0: one failed shard fails the run (its output would be incomplete).
// ttlSecondsAfterFinished stays unset: the operator deletes old runs (runsToDelete, keepRuns), and a
// TTL would remove a run status still reports.
import type { V1Container, V1EnvFromSource, V1PodFailurePolicyRule, V1ResourceRequirements } from '@kubernetes/client-node';
import { API_GROUP_VERSION, KIND } from '../api/constants.ts';
import type { ModelDeployment } from '../api/model-deployment.ts';
import { objectMeta } from '../render/child-objects.ts';
import type { ConfigMapObject, DeploymentObject, JobObject } from '../render/child-objects.ts';
import type { RenderConfig } from '../render/config.ts';
import type { RenderError } from '../render/errors.ts';
import { LABEL_COMPONENT, LABEL_VERSION, commonLabels } from '../render/labels.ts';
import { variantName } from '../render/names.ts';
import { DEFAULT_FETCHER_IMAGE, MODELSHIP_IMAGE_NODE, MODELSHIP_IMAGE_SCRIPT } from '../render/presets/images.ts';
import { renderModelDeployment } from '../render/render-model-deployment.ts';
import { SERVER_CONTAINER } from '../render/server-container.ts';
import { containerSecurityContext } from '../render/security.ts';
import {
  ANNOTATION_MODEL_SOURCE,
  ANNOTATION_OUTPUT,
  ANNOTATION_SCHEDULED_TIME,
  ANNOTATION_TRIGGER,
  COMPONENT_BATCH,
  LABEL_BATCH_RUN,
  LABEL_KUEUE_QUEUE,
  LABEL_MODEL_VERSION,
} from './labels.ts';
import type { Trigger } from './labels.ts';
import { MAX_RUN_NAME_LENGTH, MAX_SHARDS } from './run-names.ts';

export const RUNNER_CONTAINER = 'batch-runner';
// The old-space cap keeps the runner's RSS flat in the input's size.
export const RUNNER_NODE_OPTIONS = '--max-old-space-size=48';
/**
 * The runner's command: the image's ENTRYPOINT (node, its flags, src/main.ts) with a 4-MiB semi-space
 * where the image's other programs have 1. The runner allocates over a kilobyte per record; in 1 MiB its
 * short-lived objects were copied and promoted over and over, CPU taken from the model server on the same
 * node (README, Performance: Batch runner). A flag, not NODE_OPTIONS: the ENTRYPOINT's would win. The
 * image's build warms the compile cache with these flags (Dockerfile): Node keeps one per set of V8 flags.
 */
export const RUNNER_COMMAND: readonly string[] = [MODELSHIP_IMAGE_NODE, '--max-semi-space-size=4', MODELSHIP_IMAGE_SCRIPT];
/** The runner writes its summary here (JSON, see run-status.ts); the kubelet copies it into the pod status. */
export const RUNNER_TERMINATION_LOG = '/dev/termination-log';
/** Runner exit code: more records failed than --max-failed-records allows. */
export const EXIT_TOO_MANY_FAILED_RECORDS = 20;
/** Runner exit code: invalid arguments. */
export const EXIT_BAD_ARGUMENTS = 2;

export const DEFAULT_RUNNER_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: '250m', memory: '256Mi' },
  limits: { memory: '1Gi' },
};

export type InputFormat = 'jsonl' | 'csv' | 'parquet';

export interface RunJobInput {
  /**
   * The ModelDeployment as the realtime renderer takes it (a registry model already resolved to its
   * source), with metadata.uid: the Job's controller reference.
   */
  md: ModelDeployment;
  config: RenderConfig;
  /** scheduledRunName / manualRunName. */
  run: string;
  trigger: Trigger;
  /** The scheduled time of a Schedule run. */
  scheduledTime?: Date;
  /** Unset: defaultShards(parallelism). */
  shards?: number;
  parallelism: number;
  retriesPerShard: number;
  batchSize: number;
  concurrency: number;
  maxFailedRecords: number;
  input: { uri: string; format: InputFormat };
  output: { uri: string };
  activeDeadlineSeconds?: number;
  runnerResources?: V1ResourceRequirements;
  queueName?: string;
  /** The runner's image; modelship's own by default (the fetcher's default image). */
  runnerImage?: string;
}

export type RunJobResult = { ok: true; job: JobObject; configMap: ConfigMapObject | undefined } | { ok: false; error: RenderError };

/**
 * Shards when the spec sets none: twice the parallelism (a slow shard then holds back half a wave,
 * not a whole one), at most MAX_SHARDS. The input's size would be the better measure, but the
 * operator never reads tenant storage, so it cannot know it.
 */
export function defaultShards(parallelism: number): number {
  return Math.max(1, Math.min(parallelism * 2, MAX_SHARDS));
}

/** `<output.uri>/<run>`, without doubling a trailing slash. */
export function runOutputUri(outputUri: string, run: string): string {
  return `${outputUri.replace(/\/+$/, '')}/${run}`;
}

/** The runner's arguments: the contract between the operator and `modelship batch`. */
export function runnerArgs(a: {
  input: { uri: string; format: InputFormat };
  output: string;
  run: string;
  shards: number;
  batchSize: number;
  concurrency: number;
  maxFailedRecords: number;
  serverPort: number;
  model: string;
  modelVersion: string;
}): string[] {
  return [
    'batch',
    '--input', a.input.uri,
    '--input-format', a.input.format,
    '--output', a.output,
    '--run', a.run,
    '--shards', String(a.shards),
    '--batch-size', String(a.batchSize),
    '--concurrency', String(a.concurrency),
    '--max-failed-records', String(a.maxFailedRecords),
    '--server', `http://127.0.0.1:${a.serverPort}`,
    '--model', a.model,
    '--model-version', a.modelVersion,
    // The file the container's terminationMessagePath names, given explicitly as the fetcher's is: the
    // summary written there is where status.batch's record counts come from.
    '--termination-log', RUNNER_TERMINATION_LOG,
  ];
}

function podFailurePolicyRules(): V1PodFailurePolicyRule[] {
  return [
    // First: a disrupted pod whose runner was killed must not be read as a runner failure below.
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    {
      action: 'FailIndex',
      onExitCodes: { containerName: RUNNER_CONTAINER, operator: 'In', values: [EXIT_BAD_ARGUMENTS, EXIT_TOO_MANY_FAILED_RECORDS] },
    },
  ];
}

/** The server as a native sidecar that reports started once it is ready. */
function serverSidecar(server: V1Container): V1Container {
  const { lifecycle: _drain, ...rest } = server;
  const ready = server.readinessProbe ?? {};
  return {
    ...rest,
    restartPolicy: 'Always',
    // The readiness endpoint (model loaded), with the startup probe's patience (up to ten minutes
    // to load): the readiness probe's own three failures would restart a server still loading.
    startupProbe: {
      ...(ready.httpGet !== undefined ? { httpGet: ready.httpGet } : {}),
      ...(ready.tcpSocket !== undefined ? { tcpSocket: ready.tcpSocket } : {}),
      periodSeconds: server.startupProbe?.periodSeconds ?? 10,
      timeoutSeconds: ready.timeoutSeconds ?? 2,
      successThreshold: 1,
      failureThreshold: server.startupProbe?.failureThreshold ?? 60,
    },
    // The preStop drain is dropped: no Service sends to this pod, and it would only hold the pod up.
  };
}

export function renderRunJob(input: RunJobInput): RunJobResult {
  const { md, run } = input;
  const { name, namespace, uid } = md.metadata;
  // The API's schema bounds these and a stored object always has a uid: failing them is a caller's bug.
  if (uid === undefined) throw new Error(`run Job of ${name}: the ModelDeployment has no uid`);
  if (run.length > MAX_RUN_NAME_LENGTH) throw new Error(`run name ${run} is longer than ${MAX_RUN_NAME_LENGTH} characters`);
  const shards = input.shards ?? defaultShards(input.parallelism);
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) throw new Error(`shards must be between 1 and ${MAX_SHARDS} (got ${shards})`);
  // The realtime render of the same spec (mode aside), one replica, no autoscaling: only its pod
  // template and ConfigMap are used. Its errors (unservable format, port clash...) are the run's.
  // No logging agent in run pods: the runner talks to the server directly (batch mode refuses monitoring.logging).
  const realtime = renderModelDeployment(
    { ...md, spec: { ...md.spec, mode: 'realtime', replicas: 1, autoscaling: undefined, monitoring: undefined } },
    input.config,
  );
  if (!realtime.ok) return realtime;
  const stableName = variantName(name, 'stable');
  const deployment = realtime.objects.find((o): o is DeploymentObject => o.kind === 'Deployment' && o.metadata.name === stableName);
  const configMap = realtime.objects.find((o): o is ConfigMapObject => o.kind === 'ConfigMap' && o.metadata.name === stableName);
  const template = deployment?.spec?.template;
  const server = template?.spec?.containers.find((c) => c.name === SERVER_CONTAINER);
  const httpPort = server?.ports?.find((p) => p.name === 'http')?.containerPort;
  // Every preset resolves an http port, so this holds for any spec the render accepts.
  if (template?.spec === undefined || server === undefined || httpPort === undefined) throw new Error(`${stableName}: no model server with an http port`);

  const { model } = md.spec;
  const output = runOutputUri(input.output.uri, run);
  const labels: Record<string, string> = {
    ...commonLabels(md),
    [LABEL_COMPONENT]: COMPONENT_BATCH,
    [LABEL_VERSION]: model.version,
    [LABEL_MODEL_VERSION]: model.version,
    [LABEL_BATCH_RUN]: run,
    ...(input.queueName !== undefined ? { [LABEL_KUEUE_QUEUE]: input.queueName } : {}),
  };
  // The pods carry the same labels but the queue's: Kueue reads it from the Job.
  const { [LABEL_KUEUE_QUEUE]: _queue, ...podLabels } = labels;
  const annotations: Record<string, string> = {
    [ANNOTATION_TRIGGER]: input.trigger,
    [ANNOTATION_MODEL_SOURCE]: model.uri,
    [ANNOTATION_OUTPUT]: output,
    ...(input.scheduledTime !== undefined ? { [ANNOTATION_SCHEDULED_TIME]: input.scheduledTime.toISOString() } : {}),
  };
  // Input and output credentials: the Secret of spec.model.credentials, handed to the runner as the
  // fetcher gets it (envFrom), until the API has a field of its own for them. The operator never
  // reads it. For oci:// models that Secret is an image pull secret, and is not passed.
  const secret = model.credentials?.secretRef.name;
  const envFrom: V1EnvFromSource[] = secret !== undefined && !model.uri.startsWith('oci://') ? [{ secretRef: { name: secret } }] : [];
  const runner: V1Container = {
    name: RUNNER_CONTAINER,
    image: input.runnerImage ?? DEFAULT_FETCHER_IMAGE,
    command: [...RUNNER_COMMAND],
    args: runnerArgs({
      input: input.input,
      output,
      run,
      shards,
      batchSize: input.batchSize,
      concurrency: input.concurrency,
      maxFailedRecords: input.maxFailedRecords,
      serverPort: httpPort,
      // The name the presets give the server (MLSERVER_MODEL_NAME, --model_name), as the validation
      // Job and the smoke check use it.
      model: model.name,
      modelVersion: model.version,
    }),
    ...(envFrom.length > 0 ? { envFrom } : {}),
    // A small, fixed heap: with Node's defaults the runner's RSS grew to 330 MiB over a million rows
    // although at most 88 MiB was live (the collector keeps what it got); with these it stays under 128 MiB.
    env: [{ name: 'NODE_OPTIONS', value: RUNNER_NODE_OPTIONS }],
    resources: input.runnerResources ?? DEFAULT_RUNNER_RESOURCES,
    securityContext: containerSecurityContext(),
    terminationMessagePath: RUNNER_TERMINATION_LOG,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  const podSpec = template.spec;
  const job: JobObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      ...objectMeta(run, namespace, labels),
      annotations,
      ownerReferences: [{ apiVersion: API_GROUP_VERSION, kind: KIND, name, uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      completionMode: 'Indexed',
      completions: shards,
      parallelism: Math.min(input.parallelism, shards),
      backoffLimitPerIndex: input.retriesPerShard,
      maxFailedIndexes: 0,
      podFailurePolicy: { rules: podFailurePolicyRules() },
      ...(input.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: input.activeDeadlineSeconds } : {}),
      // Kueue's webhook suspends a queued Job itself, but one created suspended cannot start pods in
      // the moment before (or without) the webhook; Kueue unsuspends it on admission. Jobs are created
      // once and never re-applied, so the operator never fights Kueue over this field.
      ...(input.queueName !== undefined ? { suspend: true } : {}),
      template: {
        metadata: {
          labels: podLabels,
          annotations: { ...template.metadata?.annotations, 'kubectl.kubernetes.io/default-container': RUNNER_CONTAINER },
        },
        spec: {
          ...podSpec,
          restartPolicy: 'Never',
          initContainers: [...(podSpec.initContainers ?? []), serverSidecar(server)],
          containers: [runner],
        },
      },
    },
  };
  return { ok: true, job: structuredClone(job), configMap };
}
