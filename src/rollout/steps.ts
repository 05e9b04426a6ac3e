// PURE: walking the canary's steps (docs/rollouts.md "Steps"): weight steps wait for the canary to
// be ready, validated, applied by the router and (with analysis) measured passing; pause steps wait
// for a time or a person; past the last step the canary is promoted, and promotion waits for stable
// to roll out, the router to drain the canary, then to drop it (detach.ts), and the scale-down delay.
import { durationMs } from '../api/duration.ts';
import type { RolloutStep } from '../api/rollout-spec.ts';
import { canaryRolledOut, describe, endsAt, metaTime, routerReports, stepLabel, type Context } from './decision-context.ts';
import { observeDetach, removalAt } from './detach.ts';
import { inconclusiveHold, stepPassGate, validationGate } from './evidence.ts';
import type { Intent } from './intents.ts';
import type { MachineState } from './machine-state.ts';
import { applyAll } from './transition.ts';

/** The largest weight of the weight steps up to `step`: routers keep the canary sized for it. */
export function stepWeight(steps: readonly RolloutStep[], step: number): number {
  let weight = 0;
  for (let i = 0; i <= step && i < steps.length; i++) weight = Math.max(weight, steps[i]!.weight ?? 0);
  return weight;
}

/** One move: the intents, and whether the canary waits (else the walk goes on). */
interface Move {
  intents: Intent[];
  waits: boolean;
}

const wait = (intents: Intent[]): Move => ({ intents, waits: true });
const go = (intents: Intent[]): Move => ({ intents, waits: false });

/** Promoting: stable takes the canary's template; once it is rolled out, traffic leaves the canary, the router drops it, then its pods go. */
function promoting(ctx: Context, s: MachineState): Move {
  const c = s.canary!;
  const stable = ctx.observed.stable;
  if (!(stable.revision === c.revision && stable.updatedReady)) {
    return wait([{ kind: 'wait', message: `promoting: waiting for the stable Deployment to roll out ${describe(c)}` }]);
  }
  const drain: Intent[] = [{ kind: 'drain' }];
  if (!routerReports(ctx, 0)) {
    return wait([...drain, { kind: 'wait', message: `promoting: stable serves ${describe(c)}; waiting for the ${ctx.settings.provider} router to send it all traffic` }]);
  }
  // Drained now, the canary leaves the router: the router may already be seen without it.
  const left = applyAll(ctx, s, drain);
  const out: Intent[] = [...drain, ...observeDetach(ctx, left)];
  const drained = applyAll(ctx, s, out).canary!;
  const end = removalAt(ctx, drained, drained.stepStartedAt);
  if (end === undefined) {
    return wait([...out, { kind: 'wait', message: `promoting: waiting for the ${ctx.settings.provider} router to drop the canary's Service before its pods go` }]);
  }
  if (ctx.now < end) {
    return wait([...out, { kind: 'wait', message: `promoting: canary pods are removed at ${metaTime(end)} (scaleDownDelaySeconds)` }, { kind: 'wake', at: end }]);
  }
  return wait([...out, { kind: 'complete-promotion' }]);
}

function weightStep(ctx: Context, s: MachineState, weight: number): Move {
  const c = s.canary!;
  const hold = inconclusiveHold(ctx, s);
  if (hold !== undefined) return wait(hold);
  const out: Intent[] = [{ kind: 'progressing' }];
  if (c.weight !== weight) {
    if (!canaryRolledOut(ctx, c.revision)) return wait([...out, { kind: 'wait', message: `${stepLabel(ctx, c.step)}: waiting for canary ${describe(c)} to be ready` }]);
    const unvalidated = validationGate(ctx, s);
    if (unvalidated !== undefined) return wait([...out, ...unvalidated]);
    out.push({ kind: 'set-weight', weight });
  }
  if (!routerReports(ctx, weight)) return wait([...out, { kind: 'wait', message: `${stepLabel(ctx, c.step)}: waiting for the ${ctx.settings.provider} router to apply it` }]);
  const unmeasured = stepPassGate(ctx, s);
  if (unmeasured !== undefined) return wait([...out, ...unmeasured]);
  return go([...out, { kind: 'advance' }]);
}

function pauseStep(ctx: Context, s: MachineState, step: RolloutStep): Move {
  const c = s.canary!;
  const hold = inconclusiveHold(ctx, s);
  if (hold !== undefined) return wait(hold);
  const out: Intent[] = [{ kind: 'pause' }];
  const duration = step.pause?.duration !== undefined ? durationMs(step.pause.duration) : undefined;
  if (duration === undefined) return wait([...out, { kind: 'wait', message: `${stepLabel(ctx, c.step)}: paused until promoted (modelship promote)` }]);
  const end = endsAt(ctx, c.stepStartedAt, duration);
  if (ctx.now < end) return wait([...out, { kind: 'wait', message: `${stepLabel(ctx, c.step)}: paused until ${metaTime(end)}` }, { kind: 'wake', at: end }]);
  return go([...out, { kind: 'advance' }]);
}

function move(ctx: Context, s: MachineState): Move {
  const c = s.canary;
  if (c === undefined || c.phase === 'Aborted') return wait([]);
  if (c.phase === 'Promoting') return promoting(ctx, s);
  const steps = ctx.settings.steps;
  const step = steps[c.step];
  if (step === undefined) return go([{ kind: 'start-promotion', why: `all ${steps.length} steps are done` }]);
  return step.weight !== undefined ? weightStep(ctx, s, step.weight) : pauseStep(ctx, s, step);
}

/** Walks the steps as far as the observations allow: each move waits or goes on; at most steps.length + 1 go on. */
export function walkSteps(ctx: Context, s: MachineState): Intent[] {
  const out: Intent[] = [];
  let state = s;
  for (let pass = 0; pass <= ctx.settings.steps.length + 2; pass++) {
    const m = move(ctx, state);
    out.push(...m.intents);
    if (m.waits) break;
    state = applyAll(ctx, state, m.intents);
  }
  return out;
}
