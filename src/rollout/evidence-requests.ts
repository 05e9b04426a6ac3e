// PURE: the evidence the machine asks the controller for (docs/analysis.md "Evidence on request"),
// read from the state a decision ends in: the smoke check once the canary is rolled out and not yet
// validated, the validation Job's result while it runs, a measurement when one is due. The machine is
// the only place that decides this; the controller fetches what is asked and hands the results back
// as observations in a later reconcile, and only for the canary revision asked about.
import { analysisActive, nextMeasurementAt, intervalMs, validationMethod } from './analysis-state.ts';
import { canaryRolledOut, type Context } from './decision-context.ts';
import { canaryLive, evidenceOf, validationEnded } from './evidence-view.ts';
import type { MachineState } from './machine-state.ts';

export type EvidenceRequest =
  /** Run the built-in smoke check against the canary revision's ready pods. */
  | { readonly kind: 'smoke-check'; readonly revision: number }
  /** Read the result of the canary revision's validation Job (spec.rollout.validation.job). */
  | { readonly kind: 'job-result'; readonly revision: number }
  /** Take one measurement of every check, canary against stable, over the window so far. */
  | {
      readonly kind: 'measurement';
      readonly revision: number;
      readonly stableRevision: number;
      /** When the analysis window opened (status.analysis.startedAt). */
      readonly windowStartedAt: string;
      readonly intervalMs: number;
      /** Running always-valid p-value before this measurement. */
      readonly pValue: number;
      /** Running always-valid p-value of the accuracy test before this measurement. */
      readonly accuracyPValue?: number;
      /** Which measurement of this canary this is (status.analysis.runs + 1): the drift check spends its alpha by it. */
      readonly look?: number;
    };

function validationRequest(ctx: Context, s: MachineState): EvidenceRequest | undefined {
  const c = s.canary;
  if (c === undefined || !canaryLive(c) || validationEnded(s)) return undefined;
  switch (validationMethod(ctx.spec.rollout?.validation)) {
    case 'smoke':
      return canaryRolledOut(ctx, c.revision) ? { kind: 'smoke-check', revision: c.revision } : undefined;
    case 'job': {
      const v = evidenceOf(s)?.validation;
      return v?.method === 'job' && v.phase === 'Running' ? { kind: 'job-result', revision: c.revision } : undefined;
    }
    default:
      return undefined;
  }
}

function measurementRequest(ctx: Context, s: MachineState): EvidenceRequest | undefined {
  const spec = ctx.spec.rollout?.analysis;
  const a = analysisActive(ctx.spec, s);
  if (spec === undefined || a === undefined || s.canary === undefined) return undefined;
  const due = nextMeasurementAt(spec, a);
  if (due === undefined || ctx.now < due) return undefined;
  return {
    kind: 'measurement',
    revision: s.canary.revision,
    stableRevision: s.stable?.revision ?? 0,
    windowStartedAt: a.startedAt!,
    intervalMs: intervalMs(spec),
    pValue: a.pValue ?? 1,
    accuracyPValue: a.accuracyPValue ?? 1,
    look: (a.runs ?? 0) + 1,
  };
}

/** What the controller should fetch after this decision; empty when nothing is due. */
export function evidenceNeeded(ctx: Context, s: MachineState): EvidenceRequest[] {
  return [validationRequest(ctx, s), measurementRequest(ctx, s)].filter((r) => r !== undefined);
}
