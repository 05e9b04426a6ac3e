// status.drift: the reference profile and the last drift check, written by the operator from the
// termination messages of its Jobs (src/drift-checks). Every field is optional so a status written
// before a field existed still parses.
import { z } from 'zod';
import { int32, int64 } from './common.ts';
import { DNS_LABEL_MAX, MAX_LONG_STRING, MAX_SHORT_STRING, MAX_URI_LENGTH } from './limits.ts';

export const DRIFT_VERDICTS = ['Drift', 'NoDrift', 'Inconclusive'] as const;
export type DriftVerdictName = (typeof DRIFT_VERDICTS)[number];
export const DRIFT_TESTS = ['ks', 'chi2'] as const;
/** Features listed in status.drift.features at most: the top ones by effect size. */
export const MAX_STATUS_FEATURES = 5;

const time = (what: string) => z.iso.datetime().describe(what);
const version = () => z.string().max(DNS_LABEL_MAX).describe('The model version.');
const jobName = () => z.string().max(DNS_LABEL_MAX).describe('The Job.');
const verdict = () => z.enum(DRIFT_VERDICTS).describe('Drift, NoDrift or Inconclusive.');

export const driftTestResultSchema = z
  .object({
    test: z.enum(DRIFT_TESTS).optional().describe('ks (Kolmogorov-Smirnov, numeric) or chi2 (chi-squared, categorical).'),
    statistic: z.number().optional().describe('The test statistic.'),
    pValue: z.number().optional().describe('p-value of the test.'),
    adjustedPValue: z.number().optional().describe('p-value after the Benjamini-Hochberg correction.'),
    effectSize: z.number().optional().describe('Effect size (spec.monitoring.drift.effectSize.measure).'),
    verdict: verdict().optional(),
  })
  .describe('One statistical comparison with the reference.');

export const driftFeatureStatusSchema = driftTestResultSchema
  .extend({ name: z.string().max(MAX_SHORT_STRING).optional().describe('The feature.') })
  .describe('One feature of the last check.');

export const driftReferenceStatusSchema = z
  .object({
    version: version().optional(),
    rows: int64().min(0).optional().describe('Rows of the reference sample.'),
    features: int32().min(0).optional().describe('Features profiled.'),
    profiledAt: time('When the profile was written.').optional(),
    job: jobName().optional(),
    profile: z.string().max(MAX_URI_LENGTH).optional().describe('Where the profile is.'),
    message: z.string().max(MAX_LONG_STRING).optional().describe('Why profiling failed, when it did.'),
  })
  .describe('The profile of the reference sample of the stable version.');

export const driftCheckStatusSchema = z
  .object({
    time: time('When the check finished (or failed).').optional(),
    windowStart: time('Start of the judged window of logged traffic.').optional(),
    windowEnd: time('End of the judged window.').optional(),
    version: version().optional(),
    verdict: verdict().optional(),
    samples: int64().min(0).optional().describe('Logged requests judged.'),
    job: jobName().optional(),
    report: z.string().max(MAX_URI_LENGTH).optional().describe('The full report (JSON) in object storage.'),
    reason: z.string().max(MAX_SHORT_STRING).optional().describe('Why the check failed, in CamelCase.'),
    message: z.string().max(MAX_LONG_STRING).optional().describe('Why the check failed, for a person.'),
  })
  .describe('The last finished check; a failed one has reason and message and no verdict.');

export const driftStatusSchema = z
  .object({
    reference: driftReferenceStatusSchema.optional(),
    lastCheck: driftCheckStatusSchema.optional(),
    lastScheduleTime: time('The last scheduled check time started or skipped.').optional(),
    features: z
      .array(driftFeatureStatusSchema)
      .max(MAX_STATUS_FEATURES)
      .optional()
      .describe(`The top ${MAX_STATUS_FEATURES} features of the last check by effect size, drifting first.`),
    predictions: driftTestResultSchema.optional().describe('The predictions of the last check, when judged.'),
  })
  .describe('Drift checks of the stable version (spec.monitoring.drift).');

export type DriftStatus = z.output<typeof driftStatusSchema>;
export type DriftCheckStatus = z.output<typeof driftCheckStatusSchema>;
export type DriftReferenceStatus = z.output<typeof driftReferenceStatusSchema>;
export type DriftFeatureStatus = z.output<typeof driftFeatureStatusSchema>;
export type DriftTestResult = z.output<typeof driftTestResultSchema>;
