// PURE: the bookkeeping of canary validation and analysis (docs/analysis.md) for the rollout state
// machine: which revision's evidence status.analysis holds, when the next measurement is due, and
// what one measurement or one validation result does to the counters. No decisions about traffic:
// evidence.ts reads the counters and gates, pauses or aborts.
import { durationMs } from '../api/duration.ts';
import { DEFAULT_ANALYSIS_INTERVAL, DEFAULT_FAILURE_LIMIT, DEFAULT_INCONCLUSIVE_LIMIT } from '../api/analysis-spec.ts';
import type { AnalysisSpec, ValidationSpec } from '../api/analysis-spec.ts';
import type { AnalysisStatus, Measurement, RefusalReason, ValidationPhase, Verdict } from '../api/analysis-status.ts';
import type { ModelDeploymentSpec } from '../api/model-deployment-spec.ts';
import { canaryLive, evidenceOf, measuring, type EvidenceSource } from './evidence-view.ts';

/** A validation result the controller observed: a smoke check it ran, or the Job's state. */
export interface ValidationObservation {
  revision: number;
  method: 'smoke' | 'job';
  phase: ValidationPhase;
  message?: string;
  job?: string;
}

/** One measurement of every check, taken by the controller when the machine asked for one. */
export interface AnalysisRun {
  revision: number;
  verdict: Verdict;
  measurements: Measurement[];
  /** Running always-valid p-value after this run. */
  pValue: number;
  /** Running always-valid p-value of the accuracy test after this run (absent: not run, 1 kept). */
  accuracyPValue?: number;
  /** One sentence: the checks and why. */
  message: string;
  /** With verdict Refused: why (default QueryRefused). */
  refusal?: RefusalReason;
}

export function validationMethod(v: ValidationSpec | undefined): 'smoke' | 'job' | undefined {
  if (v === undefined) return undefined;
  return v.job !== undefined ? 'job' : 'smoke';
}

export function intervalMs(spec: AnalysisSpec): number {
  return durationMs(spec.interval) ?? durationMs(DEFAULT_ANALYSIS_INTERVAL)!;
}

export function failureLimit(spec: AnalysisSpec): number {
  return spec.failureLimit ?? DEFAULT_FAILURE_LIMIT;
}

export function inconclusiveLimit(spec: AnalysisSpec): number {
  return spec.inconclusiveLimit ?? DEFAULT_INCONCLUSIVE_LIMIT;
}

/** How soon a measurement that could not be taken (Prometheus unreachable) is tried again, at most. */
export const ERROR_RETRY_MS = 15_000;

/**
 * When the next measurement is due (ms): one interval after the window starts, then every interval;
 * after an Error sooner, since nothing was learnt.
 */
export function nextAnalysisAt(a: Pick<AnalysisStatus, 'startedAt' | 'lastRunAt' | 'verdict'>, everyMs: number): number | undefined {
  const from = a.lastRunAt ?? a.startedAt;
  if (from === undefined) return undefined;
  return Date.parse(from) + (a.lastRunAt !== undefined && a.verdict === 'Error' ? Math.min(everyMs, ERROR_RETRY_MS) : everyMs);
}

/** Analysis runs while a canary that took traffic is walking its steps (not promoting, not aborted). */
export function analysisActive(spec: ModelDeploymentSpec, status: EvidenceSource | undefined): AnalysisStatus | undefined {
  const a = evidenceOf(status);
  if (spec.rollout?.analysis === undefined || a === undefined || !canaryLive(status?.canary)) return undefined;
  if (a.startedAt === undefined || !measuring(a)) return undefined;
  return a;
}

/** When the next measurement of the active analysis is due (ms): the one rule for asking for one and the machine's wake-up. */
export function nextMeasurementAt(spec: AnalysisSpec, a: AnalysisStatus): number | undefined {
  return nextAnalysisAt(a, intervalMs(spec));
}

/** What a measurement did to the counters; transition.ts turns it into the analysis phase. */
export interface RunCount {
  counters: Pick<AnalysisStatus, 'lastRunAt' | 'runs' | 'verdict' | 'refusal' | 'measurements' | 'pValue' | 'accuracyPValue' | 'failures' | 'inconclusive' | 'errors' | 'stepPasses'>;
  /** failureLimit reached, or a query refused: roll back. */
  failed: boolean;
  /** inconclusiveLimit reached just now: pause for a person. */
  pausedNow: boolean;
}

export function countRun(previous: AnalysisStatus, run: AnalysisRun, spec: AnalysisSpec, at: string, countsForStep: boolean): RunCount {
  const counters: RunCount['counters'] = {
    lastRunAt: at,
    runs: (previous.runs ?? 0) + 1,
    verdict: run.verdict,
    measurements: run.measurements,
    pValue: run.pValue,
    ...(run.accuracyPValue !== undefined ? { accuracyPValue: run.accuracyPValue } : {}),
  };
  let failed = false;
  let pausedNow = false;
  switch (run.verdict) {
    case 'Fail':
      counters.failures = (previous.failures ?? 0) + 1;
      counters.inconclusive = 0;
      counters.errors = 0;
      failed = counters.failures >= failureLimit(spec);
      break;
    case 'Error':
      // Not a verdict on the model: the measurement is retried at the next interval, nothing else moves.
      counters.errors = (previous.errors ?? 0) + 1;
      break;
    case 'Inconclusive':
      counters.inconclusive = (previous.inconclusive ?? 0) + 1;
      counters.errors = 0;
      pausedNow = previous.phase === 'Running' && counters.inconclusive >= inconclusiveLimit(spec);
      break;
    case 'Refused':
      // A query reads outside the namespace, or the Prometheus is not allowed: no measurement can ever be
      // taken, so the canary stops now.
      counters.refusal = run.refusal ?? 'QueryRefused';
      failed = true;
      break;
    case 'Pass':
      counters.inconclusive = 0;
      counters.errors = 0;
      if (countsForStep) counters.stepPasses = (previous.stepPasses ?? 0) + 1;
      break;
  }
  return { counters, failed, pausedNow };
}
