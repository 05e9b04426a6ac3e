// PURE: what the operator counts of retraining sends (modelship_retraining_sends_total). One count per
// send attempt, by its result:
//   sent       the target accepted a new run;
//   duplicate  the target already had the trigger's id (a send repeated after a crash, a leader change or
//              a lost status write): no second run;
//   failed     not accepted; the trigger stays Pending and is sent again after a backoff.
// Labels are bounded: one series per ModelDeployment, reason (3), target (3) and result (3) at most.
import type { RetrainingReason, RetrainingTargetKind } from '../api/retraining-status.ts';
import type { SendResult } from './send-result.ts';

export const SEND_RESULTS = ['sent', 'duplicate', 'failed'] as const;
export type SendResultLabel = (typeof SEND_RESULTS)[number];

export interface SendLabels {
  readonly model_namespace: string;
  readonly model_deployment: string;
  readonly reason: RetrainingReason;
  readonly target: RetrainingTargetKind;
}

/** The Retrainer's hook into the operator's metrics; absent in tests that do not read them. */
export interface RetrainingSendMetrics {
  sent(labels: SendLabels, result: SendResultLabel): void;
}

export function sendResultLabel(result: SendResult): SendResultLabel {
  if (!result.ok) return 'failed';
  return result.duplicate ? 'duplicate' : 'sent';
}
