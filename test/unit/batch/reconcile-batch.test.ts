// One batch reconcile as a pure function: which run starts, which runs go, status.batch, the
// LastRunSucceeded condition, the Events, and that repeating a reconcile never starts a run twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import type { BatchStatus, ModelDeployment } from '../../../src/api/index.ts';
import type { Json } from '../../fixtures/manifests.ts';
import { ANNOTATION_SCHEDULED_TIME, ANNOTATION_TRIGGER, LABEL_BATCH_RUN, LABEL_MODEL_VERSION } from '../../../src/batch/labels.ts';
import { ANNOTATION_RUN_REQUEST, manualRunFor, reconcileBatch, requestTime, type BatchPlan, type BatchReconcileInput } from '../../../src/batch/reconcile-batch.ts';
import { RUNNER_CONTAINER } from '../../../src/batch/run-job.ts';
import { defaultRenderConfig } from '../../../src/render/config.ts';
import { SERVER_CONTAINER } from '../../../src/render/server-container.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';
import { parsed } from '../render/render-helpers.ts';

function md(batch: Record<string, Json> = {}, version = '7'): ModelDeployment {
  return parsed(
    withChanges(validManifest('fraud'), {
      'metadata.namespace': 'risk',
      'metadata.uid': 'uid-1',
      'spec.mode': 'batch',
      'spec.model.version': version,
      'spec.batch': { input: { uri: 's3://data/in/', format: 'jsonl' }, output: { uri: 's3://data/out' }, ...batch },
    }),
  );
}

function input(over: Partial<BatchReconcileInput> & { md?: ModelDeployment } = {}): BatchReconcileInput {
  const m = over.md ?? md();
  return {
    md: m,
    batch: m.spec.batch!,
    config: defaultRenderConfig,
    previous: undefined,
    requested: undefined,
    createdAt: new Date('2026-05-01T10:00:30Z'),
    jobs: [],
    pods: [],
    now: new Date('2026-05-01T10:00:40Z'),
    ...over,
  };
}

type Phase = 'Running' | 'Succeeded' | 'Failed';

/** A run Job as the cluster shows it: the rendered Job with a creation time and a phase. */
function observed(job: V1Job, created: Date, phase: Phase = 'Running'): V1Job {
  const conditions: V1JobCondition[] =
    phase === 'Succeeded'
      ? [{ type: 'Complete', status: 'True', lastTransitionTime: created }]
      : phase === 'Failed'
        ? [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }]
        : [];
  return {
    ...structuredClone(job),
    metadata: { ...structuredClone(job.metadata), creationTimestamp: created },
    status: { startTime: created, conditions, ...(phase === 'Succeeded' ? { completionTime: created } : {}) },
  };
}

function withPhase(job: V1Job, phase: Phase): V1Job {
  return observed(job, job.metadata!.creationTimestamp as Date, phase);
}

/** A finished run Job, built without rendering. */
function finished(name: string, created: string, phase: Phase): V1Job {
  return observed(
    { metadata: { name, labels: { [LABEL_BATCH_RUN]: name, [LABEL_MODEL_VERSION]: '7' }, annotations: { [ANNOTATION_TRIGGER]: 'Manual' } }, spec: { completions: 1, template: {} } },
    new Date(created),
    phase,
  );
}

function created(plan: BatchPlan): V1Job {
  assert.ok(plan.create, 'a run is created');
  return plan.create.job;
}

test('nothing asked and no schedule: no run, no requeue, no Event', () => {
  const plan = reconcileBatch(input());
  assert.equal(plan.create, undefined);
  assert.deepEqual(plan.delete, []);
  assert.deepEqual(plan.events, []);
  assert.equal(plan.requeueAfterMs, undefined);
  assert.equal(plan.condition, undefined);
  assert.deepEqual(plan.status, {});
});

test('a new request value starts one Manual run named after the time it names, with the runner and the server sidecar', () => {
  const value = '2026-05-01T10:00:39.123Z';
  const plan = reconcileBatch(input({ requested: value }));
  const job = created(plan);
  assert.equal(job.metadata!.name, 'fraud-m20260501100039');
  assert.equal(job.metadata!.name, manualRunFor('fraud', value, new Date()));
  assert.equal(job.metadata!.annotations![ANNOTATION_TRIGGER], 'Manual');
  assert.equal(job.metadata!.annotations![ANNOTATION_RUN_REQUEST], value);
  assert.equal(job.metadata!.ownerReferences![0]!.uid, 'uid-1');
  const pod = job.spec!.template.spec!;
  assert.equal(pod.containers[0]!.name, RUNNER_CONTAINER);
  assert.deepEqual(pod.containers[0]!.args!.slice(0, 3), ['batch', '--input', 's3://data/in/']);
  assert.ok(pod.initContainers!.some((c) => c.name === SERVER_CONTAINER && c.restartPolicy === 'Always'));
  assert.equal(plan.status.lastHandledRunRequest, value);

  // Handled: the same value asks for nothing more.
  const again = reconcileBatch(input({ requested: value, previous: plan.status, jobs: [observed(job, new Date('2026-05-01T10:00:40Z'))] }));
  assert.equal(again.create, undefined);
});

test('a request value that is not a time names the run after when it was handled', () => {
  assert.equal(requestTime('please'), undefined);
  assert.equal(requestTime('2026-05-01'), undefined);
  assert.equal(requestTime('2026-05-01T10:00:00Z')?.toISOString(), '2026-05-01T10:00:00.000Z');
  const plan = reconcileBatch(input({ requested: 'please' }));
  assert.equal(created(plan).metadata!.name, 'fraud-m20260501100040');
});

test('a request whose run exists already (its status write was lost) is handled without a second run', () => {
  const value = 'again';
  const first = created(reconcileBatch(input({ requested: value })));
  const later = input({ requested: value, jobs: [observed(first, new Date('2026-05-01T10:00:40Z'))], now: new Date('2026-05-01T10:05:00Z') });
  const plan = reconcileBatch(later);
  assert.equal(plan.create, undefined, 'the Job carries the request it was started for');
  assert.equal(plan.status.lastHandledRunRequest, value);
});

test('a due scheduled time starts its run, and status records it with the next time', () => {
  const plan = reconcileBatch(input({ md: md({ schedule: '* * * * *' }), now: new Date('2026-05-01T10:01:05Z') }));
  const job = created(plan);
  assert.equal(job.metadata!.name, 'fraud-202605011001');
  assert.equal(job.metadata!.annotations![ANNOTATION_SCHEDULED_TIME], '2026-05-01T10:01:00.000Z');
  assert.equal(job.metadata!.annotations![ANNOTATION_TRIGGER], 'Schedule');
  assert.equal(plan.status.lastScheduleTime, '2026-05-01T10:01:00Z');
  assert.equal(plan.status.nextScheduleTime, '2026-05-01T10:02:00Z');
  assert.equal(plan.requeueAfterMs, 55_000);
});

test('before the first scheduled time after creation nothing starts; suspended, no next time is reported', () => {
  const early = reconcileBatch(input({ md: md({ schedule: '* * * * *' }), now: new Date('2026-05-01T10:00:50Z') }));
  assert.equal(early.create, undefined);
  assert.equal(early.requeueAfterMs, 10_000);
  const suspended = reconcileBatch(input({ md: md({ schedule: '* * * * *', suspend: true }), now: new Date('2026-05-01T10:05:00Z') }));
  assert.equal(suspended.create, undefined);
  assert.equal(suspended.status.nextScheduleTime, undefined);
  const manual = reconcileBatch(input({ md: md({ schedule: '* * * * *', suspend: true }), requested: 'x', now: new Date('2026-05-01T10:05:00Z') }));
  assert.ok(manual.create, 'a request still starts a run while suspended');
});

test('Forbid: a time due while a run is active is skipped (RunSkipped) and recorded as handled', () => {
  const m = md({ schedule: '* * * * *' });
  const first = reconcileBatch(input({ md: m, now: new Date('2026-05-01T10:01:05Z') }));
  const active = observed(created(first), new Date('2026-05-01T10:01:05Z'));
  const plan = reconcileBatch(input({ md: m, previous: first.status, jobs: [active], now: new Date('2026-05-01T10:02:03Z') }));
  assert.equal(plan.create, undefined);
  assert.deepEqual(plan.delete, []);
  assert.equal(plan.status.lastScheduleTime, '2026-05-01T10:02:00Z');
  const skipped = plan.events.filter((e) => e.reason === 'RunSkipped');
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!.message, /fraud-202605011001/);
  // Recorded: the same time is not skipped again.
  const again = reconcileBatch(input({ md: m, previous: plan.status, jobs: [active], now: new Date('2026-05-01T10:02:30Z') }));
  assert.equal(again.events.filter((e) => e.reason === 'RunSkipped').length, 0);
  // A manual request is skipped as well while one is active.
  const manual = reconcileBatch(input({ md: m, previous: plan.status, jobs: [active], requested: 'now', now: new Date('2026-05-01T10:02:30Z') }));
  assert.equal(manual.create, undefined);
  assert.equal(manual.status.lastHandledRunRequest, 'now');
  assert.equal(manual.events.filter((e) => e.reason === 'RunSkipped').length, 1);
});

test('Replace: the active run is deleted and the new one created', () => {
  const m = md({ schedule: '* * * * *', concurrencyPolicy: 'Replace' });
  const first = reconcileBatch(input({ md: m, now: new Date('2026-05-01T10:01:05Z') }));
  const active = observed(created(first), new Date('2026-05-01T10:01:05Z'));
  const plan = reconcileBatch(input({ md: m, previous: first.status, jobs: [active], now: new Date('2026-05-01T10:02:03Z') }));
  assert.deepEqual(plan.delete, ['fraud-202605011001']);
  assert.equal(created(plan).metadata!.name, 'fraud-202605011002');
  assert.equal(plan.status.currentRun, undefined, 'the deleted run is not reported as current');
});

test('keepRuns: the oldest finished runs are deleted, never the active one nor the newest success', () => {
  const jobs = [
    finished('fraud-m20260501100001', '2026-05-01T10:00:01Z', 'Succeeded'),
    finished('fraud-m20260501100002', '2026-05-01T10:00:02Z', 'Failed'),
    finished('fraud-m20260501100003', '2026-05-01T10:00:03Z', 'Failed'),
    finished('fraud-m20260501100004', '2026-05-01T10:00:04Z', 'Failed'),
    finished('fraud-m20260501100005', '2026-05-01T10:00:05Z', 'Running'),
  ];
  const plan = reconcileBatch(input({ md: md({ keepRuns: 2 }), jobs }));
  assert.deepEqual(plan.delete, ['fraud-m20260501100002']);
  assert.ok(plan.status.runs!.length <= 2);
  assert.equal(plan.status.runs![0]!.name, 'fraud-m20260501100005');
  assert.equal(plan.status.lastSuccessfulRun?.name, 'fraud-m20260501100001');
});

test('run Events follow the status: RunStarted when a run appears, RunSucceeded/RunFailed when it ends, each once', () => {
  const m = md();
  const job = created(reconcileBatch(input({ md: m, requested: 'a' })));
  const running = observed(job, new Date('2026-05-01T10:00:41Z'));
  const seen = reconcileBatch(input({ md: m, requested: 'a', previous: { lastHandledRunRequest: 'a' }, jobs: [running] }));
  assert.deepEqual(seen.events.map((e) => e.reason), ['RunStarted']);
  assert.equal(seen.status.currentRun?.name, job.metadata!.name);
  assert.equal(seen.condition, undefined, 'no run finished yet');

  const failed = reconcileBatch(input({ md: m, requested: 'a', previous: seen.status, jobs: [withPhase(running, 'Failed')] }));
  assert.deepEqual(failed.events.map((e) => [e.type, e.reason]), [['Warning', 'RunFailed']]);
  assert.match(failed.events[0]!.message, /BackoffLimitExceeded/);
  assert.equal(failed.condition?.status, 'False');
  assert.equal(failed.condition?.reason, 'BackoffLimitExceeded');
  assert.equal(failed.status.currentRun, undefined);

  const quiet = reconcileBatch(input({ md: m, requested: 'a', previous: failed.status, jobs: [withPhase(running, 'Failed')] }));
  assert.deepEqual(quiet.events, []);
  assert.deepEqual(quiet.status, failed.status, 'at rest the status does not change');

  // A run seen for the first time already finished: both Events, in order.
  const fast = finished('fraud-m20260501100100', '2026-05-01T10:01:00Z', 'Succeeded');
  const both = reconcileBatch(input({ md: m, previous: quiet.status, jobs: [withPhase(running, 'Failed'), fast] }));
  assert.deepEqual(both.events.map((e) => e.reason), ['RunStarted', 'RunSucceeded']);
  assert.equal(both.condition?.status, 'True');
  assert.equal(both.status.lastSuccessfulRun?.name, 'fraud-m20260501100100');
});

test('a new model version leaves the active run untouched; the next run scores with the new version', () => {
  const v7 = md({ schedule: '* * * * *', concurrencyPolicy: 'Forbid' }, '7');
  const first = reconcileBatch(input({ md: v7, now: new Date('2026-05-01T10:01:05Z') }));
  const active = observed(created(first), new Date('2026-05-01T10:01:05Z'));
  assert.equal(active.metadata!.labels![LABEL_MODEL_VERSION], '7');
  const v8 = md({ schedule: '* * * * *', concurrencyPolicy: 'Forbid' }, '8');
  const during = reconcileBatch(input({ md: v8, previous: first.status, jobs: [active], now: new Date('2026-05-01T10:01:30Z') }));
  assert.equal(during.create, undefined);
  assert.deepEqual(during.delete, []);
  const after = reconcileBatch(input({ md: v8, previous: during.status, jobs: [withPhase(active, 'Succeeded')], now: new Date('2026-05-01T10:02:04Z') }));
  const next = created(after);
  assert.equal(next.metadata!.labels![LABEL_MODEL_VERSION], '8');
  assert.ok(next.spec!.template.spec!.containers[0]!.args!.join(' ').includes('--model-version 8'));
});

test('a simulated hour of a one-minute schedule: one run per minute, never a name twice, at most one active with Forbid', () => {
  const m = md({ schedule: '* * * * *', keepRuns: 3 });
  let jobs: V1Job[] = [];
  let status: BatchStatus | undefined;
  const names = new Set<string>();
  const start = Date.parse('2026-05-01T10:00:30Z');
  for (let s = 0; s < 3600; s += 13) {
    const now = new Date(start + s * 1000);
    // Runs take 70 s: every other minute a run is still active when the next is due.
    jobs = jobs.map((j) => (now.getTime() - (j.metadata!.creationTimestamp as Date).getTime() >= 70_000 ? withPhase(j, 'Succeeded') : j));
    const plan = reconcileBatch(input({ md: m, previous: status, jobs, now }));
    jobs = jobs.filter((j) => !plan.delete.includes(j.metadata!.name!));
    if (plan.create) {
      const name = plan.create.job.metadata.name;
      assert.ok(!names.has(name), `${name} started twice`);
      names.add(name);
      jobs.push(observed(plan.create.job, now));
    }
    assert.ok(jobs.filter((j) => !j.status?.conditions?.length).length <= 1, 'Forbid: at most one active run');
    assert.ok(jobs.length <= 4, 'keepRuns finished runs and the active one');
    status = plan.status;
  }
  assert.ok(names.size >= 25 && names.size <= 35, `about one run every two minutes (${names.size})`);
});

test('records come from the runners’ termination messages', () => {
  const job = finished('fraud-m20260501100001', '2026-05-01T10:00:01Z', 'Succeeded');
  const pod: V1Pod = {
    metadata: { name: 'p', labels: { [LABEL_BATCH_RUN]: 'fraud-m20260501100001', 'batch.kubernetes.io/job-completion-index': '0' } },
    status: { containerStatuses: [{ name: RUNNER_CONTAINER, image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, message: '{"scored":9,"failed":1,"records":10}' } } }] },
  };
  const plan = reconcileBatch(input({ jobs: [job], pods: [pod] }));
  assert.deepEqual(plan.status.lastSuccessfulRun?.records, { scored: 9, failed: 1 });
});
