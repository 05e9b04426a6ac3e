// A month-long A/B test: a canary held by `pause: {duration: 720h}` rests. The pause is longer than a Node
// timer can wait (~24.8 days), which once fired the requeue after 1 ms and reconciled the object in a loop;
// the requeue is now capped (src/kube/timer-delay.ts), so at rest the operator looks once an hour and writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { createModelDeployment, mdRef, modelWithRollout, readyForGeneration, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import { MAX_REQUEUE_MS } from '../../src/kube/timer-delay.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'long-pause');
const operator = await startInProcessOperator(kc, [namespace]);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const discovery = kc.makeApiClient(DiscoveryV1Api);

type Md = ModelDeploymentObject & { status?: { canary?: { phase?: string; weight?: number; step?: number; version?: string } } };
const get = () => client.get<Md>(mdRef(namespace, 'ab-month'));

test('a canary paused for 720h rests: a forced look writes nothing and the next is an hour away, and the pause holds', { timeout: 300_000 }, async () => {
  await createModelDeployment(client, namespace, modelWithRollout('ab-month', { strategy: 'canary', steps: [{ weight: 50 }, { pause: { duration: '720h' } }, { weight: 100 }] }));
  await readyForGeneration(client, namespace, 'ab-month');
  await client.mergePatch(mdRef(namespace, 'ab-month'), { spec: { model: { version: '2', uri: 's3://models/ab-month/2' } } });
  await eventually('the canary to reach its 720h pause', get, (md) => md?.status?.canary?.step === 1 && md.status.canary.weight === 50, 60_000);
  // The step's own work settles first (with the replicas provider a stable pod drains for 5 s and goes,
  // its EndpointSlice follows): every Deployment rolled out, no pod terminating, the EndpointSlices naming
  // exactly the pods, ready, and a forced look that wrote nothing, leaving the key waiting only for the
  // pause (a step's own waits are seconds; the earliest requeue of a key wins).
  const key = `${namespace}/ab-month`;
  const queue = operator.controller.queue;
  await eventually('the operator to settle at the pause', async () => {
    const [pods, deployments, slices] = await Promise.all([core.listNamespacedPod({ namespace }), apps.listNamespacedDeployment({ namespace }), discovery.listNamespacedEndpointSlice({ namespace })]);
    const podNames = new Set(pods.items.map((p) => p.metadata?.name));
    const endpoints = slices.items.flatMap((sl) => sl.endpoints ?? []);
    const writes = operator.writes().length;
    operator.controller.forceResync();
    await queue.idle();
    return {
      rolledOut: deployments.items.every((d) => d.status?.observedGeneration === d.metadata?.generation && (d.status?.replicas ?? 0) === (d.spec?.replicas ?? 1) && (d.status?.readyReplicas ?? 0) === (d.spec?.replicas ?? 1)),
      terminating: pods.items.filter((p) => p.metadata?.deletionTimestamp).length,
      slicesCaughtUp: endpoints.every((e) => podNames.has(e.targetRef?.name) && e.conditions?.ready === true) && [...podNames].every((n) => endpoints.some((e) => e.targetRef?.name === n)),
      wrote: operator.writes().length - writes,
      delay: queue.delayOf(key),
    };
  }, (s) => s.rolledOut && s.terminating === 0 && s.slicesCaughtUp && s.wrote === 0 && (s.delay ?? 0) > MAX_REQUEUE_MS / 2, 90_000, 500);
  // At rest, proven by a look rather than by a minute of time: a forced resync again reconciles the object,
  // which writes nothing, and its next reconcile is the requeue cap away (a delay past Node's timer
  // limit would have fired after 1 ms, leaving none pending or one of about 0 ms).
  const statusBefore = (await get())?.status;
  const reconcilesBefore = operator.controller.reconciles;
  const writesBefore = operator.writes().length;
  operator.controller.forceResync();
  await queue.idle();
  const reconciles = operator.controller.reconciles - reconcilesBefore;
  const writes = operator.writes().slice(writesBefore);
  assert.ok(reconciles >= 1, 'the resync reconciled the paused object');
  assert.deepEqual(writes, [], `no writes at rest; status before ${JSON.stringify(statusBefore)}, after ${JSON.stringify((await get())?.status)}`);
  const delay = queue.delayOf(key);
  assert.ok(delay !== undefined && delay > MAX_REQUEUE_MS / 2 && delay <= MAX_REQUEUE_MS, `next reconcile in ${delay} ms, expected the ${MAX_REQUEUE_MS} ms cap`);
  const md = await get();
  assert.equal(md?.status?.canary?.step, 1, 'still at the pause');
  assert.equal(md?.status?.canary?.weight, 50);
  assert.equal(md?.status?.canary?.version, '2');
});
