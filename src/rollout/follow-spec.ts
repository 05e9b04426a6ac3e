// PURE: following the spec (docs/rollouts.md): when Git's template is not what stable serves, serve
// a known-good revision at once, replace in place (strategy immediate) or start a canary; a spec
// that changes during a canary aborts or restarts it. Held while a rollback or an abort holds it.
import { describe, type Context } from './decision-context.ts';
import { emit, type Intent } from './intents.ts';
import type { MachineState } from './machine-state.ts';
import { canaryPlan, knownGoodEntry, specPlan } from './revisions.ts';
import { andThen } from './transition.ts';

/** Git's template is not what stable serves: fast-track it, replace in place, or start a canary. */
function rollOutSpec(ctx: Context, s: MachineState): Intent[] {
  const from = describe(s.stable!);
  const spec = specPlan(ctx, s);
  if (knownGoodEntry(s, ctx.specTemplate) !== undefined) {
    return [
      { kind: 'serve', variant: spec, outcome: 'RolledBack' },
      emit('Normal', 'RolledBack', `the spec is back to known-good ${describe(spec)}: serving it at once, without steps (was ${from})`),
    ];
  }
  if (ctx.settings.strategy === 'immediate') {
    return [{ kind: 'serve', variant: spec, outcome: 'Replaced' }, emit('Normal', 'Replaced', `${describe(spec)} replaces ${from} in place (strategy immediate)`)];
  }
  return [{ kind: 'start-canary', variant: spec, reason: 'CanaryStarted', why: `started beside stable ${from}` }];
}

/** A canary runs and the spec moved: promote it (immediate), abort it, or restart from step 0. */
function canaryMoved(ctx: Context, s: MachineState): Intent[] {
  const t = ctx.specTemplate;
  const c = s.canary!;
  const stable = s.stable!;
  if (t === c.template) return ctx.settings.strategy === 'immediate' && c.phase !== 'Promoting' ? [{ kind: 'start-promotion', why: 'strategy is immediate' }] : [];
  if (t === stable.template) return [{ kind: 'abort', type: 'Normal', why: `the spec is back to stable ${describe(stable)}` }];
  if (knownGoodEntry(s, t) !== undefined || ctx.settings.strategy === 'immediate') {
    return andThen(ctx, s, [{ kind: 'abort', type: 'Normal', why: 'the spec changed again' }], (next) => rollOutSpec(ctx, next));
  }
  const old = canaryPlan(ctx, s);
  const dropped: Intent[] = [...(old !== undefined ? [{ kind: 'record', variant: old, outcome: 'Aborted' } as const] : []), { kind: 'drop-canary' }];
  return andThen(ctx, s, dropped, (next) => [
    { kind: 'start-canary', variant: specPlan(ctx, next), reason: 'CanaryRestarted', why: `restarts from step 0: the spec changed during the canary of ${describe(c)}` },
  ]);
}

export function followSpec(ctx: Context, s: MachineState): Intent[] {
  const t = ctx.specTemplate;
  // The spec changed: a rollback no longer holds it.
  const released: Intent[] = s.rolledBack !== undefined && s.rolledBack.template !== t ? [{ kind: 'hold-spec', rolledBack: undefined }] : [];
  return andThen(ctx, s, released, (next) => {
    const c = next.canary;
    if (c !== undefined && c.phase !== 'Aborted') return canaryMoved(ctx, next);
    if (c !== undefined && t === c.template) return []; // aborted and held until the spec changes or a retry
    if (next.rolledBack !== undefined) return []; // held after a rollback
    if (t === next.stable!.template) return []; // steady state
    return rollOutSpec(ctx, next);
  });
}
