import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMs } from '../../../src/retraining/backoff.ts';
import { renderRetrainingJob, TRIGGER_ENV } from '../../../src/retraining/retraining-job.ts';
import { readDriftStatus, triggerPayload } from '../../../src/retraining/trigger-payload.ts';

const DRIFT_STATUS = {
  drift: {
    lastCheck: { time: '2026-12-04T10:00:00Z', windowStart: '2026-12-04T09:00:00Z', windowEnd: '2026-12-04T10:00:00Z', version: '3', verdict: 'Drift', samples: 812, report: 's3://logs/_modelship/drift/r.json' },
    features: [
      { name: 'petal_length', test: 'ks', statistic: 0.41, pValue: 1e-30, effectSize: 0.73, verdict: 'Drift' },
      { name: 'sepal_width', test: 'ks', statistic: 0.03, pValue: 0.6, effectSize: 0.004, verdict: 'NoDrift' },
    ],
    predictions: { test: 'chi2', statistic: 3.2, verdict: 'NoDrift' },
  },
};

void test('status.drift in the contract shape becomes drift evidence', () => {
  const d = readDriftStatus(DRIFT_STATUS);
  assert.deepEqual(d.check, { time: new Date('2026-12-04T10:00:00Z'), verdict: 'Drift' });
  assert.equal(d.samples, 812);
  assert.equal(d.features?.length, 2);
});

void test('a missing or malformed status.drift gives no evidence, never an exception', () => {
  assert.deepEqual(readDriftStatus(undefined), {});
  assert.deepEqual(readDriftStatus({ drift: 'x' }), {});
  assert.deepEqual(readDriftStatus({ drift: { lastCheck: { time: 'not a time', verdict: 'Maybe' } } }), {});
});

void test('a drift payload carries model, version, reason, features, statistics, window, report and log uri', () => {
  const p = triggerPayload({
    id: 'rt-1',
    reason: 'Drift',
    time: new Date('2026-12-04T10:01:00Z'),
    evidenceTime: new Date('2026-12-04T10:00:00Z'),
    namespace: 'team-a',
    model: 'iris',
    uid: 'u',
    logUri: 's3://logs/team-a',
    drift: readDriftStatus(DRIFT_STATUS),
  });
  assert.equal(p.version, '3', 'the checked version when status.stable has none');
  assert.deepEqual(p.features, ['petal_length'], 'the drifting features only');
  assert.equal(p.statistics?.features.length, 2, 'the statistics of every feature judged');
  assert.equal(p.statistics?.features[0]?.effectSize, 0.73);
  assert.deepEqual(p.statistics?.predictions, DRIFT_STATUS.drift.predictions);
  assert.deepEqual(p.window, { start: '2026-12-04T09:00:00Z', end: '2026-12-04T10:00:00Z', samples: 812 });
  assert.equal(p.report, 's3://logs/_modelship/drift/r.json');
  assert.equal(p.logUri, 's3://logs/team-a');
});

void test('a scheduled payload leaves the drift statistics out', () => {
  const p = triggerPayload({ id: 'rt-2', reason: 'Schedule', time: new Date(0), evidenceTime: new Date(0), namespace: 'n', model: 'm', uid: 'u', version: '7', drift: readDriftStatus(DRIFT_STATUS) });
  assert.equal(p.features, undefined);
  assert.equal(p.statistics, undefined);
  assert.equal(p.version, '7');
});

void test('the Job: named from the id, owned, MODELSHIP_TRIGGER fixed, no retry, bounded by timeoutSeconds', () => {
  const job = renderRetrainingJob({ apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', name: 'iris', uid: 'u1' }, 'team-a', 'rt-abc', {
    image: 'retrain:1',
    env: [{ name: TRIGGER_ENV, value: 'spoofed' }, { name: 'A', value: 'b' }],
    timeoutSeconds: 60,
  }, { id: 'rt-abc' });
  assert.equal(job.metadata.name, 'iris-rt-abc');
  assert.equal(job.metadata.ownerReferences?.[0]?.uid, 'u1');
  assert.equal(job.metadata.labels?.['modelship.io/model-deployment'], undefined, 'not a child the prune phase would delete');
  const spec = job.spec!;
  assert.equal(spec.backoffLimit, 0);
  assert.equal(spec.activeDeadlineSeconds, 60);
  const env = spec.template.spec!.containers[0]!.env!;
  assert.deepEqual(env.filter((e) => e.name === TRIGGER_ENV).map((e) => e.value), ['{"id":"rt-abc"}']);
  assert.ok(env.some((e) => e.name === 'A'));
});

void test('backoff doubles from 10 s to at most 10 minutes', () => {
  assert.deepEqual([1, 2, 3, 7, 100].map(backoffMs), [10_000, 20_000, 40_000, 600_000, 600_000]);
});
