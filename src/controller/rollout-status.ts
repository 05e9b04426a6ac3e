// PURE: lays the rollout state machine's decision over the serving status: its fields, the
// RolloutInProgress condition, and what a rollout means for Ready, Reconciling and Stalled
// (kstatus: InProgress while a canary runs, Failed when aborted or held back by a rollback).
import type { ModelDeploymentStatus } from '../api/index.ts';
import type { ConditionReason } from '../api/reasons.ts';
import type { RolloutDecision } from '../rollout/index.ts';
import { findCondition, removeCondition, setCondition } from '../status/conditions.ts';

export const ROLLOUT_IN_PROGRESS = 'RolloutInProgress';

export function withRollout(status: ModelDeploymentStatus, decision: RolloutDecision, generation: number, now: string): ModelDeploymentStatus {
  const { canary, ...fields } = decision.status;
  const { canary: _previousCanary, ...rest } = status;
  let conditions = status.conditions ?? [];
  const set = (type: string, value: 'True' | 'False', reason: ConditionReason, message: string) => {
    conditions = setCondition(conditions, { type, status: value, reason, message, observedGeneration: generation }, now);
  };
  set(
    ROLLOUT_IN_PROGRESS,
    decision.inProgress ? 'True' : 'False',
    decision.inProgress ? 'CanaryProgressing' : canary?.phase === 'Aborted' ? 'RolloutAborted' : 'NoRollout',
    decision.message || (decision.inProgress ? 'a canary is under way' : 'the stable version serves all traffic'),
  );
  const stalledAlready = findCondition(conditions, 'Stalled')?.status === 'True';
  if (decision.stalled && !stalledAlready) {
    set('Stalled', 'True', decision.stalled.reason, decision.stalled.message);
    conditions = removeCondition(conditions, 'Reconciling');
    set('Ready', 'False', decision.stalled.reason, decision.stalled.message);
  } else if (decision.inProgress && !stalledAlready) {
    set('Reconciling', 'True', ROLLOUT_IN_PROGRESS, decision.message);
    set('Ready', 'False', ROLLOUT_IN_PROGRESS, decision.message);
  }
  return { ...rest, ...fields, ...(canary ? { canary } : {}), conditions };
}
