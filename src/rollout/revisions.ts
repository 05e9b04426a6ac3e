// PURE: revisions and their snapshots: the number a template gets, and what stable, canary and
// the spec render (the model and runtime from the spec, or kept in status when Git moved on).
import type { HistoryEntry } from '../api/rollout-status.ts';
import type { Context } from './decision-context.ts';
import { entryPlan, isKnownGood, validSnapshot } from './history.ts';
import type { MachineState } from './machine-state.ts';
import type { VariantPlan } from './types.ts';

/** The revision of a template: the one it already has, or the next number. */
export function revisionOf(s: MachineState, template: string): number {
  if (s.stable?.template === template) return s.stable.revision;
  if (s.canary?.template === template) return s.canary.revision;
  const entry = s.history.find((e) => e.template === template);
  return entry !== undefined ? entry.revision : s.lastRevision + 1;
}

/** What the spec asks for, as a variant renders it (a new revision until transition records it). */
export function specPlan(ctx: Context, s: MachineState): VariantPlan {
  const { model, runtime } = ctx.spec;
  return { revision: revisionOf(s, ctx.specTemplate), template: ctx.specTemplate, version: model.version, model, runtime };
}

export function stablePlan(ctx: Context, s: MachineState): VariantPlan | undefined {
  const st = s.stable;
  if (st === undefined) return undefined;
  if (st.template === ctx.specTemplate) {
    const { model, runtime } = ctx.spec;
    return { ...st, model, runtime };
  }
  const entry = s.history.find((e) => e.revision === st.revision && e.template === st.template);
  return entry && entryPlan(entry);
}

export function canaryPlan(ctx: Context, s: MachineState): VariantPlan | undefined {
  const c = s.canary;
  if (c === undefined) return undefined;
  const { revision, template, version } = c;
  if (template === ctx.specTemplate) return { revision, template, version, model: ctx.spec.model, runtime: ctx.spec.runtime };
  const snap = validSnapshot(c.model, c.runtime);
  return snap && { revision, template, version, ...snap };
}

export function knownGoodEntry(s: MachineState, template: string): HistoryEntry | undefined {
  const entry = s.history.find((e) => e.template === template);
  return entry !== undefined && isKnownGood(entry) ? entry : undefined;
}
