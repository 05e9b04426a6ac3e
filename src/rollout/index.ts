// PURE rollout logic: the state machine of canary and A/B rollouts (docs/rollouts.md).
export { nextRollout } from './next-rollout.ts';
export { metaTime } from './decision-context.ts';
export { parseRolloutRequests } from './requests.ts';
export type { RollbackRequest, RolloutRequests } from './requests.ts';
export { templateHash, canonicalJson } from './template-hash.ts';
export { capacityOf, effectiveWeight, splitReplicas } from './sizing.ts';
export type { Split } from './sizing.ts';
export { isKnownGood, validSnapshot } from './history.ts';
export type {
  RolloutDecision,
  RolloutEvent,
  RolloutInput,
  RolloutObservations,
  RolloutPlan,
  RolloutStatusFields,
  VariantObservation,
  VariantPlan,
  VariantScale,
} from './types.ts';
export { analysisActive, validationMethod, nextAnalysisAt, ERROR_RETRY_MS } from './analysis-state.ts';
export type { EvidenceRequest } from './evidence-requests.ts';
export type { AnalysisRun, ValidationObservation } from './analysis-state.ts';
