// status.analysis: the evidence behind each rollout decision (docs/analysis.md). Written by the
// operator only; the pure machine in src/rollout reads it back, so a restarted operator resumes the
// analysis (counters, running p-value, validation result) where it was.
import { z } from 'zod';
import { int32, listMap } from './common.ts';
import { MAX_SHORT_STRING } from './limits.ts';

export const VERDICTS = ['Pass', 'Fail', 'Inconclusive', 'Error', 'Refused'] as const;
/**
 * Error: the measurement could not be taken (Prometheus unreachable, bad query); never a Fail.
 * Refused: a query cannot be confined to the ModelDeployment's namespace, or the Prometheus it names is not
 * one the platform allows it; nothing was sent.
 */
export type Verdict = (typeof VERDICTS)[number];

/**
 * Why a measurement was Refused: a query that cannot be confined to the namespace (QueryRefused), or a
 * Prometheus the platform does not let this ModelDeployment ask (src/analysis/prometheus-sources.ts).
 */
export const REFUSAL_REASONS = ['QueryRefused', 'UnknownAnalysisSource', 'AddressNotAllowed', 'SecretNotAllowed'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const ANALYSIS_PHASES = ['Validating', 'Running', 'Inconclusive', 'Failed', 'ValidationFailed', 'Succeeded'] as const;
export type AnalysisPhase = (typeof ANALYSIS_PHASES)[number];

export const VALIDATION_PHASES = ['Running', 'Passed', 'Failed'] as const;
export type ValidationPhase = (typeof VALIDATION_PHASES)[number];

export const MAX_MEASUREMENTS = 12;

const time = (what: string) => z.iso.datetime().describe(what);
const text = (what: string) => z.string().max(1024).describe(what);

export const measurementSchema = z
  .object({
    check: z.string().max(63).describe('success-rate, latency, accuracy, drift or a custom metric name.'),
    verdict: z.enum(VERDICTS).describe('Pass, Fail, Inconclusive (too little evidence), Error (not measured) or Refused (a query reads outside the namespace, or the Prometheus is not allowed).'),
    value: z.number().optional().describe('Canary value (error rate, latency in seconds, accuracy, metric; for drift the Jensen–Shannon distance to stable).'),
    stableValue: z.number().optional().describe('Stable value over the same window, when compared.'),
    samples: z.number().min(0).optional().describe('Canary requests (labels for accuracy, predictions for drift) behind the value.'),
    stableSamples: z.number().min(0).optional().describe('Stable requests (labels for accuracy, predictions for drift) behind stableValue.'),
    statistic: z.string().max(MAX_SHORT_STRING).optional().describe('Test statistic, e.g. "p=0.41 upper=0.004".'),
    threshold: z.string().max(MAX_SHORT_STRING).optional().describe('What passes, e.g. "upper <= 0.01".'),
    message: text('Why this verdict.').optional(),
  })
  .describe('One check at one interval.');

export const validationStatusSchema = z
  .object({
    revision: int32().min(1).describe('Canary revision validated.'),
    method: z.enum(['smoke', 'job']).describe('smoke (built-in) or job.'),
    phase: z.enum(VALIDATION_PHASES).describe('Running, Passed or Failed.'),
    job: z.string().max(63).optional().describe('The Job: kubectl logs job/<job>.'),
    startedAt: time('When validation began.').optional(),
    finishedAt: time('When it passed or failed.').optional(),
    message: text('Result in a sentence.').optional(),
  })
  .describe('Validation of the canary before traffic.');

export const analysisStatusSchema = z
  .object({
    revision: int32().min(1).describe('Canary revision analysed.'),
    phase: z.enum(ANALYSIS_PHASES).describe('Validating, Running, Inconclusive (paused: too little evidence), Failed, ValidationFailed or Succeeded.'),
    message: text('Where the analysis stands.').optional(),
    validation: validationStatusSchema.optional(),
    startedAt: time('Start of the analysis window: when the canary first took traffic.').optional(),
    lastRunAt: time('When the last measurement was taken.').optional(),
    runs: int32().min(0).optional().describe('Measurements taken.'),
    failures: int32().min(0).optional().describe('Failed measurements so far (rollback at failureLimit).'),
    inconclusive: int32().min(0).optional().describe('Inconclusive measurements in a row (pause at inconclusiveLimit).'),
    errors: int32().min(0).optional().describe('Measurements in a row that could not be taken (Prometheus unreachable).'),
    stepPasses: int32().min(0).optional().describe('Passing measurements at the current weight step.'),
    pValue: z.number().min(0).max(1).optional().describe('Running always-valid p-value of the error-rate test.'),
    accuracyPValue: z.number().min(0).max(1).optional().describe('Running always-valid p-value of the accuracy test (with analysis.accuracy).'),
    verdict: z.enum(VERDICTS).optional().describe('Verdict of the last measurement.'),
    refusal: z
      .enum(REFUSAL_REASONS)
      .optional()
      .describe('Why the last measurement was Refused: QueryRefused, UnknownAnalysisSource, AddressNotAllowed or SecretNotAllowed.'),
    measurements: listMap(measurementSchema, 'check', MAX_MEASUREMENTS).optional().describe('The last measurement of each check.'),
  })
  .describe('Canary validation and analysis: every number behind the last decision.');

export type Measurement = z.output<typeof measurementSchema>;
export type ValidationStatus = z.output<typeof validationStatusSchema>;
export type AnalysisStatus = z.output<typeof analysisStatusSchema>;
