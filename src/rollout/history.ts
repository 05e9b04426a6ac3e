// PURE: status.history, newest first, at most MAX_HISTORY revisions, one entry per revision: the
// model and runtime of each revision (so a rollback can render it again) and what last happened to it.
import { MAX_HISTORY } from '../api/limits.ts';
import { modelSpecSchema } from '../api/model-spec.ts';
import type { ModelSpec } from '../api/model-spec.ts';
import type { HistoryEntry, HistoryOutcome } from '../api/rollout-status.ts';
import { runtimeSpecSchema } from '../api/runtime-spec.ts';
import type { RuntimeSpec } from '../api/runtime-spec.ts';
import type { VariantPlan } from './types.ts';
import { treeCopy } from '../tree-copy.ts';

/** Outcomes after which a revision may be served again at once (a rollback, a fast-tracked spec). */
export function isKnownGood(entry: HistoryEntry): boolean {
  return entry.outcome !== 'Aborted';
}

/** A model and runtime kept in status, validated again: written by another operator version, or by hand. */
export function validSnapshot(model: unknown, runtime: unknown): { model: ModelSpec; runtime: RuntimeSpec } | undefined {
  const m = modelSpecSchema.safeParse(model);
  const r = runtimeSpecSchema.safeParse(runtime);
  return m.success && r.success ? { model: m.data, runtime: r.data } : undefined;
}

/** The revision as a variant would render it, when its snapshot is still valid. */
export function entryPlan(entry: HistoryEntry): VariantPlan | undefined {
  const snap = validSnapshot(entry.model, entry.runtime);
  return snap && { revision: entry.revision, template: entry.template, version: entry.version, ...snap };
}

/** `variant` becomes the newest entry with `outcome`; an older entry of the same revision goes. */
export function recordHistory(history: readonly HistoryEntry[], variant: VariantPlan, outcome: HistoryOutcome, at: string): HistoryEntry[] {
  const entry: HistoryEntry = {
    revision: variant.revision,
    version: variant.version,
    template: variant.template,
    model: treeCopy(variant.model),
    runtime: treeCopy(variant.runtime),
    outcome,
    at,
  };
  return [entry, ...history.filter((e) => e.revision !== variant.revision)];
}

/** At most MAX_HISTORY entries, dropping the oldest, but never the entry of a revision in `keep`. */
export function trimHistory(history: readonly HistoryEntry[], keep: ReadonlySet<number>): HistoryEntry[] {
  const out = [...history];
  for (let i = out.length - 1; i >= 0 && out.length > MAX_HISTORY; i--) {
    if (!keep.has(out[i]!.revision)) out.splice(i, 1);
  }
  return out;
}
