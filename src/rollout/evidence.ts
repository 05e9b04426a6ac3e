// PURE: what the evidence of the canary's revision (docs/analysis.md) does to the rollout: the
// validation gate before the first weight, a passing measurement per weight step, the hold after too
// many Inconclusive measurements, and taking in what the controller observed. Reads the evidence only
// through evidenceOf (bound to the canary's revision); changes it only through intents.
import { analysisActive, countRun, nextMeasurementAt, validationMethod, type ValidationObservation } from './analysis-state.ts';
import { describe, routerReports, stepLabel, type Context } from './decision-context.ts';
import { canaryLive, evidenceOf, measuring, validationEnded, validationPassed } from './evidence-view.ts';
import { emit, type Intent } from './intents.ts';
import type { MachineState } from './machine-state.ts';
import { andThen } from './transition.ts';

/** A gate: undefined when it lets the canary on, else the intents that say why it waits. */
export type Gate = Intent[] | undefined;

/** Validation before the first weight: passes once validation passed (or none is asked for). */
export function validationGate(ctx: Context, s: MachineState): Gate {
  const method = validationMethod(ctx.spec.rollout?.validation);
  if (method === undefined || validationPassed(ctx.spec, s)) return undefined;
  const c = s.canary!;
  const out: Intent[] = evidenceOf(s)?.validation === undefined ? [{ kind: 'validation-started', method }] : [];
  const what = method === 'job' ? 'validation Job' : 'smoke check';
  return [...out, { kind: 'wait', message: `${stepLabel(ctx, c.step)}: validating canary ${describe(c)} before any traffic (${what})` }];
}

/** With analysis, a weight step completes only after a passing measurement taken at its weight. */
export function stepPassGate(ctx: Context, s: MachineState): Gate {
  if (ctx.spec.rollout?.analysis === undefined) return undefined;
  const c = s.canary!;
  const a = evidenceOf(s);
  if ((a?.stepPasses ?? 0) >= 1) return undefined;
  const last = a?.verdict !== undefined ? `; last measurement: ${a.verdict}${a.message !== undefined ? ` (${a.message})` : ''}` : '';
  return [{ kind: 'touch-evidence' }, { kind: 'wait', message: `${stepLabel(ctx, c.step)}: waiting for a passing analysis${last}` }];
}

/** Too many Inconclusive measurements in a row: the canary holds for a person (promote or abort). */
export function inconclusiveHold(ctx: Context, s: MachineState): Gate {
  if (ctx.spec.rollout?.analysis === undefined || evidenceOf(s)?.phase !== 'Inconclusive') return undefined;
  return [{ kind: 'hold-inconclusive' }];
}

/** The validation result observed for this canary's revision, unless its validation already ended. */
function validationResult(ctx: Context, s: MachineState): ValidationObservation | undefined {
  const o = ctx.observed.validation;
  if (o === undefined || o.revision !== s.canary!.revision || ctx.spec.rollout?.validation === undefined) return undefined;
  return validationEnded(s) ? undefined : o;
}

const RUN_REASONS = {
  Pass: 'AnalysisPassed',
  Fail: 'AnalysisFailed',
  Inconclusive: 'AnalysisInconclusive',
  Error: 'AnalysisUnavailable',
  Refused: 'QueryRefused',
} as const;

const REFUSED_WHY = {
  QueryRefused: 'an analysis query was refused',
  UnknownAnalysisSource: 'the analysis source is unknown',
  AddressNotAllowed: 'the Prometheus address is not allowed',
  SecretNotAllowed: 'the Prometheus credentials are not allowed',
} as const;

function measurementIntents(ctx: Context, s: MachineState): Intent[] {
  const spec = ctx.spec.rollout?.analysis;
  const run = ctx.observed.analysisRun;
  const c = s.canary;
  const a = analysisActive(ctx.spec, s);
  if (run === undefined || spec === undefined || c === undefined || a === undefined || run.revision !== c.revision) return [];
  const step = ctx.settings.steps[c.step];
  const atStepWeight = step?.weight !== undefined && c.weight === step.weight && routerReports(ctx, step.weight);
  const count = countRun(a, run, spec, ctx.at, atStepWeight);
  const type = run.verdict === 'Pass' || run.verdict === 'Inconclusive' ? 'Normal' : 'Warning';
  const out: Intent[] = [
    { kind: 'measured', count, message: run.message },
    emit(type, run.verdict === 'Refused' ? (run.refusal ?? 'QueryRefused') : RUN_REASONS[run.verdict], `measurement ${count.counters.runs ?? 0} of canary ${describe(c)} at ${stepLabel(ctx, c.step)}: ${run.verdict}: ${run.message}`),
  ];
  if (count.failed && run.verdict === 'Refused') {
    out.push({ kind: 'abort', type: 'Warning', why: `${REFUSED_WHY[run.refusal ?? 'QueryRefused']}: ${run.message}` });
  } else if (count.failed) {
    out.push({ kind: 'abort', type: 'Warning', why: `analysis failed ${count.counters.failures ?? 0} times (failureLimit ${spec.failureLimit}): ${run.message}` });
  } else if (count.pausedNow) {
    const times = count.counters.inconclusive ?? 0;
    out.push(emit('Warning', 'AnalysisPaused', `canary ${describe(c)} paused: ${times} inconclusive measurements in a row (inconclusiveLimit ${spec.inconclusiveLimit}); promote or abort`));
  }
  return out;
}

/** Takes in what the controller observed: a validation result, then a measurement, for this canary revision only. */
export function absorbEvidence(ctx: Context, s: MachineState): Intent[] {
  if (!canaryLive(s.canary)) return [];
  const o = validationResult(ctx, s);
  const validation: Intent[] = o !== undefined ? [{ kind: 'validation-observed', observation: o }] : [];
  // A failed validation aborts the canary before any traffic: nothing else is taken in.
  if (o?.phase === 'Failed') return [...validation, { kind: 'abort', type: 'Warning', why: `validation failed: ${o.message ?? 'failed'}` }];
  return andThen(ctx, s, validation, (next) => measurementIntents(ctx, next));
}

/** Opens the analysis window once the canary really takes traffic, and wakes the machine for the next measurement. */
export function scheduleAnalysis(ctx: Context, s: MachineState, takesTraffic: boolean): Intent[] {
  const spec = ctx.spec.rollout?.analysis;
  const c = s.canary;
  if (spec === undefined || c === undefined || !canaryLive(c) || !validationPassed(ctx.spec, s)) return [];
  const a = evidenceOf(s);
  if (a !== undefined && !measuring(a)) return [];
  if (a?.startedAt === undefined && !takesTraffic) return [{ kind: 'await-traffic' }];
  const open: Intent[] = a?.startedAt === undefined ? [{ kind: 'open-analysis', interval: spec.interval }] : [];
  return andThen(ctx, s, open, (next) => {
    const due = nextMeasurementAt(spec, evidenceOf(next)!);
    return due !== undefined ? [{ kind: 'wake', at: Math.max(due, ctx.now + 1000) }] : [];
  });
}
