// PURE: the rollout state machine (docs/rollouts.md "State and the machine"). The spec, the previous
// status, the request annotations, what was observed and the time in; the next status, a plan for
// the renderer, events and when to look again out. No clock, no I/O: an operator that restarts
// reads the status back and decides exactly as before, and a decision fed back with the same
// inputs changes nothing (the machine runs every rule until none applies), which is what lets the
// controller write nothing in steady state.
//
// Each concern reads the (immutable) state and returns intents; transition() alone applies them.
// The stages run in order, each reading the state the previous one left. observeDetach runs again
// after walkSteps, which may promote a canary that already has no traffic (a fixed point needs it).
import { contextOf, describe, type Context } from './decision-context.ts';
import { decisionOf } from './decision.ts';
import { absorbEvidence, scheduleAnalysis } from './evidence.ts';
import { observeDetach } from './detach.ts';
import { followSpec } from './follow-spec.ts';
import { requestStages, settleStages } from './handle-requests.ts';
import { emit, type Intent, type Stage } from './intents.ts';
import { initialState, type MachineState } from './machine-state.ts';
import { expireAbortedCanary, planOf } from './plan.ts';
import { canaryPlan, specPlan, stablePlan } from './revisions.ts';
import { walkSteps } from './steps.ts';
import { andThen, applyAll } from './transition.ts';
import type { RolloutDecision, RolloutInput } from './types.ts';

function run(ctx: Context, s: MachineState, stages: readonly Stage[]): MachineState {
  return stages.reduce((state, stage) => applyAll(ctx, state, stage(ctx, state)), s);
}

/**
 * First deploy: the spec becomes stable at once. Also when the stable revision's model and
 * runtime are lost (status written by hand or by an older operator): serve the spec.
 */
function replaceLostStable(ctx: Context, s: MachineState): Intent[] {
  const lost: Intent[] = s.stable !== undefined
    ? [emit('Warning', 'HistoryMissing', `the model and runtime of stable ${describe(s.stable)} are not in status.history; serving the spec as stable`)]
    : [];
  const cleared: Intent[] = [...lost, { kind: 'drop-canary' }, { kind: 'hold-spec', rolledBack: undefined }];
  return andThen(ctx, s, cleared, (next) => [{ kind: 'serve', variant: specPlan(ctx, next), outcome: 'Replaced' }]);
}

function dropLostCanary(ctx: Context, s: MachineState): Intent[] {
  if (s.canary === undefined || canaryPlan(ctx, s) !== undefined) return [];
  return [emit('Warning', 'HistoryMissing', `the model and runtime of canary ${describe(s.canary)} are not in status.canary; canary dropped`), { kind: 'drop-canary' }];
}

function finish(ctx: Context, s: MachineState): RolloutDecision {
  const settled = applyAll(ctx, s, expireAbortedCanary(ctx, s));
  const { plan, takesTraffic } = planOf(ctx, settled);
  const final = applyAll(ctx, settled, [{ kind: 'trim-history' }, ...scheduleAnalysis(ctx, settled, takesTraffic)]);
  return decisionOf(ctx, final, plan);
}

export function nextRollout(input: RolloutInput): RolloutDecision {
  const ctx = contextOf(input);
  const s = initialState(input);
  if (s.stable === undefined || stablePlan(ctx, s) === undefined) return finish(ctx, run(ctx, s, [replaceLostStable, ...settleStages]));
  return finish(ctx, run(ctx, s, [dropLostCanary, ...requestStages, followSpec, absorbEvidence, observeDetach, walkSteps, observeDetach]));
}
