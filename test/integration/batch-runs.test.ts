// Batch ModelDeployments on the real API server with the real Job controller and garbage collector:
// the operator creates run Jobs on demand and on schedule, skips under Forbid, trims history, reports
// runs that succeed and fail, keeps an active run's template when the model changes, and its Jobs go
// with the ModelDeployment. kwok plays the kubelet: a Job pod exits 0, or 1 when a container's image is
// on fails.invalid/ (test/cluster/kwok/stages.yaml); no runner or model server runs here.
// The schedule runs on the controller's clock, which the test moves a minute at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Job } from '@kubernetes/client-node';
import { BATCH_RUN_REQUESTED_ANNOTATION } from '../../src/api/batch-annotations.ts';
import { LABEL_BATCH_RUN, LABEL_MODEL_VERSION } from '../../src/batch/labels.ts';
import { RUNNER_CONTAINER } from '../../src/batch/run-job.ts';
import { requestBatchRun } from '../../src/cli/cluster-actions.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import { defaultRenderConfig, LABEL_MODEL_DEPLOYMENT } from '../../src/render/index.ts';
import { SERVER_CONTAINER } from '../../src/render/server-container.ts';
import { sharedCluster } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, readyForGeneration, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'batch-runs');
const failing = await testNamespace(kc, 'batch-fail');

// The controller's clock: the wall clock plus an offset the schedule tests move forward.
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);
const operator = await startInProcessOperator(kc, [namespace], { now });
// A second operator whose runner image kwok makes exit 1: every run it starts fails.
const failingOperator = await startInProcessOperator(kc, [failing], { renderConfig: { ...defaultRenderConfig, fetcherImage: 'fails.invalid/modelship:1' } });

const jobRef = (ns: string, name = '') => ({ apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name });

function batchModel(name: string, batch: Record<string, unknown> = {}, version = '1'): Record<string, unknown> {
  return {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name },
    spec: {
      mode: 'batch',
      model: { name: 'iris', version, uri: `s3://models/iris/${version}`, format: 'sklearn' },
      runtime: { preset: 'mlserver' },
      batch: { input: { uri: 's3://data/iris/in/', format: 'jsonl' }, output: { uri: 's3://data/iris/out' }, shards: 1, ...batch },
    },
  };
}

async function runs(ns: string, md: string): Promise<V1Job[]> {
  const list = await client.list<V1Job & { metadata?: { name?: string } }>(jobRef(ns), { labelSelector: `${LABEL_MODEL_DEPLOYMENT}=${md},${LABEL_BATCH_RUN}` });
  return list.items.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}

const read = (ns: string, name: string) => client.get<ModelDeploymentObject>(mdRef(ns, name));
const eventsOf = (op: typeof operator, name: string, reason: string) => op.events.filter((e) => e.name === name && e.reason === reason);
const finished = (j: V1Job) => j.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') === true;

/** Moves the controller's clock just past the next whole minute and has every ModelDeployment reconciled. */
function nextMinute(): Date {
  const t = now().getTime();
  offsetMs += 60_000 - (t % 60_000) + 2_000;
  operator.controller.forceResync();
  const minute = new Date(now().getTime() - 2_000);
  return new Date(Math.floor(minute.getTime() / 60_000) * 60_000);
}

const stamp = (d: Date) => d.toISOString().slice(0, 16).replace(/[-T:]/g, '');

test('a batch ModelDeployment owns no serving objects; a run request starts exactly one Job with the runner and the server sidecar, which succeeds', async () => {
  await createModelDeployment(client, namespace, batchModel('on-demand'));
  const ready = await readyForGeneration(client, namespace, 'on-demand');
  assert.match(conditionOf(ready, 'Ready')!.message, /on demand/);
  assert.equal(await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'on-demand-stable' }), undefined);
  assert.equal(await client.get({ apiVersion: 'v1', kind: 'Service', namespace, name: 'on-demand' }), undefined);
  assert.deepEqual(await runs(namespace, 'on-demand'), [], 'no run before one is asked for');

  const run = await requestBatchRun(client, namespace, 'on-demand', () => {});
  const [job] = await eventually('the run Job', () => runs(namespace, 'on-demand'), (js) => js.length === 1);
  assert.equal(job!.metadata!.name, run, 'the CLI names the run the operator starts');
  const pod = job!.spec!.template.spec!;
  const runner = pod.containers.find((c) => c.name === RUNNER_CONTAINER)!;
  assert.deepEqual(runner.args!.slice(0, 3), ['batch', '--input', 's3://data/iris/in/']);
  assert.ok(runner.args!.includes(`s3://data/iris/out/${run}`));
  const sidecar = pod.initContainers!.find((c) => c.name === SERVER_CONTAINER);
  assert.equal(sidecar?.restartPolicy, 'Always');
  assert.equal(job!.metadata!.ownerReferences?.[0]?.name, 'on-demand');

  const done = await eventually(
    'the run to be reported succeeded',
    () => read(namespace, 'on-demand'),
    (md) => md?.status?.batch?.lastSuccessfulRun?.name === run && conditionOf(md, 'LastRunSucceeded')?.status === 'True',
    90_000,
  );
  assert.equal(done!.status!.batch!.lastHandledRunRequest, (done!.metadata?.annotations ?? {})[BATCH_RUN_REQUESTED_ANNOTATION]);
  assert.equal(done!.status!.batch!.runs?.[0]?.phase, 'Succeeded');
  assert.equal(done!.status!.batch!.currentRun, undefined);
  assert.equal(conditionOf(done, 'Ready')?.status, 'True');
  await eventually('RunStarted and RunSucceeded', () => Promise.resolve(operator.events), () => eventsOf(operator, 'on-demand', 'RunSucceeded').length === 1);
  // Handled: no second run for the same request, and each Event once.
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal((await runs(namespace, 'on-demand')).length, 1);
  assert.equal(eventsOf(operator, 'on-demand', 'RunStarted').length, 1);
  assert.equal(eventsOf(operator, 'on-demand', 'RunSucceeded').length, 1);
});

test('a one-minute schedule starts a run each minute, and keepRuns trims the finished ones', async () => {
  await createModelDeployment(client, namespace, batchModel('every-minute', { schedule: '* * * * *', keepRuns: 2 }));
  await readyForGeneration(client, namespace, 'every-minute');
  const names: string[] = [];
  for (let i = 0; i < 4; i++) {
    const minute = nextMinute();
    const name = `every-minute-${stamp(minute)}`;
    names.push(name);
    await eventually(`run ${name} to succeed`, () => read(namespace, 'every-minute'), (md) => md?.status?.batch?.lastSuccessfulRun?.name === name, 90_000);
  }
  // The clock also runs on its own: a run may start at a minute this test did not move to. The two
  // newest are kept either way, and the newest is the last one this test asked for.
  const kept = await eventually('history trimmed to keepRuns', () => runs(namespace, 'every-minute'), (js) => js.length === 2, 30_000);
  assert.equal(kept[1]!.metadata!.name, names[3]);
  assert.ok(kept.every(finished));
  const md = await read(namespace, 'every-minute');
  assert.equal(md?.status?.batch?.runs?.length, 2);
  assert.equal(md?.status?.batch?.runs?.[0]?.name, names[3]);
  const { lastScheduleTime, nextScheduleTime } = md?.status?.batch ?? {};
  assert.ok(lastScheduleTime !== undefined && nextScheduleTime !== undefined && nextScheduleTime > lastScheduleTime);
  for (const name of names) assert.equal(eventsOf(operator, 'every-minute', 'RunStarted').filter((e) => e.message.includes(name)).length, 1, name);
  await client.delete(mdRef(namespace, 'every-minute')); // its schedule would run with every later minute
});

test('Forbid: a time due while a run is active is skipped with RunSkipped; a new model version leaves the active run alone and the next run uses it', async () => {
  // queueName: the Job is created suspended for Kueue; with no Kueue here it stays active.
  await createModelDeployment(client, namespace, batchModel('held', { schedule: '* * * * *', queueName: 'held' }));
  await readyForGeneration(client, namespace, 'held');
  nextMinute();
  const [active] = await eventually('the first run', () => runs(namespace, 'held'), (js) => js.length === 1);
  const first = active!.metadata!.name!;
  assert.equal(active!.spec!.suspend, true);
  assert.equal(active!.metadata!.labels![LABEL_MODEL_VERSION], '1');

  await client.mergePatch(mdRef(namespace, 'held'), { spec: { model: { version: '2', uri: 's3://models/iris/2' } } });
  const skippedBefore = eventsOf(operator, 'held', 'RunSkipped').length;
  const skippedAt = nextMinute();
  await eventually('RunSkipped', () => Promise.resolve(operator.events), () => eventsOf(operator, 'held', 'RunSkipped').length > skippedBefore);
  assert.match(eventsOf(operator, 'held', 'RunSkipped').at(-1)!.message, new RegExp(first));
  const md = await eventually('the skipped time recorded', () => read(namespace, 'held'), (m) => (m?.status?.batch?.lastScheduleTime ?? '') >= skippedAt.toISOString().replace('.000Z', 'Z'));
  assert.equal(md?.status?.batch?.currentRun?.name, first);
  assert.equal(md?.status?.batch?.currentRun?.modelVersion, '1');
  const still = await runs(namespace, 'held');
  assert.equal(still.length, 1, 'no second run while one is active');
  assert.equal(still[0]!.metadata!.name, first);
  assert.equal(still[0]!.metadata!.labels![LABEL_MODEL_VERSION], '1', 'the active run keeps its version');
  assert.ok(still[0]!.spec!.template.spec!.containers[0]!.args!.join(' ').includes('--model-version 1'));

  // Let the first run go (as Kueue would admit it); once it ended, the next run scores with version 2.
  await client.mergePatch(mdRef(namespace, 'held'), { spec: { batch: { queueName: null } } });
  await client.mergePatch(jobRef(namespace, first), { spec: { suspend: false } });
  await eventually('the first run to end', () => runs(namespace, 'held'), (js) => js.some((j) => j.metadata!.name === first && finished(j)), 90_000);
  nextMinute();
  const all = await eventually('a next run', () => runs(namespace, 'held'), (js) => js.some((j) => j.metadata!.name !== first));
  for (const next of all.filter((j) => j.metadata!.name !== first)) {
    assert.equal(next.metadata!.labels![LABEL_MODEL_VERSION], '2');
    assert.ok(next.spec!.template.spec!.containers[0]!.args!.join(' ').includes('--model-version 2'));
  }
});

test('a failed run: LastRunSucceeded=False with the reason, RunFailed once, and Ready stays True', async () => {
  await createModelDeployment(client, failing, batchModel('flaky', { retries: { perShard: 0 } }));
  await readyForGeneration(client, failing, 'flaky');
  await client.mergePatch(mdRef(failing, 'flaky'), { metadata: { annotations: { [BATCH_RUN_REQUESTED_ANNOTATION]: 'first' } } });
  const md = await eventually('the run to be reported failed', () => read(failing, 'flaky'), (m) => conditionOf(m, 'LastRunSucceeded')?.status === 'False', 90_000);
  const condition = conditionOf(md, 'LastRunSucceeded')!;
  assert.notEqual(condition.reason, 'RunSucceeded');
  assert.match(condition.message, /failed/);
  assert.equal(md?.status?.batch?.runs?.[0]?.phase, 'Failed');
  assert.equal(conditionOf(md, 'Ready')?.status, 'True', 'a failed run does not make the ModelDeployment unready');
  await eventually('RunFailed', () => Promise.resolve(failingOperator.events), () => eventsOf(failingOperator, 'flaky', 'RunFailed').length === 1);
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(eventsOf(failingOperator, 'flaky', 'RunFailed').length, 1);
  assert.equal(eventsOf(failingOperator, 'flaky', 'RunFailed')[0]!.type, 'Warning');
});

test('a realtime ModelDeployment switched to batch loses its serving objects; deleting it removes its run Jobs', async () => {
  await createModelDeployment(client, namespace, {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name: 'switch' },
    spec: { model: { name: 'iris', version: '1', uri: 's3://models/iris/1', format: 'sklearn' }, runtime: { preset: 'mlserver' }, replicas: 1 },
  });
  await eventually('the realtime Deployment', () => client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'switch-stable' }), (d) => d !== undefined);
  const batch = (batchModel('switch').spec as { batch: unknown }).batch;
  await client.mergePatch(mdRef(namespace, 'switch'), { spec: { mode: 'batch', batch } });
  await eventually('the Deployment pruned', () => client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'switch-stable' }), (d) => d === undefined);
  await eventually('the Service pruned', () => client.get({ apiVersion: 'v1', kind: 'Service', namespace, name: 'switch' }), (s) => s === undefined);
  await readyForGeneration(client, namespace, 'switch');

  await client.mergePatch(mdRef(namespace, 'switch'), { metadata: { annotations: { [BATCH_RUN_REQUESTED_ANNOTATION]: 'go' } } });
  await eventually('a run Job', () => runs(namespace, 'switch'), (js) => js.length === 1);
  await client.delete(mdRef(namespace, 'switch'));
  await eventually('its Jobs garbage-collected', () => runs(namespace, 'switch'), (js) => js.length === 0, 60_000);
});
