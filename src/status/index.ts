// PURE status logic: conditions, computeStatus and the kstatus summary. No clock, no I/O.
export { computeStatus } from './compute-status.ts';
export { setCondition, removeCondition, findCondition, isTrue, sortConditions, keepTransitionTimes } from './conditions.ts';
export type { ConditionUpdate } from './conditions.ts';
export { READY, RECONCILING, STALLED, SERVING, CONDITION_ORDER } from './condition-types.ts';
export { statusEqual } from './status-changed.ts';
export { kstatusOf } from './kstatus.ts';
export type { KStatus } from './kstatus.ts';
export { STUCK_WAITING_REASONS } from './stall.ts';
export type { Observations, DeploymentObservation, PodObservation, ApplyError } from './observations.ts';
