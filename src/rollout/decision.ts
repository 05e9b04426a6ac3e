// PURE: the decision as the controller reads it: the status fields, the plan, the events, when to
// look again, and one sentence (and a stall) on where the rollout stands.
import type { RolloutState, TrafficStatus } from '../api/rollout-status.ts';
import { describe, type Context } from './decision-context.ts';
import { evidenceNeeded } from './evidence-requests.ts';
import { evidenceOf } from './evidence-view.ts';
import type { MachineState } from './machine-state.ts';
import type { RolloutDecision, RolloutPlan } from './types.ts';

function stall(ctx: Context, s: MachineState): RolloutDecision['stalled'] {
  const c = s.canary;
  if (c?.phase === 'Aborted' && c.template === ctx.specTemplate) {
    const a = evidenceOf(s);
    const failed = a?.verdict === 'Refused' ? (a.refusal ?? 'QueryRefused') : 'AnalysisFailed';
    return {
      reason: a?.phase === 'Failed' ? failed : a?.phase === 'ValidationFailed' ? 'ValidationFailed' : 'RolloutAborted',
      message: `canary ${describe(c)} was ${c.message ?? 'aborted'}; change spec.model or spec.runtime, or retry it (modelship retry)`,
    };
  }
  if (s.rolledBack !== undefined && s.rolledBack.template === ctx.specTemplate) {
    const asked = s.rolledBack.revision !== undefined ? `revision ${s.rolledBack.revision}` : 'a new revision';
    return {
      reason: 'RolledBack',
      message: `rolled back to ${describe(s.stable!)} at ${s.rolledBack.at}; the spec still asks for ${asked}: change spec.model or spec.runtime, or retry (modelship retry)`,
    };
  }
  return undefined;
}

function summary(s: MachineState): string {
  const c = s.canary;
  const stable = `stable ${describe(s.stable!)}`;
  if (c === undefined) return `${stable} serves all traffic`;
  return `${stable}, canary ${describe(c)} ${c.phase.toLowerCase()} at weight ${c.weight}${c.message !== undefined ? `: ${c.message}` : ''}`;
}

export function decisionOf(ctx: Context, s: MachineState, plan: RolloutPlan): RolloutDecision {
  const traffic: TrafficStatus[] = [{ variant: 'stable', weight: plan.weights.stable, exact: plan.weights.exact }];
  if (plan.canary !== undefined) traffic.push({ variant: 'canary', weight: plan.weights.canary, exact: plan.weights.exact });
  let trafficSummary = plan.canary !== undefined ? `stable=${plan.weights.stable} canary=${plan.weights.canary}` : 'stable=100';
  if (plan.canary !== undefined && !plan.weights.exact) trafficSummary += ' (approximate)';
  if (plan.mirrorPercent !== undefined) trafficSummary += ` mirror=${plan.mirrorPercent}%`;

  const rollout: RolloutState = { lastRevision: s.lastRevision };
  if (Object.keys(s.handled).length > 0) rollout.handledRequests = { ...s.handled };
  if (s.rolledBack !== undefined) rollout.rolledBack = { ...s.rolledBack };

  const decision: RolloutDecision = {
    status: { stable: { ...s.stable! }, traffic, history: [...s.history], rollout, trafficSummary },
    plan,
    events: [...s.events],
    inProgress: s.canary !== undefined && s.canary.phase !== 'Aborted',
    message: summary(s),
    evidenceNeeded: evidenceNeeded(ctx, s),
  };
  if (s.canary !== undefined) decision.status.canary = { ...s.canary };
  if (s.analysis !== undefined) decision.status.analysis = { ...s.analysis };
  const stalled = stall(ctx, s);
  if (stalled !== undefined) decision.stalled = stalled;
  const wake = s.wakeAt.filter((t) => t > ctx.now);
  if (wake.length > 0) decision.requeueAfterMs = Math.min(...wake) - ctx.now;
  return decision;
}
