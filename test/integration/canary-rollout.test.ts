// A canary on the replicas provider (no mesh): a new model version starts a canary beside stable,
// holds at its weight until promoted, and promotion makes it stable; abort sends traffic back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'canary');
const operator = await startInProcessOperator(kc, [namespace]);

type Md = ModelDeploymentObject & { status?: { canary?: { phase?: string; weight?: number; version?: string; revision?: number }; stable?: { version?: string; revision?: number }; traffic?: { variant: string; weight: number; exact: boolean }[]; history?: { revision: number; outcome: string }[] } };
const get = () => client.get<Md>(mdRef(namespace, 'churn'));
const deployment = (variant: string) => client.get<KubeObject & { spec?: { replicas?: number; template?: { metadata?: { labels?: Record<string, string> } } } }>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: `churn-${variant}` });

test('a new version walks canary steps, pauses for promotion, and is promoted', async () => {
  await createModelDeployment(client, namespace, {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name: 'churn' },
    spec: {
      model: { name: 'churn', version: '1', uri: 's3://models/churn/1', format: 'xgboost' },
      runtime: { preset: 'mlserver' },
      replicas: 4,
      rollout: { strategy: 'canary', steps: [{ weight: 25 }, { pause: {} }], scaleDownDelaySeconds: 1 },
    },
  });
  const first = await eventually('first version Ready', get, (md) => conditionOf(md, 'Ready')?.status === 'True');
  assert.equal(first?.status?.stable?.version, '1');
  assert.equal(first?.status?.canary, undefined);

  await client.mergePatch(mdRef(namespace, 'churn'), { spec: { model: { version: '2', uri: 's3://models/churn/2' } } });
  const paused = await eventually('the canary to reach its pause', get, (md) => md?.status?.canary?.phase === 'Paused', 60_000);
  assert.equal(paused?.status?.canary?.version, '2');
  assert.equal(paused?.status?.stable?.version, '1', 'stable keeps serving version 1 during the canary');
  assert.equal(conditionOf(paused, 'RolloutInProgress')?.status, 'True');
  assert.equal(conditionOf(paused, 'Serving')?.status, 'True', 'Serving stays True during a healthy rollout');
  const canaryTraffic = paused?.status?.traffic?.find((t) => t.variant === 'canary');
  assert.equal(canaryTraffic?.exact, false, 'the replicas provider reports its weight as approximate');
  assert.equal(canaryTraffic?.weight, 25);
  const [stableDeploy, canaryDeploy] = await Promise.all([deployment('stable'), deployment('canary')]);
  assert.equal(canaryDeploy?.spec?.replicas, 1, 'canary sized for 25% of 4 replicas');
  assert.equal(stableDeploy?.spec?.replicas, 3);
  assert.equal(canaryDeploy?.spec?.template?.metadata?.labels?.['app.kubernetes.io/version'], '2');

  await client.mergePatch(mdRef(namespace, 'churn'), { metadata: { annotations: { 'modelship.io/promote': 'test-1' } } });
  const promoted = await eventually('promotion to finish', get, (md) => md?.status?.stable?.version === '2' && md.status.canary === undefined && conditionOf(md, 'Ready')?.status === 'True', 90_000);
  assert.equal(promoted?.status?.history?.[0]?.outcome, 'Promoted');
  await eventually('the canary Deployment to be removed', () => deployment('canary'), (d) => d === undefined, 30_000);
  const stable = await deployment('stable');
  assert.equal(stable?.spec?.template?.metadata?.labels?.['app.kubernetes.io/version'], '2');
  assert.equal(stable?.spec?.replicas, 4);
  assert.ok(operator.events.some((e) => e.reason === 'Promoted'), JSON.stringify(operator.events.map((e) => e.reason)));
});

test('abort sends all traffic back to stable and says so in status', async () => {
  await client.mergePatch(mdRef(namespace, 'churn'), { spec: { model: { version: '3', uri: 's3://models/churn/3' } } });
  await eventually('a canary of version 3', get, (md) => md?.status?.canary?.phase === 'Paused' && md.status.canary.version === '3', 60_000);
  await client.mergePatch(mdRef(namespace, 'churn'), { metadata: { annotations: { 'modelship.io/abort': 'test-2' } } });
  const aborted = await eventually('the abort', get, (md) => md?.status?.canary?.phase === 'Aborted', 30_000);
  assert.equal(aborted?.status?.canary?.weight, 0);
  assert.equal(conditionOf(aborted, 'Stalled')?.reason, 'RolloutAborted');
  assert.equal(aborted?.status?.stable?.version, '2');
  await eventually('the canary Deployment to go after the scale-down delay', () => deployment('canary'), (d) => d === undefined, 30_000);
  const stable = await deployment('stable');
  assert.equal(stable?.spec?.replicas, 4, 'stable is back to full size');

  // Git reverts to the stable version: the abort is over, the ModelDeployment is Ready again.
  await client.mergePatch(mdRef(namespace, 'churn'), { spec: { model: { version: '2', uri: 's3://models/churn/2' } } });
  await eventually('Ready after the revert', get, (md) => conditionOf(md, 'Ready')?.status === 'True' && conditionOf(md, 'Stalled')?.status !== 'True', 30_000);
});
