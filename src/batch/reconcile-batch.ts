// PURE: one reconcile of a batch ModelDeployment as a function of (ModelDeployment, run Jobs, their
// pods, now): which run to start, which runs to delete, status.batch, the LastRunSucceeded condition,
// the Events and when to look again. The controller performs the actions (src/controller/batch-mode.ts).
//
// - Scheduled runs follow scheduleDecision; the time acted on (started, replaced or skipped) becomes
//   status.batch.lastScheduleTime, so it is never acted on twice.
// - A manual run follows manualDecision on the annotation modelship.io/batch-run-requested; the value
//   acted on becomes status.batch.lastHandledRunRequest. A value that is a time (what `modelship batch
//   run` writes) names the run after that time, so a reconcile repeated before its status write landed
//   creates the same name again, which the API server refuses: a request starts at most one run.
// - Run Events (RunStarted, RunSucceeded, RunFailed) come from the difference between the runs in the
//   previous status and the runs observed now, so each is emitted once per run, with the status write
//   that records it, and again by nobody after a restart.
// - A run in progress keeps the template its Job was created with; a new model version (a spec change
//   or a registry alias moving) applies to the next run only.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { BatchStatus as ApiBatchStatus, BatchRun } from '../api/batch-status.ts';
import type { BatchSpec } from '../api/batch-spec.ts';
import type { ModelDeployment } from '../api/model-deployment.ts';
import type { ConfigMapObject, JobObject } from '../render/child-objects.ts';
import type { RenderConfig } from '../render/config.ts';
import { cpuMemoryRequirements } from '../render/resources.ts';
import type { RenderError } from '../render/errors.ts';
import { ANNOTATION_SCHEDULED_TIME, LABEL_BATCH_RUN } from './labels.ts';
import type { Trigger } from './labels.ts';
import { renderRunJob } from './run-job.ts';
import { manualRunName, scheduledRunName } from './run-names.ts';
import { batchStatus, lastRunCondition, runsToDelete } from './run-status.ts';
import type { BatchConditionInput, RunSummary } from './run-status.ts';
import { manualDecision, nextRunAt, scheduleDecision } from './schedule.ts';

/** On a run's Job: the annotation value of the manual request that started it. */
export const ANNOTATION_RUN_REQUEST = 'modelship.io/batch-run-request';

export interface BatchEvent {
  type: 'Normal' | 'Warning';
  reason: 'RunStarted' | 'RunSucceeded' | 'RunFailed' | 'RunSkipped';
  message: string;
}

export interface BatchReconcileInput {
  /** Parsed, a registry model resolved to its source, with metadata.uid. */
  md: ModelDeployment;
  batch: BatchSpec;
  config: RenderConfig;
  /** status.batch as last written. */
  previous: ApiBatchStatus | undefined;
  /** The value of modelship.io/batch-run-requested, if set. */
  requested: string | undefined;
  createdAt: Date | undefined;
  /** This ModelDeployment's Jobs (others are ignored: only those with the batch-run label are runs). */
  jobs: readonly V1Job[];
  /** The pods of its runs (for the runners' record counts). */
  pods: readonly V1Pod[];
  now: Date;
  /** The runner's image (the operator's own); the render default when unset. */
  runnerImage?: string;
}

export interface BatchPlan {
  /** Runs (Jobs) to delete: the active one a Replace stops, and history beyond keepRuns. */
  delete: string[];
  /** The run to create, if any; creating a name that exists is success (idempotent). */
  create?: { job: JobObject; configMap: ConfigMapObject | undefined };
  /** A run that could not be rendered (the spec cannot be served): nothing is started. */
  renderError?: RenderError;
  status: ApiBatchStatus;
  /** Undefined before any run finished. */
  condition: BatchConditionInput | undefined;
  /** Emitted only with the status write that records them. */
  events: BatchEvent[];
  /** When the next scheduled run is due; undefined with no schedule (a Job event brings the key back). */
  requeueAfterMs: number | undefined;
}

/** A time the request names (what `modelship batch run` writes), else undefined. */
export function requestTime(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

/** The run a manual request starts: named after the time it names, else after when it was handled. */
export function manualRunFor(mdName: string, value: string, now: Date): string {
  return manualRunName(mdName, requestTime(value) ?? now);
}

function parseTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

/** The newest scheduled time any run Job records: stands in when status lost lastScheduleTime. */
function newestScheduledTime(jobs: readonly V1Job[]): Date | undefined {
  let newest: Date | undefined;
  for (const j of jobs) {
    const t = parseTime(j.metadata?.annotations?.[ANNOTATION_SCHEDULED_TIME]);
    if (t !== undefined && (newest === undefined || t > newest)) newest = t;
  }
  return newest;
}

function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

function runJob(input: BatchReconcileInput, run: string, trigger: Trigger, scheduledTime: Date | undefined) {
  const { batch, md } = input;
  return renderRunJob({
    md,
    config: input.config,
    run,
    trigger,
    ...(scheduledTime !== undefined ? { scheduledTime } : {}),
    ...(batch.shards !== undefined ? { shards: batch.shards } : {}),
    parallelism: batch.parallelism,
    retriesPerShard: batch.retries?.perShard ?? 3,
    batchSize: batch.batchSize,
    concurrency: batch.concurrency,
    maxFailedRecords: batch.maxFailedRecords,
    input: batch.input,
    output: { uri: batch.output.uri },
    ...(batch.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: batch.activeDeadlineSeconds } : {}),
    ...(batch.runner?.resources !== undefined ? { runnerResources: cpuMemoryRequirements(batch.runner.resources) } : {}),
    ...(batch.queueName !== undefined ? { queueName: batch.queueName } : {}),
    ...(input.runnerImage !== undefined ? { runnerImage: input.runnerImage } : {}),
  });
}

function runEvents(previous: readonly BatchRun[], now: readonly RunSummary[]): BatchEvent[] {
  const before = new Map(previous.filter((r) => r.name !== undefined).map((r) => [r.name!, r]));
  const events: BatchEvent[] = [];
  // Oldest first, so Events read in the order runs happened.
  for (const run of [...now].reverse()) {
    const was = before.get(run.name);
    if (was === undefined) {
      events.push({ type: 'Normal', reason: 'RunStarted', message: `run ${run.name} started (${run.trigger === 'Manual' ? 'on demand' : 'scheduled'}, model version ${run.modelVersion})` });
    }
    if (run.phase === was?.phase) continue;
    if (run.phase === 'Succeeded') {
      const records = run.records !== undefined ? `: ${run.records.scored} records scored, ${run.records.failed} failed` : '';
      events.push({ type: 'Normal', reason: 'RunSucceeded', message: `run ${run.name} succeeded${records}; output ${run.output}` });
    } else if (run.phase === 'Failed') {
      const why = [run.reason, run.message].filter((s) => s !== undefined).join(': ');
      events.push({ type: 'Warning', reason: 'RunFailed', message: `run ${run.name} failed${why !== '' ? ` (${why})` : ''}` });
    }
  }
  return events;
}

/** status.batch's run fields, as the API types them. */
function apiRun(run: RunSummary): BatchRun {
  return { ...run };
}

export function reconcileBatch(input: BatchReconcileInput): BatchPlan {
  const { md, batch, previous, now, jobs } = input;
  const name = md.metadata.name;
  const runJobs = jobs.filter((j) => j.metadata?.labels?.[LABEL_BATCH_RUN] !== undefined);
  const observed = batchStatus(runJobs, input.pods);
  const existing = new Set(runJobs.map((j) => j.metadata?.name));
  const active = observed.runs.filter((r) => r.phase === 'Running').map((r) => r.name);
  const policy = batch.concurrencyPolicy;
  const events: BatchEvent[] = [];
  const toDelete = new Set<string>();
  let create: BatchPlan['create'];
  let renderError: RenderError | undefined;
  let activeRuns = active.length;

  const start = (run: string, trigger: Trigger, scheduledTime: Date | undefined, replace: boolean): void => {
    if (replace) for (const r of active) toDelete.add(r);
    if (existing.has(run)) return; // started before (the status write that recorded it was lost)
    const rendered = runJob(input, run, trigger, scheduledTime);
    if (!rendered.ok) {
      renderError = rendered.error;
      return;
    }
    create = { job: rendered.job, configMap: rendered.configMap };
    activeRuns = replace ? 1 : activeRuns + 1;
  };

  // Manual first: a request is a person waiting; a scheduled time due at the same moment then sees
  // that run as active.
  let lastHandledRunRequest = previous?.lastHandledRunRequest;
  const manual = manualDecision(input.requested, lastHandledRunRequest, activeRuns, policy);
  if (manual.action !== 'none' && manual.handled !== undefined) {
    const run = manualRunFor(name, manual.handled, now);
    const startedFor = runJobs.find((j) => j.metadata?.annotations?.[ANNOTATION_RUN_REQUEST] === manual.handled)?.metadata?.name;
    if (manual.action === 'skip-forbid') {
      events.push({ type: 'Normal', reason: 'RunSkipped', message: `run requested (${manual.handled}) skipped: run ${active.join(', ')} is still active and concurrencyPolicy is Forbid` });
    } else if (startedFor === undefined) {
      start(run, 'Manual', undefined, manual.action === 'replace');
      if (create !== undefined) create.job.metadata.annotations = { ...create.job.metadata.annotations, [ANNOTATION_RUN_REQUEST]: manual.handled };
    }
    if (renderError === undefined) lastHandledRunRequest = manual.handled;
  }

  let lastScheduleTime = later(parseTime(previous?.lastScheduleTime), newestScheduledTime(runJobs));
  let requeueAfterMs: number | undefined;
  let nextScheduleTime: Date | undefined;
  if (batch.schedule !== undefined && renderError === undefined) {
    const decision = scheduleDecision({
      schedule: batch.schedule,
      ...(batch.timeZone !== undefined ? { timeZone: batch.timeZone } : {}),
      suspend: batch.suspend,
      now,
      ...(lastScheduleTime !== undefined ? { lastScheduleTime } : {}),
      ...(input.createdAt !== undefined ? { createdAt: input.createdAt } : {}),
      // A run created by this reconcile is not in the Jobs yet: count it.
      activeRuns,
      concurrencyPolicy: policy,
    });
    requeueAfterMs = decision.requeueAfterMs;
    const at = decision.scheduledTime;
    if (at !== undefined && decision.action !== 'none') {
      if (decision.action === 'skip-forbid') {
        const blocking = create !== undefined ? [...active, create.job.metadata.name] : active;
        events.push({ type: 'Normal', reason: 'RunSkipped', message: `run due at ${at.toISOString()} skipped: run ${blocking.join(', ')} is still active and concurrencyPolicy is Forbid` });
      } else if (create === undefined) {
        start(scheduledRunName(name, at), 'Schedule', at, decision.action === 'replace');
      }
      if (renderError === undefined) lastScheduleTime = at;
    }
    if (!batch.suspend) nextScheduleTime = nextRunAt(batch.schedule, batch.timeZone, now);
  }

  for (const run of runsToDelete(runJobs, batch.keepRuns)) toDelete.add(run);

  // Runs deleted now are left out of status; the one created now appears once its Job is observed.
  const runs = observed.runs.filter((r) => !toDelete.has(r.name)).slice(0, batch.keepRuns);
  events.push(...runEvents(previous?.runs ?? [], runs));
  const current = observed.currentRun !== undefined && !toDelete.has(observed.currentRun.name) ? observed.currentRun : undefined;
  const status: ApiBatchStatus = {
    ...(current !== undefined ? { currentRun: current } : {}),
    ...(observed.lastSuccessfulRun !== undefined ? { lastSuccessfulRun: observed.lastSuccessfulRun } : {}),
    ...(nextScheduleTime !== undefined ? { nextScheduleTime: metaTime(nextScheduleTime) } : {}),
    ...(lastScheduleTime !== undefined ? { lastScheduleTime: metaTime(lastScheduleTime) } : {}),
    ...(lastHandledRunRequest !== undefined ? { lastHandledRunRequest } : {}),
    ...(runs.length > 0 ? { runs: runs.map(apiRun) } : {}),
  };
  return {
    delete: [...toDelete].sort(),
    ...(create !== undefined ? { create } : {}),
    ...(renderError !== undefined ? { renderError } : {}),
    status,
    condition: lastRunCondition({ ...observed, runs }),
    events,
    requeueAfterMs,
  };
}

/** metav1.Time: RFC 3339 in seconds. */
function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
