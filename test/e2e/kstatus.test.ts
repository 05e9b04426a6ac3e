// What Helm 4 and Flux conclude about a ModelDeployment: the real kstatus library (the kstatus tool, built from
// the version helm pins) reads objects from the real control plane in each state a GitOps tool waits on.
// src/status/kstatus.ts must agree with it. RECORD_STATUS_FIXTURES=1 also writes the objects to
// test/fixtures/status, where the Argo CD health check's unit test reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, modelWithRollout, readyForGeneration, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import { computeKStatus, type KStatusResult } from '../support/kstatus.ts';
import { recordStatusFixture } from '../support/status-fixtures.ts';
import { kstatusOf } from '../../src/status/kstatus.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const cluster = await sharedCluster();
await installCrds(cluster, { routers: false });
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'kstatus');
await startInProcessOperator(kc, [namespace]);

type Md = ModelDeploymentObject & { status?: { canary?: { phase?: string; version?: string } } };
const get = (name: string, ns = namespace) => client.get<Md>(mdRef(ns, name));

/** kstatus' verdict on the object, checked against ours (src/status/kstatus.ts) on the way. */
async function kstatus(md: Md | undefined): Promise<KStatusResult> {
  assert.ok(md, 'the ModelDeployment exists');
  const [result] = await computeKStatus(cluster.toolsDir, [md]);
  assert.ok(result, 'kstatus printed a result');
  const ours = kstatusOf({ metadata: md.metadata?.generation === undefined ? {} : { generation: md.metadata.generation }, ...(md.status ? { status: md.status } : {}) });
  assert.equal(ours, result.status, `src/status/kstatus.ts agrees with kstatus (${result.message})`);
  return result;
}

function mlserver(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name },
    spec: { model: { name, version: '1', uri: `s3://models/${name}/1`, format: 'sklearn' }, runtime: { preset: 'mlserver', ...extra }, replicas: 2 },
  };
}

test('before the operator writes a status, kstatus has nothing to go on and says Current', async () => {
  // A known limit of kstatus for custom resources (the Argo CD health check says Progressing instead):
  // shown on a namespace no operator watches, so the object keeps no status.
  const unwatched = await testNamespace(kc, 'kstatus-unwatched');
  await createModelDeployment(client, unwatched, mlserver('fresh'));
  const md = await get('fresh', unwatched);
  assert.equal(md?.status, undefined);
  assert.equal((await kstatus(md)).status, 'Current');
});

test('while replicas are on their way: InProgress', async () => {
  // No node matches the selector, so the pods stay Pending and the rollout takes as long as the test needs.
  await createModelDeployment(client, namespace, mlserver('reconciling', { nodeSelector: { 'modelship.io/test-no-such-node': 'true' } }));
  const md = await eventually(
    'Reconciling=True for the current generation',
    () => get('reconciling'),
    (m) => conditionOf(m, 'Reconciling')?.status === 'True' && m?.status?.observedGeneration === m?.metadata?.generation,
  );
  const result = await kstatus(md);
  assert.equal(result.status, 'InProgress');
  assert.equal(result.message, conditionOf(md, 'Reconciling')?.message, 'kstatus passes on the Reconciling message');
  recordStatusFixture('reconciling', md!, namespace);
});

test('Ready: Current', async () => {
  await createModelDeployment(client, namespace, mlserver('ready'));
  const md = await readyForGeneration(client, namespace, 'ready');
  assert.equal((await kstatus(md)).status, 'Current');
  recordStatusFixture('ready', md!, namespace);
});

test('a canary paused for promotion: InProgress; aborted: Failed', async () => {
  const name = 'canary';
  await createModelDeployment(client, namespace, modelWithRollout(name, { strategy: 'canary', steps: [{ weight: 25 }, { pause: {} }], scaleDownDelaySeconds: 1 }, 4));
  await readyForGeneration(client, namespace, name);
  await client.mergePatch(mdRef(namespace, name), { spec: { model: { version: '2', uri: `s3://models/${name}/2` } } });
  const paused = await eventually('the canary to pause for promotion', () => get(name), (m) => m?.status?.canary?.phase === 'Paused', 90_000);
  assert.equal((await kstatus(paused)).status, 'InProgress', 'a held canary is work under way, not done');
  recordStatusFixture('canary-paused', paused!, namespace);

  await client.mergePatch(mdRef(namespace, name), { metadata: { annotations: { 'modelship.io/abort': 'kstatus-e2e' } } });
  const aborted = await eventually('the abort', () => get(name), (m) => m?.status?.canary?.phase === 'Aborted' && conditionOf(m, 'Stalled')?.status === 'True', 60_000);
  const result = await kstatus(aborted);
  assert.equal(result.status, 'Failed', 'an aborted canary needs a person (a Git revert or a retry)');
  assert.equal(result.message, conditionOf(aborted, 'Stalled')?.message);
  recordStatusFixture('canary-aborted', aborted!, namespace);
});

test('an image that cannot be pulled: Failed', async () => {
  const name = 'stalled';
  await createModelDeployment(client, namespace, {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name },
    spec: {
      model: { name, version: '1', uri: 'https://models.example.com/m.bin', format: 'custom' },
      runtime: { preset: 'custom', image: 'unpullable.invalid/scorer:1' },
      replicas: 1,
    },
  });
  const md = await eventually('Stalled=True', () => get(name), (m) => conditionOf(m, 'Stalled')?.status === 'True' && m?.status?.observedGeneration === m?.metadata?.generation);
  assert.equal(conditionOf(md, 'Stalled')?.reason, 'ImagePullBackOff');
  const result = await kstatus(md);
  assert.equal(result.status, 'Failed');
  assert.equal(result.message, conditionOf(md, 'Stalled')?.message);
  recordStatusFixture('stalled-image-pull', md!, namespace);
});
