// The status of a batch ModelDeployment: kstatus conditions without the serving fields, Ready unaffected
// by a failed run, LastRunSucceeded from the plan, and a failed apply still reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelDeploymentStatus } from '../../../src/api/index.ts';
import type { BatchPlan } from '../../../src/batch/reconcile-batch.ts';
import { batchModeStatus } from '../../../src/controller/batch-mode.ts';
import type { Target } from '../../../src/controller/phases/load.ts';

const NOW = '2026-05-01T10:00:00Z';

function target(previous?: ModelDeploymentStatus, schedule?: string): Target {
  return {
    key: 'ns/scoring',
    namespace: 'ns',
    name: 'scoring',
    generation: 3,
    md: { metadata: { name: 'scoring' }, status: previous },
    spec: { mode: 'batch', batch: { ...(schedule !== undefined ? { schedule } : {}), suspend: false } },
  } as unknown as Target;
}

function plan(condition: BatchPlan['condition']): BatchPlan {
  return { delete: [], status: {}, condition, events: [], requeueAfterMs: undefined };
}

const cond = (s: ModelDeploymentStatus, type: string) => s.conditions?.find((c) => c.type === type);

test('set up: Ready=True saying when runs start, no Serving condition, no url or replicas', () => {
  const previous: ModelDeploymentStatus = { url: 'http://scoring.ns.svc.cluster.local', replicas: 2, readyReplicas: 2 };
  const s = batchModeStatus(target(previous, '0 2 * * *'), undefined, [], plan(undefined), { lastScheduleTime: NOW }, NOW);
  assert.equal(cond(s, 'Ready')?.status, 'True');
  assert.match(cond(s, 'Ready')!.message, /on schedule "0 2 \* \* \*"/);
  assert.equal(cond(s, 'Serving'), undefined);
  assert.equal(s.url, undefined);
  assert.equal(s.replicas, undefined);
  assert.equal(s.observedGeneration, 3);
  assert.deepEqual(s.batch, { lastScheduleTime: NOW });
  assert.equal(cond(s, 'LastRunSucceeded'), undefined);
});

test('a failed run: LastRunSucceeded=False with the Job reason, Ready stays True', () => {
  const s = batchModeStatus(target(), undefined, [], plan({ type: 'LastRunSucceeded', status: 'False', reason: 'FailedIndexes', message: 'run x failed' }), undefined, NOW);
  assert.equal(cond(s, 'Ready')?.status, 'True');
  assert.deepEqual([cond(s, 'LastRunSucceeded')?.status, cond(s, 'LastRunSucceeded')?.reason], ['False', 'FailedIndexes']);
  const ok = batchModeStatus(target(s), undefined, [], plan({ type: 'LastRunSucceeded', status: 'True', reason: 'whatever', message: 'run y succeeded' }), undefined, NOW);
  assert.deepEqual([cond(ok, 'LastRunSucceeded')?.status, cond(ok, 'LastRunSucceeded')?.reason], ['True', 'RunSucceeded']);
});

test('a run that could not be created and a spec that cannot be rendered are not Ready', () => {
  const refused = batchModeStatus(target(), undefined, [{ kind: 'Job', name: 'scoring-m1', message: 'forbidden', code: 403 }], plan(undefined), undefined, NOW);
  assert.equal(cond(refused, 'Ready')?.status, 'False');
  assert.equal(cond(refused, 'Stalled')?.status, 'True');
  const unrenderable = batchModeStatus(target(), { code: 'UnsupportedFormat', field: 'spec.model.format', message: 'no' }, [], undefined, undefined, NOW);
  assert.equal(cond(unrenderable, 'Ready')?.status, 'False');
  assert.equal(cond(unrenderable, 'Stalled')?.reason, 'UnsupportedFormat');
});
