// spec.batch: batch scoring. Read only in mode: batch, where each run reads spec.batch.input, sends
// its records to the model in requests of batchSize, and writes the predictions under
// <output.uri>/<run-name>/.
import { z } from 'zod';
import { celString, withCelRules, type CelRule } from './cel-rule.ts';
import { int32, int64 } from './common.ts';
import { cronScheduleRule, scheduleTimeZone } from './cron-schedule.ts';
import { DNS_LABEL_MAX, MAX_URI_LENGTH } from './limits.ts';
import { DATA_URI, LABEL_VALUE } from './patterns.ts';
import { PVC_DOT_SEGMENT } from './pvc-path-rule.ts';
import { runnerResourcesSchema } from './runner-resources.ts';
import { hasUserinfo, hasUserinfoCel, uriCredentialsMessage } from './uri-credentials.ts';

export const BATCH_INPUT_FORMATS = ['jsonl', 'csv', 'parquet'] as const;
export type BatchInputFormat = (typeof BATCH_INPUT_FORMATS)[number];
export const BATCH_OUTPUT_FORMATS = ['jsonl'] as const;
export type BatchOutputFormat = (typeof BATCH_OUTPUT_FORMATS)[number];
export const CONCURRENCY_POLICIES = ['Forbid', 'Replace'] as const;
export type ConcurrencyPolicy = (typeof CONCURRENCY_POLICIES)[number];

/** The Kueue label that puts a run's Job in a LocalQueue. */
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

const MAX_CRON_LENGTH = 100;

// A data URI: the s3:// or pvc:// form, no '.' or '..' segments, no credentials.
const dataUriRules: readonly CelRule<string>[] = [
  {
    rule: `!self.matches(${celString(PVC_DOT_SEGMENT.source)})`,
    message: "a pvc:// path cannot have a '.' or '..' segment: the data must be inside the claim, e.g. pvc://scoring/2026-12",
    check: (uri) => !PVC_DOT_SEGMENT.test(uri),
  },
  {
    rule: `!${hasUserinfoCel('self')}`,
    message: uriCredentialsMessage('a Secret'),
    check: (uri) => !hasUserinfo(uri),
  },
];

const dataUri = (description: string) =>
  withCelRules(
    z
      .string()
      .max(MAX_URI_LENGTH)
      .regex(DATA_URI, { error: 'must be s3://bucket/prefix-or-key or pvc://claim/path' })
      .describe(description),
    dataUriRules,
  );

export const batchInputSchema = z
  .strictObject({
    uri: dataUri(
      'The records to score: s3://bucket/prefix-or-key or pvc://claim/path (a PersistentVolumeClaim in the namespace); a prefix or folder means every file under it.',
    ),
    format: z
      .enum(BATCH_INPUT_FORMATS)
      .describe('How the input files are written: jsonl (one JSON object per line), csv (with a header row) or parquet.'),
  })
  .describe('The data to score.');

export const batchOutputSchema = z
  .strictObject({
    uri: dataUri(
      'Folder for predictions: s3://bucket/prefix or pvc://claim/path. Each run writes under <uri>/<run-name>/, records it could not score in errors files.',
    ),
    format: z
      .enum(BATCH_OUTPUT_FORMATS)
      .default('jsonl')
      .describe('How predictions are written: jsonl (one JSON object per line), the only format for now.'),
  })
  .describe('Where the predictions go.');

const batchObject = z
  .strictObject({
    input: batchInputSchema,
    output: batchOutputSchema,
    schedule: withCelRules(
      z
        .string()
        .min(1)
        .max(MAX_CRON_LENGTH)
        .describe(
          'When to run: cron with 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *" for 02:00 daily, or @hourly, @daily, @weekly, @monthly, @yearly. Unset: on demand only (annotation modelship.io/batch-run-requested).',
        ),
      [cronScheduleRule],
    ).optional(),
    timeZone: scheduleTimeZone('IANA time zone of the schedule, e.g. Europe/Berlin; UTC when unset.'),
    suspend: z
      .boolean()
      .default(false)
      .describe('true stops scheduled runs (a running one finishes); runs requested on demand still start.'),
    parallelism: int32()
      .min(1, { error: 'must be at least 1' })
      .max(64, { error: 'must be at most 64' })
      .default(1)
      .describe('How many shards are scored at the same time, each by its own runner pod.'),
    shards: int32()
      .min(1, { error: 'must be at least 1' })
      .max(1000, { error: 'must be at most 1000' })
      .optional()
      .describe('How many pieces the input is split into; a failed shard is retried alone. Chosen by the operator from the input files when unset.'),
    batchSize: int32()
      .min(1, { error: 'must be at least 1' })
      .max(10000, { error: 'must be at most 10000' })
      .default(64)
      .describe('Records sent to the model in one inference request.'),
    concurrency: int32()
      .min(1, { error: 'must be at least 1' })
      .max(64, { error: 'must be at most 64' })
      .default(4)
      .describe('Inference requests in flight at once per shard.'),
    maxFailedRecords: int64()
      .min(0, { error: 'must be 0 or more' })
      .max(1_000_000_000, { error: 'must be at most 1000000000' })
      .default(0)
      .describe('Records that may fail to score: above this the run fails; up to it, they go to the errors files and the run succeeds.'),
    retries: z
      .strictObject({
        perShard: int32()
          .min(0, { error: 'must be 0 or more' })
          .max(10, { error: 'must be at most 10' })
          .default(3)
          .describe('How many times a failed shard is tried again before the run fails.'),
      })
      .optional()
      .describe('Retries of failed shards.'),
    concurrencyPolicy: z
      .enum(CONCURRENCY_POLICIES)
      .default('Forbid')
      .describe('A run due while the last one still runs: Forbid skips it, Replace stops the old run and starts the new one.'),
    keepRuns: int32()
      .min(1, { error: 'must be at least 1' })
      .max(100, { error: 'must be at most 100' })
      .default(10)
      .describe('Finished runs kept in status.batch.runs; older ones are dropped from it. Predictions written to output.uri are never deleted.'),
    activeDeadlineSeconds: int64()
      .min(60, { error: 'must be at least 60' })
      .max(604800, { error: 'must be at most 604800 (7 days)' })
      .optional()
      .describe('A run still going after this many seconds is stopped and fails; no limit when unset.'),
    runner: z
      .strictObject({
        resources: runnerResourcesSchema.optional(),
      })
      .optional()
      .describe('The runner container: reads records, calls the model, writes predictions.'),
    queueName: z
      .string()
      .min(1)
      .max(DNS_LABEL_MAX)
      .regex(LABEL_VALUE, {
        error: "must be a label value: up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
      })
      .optional()
      .describe(`A Kueue LocalQueue in the namespace: runs wait there for quota (label ${KUEUE_QUEUE_LABEL}). Unset: runs start at once.`),
  })
  .describe(
    'Batch scoring, read only in mode: batch (and required there): scores input with the model on a schedule or on demand and writes predictions to output.',
  );

export const batchSpecSchema = withCelRules(batchObject, [
  {
    rule: '!has(self.shards) || !has(self.parallelism) || self.parallelism <= self.shards',
    message: 'batch.parallelism must be at most batch.shards: more runners than shards would have nothing to score',
    messageFor: (b) =>
      `batch.parallelism (${b.parallelism}) must be at most batch.shards (${b.shards}): more runners than shards would have nothing to score`,
    fieldPath: '.parallelism',
    check: (b) => b.shards === undefined || b.parallelism <= b.shards,
  },
]);

export type BatchSpec = z.output<typeof batchSpecSchema>;
export type BatchInput = z.output<typeof batchInputSchema>;
export type BatchOutput = z.output<typeof batchOutputSchema>;
