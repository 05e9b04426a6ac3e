// metav1.Condition bookkeeping, without a clock: the caller passes `now`.
import type { Condition, ConditionStatus } from '../api/index.ts';
import type { ConditionReason, ForeignReason } from '../api/reasons.ts';
import { CONDITION_ORDER } from './condition-types.ts';

export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: ConditionReason | ForeignReason;
  message: string;
  observedGeneration: number;
}

/**
 * `conditions` with `next` set. lastTransitionTime moves to `now` only when the status changes,
 * so setting the same condition again yields an equal list and the reconciler skips the write.
 * The input is not modified; the result is in condition order (see condition-types.ts).
 */
export function setCondition(conditions: Condition[] | undefined, next: ConditionUpdate, now: string): Condition[] {
  const current = findCondition(conditions, next.type);
  const lastTransitionTime = current !== undefined && current.status === next.status ? current.lastTransitionTime : metaTime(now);
  const updated: Condition = {
    type: next.type,
    status: next.status,
    observedGeneration: next.observedGeneration,
    lastTransitionTime,
    reason: next.reason,
    message: next.message,
  };
  return sortConditions([...(conditions ?? []).filter((c) => c.type !== next.type), updated]);
}

/**
 * `next` with the lastTransitionTime of `previous` (the stored status) wherever a condition's status did
 * not change. A status is computed in layers (serving, then a rollout's overlay): a layer that sets a
 * condition again compares with the layer below, not with what was stored, and would stamp a new time
 * on every reconcile (a write at rest).
 */
export function keepTransitionTimes(previous: Condition[] | undefined, next: Condition[]): Condition[] {
  let kept = false;
  const out = next.map((c) => {
    const before = findCondition(previous, c.type);
    if (before === undefined || before.status !== c.status || before.lastTransitionTime === c.lastTransitionTime) return c;
    kept = true;
    return { ...c, lastTransitionTime: before.lastTransitionTime };
  });
  return kept ? out : next;
}

/** `conditions` without the condition of `type` (abnormal-true conditions are removed, not set False). */
export function removeCondition(conditions: Condition[] | undefined, type: string): Condition[] {
  return sortConditions((conditions ?? []).filter((c) => c.type !== type));
}

export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isTrue(conditions: Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** Ready, Reconciling, Stalled, Serving, then any other type alphabetically. */
export function sortConditions(conditions: Condition[]): Condition[] {
  return [...conditions].sort((a, b) => rank(a.type) - rank(b.type) || compare(a.type, b.type));
}

function rank(type: string): number {
  const i = CONDITION_ORDER.indexOf(type);
  return i === -1 ? CONDITION_ORDER.length : i;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * metav1.Time has second precision: the API server drops fractions, so writing them would make the
 * status read back differ from the one written and cause a second, useless write.
 */
function metaTime(now: string): string {
  return now.replace(/\.\d+(?=(Z|[+-]\d{2}:\d{2})$)/, '');
}
