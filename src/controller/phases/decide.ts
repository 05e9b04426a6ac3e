// Phase decide (PURE): the rollout state machine turns the spec, the last status, the user's requests
// (annotations) and the observations into a plan for each variant, status fields, Events and a requeue.
import type { ModelDeploymentSpec } from '../../api/index.ts';
import { nextRollout, parseRolloutRequests, type RolloutDecision, type RolloutObservations } from '../../rollout/index.ts';
import type { Target } from './load.ts';

export function decide(target: Target, spec: ModelDeploymentSpec, observed: RolloutObservations, now: Date): RolloutDecision {
  return nextRollout({ spec, status: target.md.status, requests: parseRolloutRequests(target.md.metadata?.annotations), observed, now });
}
