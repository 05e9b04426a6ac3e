// reconcileDrift as a function: the profile Job once per version and reference, checks on schedule
// (Forbid, named after the time, never twice), status.drift and DriftDetected from the termination
// messages, Events only on transitions, failures that keep the condition, and the last 3 checks kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { Condition } from '../../../src/api/condition.ts';
import { driftSpecSchema, type DriftSpec } from '../../../src/api/drift-spec.ts';
import type { DriftStatus } from '../../../src/api/drift-status.ts';
import { loggingSpecSchema } from '../../../src/api/logging-spec.ts';
import { parseModelDeployment } from '../../../src/api/parse.ts';
import type { ModelDeployment } from '../../../src/api/model-deployment.ts';
import { ANNOTATION_DRIFT_SCHEDULED_TIME, ANNOTATION_DRIFT_VERSION, DRIFT_CONTAINER, LABEL_DRIFT_JOB } from '../../../src/drift-checks/labels.ts';
import { reconcileDrift, type DriftPlan, type DriftReconcileInput } from '../../../src/drift-checks/reconcile-drift.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';

const parsed = parseModelDeployment(withChanges(validManifest('iris'), { 'spec.model.version': '3', 'spec.model.uri': 's3://models/iris/3' }));
assert.ok(parsed.ok);
const md: ModelDeployment = { ...parsed.value, metadata: { ...parsed.value.metadata, namespace: 'team-a', uid: 'uid-1' } };
const logging = loggingSpecSchema.parse({ uri: 's3://logs/team-a' });
const drift: DriftSpec = driftSpecSchema.parse({ reference: { modelFile: 'reference/train.csv', target: 'species' }, schedule: '0 * * * *' });
const stable = { version: '3', model: md.spec.model };
const T = (iso: string) => new Date(iso);

function input(over: Partial<DriftReconcileInput> = {}): DriftReconcileInput {
  return { md, drift, logging, stable, jobs: [], pods: [], previous: undefined, previousCondition: undefined, now: T('2026-12-04T10:20:00Z'), image: 'modelship:1', ...over };
}

/** A Job as the cache shows it, from a created one, finished or not. */
function job(created: { metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> } }, state?: 'Complete' | 'Failed', at = '2026-12-04T10:00:30Z'): V1Job {
  return {
    metadata: { name: created.metadata.name, labels: created.metadata.labels, annotations: created.metadata.annotations ?? {}, ownerReferences: [{ apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', name: 'iris', uid: 'uid-1', controller: true }] },
    status: state === undefined ? { active: 1 } : { completionTime: state === 'Complete' ? T(at) : undefined, conditions: [{ type: state, status: 'True', lastTransitionTime: T(at) }] },
  };
}

function pod(jobName: string, exitCode: number, message: string, at = '2026-12-04T10:00:29Z'): V1Pod {
  return {
    metadata: { name: `${jobName}-x`, labels: { 'batch.kubernetes.io/job-name': jobName, [LABEL_DRIFT_JOB]: 'check' } },
    status: { containerStatuses: [{ name: DRIFT_CONTAINER, image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, message, finishedAt: T(at) } } }] },
  };
}

function checkJob(at: string, state?: 'Complete' | 'Failed'): V1Job {
  const name = `iris-drift-${at.slice(0, 16).replace(/[-T:]/g, '')}`;
  return job({ metadata: { name, labels: { [LABEL_DRIFT_JOB]: 'check' }, annotations: { [ANNOTATION_DRIFT_SCHEDULED_TIME]: at, [ANNOTATION_DRIFT_VERSION]: '3' } } }, state);
}

const profiledStatus = (plan: DriftPlan): DriftStatus => plan.status;

function profiled(): { profileJob: V1Job; previous: DriftStatus } {
  const first = reconcileDrift(input());
  const created = first.create[0]!;
  const profileJob = job(created, 'Complete', '2026-12-04T09:30:00Z');
  const p = pod(created.metadata.name, 0, '{"rows":150,"features":4,"output":"s3://logs/team-a/p.json"}');
  const plan = reconcileDrift(input({ jobs: [profileJob], pods: [p], previous: profiledStatus(first) }));
  return { profileJob, previous: plan.status };
}

void test('a serving stable version gets one profile Job, and the same name again on every reconcile', () => {
  const a = reconcileDrift(input());
  assert.equal(a.create.length, 1);
  const created = a.create[0]!;
  assert.match(created.metadata.name, /^iris-profile-[a-z0-9]{5}$/);
  assert.equal(created.metadata.labels[LABEL_DRIFT_JOB], 'profile');
  assert.equal(reconcileDrift(input()).create[0]!.metadata.name, created.metadata.name, 'deterministic');
  assert.deepEqual(a.condition, { status: 'Unknown', reason: 'NoReference', message: 'profiling the reference of version 3' });
  // Running: not created again.
  assert.deepEqual(reconcileDrift(input({ jobs: [job(created)], previous: a.status })).create, []);
  // Another version or reference: another profile Job.
  const v4 = reconcileDrift(input({ stable: { version: '4', model: { ...md.spec.model, version: '4', uri: 's3://models/iris/4' } } }));
  assert.notEqual(v4.create[0]!.metadata.name, created.metadata.name);
  const otherRef = reconcileDrift(input({ drift: { ...drift, reference: { ...drift.reference, modelFile: 'reference/other.csv' } } }));
  assert.notEqual(otherRef.create[0]!.metadata.name, created.metadata.name);
  // Nothing serves: nothing is started.
  assert.deepEqual(reconcileDrift(input({ stable: undefined })).create, []);
});

void test('the profile result fills status.drift.reference; a failed profile is an Event once, not a retry', () => {
  const { previous } = profiled();
  assert.equal(previous.reference?.rows, 150);
  assert.equal(previous.reference?.features, 4);
  assert.equal(previous.reference?.profiledAt, '2026-12-04T09:30:00Z');

  const first = reconcileDrift(input());
  const failedJob = job(first.create[0]!, 'Failed');
  const failedPod = pod(first.create[0]!.metadata.name, 3, 'modelship-profile: ReferenceMissing: s3://models/iris/3/reference/train.csv not found');
  const failed = reconcileDrift(input({ jobs: [failedJob], pods: [failedPod], previous: first.status }));
  assert.deepEqual(failed.create, []);
  assert.match(failed.status.reference?.message ?? '', /^ReferenceMissing: .*not found$/);
  assert.deepEqual(failed.events.map((e) => e.reason), ['DriftCheckFailed']);
  assert.equal(failed.condition.reason, 'NoReference');
  assert.match(failed.condition.message, /profiling the reference of version 3 failed/);
  const again = reconcileDrift(input({ jobs: [failedJob], pods: [failedPod], previous: failed.status }));
  assert.deepEqual(again.events, [], 'reported once');
});

void test('checks start at the scheduled time after profiling, named after it, once; Forbid while one runs', () => {
  const { profileJob, previous } = profiled();
  // 10:20: the first time due after profiling (09:30) is 10:00, older than the starting deadline: wait.
  const early = reconcileDrift(input({ jobs: [profileJob], previous }));
  assert.deepEqual(early.create, []);
  assert.equal(early.requeueAfterMs, 40 * 60_000);
  assert.equal(early.condition.reason, 'NoReference');
  assert.match(early.condition.message, /first check is due at 2026-12-04T11:00:00Z/);

  const at11 = input({ jobs: [profileJob], previous, now: T('2026-12-04T11:00:05Z') });
  const plan = reconcileDrift(at11);
  assert.equal(plan.create.length, 1);
  const check = plan.create[0]!;
  assert.equal(check.metadata.name, 'iris-drift-202612041100');
  assert.equal(plan.status.lastScheduleTime, '2026-12-04T11:00:00Z');
  const args = check.spec!.template.spec!.containers[0]!.args!;
  assert.deepEqual(args.slice(args.indexOf('--window-end'), args.indexOf('--window-end') + 4), ['--window-end', '2026-12-04T11:00:00Z', '--window', '1h']);
  // The same decision after a lost status write: the Job exists, nothing is created.
  const running = checkJob('2026-12-04T11:00:00Z');
  assert.deepEqual(reconcileDrift({ ...at11, jobs: [profileJob, running] }).create, []);
  // Next hour with the check still running: skipped (Forbid), and recorded as handled.
  const forbid = reconcileDrift(input({ jobs: [profileJob, running], previous: plan.status, now: T('2026-12-04T12:00:05Z') }));
  assert.deepEqual(forbid.create, []);
  assert.equal(forbid.status.lastScheduleTime, '2026-12-04T12:00:00Z');
});

void test('a Drift result sets DriftDetected with an Event; NoDrift clears it with DriftCleared; repeats are quiet', () => {
  const { profileJob, previous } = profiled();
  const now = T('2026-12-04T11:10:00Z');
  const check = checkJob('2026-12-04T11:00:00Z', 'Complete');
  const message = JSON.stringify({
    verdict: 'Drift',
    samples: 812,
    windowStart: '2026-12-04T10:00:00Z',
    windowEnd: '2026-12-04T11:00:00Z',
    report: 's3://logs/team-a/_modelship/drift/r.json',
    features: [
      { name: 'a', test: 'ks', effectSize: 0.01, verdict: 'NoDrift' },
      { name: 'b', test: 'ks', effectSize: 0.3, verdict: 'Drift' },
      { name: 'c', test: 'ks', effectSize: 0.5, verdict: 'NoDrift' },
      { name: 'd', test: 'chi2', effectSize: 0.05, verdict: 'Drift' },
      { name: 'e', test: 'ks', effectSize: 0.02, verdict: 'NoDrift' },
      { name: 'f', test: 'ks', effectSize: 0.03, verdict: 'NoDrift' },
    ],
    predictions: { test: 'chi2', statistic: 3, pValue: 0.2, effectSize: 0.01, verdict: 'NoDrift' },
  });
  const drifted = reconcileDrift(input({ jobs: [profileJob, check], pods: [pod(check.metadata!.name!, 0, message)], previous, now }));
  assert.equal(drifted.status.lastCheck?.verdict, 'Drift');
  assert.equal(drifted.status.lastCheck?.samples, 812);
  assert.equal(drifted.status.lastCheck?.version, '3');
  assert.deepEqual(drifted.status.features?.map((f) => f.name), ['b', 'd', 'c', 'f', 'e'], 'drifting first, then by effect size, top 5');
  assert.equal(drifted.status.predictions?.verdict, 'NoDrift');
  assert.equal(drifted.condition.status, 'True');
  assert.match(drifted.condition.message, /^drift in b, d \(version 3/);
  assert.deepEqual(drifted.events.map((e) => [e.type, e.reason]), [['Warning', 'DriftDetected']]);

  const trueCondition: Condition = { type: 'DriftDetected', status: 'True', reason: 'DriftDetected', message: drifted.condition.message, lastTransitionTime: '2026-12-04T11:10:00Z', observedGeneration: 1 };
  // The same check read again: nothing new.
  const same = reconcileDrift(input({ jobs: [profileJob, check], pods: [], previous: drifted.status, previousCondition: trueCondition, now }));
  assert.deepEqual(same.events, []);
  assert.deepEqual(same.status, drifted.status);

  const next = checkJob('2026-12-04T12:00:00Z', 'Complete');
  const clear = JSON.stringify({ verdict: 'NoDrift', samples: 700, features: [], predictions: null });
  const cleared = reconcileDrift(input({ jobs: [profileJob, check, next], pods: [pod(next.metadata!.name!, 0, clear)], previous: drifted.status, previousCondition: trueCondition, now: T('2026-12-04T12:10:00Z') }));
  assert.equal(cleared.condition.status, 'False');
  assert.equal(cleared.condition.reason, 'NoDrift');
  assert.deepEqual(cleared.events.map((e) => [e.type, e.reason]), [['Normal', 'DriftCleared']]);
  assert.equal(cleared.status.features, undefined);
});

void test('a failed check carries its failure without a verdict and keeps the condition; an unreadable success is a failure too', () => {
  const { profileJob, previous } = profiled();
  const falseCondition: Condition = { type: 'DriftDetected', status: 'False', reason: 'NoDrift', message: 'no drift in the last check', lastTransitionTime: '2026-12-04T10:00:00Z', observedGeneration: 1 };
  const check = checkJob('2026-12-04T11:00:00Z', 'Failed');
  const plan = reconcileDrift(
    input({ jobs: [profileJob, check], pods: [pod(check.metadata!.name!, 4, 'modelship-drift: StorageUnavailable: s3://logs: 403 AccessDenied')], previous, previousCondition: falseCondition, now: T('2026-12-04T11:10:00Z') }),
  );
  assert.equal(plan.status.lastCheck?.verdict, undefined);
  assert.equal(plan.status.lastCheck?.reason, 'StorageUnavailable');
  assert.match(plan.status.lastCheck?.message ?? '', /403 AccessDenied/);
  assert.deepEqual(plan.condition, { status: 'False', reason: 'NoDrift', message: 'no drift in the last check' });
  assert.deepEqual(plan.events.map((e) => [e.type, e.reason]), [['Warning', 'DriftCheckFailed']]);

  const noMessage = checkJob('2026-12-04T11:00:00Z', 'Complete');
  const unreadable = reconcileDrift(input({ jobs: [profileJob, noMessage], pods: [pod(noMessage.metadata!.name!, 0, 'Traceback: something')], previous, now: T('2026-12-04T11:10:00Z') }));
  assert.equal(unreadable.status.lastCheck?.reason, 'NoResult');
  assert.equal(unreadable.condition.status, 'Unknown');
});

void test('Inconclusive is Unknown; the last 3 finished checks are kept, running ones never deleted; old profile Jobs go', () => {
  const { profileJob, previous } = profiled();
  const times = ['07', '08', '09', '10', '11'].map((h) => `2026-12-04T${h}:00:00Z`);
  const checks = [...times.slice(0, 4).map((t) => checkJob(t, 'Complete')), checkJob(times[4]!)];
  const msg = JSON.stringify({ verdict: 'Inconclusive', samples: 12, features: [] });
  const oldProfile = job({ metadata: { name: 'iris-profile-old00', labels: { [LABEL_DRIFT_JOB]: 'profile' } } }, 'Complete');
  const plan = reconcileDrift(input({ jobs: [profileJob, oldProfile, ...checks], pods: [pod(checks[3]!.metadata!.name!, 0, msg)], previous, now: T('2026-12-04T11:10:00Z') }));
  assert.deepEqual(plan.delete, ['iris-drift-202612040700', 'iris-profile-old00']);
  assert.equal(plan.condition.status, 'Unknown');
  assert.equal(plan.condition.reason, 'Inconclusive');
});

void test('a logged reference is profiled once its window has ended and flushed, and keeps its profile across versions', () => {
  const logged = driftSpecSchema.parse({ reference: { logged: { start: '2026-12-01T00:00:00Z', end: '2026-12-04T10:00:00Z' } } });
  // logging.flushInterval (here 1m) and a minute of slack after the end: due at 10:02.
  const flushed = loggingSpecSchema.parse({ uri: 's3://logs/team-a', flushInterval: '1m' });
  const waiting = reconcileDrift(input({ drift: logged, logging: flushed, now: T('2026-12-04T10:01:00Z') }));
  assert.deepEqual(waiting.create, []);
  assert.equal(waiting.requeueAfterMs, 60_000);
  assert.deepEqual(waiting.condition, {
    status: 'Unknown',
    reason: 'NoReference',
    message: 'the logged reference window ends at 2026-12-04T10:00:00Z; it is profiled at 2026-12-04T10:02:00Z, then checks start',
  });
  const due = reconcileDrift(input({ drift: logged, logging: flushed, now: T('2026-12-04T10:02:00Z') }));
  assert.equal(due.create.length, 1);
  const created = due.create[0]!;
  assert.ok(created.spec!.template.spec!.containers[0]!.args!.includes('--logs'));
  // Another served version: the same profile Job name, so nothing new while it runs.
  const v4 = { version: '4', model: { ...md.spec.model, version: '4', uri: 's3://models/iris/4' } };
  assert.equal(reconcileDrift(input({ drift: logged, stable: v4, now: T('2026-12-04T10:02:00Z') })).create[0]!.metadata.name, created.metadata.name);
  // Profiled: a new version keeps it and is checked against it, without a new profile Job.
  const profileJob = job(created, 'Complete', '2026-12-04T10:05:00Z');
  const p = pod(created.metadata.name, 0, '{"rows":5000,"features":4,"output":"s3://logs/team-a/p.json"}');
  const done = reconcileDrift(input({ drift: logged, jobs: [profileJob], pods: [p], previous: due.status, now: T('2026-12-04T10:06:00Z') }));
  assert.equal(done.status.reference?.rows, 5000);
  const later = reconcileDrift(input({ drift: logged, stable: v4, jobs: [profileJob], previous: done.status, now: T('2026-12-04T11:00:05Z') }));
  assert.deepEqual(later.create.map((j) => j.metadata.labels[LABEL_DRIFT_JOB]), ['check']);
  assert.deepEqual(later.delete, []);
  // Another window: another profile Job, and the old one goes.
  const moved = driftSpecSchema.parse({ reference: { logged: { start: '2026-12-02T00:00:00Z', end: '2026-12-04T10:00:00Z' } } });
  const next = reconcileDrift(input({ drift: moved, stable: v4, jobs: [profileJob], previous: done.status, now: T('2026-12-04T11:00:05Z') }));
  assert.notEqual(next.create[0]?.metadata.name, created.metadata.name);
  assert.deepEqual(next.delete, [created.metadata.name]);
});
