// Shadow traffic through a real gateway with the traefik provider: Traefik v3.6 does not implement the
// Gateway API RequestMirror filter, so modelship routes the HTTPRoute to its own TraefikServices (a
// weighted split, mirrored to the canary). At weight 0 every response comes from stable while the canary
// receives a copy of each request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countBy, dataPathCluster, inferCountsByVariant, routed, sendMany, settledCounts } from '../support/data-path.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, gatewayRef, modelWithRollout, mdRef, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const cluster = await dataPathCluster();
const { dataPath } = cluster;
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'traefik-mirror');
await startInProcessOperator(kc, [namespace]);
const gateway = dataPath.gateway;
assert.ok(gateway, 'the data path has a gateway');
const url = dataPath.gatewayUrl;

type Md = ModelDeploymentObject & {
  status?: {
    canary?: { phase?: string; version?: string; weight?: number };
    stable?: { version?: string };
    traffic?: { variant: string; weight: number; exact: boolean }[];
    trafficSummary?: string;
  };
};
const get = () => client.get<Md>(mdRef(namespace, 'fraud'));
const inferCounts = async () => {
  const counts = await inferCountsByVariant(dataPath, namespace);
  return { stable: counts.stable ?? 0, canary: counts.canary ?? 0 };
};

test('the traefik provider mirrors stable traffic to the canary while every response comes from stable', { timeout: 300_000 }, async () => {
  await createModelDeployment(
    client,
    namespace,
    modelWithRollout('fraud', {
      strategy: 'canary',
      steps: [{ weight: 0 }, { pause: {} }],
      scaleDownDelaySeconds: 2,
      traffic: {
        provider: 'traefik',
        gateway: gatewayRef(gateway),
        mirror: { percent: 100 },
      },
    }),
  );
  await eventually('version 1 Ready', get, (md) => conditionOf(md, 'Ready')?.status === 'True', 60_000);
  await routed(url, (replies) => replies.every((r) => r.status === 200 && r.version === '1'));

  await client.mergePatch(mdRef(namespace, 'fraud'), { spec: { model: { version: '2', uri: 's3://models/fraud/2' } } });
  // The step to weight 0 needs no ready canary, so Paused can come first; the mirror starts once the canary
  // pods serve (the plan mirrors only to a canary that is ready), which the summary then says.
  const paused = await eventually(
    'the canary to hold at weight 0 with the mirror on',
    get,
    (md) => md?.status?.canary?.phase === 'Paused' && md.status.trafficSummary?.includes('mirror') === true,
    90_000,
  );
  assert.ok(paused);
  assert.deepEqual(paused.status?.traffic, [
    { variant: 'stable', weight: 100, exact: true },
    { variant: 'canary', weight: 0, exact: true },
  ]);
  assert.equal(paused.status?.trafficSummary, 'stable=100 canary=0 mirror=100%');
  // The mirror is in place (Traefik reloaded the TraefikServices) once the canary receives copies of probes.
  await routed(url, (replies) => replies.every((r) => r.status === 200 && r.variant === 'stable'));
  const probeStart = await inferCounts();
  await eventually(
    'the canary to receive mirrored copies',
    async () => {
      await sendMany(url, 4, { concurrency: 1 });
      return inferCounts();
    },
    (c) => c.canary > probeStart.canary,
    30_000,
  );
  // Counted once no mirrored copy of earlier requests is still on its way.
  const settled = () => settledCounts(inferCounts);

  const before = await settled();
  const n = 300;
  const replies = await sendMany(url, n, { concurrency: 8 });
  assert.deepEqual(countBy(replies, (r) => `${r.status} ${r.variant} ${r.version}`), { '200 stable 1': n }, 'every response comes from stable');
  // Mirroring is asynchronous: the copies arrive after the responses.
  const after = await eventually('the mirrored copies to reach the canary', inferCounts, (c) => c.canary - before.canary >= 0.8 * n, 30_000);
  assert.ok(after.stable - before.stable >= n, `stable served ${after.stable - before.stable} of ${n}`);
  assert.ok(after.canary - before.canary <= n, `the canary got ${after.canary - before.canary} copies of ${n} requests`);

  const live = await get();
  assert.ok(live);
  assert.equal(live.status?.canary?.version, '2');
  assert.equal(conditionOf(live, 'Serving')?.status, 'True');
});
