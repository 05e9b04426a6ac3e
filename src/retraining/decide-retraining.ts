// PURE: whether a ModelDeployment's retraining fires now. Time and evidence are passed in.
//
// - A trigger already decided and not yet accepted by its target (state Pending) is sent again with the
//   same id, whatever else holds: the write of Pending comes before the send, so a crash or a leader
//   change between them leaves the Pending trigger for the next operator to finish. After a failed
//   send it waits for nextAttemptTime (backoff, set by the sender).
// - Reasons, in this order: Drift (status.drift.lastCheck has verdict Drift and is newer than the last
//   trigger), AccuracyBelow (an accuracy reading below the threshold), Schedule (a cron time due within
//   the starting deadline and after the last scheduled trigger, batch's semantics: src/batch/schedule.ts).
// - Cooldown: no trigger before lastTrigger.time + cooldown; a reason that holds then waits until then.
import { durationMs } from '../api/duration.ts';
import type { RetrainingSpec } from '../api/retraining-spec.ts';
import type { RetrainingReason, RetrainingStatus } from '../api/retraining-status.ts';
import { nextRunAt, scheduleDecision } from '../batch/schedule.ts';
import { triggerId } from './trigger-id.ts';

export interface DriftCheckEvidence {
  /** status.drift.lastCheck.time */
  readonly time: Date;
  readonly verdict?: 'Drift' | 'NoDrift' | 'Inconclusive';
}

export interface RetrainingEvidence {
  /** The ModelDeployment's uid: part of every trigger id. */
  readonly uid: string;
  /** No scheduled time before it is due; unset: a time within the starting deadline still is. */
  readonly createdAt?: Date;
  readonly driftCheck?: DriftCheckEvidence;
  /** The stable version's labelled accuracy over the window, and the time it was read for. */
  readonly accuracy?: { readonly value: number; readonly time: Date };
}

export type RetrainingDecision =
  | { readonly kind: 'none'; /** When a scheduled reason next falls due. */ readonly recheckAt?: Date }
  | {
      readonly kind: 'trigger';
      readonly id: string;
      readonly reason: RetrainingReason;
      readonly evidenceTime: Date;
      /** true: the Pending trigger in status, sent again with its id. */
      readonly resend: boolean;
    }
  | { readonly kind: 'wait-until'; readonly time: Date; readonly reason: RetrainingReason | 'Backoff' };

/** Within this of its time a scheduled trigger still fires (batch's default starting deadline). */
export const SCHEDULE_DEADLINE_SECONDS = 300;

const parseTime = (s: string | undefined): Date | undefined => {
  if (s === undefined) return undefined;
  const t = new Date(s);
  return Number.isNaN(t.getTime()) ? undefined : t;
};

export function cooldownMs(spec: RetrainingSpec): number {
  return durationMs(spec.cooldown) ?? 24 * 3_600_000;
}

interface Candidate {
  readonly reason: RetrainingReason;
  readonly evidenceTime: Date;
}

function candidate(spec: RetrainingSpec, status: RetrainingStatus | undefined, now: Date, evidence: RetrainingEvidence): { found?: Candidate; recheckAt?: Date } {
  const last = status?.lastTrigger;
  const lastTime = parseTime(last?.time);
  const drift = evidence.driftCheck;
  if (spec.on.drift === true && drift?.verdict === 'Drift' && (lastTime === undefined || drift.time.getTime() > lastTime.getTime())) {
    return { found: { reason: 'Drift', evidenceTime: drift.time } };
  }
  const acc = evidence.accuracy;
  if (spec.on.accuracyBelow !== undefined && acc !== undefined && acc.value < spec.on.accuracyBelow && (lastTime === undefined || acc.time.getTime() > lastTime.getTime())) {
    return { found: { reason: 'AccuracyBelow', evidenceTime: acc.time } };
  }
  if (spec.on.schedule !== undefined) {
    const lastScheduled = last?.reason === 'Schedule' ? parseTime(last.evidenceTime) : undefined;
    const d = scheduleDecision({
      schedule: spec.on.schedule,
      ...(spec.on.timeZone !== undefined ? { timeZone: spec.on.timeZone } : {}),
      suspend: false,
      now,
      ...(lastScheduled !== undefined ? { lastScheduleTime: lastScheduled } : {}),
      createdAt: evidence.createdAt ?? new Date(now.getTime() - SCHEDULE_DEADLINE_SECONDS * 1000),
      activeRuns: 0,
      concurrencyPolicy: 'Allow',
      startingDeadlineSeconds: SCHEDULE_DEADLINE_SECONDS,
    });
    if (d.action === 'start' && d.scheduledTime !== undefined) return { found: { reason: 'Schedule', evidenceTime: d.scheduledTime } };
    const next = nextRunAt(spec.on.schedule, spec.on.timeZone, now);
    return next !== undefined ? { recheckAt: next } : {};
  }
  return {};
}

export function decideRetraining(spec: RetrainingSpec, status: RetrainingStatus | undefined, now: Date, evidence: RetrainingEvidence): RetrainingDecision {
  const last = status?.lastTrigger;
  if (last?.state === 'Pending' && last.id !== undefined && last.reason !== undefined) {
    const retryAt = parseTime(last.nextAttemptTime);
    if (retryAt !== undefined && retryAt.getTime() > now.getTime()) return { kind: 'wait-until', time: retryAt, reason: 'Backoff' };
    const evidenceTime = parseTime(last.evidenceTime) ?? parseTime(last.time) ?? now;
    return { kind: 'trigger', id: last.id, reason: last.reason, evidenceTime, resend: true };
  }
  const { found, recheckAt } = candidate(spec, status, now, evidence);
  if (found === undefined) return recheckAt !== undefined ? { kind: 'none', recheckAt } : { kind: 'none' };
  const lastTime = parseTime(last?.time);
  if (lastTime !== undefined) {
    const allowed = new Date(lastTime.getTime() + cooldownMs(spec));
    if (allowed.getTime() > now.getTime()) return { kind: 'wait-until', time: allowed, reason: found.reason };
  }
  return { kind: 'trigger', id: triggerId(evidence.uid, found.reason, found.evidenceTime), reason: found.reason, evidenceTime: found.evidenceTime, resend: false };
}
