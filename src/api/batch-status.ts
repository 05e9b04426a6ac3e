// status.batch: the runs of a batch ModelDeployment, written by the operator. Every field is optional
// so a status written before a field existed still parses.
import { z } from 'zod';
import { int32, int64 } from './common.ts';
import { DNS_LABEL_MAX, MAX_LONG_STRING, MAX_SHORT_STRING, MAX_URI_LENGTH } from './limits.ts';

export const BATCH_RUN_PHASES = ['Running', 'Succeeded', 'Failed'] as const;
export type BatchRunPhase = (typeof BATCH_RUN_PHASES)[number];
export const BATCH_RUN_TRIGGERS = ['Schedule', 'Manual'] as const;
export type BatchRunTrigger = (typeof BATCH_RUN_TRIGGERS)[number];

/** Runs listed in status.batch.runs at most (spec.batch.keepRuns is at most this). */
export const MAX_BATCH_RUNS = 100;

const time = (what: string) => z.iso.datetime().describe(what);
const runName = () => z.string().max(DNS_LABEL_MAX).describe('Run name (also its output folder).');
const modelVersion = () => z.string().max(DNS_LABEL_MAX).describe('The model version the run scores with.');
const output = () => z.string().max(MAX_URI_LENGTH).describe("The run's folder: <spec.batch.output.uri>/<run name>/.");

export const batchRecordCountsSchema = z
  .object({
    scored: int64().min(0).optional().describe('Records scored and written.'),
    failed: int64().min(0).optional().describe('Records in the errors files.'),
  })
  .describe('Records of a run.');

export const batchShardCountsSchema = z
  .object({
    total: int32().min(0).optional().describe('Shards of the run.'),
    succeeded: int32().min(0).optional().describe('Shards scored in full.'),
    failed: int32().min(0).optional().describe('Shards that failed after their retries.'),
    active: int32().min(0).optional().describe('Shards being scored now.'),
  })
  .describe('Shards of a run.');

export const batchCurrentRunSchema = z
  .object({
    name: runName().optional(),
    startedAt: time('When the run started.').optional(),
    modelVersion: modelVersion().optional(),
    modelSource: z.string().max(MAX_URI_LENGTH).optional().describe('Where the model was fetched from.'),
    shards: batchShardCountsSchema.optional(),
    records: batchRecordCountsSchema.optional(),
  })
  .describe('The run in progress.');

export const batchLastSuccessfulRunSchema = z
  .object({
    name: runName().optional(),
    completedAt: time('When the run finished.').optional(),
    output: output().optional(),
    records: batchRecordCountsSchema.optional(),
  })
  .describe('The newest run that succeeded.');

export const batchRunSchema = z
  .object({
    name: runName().optional(),
    phase: z.enum(BATCH_RUN_PHASES).optional().describe('Running, Succeeded or Failed.'),
    trigger: z.enum(BATCH_RUN_TRIGGERS).optional().describe('Schedule or Manual (the on-demand annotation).'),
    startedAt: time('When the run started.').optional(),
    completedAt: time('When the run finished.').optional(),
    modelVersion: modelVersion().optional(),
    records: batchRecordCountsSchema.optional(),
    reason: z.string().max(MAX_SHORT_STRING).optional().describe('Why the run failed, in CamelCase.'),
    message: z.string().max(MAX_LONG_STRING).optional().describe('Why the run failed, for a person.'),
    output: output().optional(),
  })
  .describe('One run.');

export const batchStatusSchema = z
  .object({
    currentRun: batchCurrentRunSchema.optional(),
    lastSuccessfulRun: batchLastSuccessfulRunSchema.optional(),
    nextScheduleTime: time('When the next scheduled run is due.').optional(),
    lastScheduleTime: time('When the last scheduled run was due.').optional(),
    lastHandledRunRequest: z
      .string()
      .max(MAX_SHORT_STRING)
      .optional()
      .describe('The value of the modelship.io/batch-run-requested annotation last acted on.'),
    runs: z
      .array(batchRunSchema)
      .max(MAX_BATCH_RUNS)
      .optional()
      .describe('Recent runs, newest first, at most spec.batch.keepRuns.'),
  })
  .describe('Batch scoring runs (mode: batch).');

export type BatchStatus = z.output<typeof batchStatusSchema>;
export type BatchRun = z.output<typeof batchRunSchema>;
export type BatchCurrentRun = z.output<typeof batchCurrentRunSchema>;
export type BatchLastSuccessfulRun = z.output<typeof batchLastSuccessfulRunSchema>;
export type BatchRecordCounts = z.output<typeof batchRecordCountsSchema>;
export type BatchShardCounts = z.output<typeof batchShardCountsSchema>;
