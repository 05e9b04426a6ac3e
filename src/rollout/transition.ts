// PURE: the one writer of the machine's state. Every phase and message of the canary and of its
// evidence changes here, from an intent a concern returned; nothing else builds a new state. Evidence
// is written through the canary's revision only: a record about another revision is replaced by a
// fresh one first, never updated.
import type { AnalysisStatus } from '../api/analysis-status.ts';
import type { CanaryStatus } from '../api/rollout-status.ts';
import type { ValidationObservation } from './analysis-state.ts';
import { describe, stepLabel, type Context } from './decision-context.ts';
import { evidenceOf, freshEvidence } from './evidence-view.ts';
import { recordHistory, trimHistory } from './history.ts';
import type { Intent } from './intents.ts';
import type { MachineState } from './machine-state.ts';
import { canaryPlan } from './revisions.ts';
import type { RolloutEvent } from './types.ts';
import { treeCopy } from '../tree-copy.ts';

function withEvent(s: MachineState, type: RolloutEvent['type'], reason: RolloutEvent['reason'], message: string): MachineState {
  return { ...s, events: [...s.events, { type, reason, message }] };
}

function withCanary(s: MachineState, change: Partial<CanaryStatus>): MachineState {
  return { ...s, canary: { ...s.canary!, ...change } };
}

/** The canary's evidence record (fresh when status.analysis is about another revision), changed. */
function withEvidence(s: MachineState, change: (a: AnalysisStatus) => Partial<AnalysisStatus>): MachineState {
  const current = evidenceOf(s) ?? freshEvidence(s.canary!.revision);
  return { ...s, analysis: { ...current, ...change(current) } };
}

function abort(ctx: Context, s: MachineState, type: RolloutEvent['type'], why: string): MachineState {
  const c = s.canary;
  if (c === undefined) return s;
  const plan = canaryPlan(ctx, s);
  const next = withCanary(s, { phase: 'Aborted', weight: 0, stepStartedAt: ctx.at, message: `aborted: ${why}` });
  const recorded = plan !== undefined ? { ...next, history: recordHistory(next.history, plan, 'Aborted', ctx.at) } : next;
  return withEvent(recorded, type, 'Aborted', `canary ${describe(c)} aborted: ${why}; all traffic goes to stable ${describe(s.stable!)}`);
}

function startPromotion(ctx: Context, s: MachineState, why: string): MachineState {
  const c = s.canary!;
  let next = withCanary(s, { phase: 'Promoting', stepStartedAt: ctx.at, message: `promoting: stable rolls out ${describe(c)}` });
  const a = evidenceOf(s);
  if (a !== undefined && a.phase !== 'Failed' && a.phase !== 'ValidationFailed') next = withEvidence(next, () => ({ phase: 'Succeeded', message: `promoted: ${why}` }));
  return withEvent(next, 'Normal', 'Promoting', `promoting canary ${describe(c)}: ${why}`);
}

function validationObserved(s: MachineState, o: ValidationObservation, at: string): MachineState {
  const c = s.canary!;
  const next = withEvidence(s, (a) => ({
    validation: {
      revision: c.revision,
      method: o.method,
      phase: o.phase,
      startedAt: a.validation?.startedAt ?? at,
      ...(o.job !== undefined ? { job: o.job } : {}),
      ...(o.message !== undefined ? { message: o.message } : {}),
      ...(o.phase !== 'Running' ? { finishedAt: at } : {}),
    },
    ...(o.phase === 'Passed' ? { phase: 'Running' } : o.phase === 'Failed' ? { phase: 'ValidationFailed', message: o.message } : {}),
  }));
  if (o.phase === 'Passed') return withEvent(next, 'Normal', 'ValidationPassed', `canary ${describe(c)} passed validation: ${o.message ?? 'ok'}`);
  if (o.phase === 'Failed') return withEvent(next, 'Warning', 'ValidationFailed', `canary ${describe(c)} failed validation: ${o.message ?? 'failed'}`);
  return next;
}

export function transition(ctx: Context, s: MachineState, intent: Intent): MachineState {
  switch (intent.kind) {
    case 'emit':
      return { ...s, events: [...s.events, intent.event] };
    case 'handled':
      return { ...s, handled: { ...s.handled, [intent.request]: intent.id } };
    case 'hold-spec':
      return { ...s, rolledBack: intent.rolledBack };
    case 'serve': {
      const { revision, version, template } = intent.variant;
      const history = recordHistory(s.history, intent.variant, intent.outcome, ctx.at);
      return { ...s, stable: { revision, version, template }, history, lastRevision: Math.max(s.lastRevision, revision) };
    }
    case 'record':
      return { ...s, history: recordHistory(s.history, intent.variant, intent.outcome, ctx.at) };
    case 'drop-canary':
      return { ...s, canary: undefined };
    case 'wake':
      return { ...s, wakeAt: [...s.wakeAt, intent.at] };
    case 'trim-history':
      return { ...s, history: trimHistory(s.history, new Set([s.stable!.revision])) };
    case 'start-canary': {
      const v = intent.variant;
      const canary: CanaryStatus = {
        revision: v.revision,
        version: v.version,
        template: v.template,
        step: 0,
        weight: 0,
        phase: 'Progressing',
        stepStartedAt: ctx.at,
        model: treeCopy(v.model),
        runtime: treeCopy(v.runtime),
      };
      // Evidence is per attempt: a retried canary is validated and analysed afresh.
      const checked = ctx.spec.rollout?.analysis !== undefined || ctx.spec.rollout?.validation !== undefined;
      const next = { ...s, canary, analysis: checked ? freshEvidence(v.revision) : undefined, lastRevision: Math.max(s.lastRevision, v.revision) };
      return withEvent(next, 'Normal', intent.reason, `canary ${describe(v)} ${intent.why}`);
    }
    case 'abort':
      return abort(ctx, s, intent.type, intent.why);
    case 'start-promotion':
      return startPromotion(ctx, s, intent.why);
    case 'complete-promotion': {
      const c = s.canary!;
      const promoted = transition(ctx, s, { kind: 'serve', variant: canaryPlan(ctx, s)!, outcome: 'Promoted' });
      return withEvent({ ...promoted, canary: undefined }, 'Normal', 'Promoted', `${describe(c)} is stable and takes all traffic; canary removed`);
    }
    case 'progressing':
      return withCanary(s, { phase: 'Progressing' });
    case 'pause': {
      const c = s.canary!;
      if (c.phase === 'Paused') return s;
      return withEvent(withCanary(s, { phase: 'Paused' }), 'Normal', 'Paused', `canary ${describe(c)} paused at ${stepLabel(ctx, c.step)}`);
    }
    case 'hold-inconclusive': {
      const c = s.canary!;
      const times = evidenceOf(s)?.inconclusive ?? 0;
      const message = `${stepLabel(ctx, c.step)}: paused: analysis inconclusive ${times} times in a row (too little traffic?); promote or abort (modelship promote|abort)`;
      return withCanary(s, { phase: 'Paused', message });
    }
    case 'set-weight':
      return withCanary(s, { weight: intent.weight });
    case 'drain':
      return s.canary!.weight !== 0 ? withCanary(s, { weight: 0, stepStartedAt: ctx.at }) : s;
    case 'detached':
      return withCanary(s, { detachedAt: ctx.at });
    case 'advance': {
      const c = s.canary!;
      const a = evidenceOf(s);
      const next = withCanary(a !== undefined ? { ...s, analysis: { ...a, stepPasses: 0 } } : s, { step: c.step + 1, stepStartedAt: ctx.at });
      return withEvent(next, 'Normal', 'StepAdvanced', `canary ${describe(c)}: ${stepLabel(ctx, c.step)} done, next: ${stepLabel(ctx, c.step + 1)}`);
    }
    case 'wait':
      return withCanary(s, { message: intent.message });
    case 'touch-evidence':
      return withEvidence(s, () => ({}));
    case 'validation-started': {
      const c = s.canary!;
      const what = intent.method === 'job' ? 'validation Job' : 'smoke check';
      const next = withEvidence(s, () => ({ validation: { revision: c.revision, method: intent.method, phase: 'Running', startedAt: ctx.at }, phase: 'Validating' }));
      return withEvent(next, 'Normal', 'ValidationStarted', `validating canary ${describe(c)} (${what}) before it takes traffic`);
    }
    case 'validation-observed':
      return validationObserved(s, intent.observation, ctx.at);
    case 'measured': {
      const { counters, failed, pausedNow } = intent.count;
      return withEvidence(s, (a) => ({ ...counters, message: intent.message, phase: failed ? 'Failed' : pausedNow ? 'Inconclusive' : a.phase }));
    }
    case 'await-traffic':
      return withEvidence(s, () => ({ message: 'waiting for the canary to take traffic' }));
    case 'open-analysis':
      return withEvidence(s, () => ({ startedAt: ctx.at, message: `analysis started: a measurement every ${intent.interval}` }));
  }
}

export function applyAll(ctx: Context, s: MachineState, intents: readonly Intent[]): MachineState {
  return intents.reduce((state, intent) => transition(ctx, state, intent), s);
}

/** `first`, then what `next` returns for the state `first` leads to: for a concern whose later rules read its earlier moves. */
export function andThen(ctx: Context, s: MachineState, first: readonly Intent[], next: (s: MachineState) => readonly Intent[]): Intent[] {
  return [...first, ...next(applyAll(ctx, s, first))];
}
