// A month-long A/B test: a canary held by `pause: {duration: 720h}` rests. The pause is longer than a Node
// timer can wait (~24.8 days), which once fired the requeue after 1 ms and reconciled the object in a loop;
// the requeue is now capped (src/kube/timer-delay.ts), so at rest the operator neither reconciles nor writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { createModelDeployment, mdRef, modelWithRollout, readyForGeneration, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'long-pause');
const operator = await startInProcessOperator(kc, [namespace]);

type Md = ModelDeploymentObject & { status?: { canary?: { phase?: string; weight?: number; step?: number; version?: string } } };
const get = () => client.get<Md>(mdRef(namespace, 'ab-month'));

test('a canary paused for 720h rests: no reconcile and no write in a minute, and the pause holds', { timeout: 300_000 }, async () => {
  await createModelDeployment(client, namespace, modelWithRollout('ab-month', { strategy: 'canary', steps: [{ weight: 50 }, { pause: { duration: '720h' } }, { weight: 100 }] }));
  await readyForGeneration(client, namespace, 'ab-month');
  await client.mergePatch(mdRef(namespace, 'ab-month'), { spec: { model: { version: '2', uri: 's3://models/ab-month/2' } } });
  await eventually('the canary to reach its 720h pause', get, (md) => md?.status?.canary?.step === 1 && md.status.canary.weight === 50, 60_000);
  // The step's own work settles first (with the replicas provider a stable pod drains for 5 s and goes,
  // its EndpointSlice follows): wait for 10 s without a reconcile, then watch the operator rest.
  let last = operator.controller.reconciles;
  await eventually('the operator to settle at the pause', async () => {
    await new Promise((r) => setTimeout(r, 10_000));
    const quiet = operator.controller.reconciles === last;
    last = operator.controller.reconciles;
    return quiet;
  }, (quiet) => quiet, 90_000, 0);
  const reconcilesBefore = operator.controller.reconciles;
  const writesBefore = operator.writes().length;
  await new Promise((r) => setTimeout(r, 60_000));
  const reconciles = operator.controller.reconciles - reconcilesBefore;
  const writes = operator.writes().slice(writesBefore);
  assert.ok(reconciles <= 1, `${reconciles} reconciles in a minute at rest (at most one per requeue cap of an hour)`);
  assert.deepEqual(writes, [], 'no writes at rest');
  const md = await get();
  assert.equal(md?.status?.canary?.step, 1, 'still at the pause');
  assert.equal(md?.status?.canary?.weight, 50);
  assert.equal(md?.status?.canary?.version, '2');
});
