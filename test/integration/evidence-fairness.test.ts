// Fairness of evidence gathering on the real data path: three canaries in namespace A whose pods answer
// the smoke check only after 60 s do not delay another ModelDeployment. A fresh ModelDeployment in
// namespace B goes Ready while all three checks are still in flight, about as fast as the same
// ModelDeployment did on the idle operator a moment before (both measured in this run), and the 30 s
// deadline, counted from each check's start, fails the slow checks long before their pods would answer.
//
// The operator runs as many reconcile workers as there are slow canaries (3): had a smoke check held a
// worker, as it did before the gatherer, B's reconciles would wait behind them for the checks' end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { dataPathCluster, inferBody } from '../support/data-path.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { chartServiceAccount } from '../support/chart-service-account.ts';
import { conditionOf, createModelDeployment, mdRef, modelWithRollout, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';

const cluster = await dataPathCluster();
const { dataPath } = cluster;
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const slowNs = await testNamespace(kc, 'fair-a');
const otherNs = await testNamespace(kc, 'fair-b');
// As the chart's ServiceAccount: the operator's rights on a shared cluster.
const operator = await startInProcessOperator(await chartServiceAccount(cluster), [slowNs, otherNs], { concurrency: 3 });

type Md = ModelDeploymentObject & { status?: ModelDeploymentStatus };
const get = (namespace: string, name: string) => () => client.get<Md>(mdRef(namespace, name));
const SLOW = ['slow-1', 'slow-2', 'slow-3'];
const ANSWER_AFTER_MS = 60_000;

const smokeChecked = (name: string, replicas = 1) =>
  modelWithRollout(
    name,
    {
      strategy: 'canary',
      steps: [{ weight: 50 }, { pause: {} }],
      scaleDownDelaySeconds: 1,
      // A router keeps the canary at weight 0 while it is validated (istio: weights read back as applied).
      traffic: { provider: 'istio' },
      // The slowest answer the API allows: each request may wait 61 s, so only the gatherer's 30 s deadline ends the check.
      validation: { smoke: { samples: { configMap: 'samples' }, maxLatencyMs: 60_000 } },
    },
    replicas,
  );

/** Smoke-check requests each of A's canary pods has received (counted on arrival, answered or not). */
async function canaryRequests(): Promise<Map<string, number>> {
  const stats = await dataPath.simulator.stats();
  const out = new Map<string, number>();
  for (const name of SLOW) {
    const pods = await core.listNamespacedPod({ namespace: slowNs, labelSelector: `modelship.io/model-deployment=${name},modelship.io/variant=canary` });
    for (const p of pods.items) out.set(`${name}/${p.metadata?.name}`, stats.find((st) => st.key === `${slowNs}/${p.metadata?.name}`)?.infer ?? 0);
  }
  return out;
}

/** Creates a ModelDeployment in namespace B and the time it took to go Ready, in ms. */
async function timeToReady(name: string): Promise<number> {
  const started = performance.now();
  await createModelDeployment(client, otherNs, { ...modelWithRollout(name, { strategy: 'immediate' }, 1) });
  await eventually(`${name} Ready`, get(otherNs, name), (md) => conditionOf(md, 'Ready')?.status === 'True', 60_000, 50);
  return performance.now() - started;
}

test('three canaries whose pods answer after 60 s do not delay a ModelDeployment of another namespace', { timeout: 180_000 }, async () => {
  await core.createNamespacedConfigMap({ namespace: slowNs, body: { metadata: { name: 'samples' }, data: { 'samples.json': JSON.stringify([inferBody]) } } });
  await Promise.all(SLOW.map((name) => createModelDeployment(client, slowNs, smokeChecked(name))));
  await Promise.all(SLOW.map((name) => eventually(`${name} version 1 Ready`, get(slowNs, name), (md) => conditionOf(md, 'Ready')?.status === 'True', 60_000)));

  // (a) The baseline: the operator idle, A's canaries not started.
  const idleMs = await timeToReady('idle');

  // A's canaries: version 2, whose pods take 60 s per answer (the pod simulator's SIMULATED_LATENCY_MS).
  const slowEnv = [{ name: 'SIMULATED_LATENCY_MS', value: String(ANSWER_AFTER_MS) }];
  await Promise.all(
    SLOW.map((name) => client.mergePatch(mdRef(slowNs, name), { spec: { model: { version: '2', uri: `s3://models/${name}/2` }, runtime: { preset: 'mlserver', env: slowEnv } } })),
  );
  // In flight: every canary pod of the three has its sample request (and will not answer for 60 s).
  await eventually('the three smoke checks in flight', canaryRequests, (m) => m.size === SLOW.length && [...m.values()].every((n) => n === 1), 60_000, 50);
  const checksStarted = performance.now();

  // (b) The same ModelDeployment, now that A's three smoke checks are pending.
  const busyMs = await timeToReady('busy');
  const stillValidating = await Promise.all(SLOW.map((name) => get(slowNs, name)()));
  const sinceChecks = performance.now() - checksStarted;
  console.log(
    `fairness: idle operator ${Math.round(idleMs)} ms to Ready; with 3 smoke checks pending ${Math.round(busyMs)} ms ` +
      `(Ready ${Math.round(sinceChecks)} ms after the checks were in flight)`,
  );
  for (const md of stillValidating) {
    const name = md?.metadata?.name;
    assert.equal(md?.status?.analysis?.phase, 'Validating', `${name}: ${JSON.stringify(md?.status?.analysis)}`);
    assert.equal(md?.status?.analysis?.validation?.phase, 'Running', name);
    assert.equal(md?.status?.canary?.weight ?? 0, 0, name);
  }
  assert.ok(sinceChecks < 25_000, `B was Ready ${Math.round(sinceChecks)} ms after the checks started, before their deadline`);
  assert.ok(busyMs < idleMs + 5_000, `B took ${Math.round(busyMs)} ms beside the slow checks, ${Math.round(idleMs)} ms on the idle operator`);

  // The deadline, not the pods, ends the checks: each fails at about 30 s, never waiting the 60 s.
  const failed = await Promise.all(
    SLOW.map((name) =>
      eventually(`${name} ValidationFailed`, get(slowNs, name), (md) => md?.status?.analysis?.validation?.phase === 'Failed', 60_000, 200),
    ),
  );
  const failedAfter = performance.now() - checksStarted;
  console.log(`fairness: the three smoke checks failed ${Math.round(failedAfter)} ms after they started`);
  for (const md of failed) {
    assert.equal(md?.status?.analysis?.validation?.message, 'smoke check: no result within 30 s');
    assert.equal(conditionOf(md, 'Stalled')?.reason, 'ValidationFailed');
    assert.ok(operator.events.some((e) => e.name === md?.metadata?.name && e.reason === 'ValidationFailed'), md?.metadata?.name);
  }
  assert.ok(failedAfter < ANSWER_AFTER_MS - 10_000, `failed ${Math.round(failedAfter)} ms after the start, not when the pods answered`);
  assert.ok([...(await canaryRequests()).values()].every((n) => n === 1), 'one request per pod: the failed checks were not sent again');
});
