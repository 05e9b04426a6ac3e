// The operator keeps working through an API server restart: its watches break, the watchdog
// relists, and work done while the server was away converges once it is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { privateControlPlane, loadKubeConfig } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, readExample, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const cp = await privateControlPlane();
const cluster = { kubeconfigPath: cp.kubeconfigPath, toolsDir: cp.toolsDir, kubeConfig: () => loadKubeConfig(cp.kubeconfigPath) };
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'restart');
const operator = await startInProcessOperator(kc, [namespace]);

const readyAt = (name: string, generation?: number) =>
  eventually(
    `${name} Ready${generation ? ` at generation ${generation}` : ''}`,
    () => client.get<ModelDeploymentObject>(mdRef(namespace, name)),
    (md) =>
      conditionOf(md, 'Ready')?.status === 'True' &&
      md?.status?.observedGeneration === md?.metadata?.generation &&
      (generation === undefined || md?.metadata?.generation === generation),
    90_000,
  );

test('after a kube-apiserver restart the operator reconnects and converges new work', async () => {
  await createModelDeployment(client, namespace, readExample('mlserver-sklearn.yaml'));
  await readyAt('iris');
  const relistsBefore = operator.controller.caches.modelDeployments.relists;

  await cp.restartApiServer(2000);

  // Work that arrives after the restart: a spec change and a new ModelDeployment.
  const patched = await eventually('the API server to accept a patch', () => client.mergePatch<ModelDeploymentObject>(mdRef(namespace, 'iris'), { spec: { model: { version: '2' } } }), () => true, 60_000, 500);
  await createModelDeployment(client, namespace, readExample('tensorflow-serving.yaml'));
  const iris = await readyAt('iris', patched.metadata?.generation);
  assert.equal(iris?.spec && (iris.spec as { model: { version: string } }).model.version, '2');
  await readyAt('flowers');
  assert.ok(operator.controller.caches.modelDeployments.relists > relistsBefore, 'the ModelDeployment cache relisted after the watch broke');
});
