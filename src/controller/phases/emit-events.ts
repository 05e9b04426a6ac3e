// Events of a reconcile, after its status write: a Warning when it stalls, Ready when it becomes
// ready, the rollout's own Events (only with the status that records them), and Applied naming every
// child written or pruned.
import type { ModelDeploymentStatus } from '../../api/index.ts';
import { isReasonAt, type ForeignReason, type StallReason } from '../../api/reasons.ts';
import type { RolloutDecision } from '../../rollout/index.ts';
import { findCondition } from '../../status/conditions.ts';
import type { EventSink, EventTarget } from '../reconcile-deps.ts';
import type { StatusWrite } from './write-status.ts';

export interface EventInput {
  readonly write: Exclude<StatusWrite, 'conflict'>;
  readonly previous: ModelDeploymentStatus | undefined;
  readonly next: ModelDeploymentStatus;
  readonly decision: RolloutDecision | undefined;
  readonly changed: readonly string[];
}

export function emitEvents(events: EventSink, target: EventTarget, input: EventInput): void {
  if (input.write === 'written') {
    emitTransitions(events, target, input.previous, input.next);
    for (const e of input.decision?.events ?? []) events.emit(target, e.type, e.reason, e.message);
  }
  if (input.changed.length > 0) events.emit(target, 'Normal', 'Applied', `Applied ${input.changed.join(', ')}`);
}

function emitTransitions(events: EventSink, target: EventTarget, previous: ModelDeploymentStatus | undefined, next: ModelDeploymentStatus): void {
  for (const type of ['Stalled', 'Ready'] as const) {
    const before = findCondition(previous?.conditions, type);
    const after = findCondition(next.conditions, type);
    if (!after || (before?.status === after.status && before.reason === after.reason)) continue;
    if (type === 'Stalled' && after.status === 'True') events.emit(target, 'Warning', readBack(after.reason), after.message);
    if (type === 'Ready' && after.status === 'True') events.emit(target, 'Normal', 'Ready', after.message);
  }
}

/** The reason of the Stalled condition modelship wrote: catalogued, or passed through from a Deployment. */
function readBack(reason: string): StallReason | ForeignReason {
  return isReasonAt(reason, 'Stalled=True') ? reason : (reason as ForeignReason);
}
