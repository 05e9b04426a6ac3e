// PURE: when a batch ModelDeployment starts a run, with CronJob's semantics, time passed in.
//
// - Only the most recent missed time runs: after an operator outage of six hours with an hourly
//   schedule, one run starts (for the latest hour) and `missed` says how many times were due.
// - A time older than the starting deadline is not started at all (missed, reported, wait for the
//   next). CronJob has no deadline unless one is set; modelship defaults to 300 s so a run due hours
//   ago does not start the moment the operator returns, scoring a stale input beside the next run.
// - Forbid with a run still active: the time is skipped, and the caller records it as handled
//   (lastScheduleTime), so it is not started later when the active run ends. CronJob would retry it
//   until the deadline; a batch run that ends late should not be followed at once by an old one.
// - Replace: the caller deletes the active runs, then starts the new one.
// - Allow: runs may overlap.
//
// The caller starts a run named scheduledRunName(md, scheduledTime): creation by name is
// idempotent, so a decision repeated after a restart starts nothing twice.
import { Cron } from 'croner';

export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';

export type ScheduleAction = 'none' | 'start' | 'skip-forbid' | 'replace';

export interface ScheduleDecision {
  action: ScheduleAction;
  /** The scheduled time acted on (start, skip-forbid, replace). */
  scheduledTime?: Date;
  /** When to look again: the next scheduled time; undefined when suspended or no time is left. */
  requeueAfterMs: number | undefined;
  /** Scheduled times that passed without a run, besides the one acted on (at most MAX_MISSED_COUNTED). */
  missed?: number;
}

export interface ScheduleInput {
  schedule: string;
  /** IANA time zone of the schedule; UTC when unset. */
  timeZone?: string;
  suspend: boolean;
  now: Date;
  /** The last scheduled time started or skipped (status). */
  lastScheduleTime?: Date;
  /** When the ModelDeployment was created: the earliest time a run may be due when none was yet. */
  createdAt?: Date;
  /** Runs not yet finished. */
  activeRuns: number;
  concurrencyPolicy: ConcurrencyPolicy;
  startingDeadlineSeconds?: number;
}

export const DEFAULT_STARTING_DEADLINE_SECONDS = 300;

/** Missed times counted one by one; beyond this, counting stops (CronJob stops at 100 too). */
export const MAX_MISSED_COUNTED = 100;

function cron(schedule: string, timeZone: string | undefined): Cron {
  // paused: a schedule object only for computing times, never firing a callback.
  return new Cron(schedule, { paused: true, timezone: timeZone ?? 'UTC', mode: '5-part' });
}

/** Whether a schedule and time zone parse (for validation messages); the error's message otherwise. */
export function scheduleError(schedule: string, timeZone?: string): string | undefined {
  try {
    // croner accepts an unknown zone until it computes a time; Intl rejects it at once.
    if (timeZone !== undefined) new Intl.DateTimeFormat('en', { timeZone });
    cron(schedule, timeZone);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The first scheduled time strictly after `after`, or undefined when the schedule has none. */
export function nextRunAt(schedule: string, timeZone: string | undefined, after: Date): Date | undefined {
  return cron(schedule, timeZone).nextRun(after) ?? undefined;
}

interface Due {
  latest: Date | undefined;
  missed: number;
}

/** The latest scheduled time in (earliest, now], and how many others were due in that range. */
function due(c: Cron, earliest: Date, now: Date): Due {
  let latest: Date | undefined;
  let count = 0;
  let t = c.nextRun(earliest);
  while (t !== null && t.getTime() <= now.getTime()) {
    latest = t;
    count++;
    if (count > MAX_MISSED_COUNTED) {
      // Too many to walk: jump to the most recent due time.
      const recent = c.previousRuns(1, new Date(now.getTime() + 1000))[0];
      if (recent !== undefined && recent.getTime() <= now.getTime()) latest = recent;
      break;
    }
    t = c.nextRun(t);
  }
  return { latest, missed: Math.max(0, Math.min(count, MAX_MISSED_COUNTED) - 1) };
}

export function scheduleDecision(input: ScheduleInput): ScheduleDecision {
  const { now } = input;
  if (input.suspend) return { action: 'none', requeueAfterMs: undefined };
  const c = cron(input.schedule, input.timeZone);
  const next = c.nextRun(now);
  const requeueAfterMs = next === null ? undefined : Math.max(0, next.getTime() - now.getTime());
  const earliest = input.lastScheduleTime ?? input.createdAt ?? now;
  const { latest, missed } = due(c, earliest, now);
  if (latest === undefined) return { action: 'none', requeueAfterMs };
  const deadlineMs = (input.startingDeadlineSeconds ?? DEFAULT_STARTING_DEADLINE_SECONDS) * 1000;
  if (now.getTime() - latest.getTime() > deadlineMs) return { action: 'none', requeueAfterMs, missed: missed + 1 };
  const acted = { scheduledTime: latest, requeueAfterMs, ...(missed > 0 ? { missed } : {}) };
  if (input.activeRuns === 0) return { action: 'start', ...acted };
  switch (input.concurrencyPolicy) {
    case 'Allow':
      return { action: 'start', ...acted };
    case 'Forbid':
      return { action: 'skip-forbid', ...acted };
    case 'Replace':
      return { action: 'replace', ...acted };
  }
}

/**
 * A manual run, asked for by setting an annotation (e.g. `kubectl annotate ... modelship.io/run=<token>`)
 * to a value other than the one last handled (kept in status). With Forbid and a run active the request
 * is handled as skipped, as a scheduled time would be: the status says so, and a new value asks again.
 */
export interface ManualDecision {
  action: Exclude<ScheduleAction, 'none'> | 'none';
  /** The annotation value to record as handled; set unless the action is none. */
  handled?: string;
}

export function manualDecision(
  annotationValue: string | undefined,
  lastHandled: string | undefined,
  activeRuns: number,
  policy: ConcurrencyPolicy,
): ManualDecision {
  if (annotationValue === undefined || annotationValue === '' || annotationValue === lastHandled) return { action: 'none' };
  const handled = annotationValue;
  if (activeRuns === 0 || policy === 'Allow') return { action: 'start', handled };
  return { action: policy === 'Forbid' ? 'skip-forbid' : 'replace', handled };
}
