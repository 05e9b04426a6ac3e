// A traffic provider whose CRDs are not installed: the ModelDeployment still serves through its stable
// Service, and is Stalled with a message naming the missing CRD; installing it clears the stall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { privateControlPlane, loadKubeConfig } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, readExample, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import { installGatewayApiCrds } from '../cluster/traffic.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const cp = await privateControlPlane();
const cluster = { kubeconfigPath: cp.kubeconfigPath, toolsDir: cp.toolsDir, kubeConfig: () => loadKubeConfig(cp.kubeconfigPath) };
await installCrds(cluster, { routers: false });
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'no-gateway-api');
// Looks for the missing CRD every 2 s instead of the default 30 s, to keep the test short.
await startInProcessOperator(kc, [namespace], { optionalKindRetryMs: 2000 });

test('the gateway-api provider without its CRDs is Stalled naming them, and recovers once installed', async () => {
  const manifest = readExample('rollout-gateway-api.yaml');
  await createModelDeployment(client, namespace, manifest);
  const md = await eventually('Stalled', () => client.get<ModelDeploymentObject>(mdRef(namespace, manifest.metadata.name)), (m) => conditionOf(m, 'Stalled')?.status === 'True');
  assert.equal(conditionOf(md, 'Stalled')?.reason, 'TrafficProviderMissing');
  assert.match(conditionOf(md, 'Stalled')?.message ?? '', /httproutes\.gateway\.networking\.k8s\.io/);
  const stable = await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: `${manifest.metadata.name}-stable` });
  assert.ok(stable, 'the model is still deployed behind its stable Service');

  await installGatewayApiCrds(cp.kubeconfigPath, cp.toolsDir);
  // The operator notices the CRD by itself and reconciles every ModelDeployment again.
  await eventually(
    'the stall to clear once the CRD is installed',
    () => client.get<ModelDeploymentObject>(mdRef(namespace, manifest.metadata.name)),
    (m) => conditionOf(m, 'Ready')?.status === 'True',
    90_000,
    1000,
  );
  const route = await client.get({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace, name: manifest.metadata.name });
  assert.ok(route, 'the HTTPRoute exists');
});
