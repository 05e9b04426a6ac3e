// Canary and A/B traffic through a real gateway: the operator writes the HTTPRoute, Traefik splits real
// requests, a header cohort lands on the canary, and promote/abort switch traffic without failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomialRange, countBy, dataPathCluster, gatewayFailures, routed, send, sendMany, type Reply } from '../support/data-path.ts';
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
const namespace = await testNamespace(kc, 'traffic');
await startInProcessOperator(kc, [namespace]);
const gateway = dataPath.gateway;
assert.ok(gateway, 'the data path has a gateway');
const url = dataPath.gatewayUrl;

type Md = ModelDeploymentObject & { status?: { canary?: { phase?: string; version?: string }; stable?: { version?: string } } };
const get = () => client.get<Md>(mdRef(namespace, 'fraud'));
const setVersion = (v: string) => client.mergePatch(mdRef(namespace, 'fraud'), { spec: { model: { version: v, uri: `s3://models/fraud/${v}` } } });
const annotate = (action: string, id: string) => client.mergePatch(mdRef(namespace, 'fraud'), { metadata: { annotations: { [`modelship.io/${action}`]: id } } });
const cohort = { 'x-model-variant': 'canary' };

/** Sends requests until `during` resolves (bounded: at most 5000), returning every reply. */
async function trafficDuring(during: Promise<unknown>): Promise<Reply[]> {
  const replies: Reply[] = [];
  let done = false;
  void during.finally(() => (done = true));
  const worker = async () => {
    while (!done && replies.length < 5000) replies.push(await send(url));
  };
  await Promise.all([during, ...Array.from({ length: 4 }, worker)]);
  return replies;
}

test('the gateway-api provider splits real traffic by step, pins a cohort, and switches without failures', { timeout: 300_000 }, async () => {
  await createModelDeployment(
    client,
    namespace,
    modelWithRollout('fraud', {
      strategy: 'canary',
      steps: [{ weight: 20 }, { pause: {} }],
      scaleDownDelaySeconds: 2,
      traffic: {
        provider: 'gateway-api',
        gateway: gatewayRef(gateway),
        match: [{ headers: cohort }],
      },
    }),
  );
  await eventually('version 1 Ready', get, (md) => conditionOf(md, 'Ready')?.status === 'True', 60_000);
  await routed(url, (replies) => replies.every((r) => r.status === 200 && r.version === '1'));

  // Step 1: 20% to the canary, measured on real requests.
  await setVersion('2');
  await eventually('the canary to hold at 20%', get, (md) => md?.status?.canary?.phase === 'Paused', 90_000);
  await routed(url, (replies) => replies.some((r) => r.variant === 'canary'));
  const n = 2000;
  const split = await sendMany(url, n, { concurrency: 8 });
  assert.equal(split.filter((r) => r.status !== 200).length, 0, 'no failed request');
  const byVariant = countBy(split, (r) => r.variant);
  const range = binomialRange(n, 0.2);
  assert.ok((byVariant.canary ?? 0) >= range.low && (byVariant.canary ?? 0) <= range.high, `canary got ${byVariant.canary} of ${n}, expected ${range.low}..${range.high}`);
  assert.ok(split.every((r) => (r.variant === 'canary' ? r.version === '2' : r.version === '1')), 'each variant serves its own version');

  // The A/B cohort: every matched request lands on the canary.
  const pinned = await sendMany(url, 200, { headers: cohort });
  assert.deepEqual(countBy(pinned, (r) => `${r.status} ${r.variant}`), { '200 canary': 200 });

  // Promote under load: no request fails while traffic moves and the old pods go.
  const promotion = trafficDuring(
    (async () => {
      await annotate('promote', 'e2e-1');
      await eventually('promotion', get, (md) => md?.status?.stable?.version === '2' && md.status.canary === undefined && conditionOf(md, 'Ready')?.status === 'True', 120_000);
    })(),
  );
  const duringPromotion = await promotion;
  assert.ok(duringPromotion.length >= 20, `traffic flowed during the promotion (${duringPromotion.length} requests)`);
  const failedDuringPromotion = duringPromotion.filter((r) => r.status !== 200).length;
  // The gateway's log is read only when there is something to explain.
  assert.equal(failedDuringPromotion, 0, `failed requests during promotion: ${JSON.stringify(countBy(duringPromotion, (r) => String(r.status)))}${failedDuringPromotion > 0 ? gatewayFailures(dataPath) : ''}`);
  await routed(url, (replies) => replies.every((r) => r.status === 200 && r.version === '2' && r.variant === 'stable'));

  // Abort under load: the canary's share drops to zero at once, again without failures.
  await setVersion('3');
  await eventually('a canary of version 3', get, (md) => md?.status?.canary?.phase === 'Paused' && md.status.canary.version === '3', 90_000);
  await routed(url, (replies) => replies.some((r) => r.version === '3'));
  const abort = trafficDuring(
    (async () => {
      await annotate('abort', 'e2e-2');
      await eventually('the abort', get, (md) => md?.status?.canary?.phase === 'Aborted', 60_000);
      await routed(url, (replies) => replies.every((r) => r.version === '2'));
    })(),
  );
  const duringAbort = await abort;
  assert.ok(duringAbort.length >= 20, `traffic flowed during the abort (${duringAbort.length} requests)`);
  const failedDuringAbort = duringAbort.filter((r) => r.status !== 200).length;
  // The gateway's log is read only when there is something to explain.
  assert.equal(failedDuringAbort, 0, `failed requests during abort: ${JSON.stringify(countBy(duringAbort, (r) => String(r.status)))}${failedDuringAbort > 0 ? gatewayFailures(dataPath) : ''}`);
  const after = await sendMany(url, 200);
  assert.deepEqual(countBy(after, (r) => `${r.status} ${r.version}`), { '200 2': 200 }, 'after the abort only stable (version 2) serves');
});
