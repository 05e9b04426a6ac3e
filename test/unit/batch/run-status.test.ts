// status.batch from run Jobs and pods: phases, shards, records, the last successful run, retention.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_MODEL_SOURCE, ANNOTATION_OUTPUT, ANNOTATION_TRIGGER, LABEL_BATCH_RUN, LABEL_MODEL_VERSION } from '../../../src/batch/labels.ts';
import { RUNNER_CONTAINER } from '../../../src/batch/run-job.ts';
import { batchStatus, countIndexes, lastRunCondition, parseRunnerFailure, parseRunnerSummary, runsToDelete } from '../../../src/batch/run-status.ts';

type Phase = 'Running' | 'Succeeded' | 'Failed';

function job(name: string, created: string, phase: Phase, extra: Partial<NonNullable<V1Job['status']>> = {}, trigger = 'Schedule'): V1Job {
  const conditions: V1JobCondition[] =
    phase === 'Succeeded'
      ? [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True', lastTransitionTime: new Date('2026-05-01T11:00:00Z') }]
      : phase === 'Failed'
        ? [{ type: 'FailureTarget', status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' }]
        : [];
  return {
    metadata: {
      name,
      creationTimestamp: new Date(created),
      labels: { [LABEL_BATCH_RUN]: name, [LABEL_MODEL_VERSION]: '7' },
      annotations: { [ANNOTATION_TRIGGER]: trigger, [ANNOTATION_MODEL_SOURCE]: 's3://models/fraud/7', [ANNOTATION_OUTPUT]: `s3://out/${name}` },
    },
    spec: { completions: 4, template: {} },
    status: { startTime: new Date(created), conditions, ...extra },
  };
}

function pod(run: string, index: number, exitCode: number, message?: string): V1Pod {
  return {
    metadata: { name: `${run}-${index}-x`, labels: { [LABEL_BATCH_RUN]: run }, annotations: { 'batch.kubernetes.io/job-completion-index': String(index) } },
    status: { containerStatuses: [{ name: RUNNER_CONTAINER, image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, ...(message !== undefined ? { message } : {}) } } }] },
  };
}

const summary = (scored: number, failed: number): string => JSON.stringify({ scored, failed, records: scored + failed });

test('countIndexes reads the Job controller intervals', () => {
  assert.equal(countIndexes(undefined), 0);
  assert.equal(countIndexes(''), 0);
  assert.equal(countIndexes('0'), 1);
  assert.equal(countIndexes('1,3-5,7'), 5);
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 999 })), (xs) => {
      const sorted = [...xs].sort((a, b) => a - b);
      // Build intervals the way the Job controller writes them.
      const parts: string[] = [];
      for (let i = 0; i < sorted.length; ) {
        let j = i;
        while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
        parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
        i = j + 1;
      }
      assert.equal(countIndexes(parts.join(',')), xs.length);
    }),
  );
});

test('runner summaries: JSON counts only', () => {
  assert.deepEqual(parseRunnerSummary('{"scored":3,"failed":1,"records":4}\n'), { scored: 3, failed: 1, records: 4 });
  assert.equal(parseRunnerSummary('Traceback ...'), undefined);
  assert.equal(parseRunnerSummary('{"scored":-1,"failed":0,"records":0}'), undefined);
  assert.equal(parseRunnerSummary('[1]'), undefined);
  assert.equal(parseRunnerSummary(undefined), undefined);
});

test('a running run is the current run, with shards and records so far', () => {
  const running = job('fraud-202605011000', '2026-05-01T10:00:00Z', 'Running', { active: 2, completedIndexes: '0,2', failedIndexes: '' });
  const pods = [pod('fraud-202605011000', 0, 0, summary(100, 2)), pod('fraud-202605011000', 2, 0, summary(50, 0)), pod('fraud-202605011000', 1, 1, 'boom')];
  const s = batchStatus([running], pods);
  assert.deepEqual(s.currentRun, {
    name: 'fraud-202605011000',
    startedAt: '2026-05-01T10:00:00.000Z',
    modelVersion: '7',
    modelSource: 's3://models/fraud/7',
    shards: { total: 4, succeeded: 2, failed: 0, active: 2 },
    records: { scored: 150, failed: 2 },
  });
  assert.equal(s.runs[0]!.phase, 'Running');
  assert.equal(s.lastSuccessfulRun, undefined);
  assert.equal(lastRunCondition(s), undefined);
});

test('a retried index that succeeded twice is counted once', () => {
  const j = job('r', '2026-05-01T10:00:00Z', 'Succeeded');
  const s = batchStatus([j], [pod('r', 0, 0, summary(10, 0)), pod('r', 0, 0, summary(10, 0)), pod('r', 1, 0, summary(5, 1))]);
  assert.deepEqual(s.runs[0]!.records, { scored: 15, failed: 1 });
});

test('runs newest first; the last successful run and a failed last run', () => {
  const old = job('fraud-202605010800', '2026-05-01T08:00:00Z', 'Succeeded');
  const failed = job('fraud-202605010900', '2026-05-01T09:00:00Z', 'Failed', {}, 'Manual');
  const s = batchStatus([old, failed], [pod('fraud-202605010800', 0, 0, summary(7, 0))]);
  assert.deepEqual(s.runs.map((r) => [r.name, r.phase, r.trigger]), [
    ['fraud-202605010900', 'Failed', 'Manual'],
    ['fraud-202605010800', 'Succeeded', 'Schedule'],
  ]);
  assert.equal(s.runs[0]!.reason, 'FailedIndexes');
  assert.equal(s.currentRun, undefined);
  assert.deepEqual(s.lastSuccessfulRun, { name: 'fraud-202605010800', completedAt: '2026-05-01T11:00:00.000Z', output: 's3://out/fraud-202605010800', records: { scored: 7, failed: 0 } });
  const c = lastRunCondition(s)!;
  assert.equal(c.status, 'False');
  assert.equal(c.reason, 'FailedIndexes');
  assert.match(c.message, /fraud-202605010900/);
  assert.equal(lastRunCondition(batchStatus([old], []))!.status, 'True');
});

test("a run failed by a shard says why the shard's runner failed; the Job's reason otherwise", () => {
  const failedJob = (reason: string, failedIndexes?: string): V1Job => {
    const j = job('r', '2026-05-01T10:00:00Z', 'Failed', failedIndexes !== undefined ? { failedIndexes } : {});
    j.status!.conditions = [{ type: 'Failed', status: 'True', reason, message: 'Job has exceeded the specified maximal number of failed indexes' }];
    return j;
  };
  const tooMany = 'modelship-batch: TooManyBadRecords: run r: 37 bad records, more than --max-failed-records 10\n';
  const pods = [pod('r', 0, 0, summary(10, 9)), pod('r', 1, 137, 'modelship-batch: progress read 5, scored 5, failed 0, 1.0 records/s, 5s\n'), pod('r', 3, 20, tooMany)];
  const run = batchStatus([failedJob('MaxFailedIndexesExceeded', '3')], pods).runs[0]!;
  assert.equal(run.reason, 'TooManyBadRecords');
  assert.equal(run.message, 'shard 3: run r: 37 bad records, more than --max-failed-records 10');
  const c = lastRunCondition(batchStatus([failedJob('MaxFailedIndexesExceeded', '3')], pods))!;
  assert.deepEqual([c.status, c.reason, c.message], ['False', 'TooManyBadRecords', 'run r failed: shard 3: run r: 37 bad records, more than --max-failed-records 10']);
  // A shard's own text that names the shard is not prefixed twice.
  const own = batchStatus([failedJob('FailedIndexes', '2')], [pod('r', 2, 20, 'modelship-batch: TooManyBadRecords: shard 2: more than --max-failed-records 0 bad records')]).runs[0]!;
  assert.equal(own.message, 'shard 2: more than --max-failed-records 0 bad records');
  // The failed index's runner said nothing of its own (killed): the Job's reason stays.
  const killed = batchStatus([failedJob('MaxFailedIndexesExceeded', '1')], pods).runs[0]!;
  assert.equal(killed.reason, 'MaxFailedIndexesExceeded');
  assert.equal(killed.message, 'Job has exceeded the specified maximal number of failed indexes');
  // A run stopped by its deadline failed for that, whatever a runner said before.
  assert.equal(batchStatus([failedJob('DeadlineExceeded')], pods).runs[0]!.reason, 'DeadlineExceeded');
});

test('runner failure lines: the last line of the termination message, in the runner\'s format only', () => {
  assert.deepEqual(parseRunnerFailure('modelship-batch: Unavailable: s3://in/: network errors\n'), { cls: 'Unavailable', text: 's3://in/: network errors' });
  assert.deepEqual(parseRunnerFailure('modelship-batch: progress read 1\nmodelship-batch: InputNotFound: s3://in/ x'), { cls: 'InputNotFound', text: 's3://in/ x' });
  assert.equal(parseRunnerFailure('modelship-batch: shard 0 of 2, s3://in/ (jsonl) to s3://out/r'), undefined);
  assert.equal(parseRunnerFailure('modelship-batch: TooManyBadRecords: x\nTraceback'), undefined);
  assert.equal(parseRunnerFailure(undefined), undefined);
  assert.equal(parseRunnerFailure(`modelship-batch: Internal: ${'x'.repeat(2000)}`)!.text.length, 480);
});

test('jobs without the run label are not runs', () => {
  const other: V1Job = { metadata: { name: 'x', labels: {} }, spec: { template: {} } };
  assert.deepEqual(batchStatus([other], []).runs, []);
  assert.deepEqual(runsToDelete([other], 0), []);
});

const phases = fc.constantFrom<Phase>('Running', 'Succeeded', 'Failed');

test('runsToDelete keeps keepRuns finished runs, every active one and the newest success', () => {
  fc.assert(
    fc.property(fc.array(phases, { maxLength: 20 }), fc.integer({ min: 0, max: 10 }), (ps, keep) => {
      const jobs = ps.map((p, i) => job(`r${String(i).padStart(2, '0')}`, new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), p));
      const deleted = new Set(runsToDelete(jobs, keep));
      const finished = jobs.filter((_, i) => ps[i] !== 'Running');
      for (const [i, j] of jobs.entries()) if (ps[i] === 'Running') assert.ok(!deleted.has(j.metadata!.name!));
      const kept = finished.filter((j) => !deleted.has(j.metadata!.name!));
      assert.ok(kept.length >= Math.min(keep, finished.length));
      assert.ok(kept.length <= keep + 1);
      // Whatever is deleted is older than whatever finished run is kept, except the kept newest success.
      const newestSuccess = [...jobs].reverse().find((_, k) => ps[ps.length - 1 - k] === 'Succeeded');
      if (newestSuccess !== undefined) assert.ok(!deleted.has(newestSuccess.metadata!.name!));
      const keptRecent = kept.filter((j) => j !== newestSuccess).map((j) => j.metadata!.name!);
      for (const d of deleted) for (const k of keptRecent) assert.ok(d < k, `${d} deleted but older-or-equal ${k} kept`);
    }),
  );
});
