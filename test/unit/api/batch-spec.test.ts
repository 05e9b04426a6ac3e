// spec.batch and status.batch on the zod side. The shared table (test/fixtures/mistakes/batch-mode.ts)
// runs through parseModelDeployment and a real API server; this file checks defaults, exact messages
// and the cron grammar field by field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BATCH_RUN_REQUESTED_ANNOTATION,
  CRON_SCHEDULE,
  batchSpecSchema,
  batchStatusSchema,
  parseModelDeployment,
} from '../../../src/api/index.ts';
import type { Json } from '../../fixtures/manifests.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';
import { FULL_BATCH } from '../../fixtures/mistakes/batch-mode.ts';

const input = { uri: 's3://scoring/incoming/', format: 'jsonl' };
const output = { uri: 'pvc://scoring-data/predictions' };

function batchManifest(batch: Json, extra: Record<string, Json | undefined> = {}) {
  return withChanges(validManifest('scoring'), { 'spec.mode': 'batch', 'spec.batch': batch, ...extra });
}

function errorsOf(manifest: unknown): string[] {
  const result = parseModelDeployment(manifest);
  assert.equal(result.ok, false, 'the manifest was accepted');
  return result.ok ? [] : result.errors.map((e) => e.message);
}

void test('a minimal batch spec gets its documented defaults', () => {
  const result = parseModelDeployment(batchManifest({ input, output }));
  assert.ok(result.ok, JSON.stringify(result));
  const b = result.value.spec.batch!;
  assert.equal(b.output.format, 'jsonl');
  assert.equal(b.suspend, false);
  assert.equal(b.parallelism, 1);
  assert.equal(b.shards, undefined, 'shards is left to the operator');
  assert.equal(b.batchSize, 64);
  assert.equal(b.concurrency, 4);
  assert.equal(b.maxFailedRecords, 0);
  assert.equal(b.concurrencyPolicy, 'Forbid');
  assert.equal(b.keepRuns, 10);
  assert.equal(b.schedule, undefined, 'no schedule: on demand only');
  assert.equal(b.activeDeadlineSeconds, undefined);
  assert.deepEqual(batchSpecSchema.parse({ input, output, retries: {} }).retries, { perShard: 3 });
});

void test('a batch spec with every field set keeps its values', () => {
  const result = parseModelDeployment(batchManifest(FULL_BATCH));
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(JSON.parse(JSON.stringify(result.value.spec.batch)), FULL_BATCH);
});

void test('mode and batch go together, with messages naming spec.batch', () => {
  assert.deepEqual(errorsOf(withChanges(validManifest(), { 'spec.mode': 'batch' })), [
    'spec.batch: batch is required when mode is batch',
  ]);
  assert.deepEqual(errorsOf(withChanges(validManifest(), { 'spec.batch': { input, output } })), [
    'spec.batch: batch is only read when mode is batch; set mode: batch',
  ]);
});

void test('rollout and autoscaling are refused in batch mode, not ignored', () => {
  const rollout = errorsOf(batchManifest({ input, output }, { 'spec.rollout': { strategy: 'immediate' } }));
  assert.equal(rollout.length, 1);
  assert.match(rollout[0]!, /^spec\.rollout: rollout has no meaning in batch mode/);
  const autoscaling = errorsOf(batchManifest({ input, output }, { 'spec.autoscaling': { maxReplicas: 3 } }));
  assert.equal(autoscaling.length, 1);
  assert.match(autoscaling[0]!, /^spec\.autoscaling: autoscaling has no meaning in batch mode/);
});

void test('parallelism above shards names both values', () => {
  assert.deepEqual(errorsOf(batchManifest({ input, output, parallelism: 8, shards: 4 })), [
    'spec.batch.parallelism: batch.parallelism (8) must be at most batch.shards (4): more runners than shards would have nothing to score',
  ]);
});

void test('a bad schedule says what a cron expression looks like', () => {
  const [message, ...rest] = errorsOf(batchManifest({ input, output, schedule: '0 2 * *' }));
  assert.deepEqual(rest, []);
  assert.match(message!, /^spec\.batch\.schedule: batch\.schedule must be a cron expression of 5 fields \(minute hour day-of-month month day-of-week/);
  assert.match(message!, /@daily/);
});

void test('input and output URIs are s3:// or pvc:// only', () => {
  for (const uri of ['gs://scoring/in/', 'http://data.example.com/in.csv', 'https://data.example.com/in.csv', 'file:///data/in.csv', 's3://', 'pvc://Scoring/in']) {
    const messages = errorsOf(batchManifest({ input: { uri, format: 'csv' }, output }));
    assert.ok(messages.some((m) => m.startsWith('spec.batch.input.uri: must be s3://bucket/prefix-or-key or pvc://claim/path')), `${uri}: ${JSON.stringify(messages)}`);
    const out = errorsOf(batchManifest({ input, output: { uri } }));
    assert.ok(out.some((m) => m.startsWith('spec.batch.output.uri: ')), `${uri}: ${JSON.stringify(out)}`);
  }
});

void test('runner resources: a request above its limit is refused, compared as quantities', () => {
  const runner = (requests: Json, limits: Json) => batchManifest({ input, output, runner: { resources: { requests, limits } } });
  assert.deepEqual(errorsOf(runner({ memory: '2Gi' }, { memory: '1024Mi' })), [
    'spec.batch.runner.resources.requests.memory: requests.memory (2Gi) must not be more than limits.memory (1024Mi)',
  ]);
  assert.ok(parseModelDeployment(runner({ cpu: '500m', memory: '1Gi' }, { cpu: 1, memory: '1024Mi' })).ok);
  assert.ok(errorsOf(runner({ 'nvidia.com/gpu': 1 }, {})).some((m) => m.startsWith('spec.batch.runner.resources.requests') && m.includes('nvidia.com/gpu') && m.endsWith('unknown field')));
});

void test('the cron grammar, field by field', () => {
  const valid = [
    '0 2 * * *', '*/5 * * * *', '0-59/10 0-23 1-31 1-12 0-7', '0 9-17/2 * * mon-fri', '0 0 1,15 * ?', '0 0 ? * SUN',
    '30 4 1 jan,JUL *', '00 02 01 01 0', '59 23 31 12 6', '0  2  *  *  *',
    '@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually', '@midnight',
  ];
  const invalid = [
    '', '*', '0 2 * *', '0 0 2 * * *', '60 * * * *', '0 24 * * *', '0 0 0 * *', '0 0 32 * *', '0 0 * 0 *', '0 0 * 13 *',
    '0 0 * * 8', '0 0 * * monday', '0 0 * * Mon', '0 0 * january *', '*/0 * * * *', '1-', '0 2 * * * ', ' 0 2 * * *',
    '@every 1h', '@reboot', '@DAILY', '0 2 ? ? ?x', '0,,1 * * * *', '? * * * *', 'L * * * *', '0 0 * * 5#3', 'H 2 * * *',
  ];
  for (const s of valid) assert.ok(CRON_SCHEDULE.test(s), `should accept ${JSON.stringify(s)}`);
  for (const s of invalid) assert.ok(!CRON_SCHEDULE.test(s), `should refuse ${JSON.stringify(s)}`);
});

void test('time zone names are checked for shape only', () => {
  for (const timeZone of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'America/Port-au-Prince']) {
    assert.ok(parseModelDeployment(batchManifest({ input, output, timeZone })).ok, timeZone);
  }
  for (const timeZone of ['Europe/', '/Berlin', 'Central European Time', '+01:00']) {
    assert.ok(errorsOf(batchManifest({ input, output, timeZone })).some((m) => m.startsWith('spec.batch.timeZone: ')), timeZone);
  }
});

void test('status.batch written by an operator parses; runs are bounded and phases are known', () => {
  const run = {
    name: 'scoring-20261203-0200',
    phase: 'Succeeded',
    trigger: 'Schedule',
    startedAt: '2026-12-03T02:00:00Z',
    completedAt: '2026-12-03T02:14:05Z',
    modelVersion: '7',
    records: { scored: 1_250_000, failed: 3 },
    output: 's3://scoring/predictions/scoring-20261203-0200/',
  };
  const status = {
    currentRun: {
      name: 'scoring-20261204-0200',
      startedAt: '2026-12-04T02:00:00Z',
      modelVersion: '7',
      modelSource: 's3://models/fraud/7',
      shards: { total: 16, succeeded: 10, failed: 0, active: 4 },
      records: { scored: 800_000, failed: 0 },
    },
    lastSuccessfulRun: { name: run.name, completedAt: run.completedAt, output: run.output, records: run.records },
    nextScheduleTime: '2026-12-05T02:00:00Z',
    lastScheduleTime: '2026-12-04T02:00:00Z',
    lastHandledRunRequest: '2026-12-03T10:15:00Z',
    runs: [run, { ...run, name: 'scoring-manual', phase: 'Failed', trigger: 'Manual', reason: 'TooManyFailedRecords', message: '12 records failed; maxFailedRecords is 0' }],
  };
  assert.deepEqual(batchStatusSchema.parse(status), status);
  const result = parseModelDeployment(batchManifest({ input, output }, { status: { batch: status } }));
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.value.status?.batch, status);
  assert.ok(batchStatusSchema.safeParse({}).success, 'every field is optional');
  assert.ok(!batchStatusSchema.safeParse({ runs: Array.from({ length: 101 }, () => run) }).success, 'at most 100 runs');
  assert.ok(!batchStatusSchema.safeParse({ runs: [{ ...run, phase: 'Pending' }] }).success, 'unknown phase');
  assert.ok(!batchStatusSchema.safeParse({ runs: [{ ...run, trigger: 'Cron' }] }).success, 'unknown trigger');
  assert.ok(!batchStatusSchema.safeParse({ nextScheduleTime: 'tomorrow' }).success, 'times are RFC 3339');
});

void test('the on-demand annotation is in the modelship.io domain', () => {
  assert.equal(BATCH_RUN_REQUESTED_ANNOTATION, 'modelship.io/batch-run-requested');
});
