// A model server that cannot start turns into Stalled with the pod's own reason, a Warning Event,
// and kstatus Failed; fixing the image brings it back to Ready. (kwok simulates the kubelet:
// images on unpullable.invalid/ and crashloop.invalid/ fail, see test/cluster/kwok/stages.yaml.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import { kstatusOf } from '../../src/status/kstatus.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'stalled');
const operator = await startInProcessOperator(kc, [namespace]);

function customModel(name: string, image: string): Record<string, unknown> {
  return {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name },
    spec: {
      model: { name, version: '1', uri: 'https://models.example.com/m.bin', format: 'custom' },
      runtime: { preset: 'custom', image },
      replicas: 1,
    },
  };
}

const stalled = (name: string) =>
  eventually(
    `${name} to be Stalled`,
    () => client.get<ModelDeploymentObject>(mdRef(namespace, name)),
    (md) => conditionOf(md, 'Stalled')?.status === 'True',
  );

for (const [reason, image] of [
  ['ImagePullBackOff', 'unpullable.invalid/scorer:1'],
  ['CrashLoopBackOff', 'crashloop.invalid/scorer:1'],
] as const) {
  test(`a pod in ${reason} makes the ModelDeployment Stalled with that reason`, async () => {
    const name = reason.toLowerCase();
    await createModelDeployment(client, namespace, customModel(name, image));
    const md = await stalled(name);
    const condition = conditionOf(md, 'Stalled');
    assert.equal(condition?.reason, reason);
    assert.match(condition?.message ?? '', /model-server/, 'the message names the container');
    assert.equal(conditionOf(md, 'Ready')?.status, 'False');
    assert.equal(md?.status?.observedGeneration, md?.metadata?.generation);
    assert.equal(kstatusOf({ metadata: { generation: md?.metadata?.generation ?? 0 }, ...(md?.status ? { status: md.status } : {}) }), 'Failed');
    assert.ok(
      operator.events.some((e) => e.name === name && e.type === 'Warning' && e.reason === reason),
      `a Warning event ${reason} was emitted: ${JSON.stringify(operator.events.filter((e) => e.name === name))}`,
    );
  });
}

test('fixing the image clears Stalled and the model becomes Ready', async () => {
  const name = 'imagepullbackoff';
  await client.mergePatch(mdRef(namespace, name), { spec: { runtime: { image: 'registry.example.com/scorer:2' } } });
  const md = await eventually(
    `${name} to recover`,
    () => client.get<ModelDeploymentObject>(mdRef(namespace, name)),
    (m) => conditionOf(m, 'Ready')?.status === 'True' && m?.status?.observedGeneration === m?.metadata?.generation,
  );
  assert.notEqual(conditionOf(md, 'Stalled')?.status, 'True');
});
