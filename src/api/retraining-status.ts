// status.retraining: the last trigger and when the next may come. The trigger is written as Pending
// before it is sent, so an operator that restarts (or a new leader) re-sends the same id rather than
// deciding a new one. Every field is optional so an older status still parses.
import { z } from 'zod';
import { DNS_LABEL_MAX, MAX_LONG_STRING, MAX_SHORT_STRING } from './limits.ts';

export const RETRAINING_REASONS = ['Drift', 'Schedule', 'AccuracyBelow'] as const;
export type RetrainingReason = (typeof RETRAINING_REASONS)[number];
export const RETRAINING_TARGET_KINDS = ['job', 'airflow', 'webhook'] as const;
export type RetrainingTargetKind = (typeof RETRAINING_TARGET_KINDS)[number];
export const RETRAINING_STATES = ['Pending', 'Sent', 'Running', 'Succeeded', 'Failed'] as const;
export type RetrainingState = (typeof RETRAINING_STATES)[number];

const time = (what: string) => z.iso.datetime().describe(what);

export const retrainingTriggerStatusSchema = z
  .object({
    id: z.string().max(DNS_LABEL_MAX).optional().describe('The trigger id: the same evidence always gives the same id; the idempotency key of the send.'),
    reason: z.enum(RETRAINING_REASONS).optional().describe('Drift, Schedule or AccuracyBelow.'),
    time: time('When the trigger was decided.').optional(),
    evidenceTime: time('The time of the evidence: the drift check, the scheduled time or the accuracy reading.').optional(),
    target: z.enum(RETRAINING_TARGET_KINDS).optional().describe('job, airflow or webhook.'),
    runId: z.string().max(MAX_SHORT_STRING).optional().describe('The Job name, the Airflow dag_run_id or the webhook delivery id.'),
    state: z.enum(RETRAINING_STATES).optional().describe('Pending (decided, not yet accepted), Sent, Running, Succeeded or Failed.'),
    attempts: z.int().min(0).max(1_000_000).meta({ format: 'int32' }).optional().describe('Sends tried while Pending.'),
    nextAttemptTime: time('While Pending after a failed send: when it is tried again.').optional(),
    message: z.string().max(MAX_LONG_STRING).optional().describe('Why a send failed, or what the target answered.'),
  })
  .describe('The last retraining trigger.');

export const retrainingStatusSchema = z
  .object({
    lastTrigger: retrainingTriggerStatusSchema.optional(),
    nextAllowedTime: time('lastTrigger.time + cooldown: no trigger before.').optional(),
  })
  .describe('Retraining triggers (spec.monitoring.retraining).');

export type RetrainingStatus = z.output<typeof retrainingStatusSchema>;
export type RetrainingTriggerStatus = z.output<typeof retrainingTriggerStatusSchema>;
