// PURE: one reconcile of drift detection as a function of (ModelDeployment, its drift Jobs and their
// pods, status.drift as last written, now): which Jobs to create and delete, status.drift, the
// DriftDetected condition, the Events and when to look again. The controller performs the actions
// (src/controller/drift-checks.ts).
//
// - The stable version gets one profile Job, named from the version and the reference; a new version
//   or reference gets a new one, and the old profile Jobs are deleted. A logged reference (a window of
//   the model's own logs) does not depend on the version: its Job is named from the reference alone, so
//   a new version keeps its profile; it starts once the window has ended and its last logs are flushed.
// - Once profiled, checks run on drift.schedule with batch's schedule semantics (src/batch/schedule.ts):
//   the latest missed time only, none older than the starting deadline, Forbid with a check active.
//   The time acted on becomes status.drift.lastScheduleTime, and the Job is named after it, so a
//   decision repeated after a restart starts nothing twice.
// - The newest finished check is status.drift.lastCheck. A failed check carries its failure without a
//   verdict: DriftDetected keeps its last value, and the Event DriftCheckFailed says why. Drift checks
//   never touch Ready, Reconciling or Stalled: serving is fine whatever the traffic looks like.
// - Events come from the difference between status.drift as last written and as computed now, so each
//   is emitted once, with the status write that records it.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { Condition } from '../api/condition.ts';
import type { DriftSpec } from '../api/drift-spec.ts';
import type { DriftCheckStatus, DriftReferenceStatus, DriftStatus } from '../api/drift-status.ts';
import type { LoggingSpec } from '../api/logging-spec.ts';
import type { ModelDeployment } from '../api/model-deployment.ts';
import { isReasonAt, type ConditionReason } from '../api/reasons.ts';
import { durationMs } from '../api/duration.ts';
import { nextRunAt, scheduleDecision } from '../batch/schedule.ts';
import type { JobObject } from '../render/child-objects.ts';
import { referenceUri, renderCheckJob, renderProfileJob, rfc3339, type StableModel } from './drift-jobs.ts';
import {
  ANNOTATION_DRIFT_OUTPUT,
  ANNOTATION_DRIFT_SCHEDULED_TIME,
  ANNOTATION_DRIFT_VERSION,
  ANNOTATION_WINDOW_START,
  LABEL_DRIFT_JOB,
} from './labels.ts';
import { checkJobName, profileJobName } from './names.ts';
import { jobOutcome, jobPhase, parseCheckMessage, parseProfileMessage } from './termination.ts';

/** Finished check Jobs kept; older ones are deleted (their reports stay in object storage). */
export const KEEP_CHECK_JOBS = 3;
export const DRIFT_CONDITION = 'DriftDetected';

export interface DriftEvent {
  type: 'Normal' | 'Warning';
  reason: 'DriftDetected' | 'DriftCleared' | 'DriftCheckFailed';
  message: string;
}

export interface DriftConditionUpdate {
  status: 'True' | 'False' | 'Unknown';
  reason: ConditionReason;
  message: string;
}

export interface DriftReconcileInput {
  /** Parsed, with metadata.uid and namespace. */
  md: ModelDeployment;
  drift: DriftSpec;
  logging: LoggingSpec;
  /** The stable revision, when it serves; undefined while nothing serves (nothing is started). */
  stable: StableModel | undefined;
  /** This ModelDeployment's drift Jobs (labelled, controlled by it). */
  jobs: readonly V1Job[];
  /** Their pods (for the termination messages). */
  pods: readonly V1Pod[];
  previous: DriftStatus | undefined;
  previousCondition: Condition | undefined;
  now: Date;
  /** modelship's image. */
  image: string;
}

export interface DriftPlan {
  create: JobObject[];
  delete: string[];
  status: DriftStatus;
  condition: DriftConditionUpdate;
  events: DriftEvent[];
  /** When the next check is due; undefined when none is planned (a Job event brings the key back). */
  requeueAfterMs: number | undefined;
}

function parseTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

const kindOf = (job: V1Job): string | undefined => job.metadata?.labels?.[LABEL_DRIFT_JOB];
const scheduledOf = (job: V1Job): string => job.metadata?.annotations?.[ANNOTATION_DRIFT_SCHEDULED_TIME] ?? '';

/** Check Jobs, newest scheduled time first. */
function newestFirst(jobs: readonly V1Job[]): V1Job[] {
  return [...jobs].sort((a, b) => (scheduledOf(a) < scheduledOf(b) ? 1 : scheduledOf(a) > scheduledOf(b) ? -1 : (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? 1 : -1));
}

/** What the profile Job is given: its name changes with any of it. */
function profileIdentity(drift: DriftSpec, stable: StableModel): unknown {
  if (drift.reference.logged !== undefined) return { reference: drift.reference, features: drift.features ?? null, minSamples: drift.minSamples };
  return { reference: drift.reference, features: drift.features ?? null, uri: referenceUri(drift, stable.model) };
}

/** Beyond the end of a logged window, the agent may still hold its last records this long. */
const FLUSH_SLACK_MS = 60_000;

/** When a logged reference can be profiled: its end plus a flush interval (and slack); undefined for a sample file. */
export function loggedProfileDue(drift: DriftSpec, logging: LoggingSpec): Date | undefined {
  const logged = drift.reference.logged;
  if (logged === undefined) return undefined;
  return new Date(Date.parse(logged.end) + (durationMs(logging.flushInterval) ?? 0) + FLUSH_SLACK_MS);
}

function referenceStatus(input: DriftReconcileInput, stable: StableModel, name: string, events: DriftEvent[]): { reference: DriftReferenceStatus; create: boolean } {
  const job = input.jobs.find((j) => kindOf(j) === 'profile' && j.metadata?.name === name);
  const before = input.previous?.reference;
  const base = { version: stable.version, job: name };
  // Profiled before: read once (its pod, or the Job itself, may be gone since; the profile stays in storage).
  if (before?.job === name && before.profiledAt !== undefined) return { reference: before, create: false };
  const due = loggedProfileDue(input.drift, input.logging);
  if (job === undefined) return { reference: base, create: due === undefined || input.now >= due };
  const outcome = jobOutcome(job, input.pods, parseProfileMessage);
  if (outcome.phase === 'Running') return { reference: base, create: false };
  if (outcome.result !== undefined) {
    const r = outcome.result;
    const profile = r.output ?? job.metadata?.annotations?.[ANNOTATION_DRIFT_OUTPUT];
    const profiledAt = outcome.finishedAt ?? before?.profiledAt ?? rfc3339(input.now);
    return { reference: { ...base, rows: r.rows, features: r.features, profiledAt, ...(profile !== undefined ? { profile } : {}) }, create: false };
  }
  const message = `${outcome.reason ?? 'JobFailed'}: ${outcome.message ?? 'the profile Job failed'}`;
  if (before?.job !== name || before.message === undefined) {
    events.push({ type: 'Warning', reason: 'DriftCheckFailed', message: `profiling the reference of version ${stable.version} failed (Job ${name}): ${message}` });
  }
  return { reference: { ...base, message }, create: false };
}

interface CheckView {
  lastCheck?: DriftCheckStatus;
  features?: DriftStatus['features'];
  predictions?: DriftStatus['predictions'];
}

function describeDrift(view: CheckView): string {
  const names = (view.features ?? []).filter((f) => f.verdict === 'Drift').map((f) => f.name ?? '?');
  if (view.predictions?.verdict === 'Drift') names.push('predictions');
  return names.length > 0 ? names.join(', ') : 'the traffic';
}

function windowText(c: DriftCheckStatus): string {
  return `version ${c.version ?? '?'}, window ${c.windowStart ?? '?'} to ${c.windowEnd ?? '?'}, ${c.samples ?? 0} logged requests`;
}

function lastCheckView(input: DriftReconcileInput, checks: readonly V1Job[], events: DriftEvent[], previousStatus: DriftConditionUpdate['status'] | undefined): CheckView {
  const prev = input.previous;
  const kept: CheckView = {
    ...(prev?.lastCheck !== undefined ? { lastCheck: prev.lastCheck } : {}),
    ...(prev?.features !== undefined ? { features: prev.features } : {}),
    ...(prev?.predictions !== undefined ? { predictions: prev.predictions } : {}),
  };
  const newest = newestFirst(checks).find((j) => jobPhase(j).phase !== 'Running');
  const name = newest?.metadata?.name;
  if (newest === undefined || name === undefined || name === prev?.lastCheck?.job) return kept;
  const a = newest.metadata?.annotations ?? {};
  const outcome = jobOutcome(newest, input.pods, parseCheckMessage);
  const base: DriftCheckStatus = {
    ...(outcome.finishedAt !== undefined ? { time: outcome.finishedAt } : {}),
    ...(a[ANNOTATION_WINDOW_START] !== undefined ? { windowStart: a[ANNOTATION_WINDOW_START] } : {}),
    ...(a[ANNOTATION_DRIFT_SCHEDULED_TIME] !== undefined ? { windowEnd: a[ANNOTATION_DRIFT_SCHEDULED_TIME] } : {}),
    ...(a[ANNOTATION_DRIFT_VERSION] !== undefined ? { version: a[ANNOTATION_DRIFT_VERSION] } : {}),
    job: name,
  };
  const r = outcome.result;
  if (r === undefined) {
    const failed: DriftCheckStatus = { ...base, reason: outcome.reason ?? 'JobFailed', message: outcome.message ?? 'the check Job failed' };
    events.push({ type: 'Warning', reason: 'DriftCheckFailed', message: `drift check ${name} failed: ${failed.reason}: ${failed.message}` });
    return { ...kept, lastCheck: failed };
  }
  const report = r.report ?? a[ANNOTATION_DRIFT_OUTPUT];
  const lastCheck: DriftCheckStatus = {
    ...base,
    ...(r.windowStart !== undefined ? { windowStart: r.windowStart } : {}),
    ...(r.windowEnd !== undefined ? { windowEnd: r.windowEnd } : {}),
    verdict: r.verdict,
    samples: r.samples,
    ...(report !== undefined ? { report } : {}),
  };
  const view: CheckView = { lastCheck, ...(r.features.length > 0 ? { features: r.features } : {}), ...(r.predictions !== undefined ? { predictions: r.predictions } : {}) };
  if (r.verdict === 'Drift' && previousStatus !== 'True') {
    events.push({ type: 'Warning', reason: 'DriftDetected', message: `drift in ${describeDrift(view)} (${windowText(lastCheck)}); report ${report ?? 'not written'}` });
  } else if (r.verdict === 'NoDrift' && previousStatus === 'True') {
    events.push({ type: 'Normal', reason: 'DriftCleared', message: `no drift in the last check (${windowText(lastCheck)})` });
  }
  return view;
}

const DRIFT_PLACES = ['DriftDetected=True', 'DriftDetected=False', 'DriftDetected=Unknown'] as const;

function keptCondition(previous: Condition | undefined): DriftConditionUpdate | undefined {
  if (previous === undefined) return undefined;
  const place = `DriftDetected=${previous.status}` as const;
  if (!DRIFT_PLACES.includes(place) || !isReasonAt(previous.reason, place)) return undefined;
  return { status: previous.status, reason: previous.reason, message: previous.message };
}

/** PURE: DriftDetected from status.drift (and, after a failed check, its last value). */
export function driftCondition(status: DriftStatus, previous: Condition | undefined, nextCheck: Date | undefined): DriftConditionUpdate {
  const c = status.lastCheck;
  if (c?.verdict === 'Drift') return { status: 'True', reason: 'DriftDetected', message: `drift in ${describeDrift(status)} (${windowText(c)})` };
  if (c?.verdict === 'NoDrift') return { status: 'False', reason: 'NoDrift', message: `no drift in the last check (${windowText(c)})` };
  if (c?.verdict === 'Inconclusive') {
    return { status: 'Unknown', reason: 'Inconclusive', message: `too few logged values for a verdict (${windowText(c)}); lower minSamples or widen window` };
  }
  const kept = c !== undefined ? keptCondition(previous) : undefined;
  if (kept !== undefined) return kept;
  const ref = status.reference;
  const why =
    c !== undefined
      ? `the last check failed (${c.reason ?? 'JobFailed'}), and none judged the traffic before`
      : ref?.message !== undefined
        ? `profiling the reference of version ${ref.version ?? '?'} failed: ${ref.message}`
        : ref?.profiledAt === undefined
          ? `profiling the reference of version ${ref?.version ?? '?'}`
          : `the first check is due ${nextCheck !== undefined ? `at ${rfc3339(nextCheck)}` : 'on schedule'}`;
  return { status: 'Unknown', reason: 'NoReference', message: why };
}

export function reconcileDrift(input: DriftReconcileInput): DriftPlan {
  const { md, drift, stable, now, previous } = input;
  const name = md.metadata.name;
  const events: DriftEvent[] = [];
  const create: JobObject[] = [];
  const toDelete = new Set<string>();
  const checks = input.jobs.filter((j) => kindOf(j) === 'check');
  const previousStatus = input.previousCondition?.status;

  if (stable === undefined) {
    // Nothing serves: nothing to profile or check; what was found stays reported.
    const status = previous ?? {};
    return { create, delete: [], status, condition: driftCondition(status, input.previousCondition, undefined), events, requeueAfterMs: undefined };
  }

  const jobInput = { md, drift, logging: input.logging, stable, image: input.image };
  const profileName = profileJobName(name, drift.reference.logged !== undefined ? '' : stable.version, profileIdentity(drift, stable));
  const { reference, create: needsProfile } = referenceStatus(input, stable, profileName, events);
  if (needsProfile) create.push(renderProfileJob(jobInput, profileName));
  for (const j of input.jobs) if (kindOf(j) === 'profile' && j.metadata?.name !== profileName) toDelete.add(j.metadata?.name ?? '');

  const newestCheck = newestFirst(checks)[0];
  let lastScheduleTime = later(parseTime(previous?.lastScheduleTime), parseTime(newestCheck !== undefined ? scheduledOf(newestCheck) : undefined));
  let requeueAfterMs: number | undefined;
  const profiledAt = reference.profiledAt !== undefined ? parseTime(reference.profiledAt) : undefined;
  if (profiledAt !== undefined) {
    const active = checks.filter((j) => jobPhase(j).phase === 'Running').length;
    const decision = scheduleDecision({
      schedule: drift.schedule,
      ...(drift.timeZone !== undefined ? { timeZone: drift.timeZone } : {}),
      suspend: false,
      now,
      ...(lastScheduleTime !== undefined ? { lastScheduleTime } : {}),
      // The first check is the first time due after the profile was written.
      createdAt: profiledAt,
      activeRuns: active,
      concurrencyPolicy: 'Forbid',
    });
    requeueAfterMs = decision.requeueAfterMs;
    const at = decision.scheduledTime;
    if (at !== undefined && (decision.action === 'start' || decision.action === 'skip-forbid')) {
      const checkName = checkJobName(name, at);
      if (decision.action === 'start' && !checks.some((j) => j.metadata?.name === checkName)) create.push(renderCheckJob(jobInput, checkName, at));
      lastScheduleTime = at;
    }
  }

  const finished = newestFirst(checks).filter((j) => jobPhase(j).phase !== 'Running');
  for (const j of finished.slice(KEEP_CHECK_JOBS)) toDelete.add(j.metadata?.name ?? '');

  const view = lastCheckView(input, checks, events, previousStatus);
  const status: DriftStatus = {
    reference,
    ...(view.lastCheck !== undefined ? { lastCheck: view.lastCheck } : {}),
    ...(lastScheduleTime !== undefined ? { lastScheduleTime: rfc3339(lastScheduleTime) } : {}),
    ...(view.features !== undefined ? { features: view.features } : {}),
    ...(view.predictions !== undefined ? { predictions: view.predictions } : {}),
  };
  const nextCheck = profiledAt !== undefined ? nextRunAt(drift.schedule, drift.timeZone, now) : undefined;
  toDelete.delete('');
  let condition = driftCondition(status, input.previousCondition, nextCheck);
  const due = loggedProfileDue(drift, input.logging);
  if (due !== undefined && profiledAt === undefined && now < due && !input.jobs.some((j) => j.metadata?.name === profileName)) {
    // The logged window is not over (or its last logs not flushed): profiled then.
    requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, due.getTime() - now.getTime());
    if (status.lastCheck === undefined) {
      condition = { status: 'Unknown', reason: 'NoReference', message: `the logged reference window ends at ${drift.reference.logged?.end ?? '?'}; it is profiled at ${rfc3339(due)}, then checks start` };
    }
  }
  return { create, delete: [...toDelete].sort(), status, condition, events, requeueAfterMs };
}
