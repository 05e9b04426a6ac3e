// PURE: the id of a retraining trigger, from what it is about: the ModelDeployment (its uid, so a
// deleted and re-created one starts afresh), the reason, and the time of the evidence (the drift check,
// the scheduled time, the accuracy reading). The same evidence always gives the same id, so a send
// repeated after a crash or by a new leader carries the same idempotency key: Airflow's dag_run_id, the
// Job's name, the webhook's delivery id.
import { createHash } from 'node:crypto';
import type { RetrainingReason } from '../api/retraining-status.ts';

/** `rt-` and 16 hex digits (64 bits): fits a Job name after a 42-character ModelDeployment name. */
export function triggerId(uid: string, reason: RetrainingReason, evidenceTime: Date): string {
  const digest = createHash('sha256').update(`${uid}\n${reason}\n${evidenceTime.toISOString()}`).digest('hex');
  return `rt-${digest.slice(0, 16)}`;
}

/** The Job of a trigger: `<modelDeployment>-<id>`, at most 62 characters. */
export function triggerJobName(modelDeployment: string, id: string): string {
  return `${modelDeployment}-${id}`;
}
