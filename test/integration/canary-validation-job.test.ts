// Validation by a user Job (spec.rollout.validation.job) on the real Job controller: the canary gets no
// weight until the Job succeeded; a Job that fails aborts the canary before any traffic (Stalled
// ValidationFailed), and status names the Job whose logs explain it. kwok completes Job pods, and fails
// those whose image starts with fails.invalid/ (test/cluster/kwok/stages.yaml).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, modelWithRollout, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'validate-job');
const operator = await startInProcessOperator(kc, [namespace]);

type Md = ModelDeploymentObject & { status?: ModelDeploymentStatus };
const get = (name: string) => () => client.get<Md>(mdRef(namespace, name));
const setVersion = (name: string, v: string) => client.mergePatch(mdRef(namespace, name), { spec: { model: { version: v, uri: `s3://models/${name}/${v}` } } });
type Job = KubeObject & { spec?: { template?: { spec?: { containers?: { image?: string; env?: { name: string; value?: string }[] }[] } } } };

function rollout(image: string): Record<string, unknown> {
  return {
    strategy: 'canary',
    steps: [{ weight: 50 }, { pause: {} }],
    scaleDownDelaySeconds: 1,
    // A router keeps the canary at weight 0 while it is validated (istio: the VirtualService's weights are read back as applied).
    traffic: { provider: 'istio' },
    validation: { job: { image, args: ['--holdout', 's3://data/holdout.parquet'], timeoutSeconds: 120 } },
  };
}

test('a validation Job that succeeds lets the canary take its first weight', { timeout: 180_000 }, async () => {
  await createModelDeployment(client, namespace, modelWithRollout('scorer', rollout('registry.example/holdout-scorer:1')));
  await eventually('version 1 Ready', get('scorer'), (md) => conditionOf(md, 'Ready')?.status === 'True', 60_000);
  await setVersion('scorer', '2');
  const job = await eventually('the validation Job', () => client.get<Job>({ apiVersion: 'batch/v1', kind: 'Job', namespace, name: 'scorer-validate-2' }), (j) => j !== undefined, 60_000);
  const env = job?.spec?.template?.spec?.containers?.[0]?.env ?? [];
  assert.equal(env.find((e) => e.name === 'MODEL_URL')?.value, `http://scorer-canary.${namespace}.svc`);
  const md = await eventually('the canary at weight 50 after validation', get('scorer'), (m) => m?.status?.canary?.phase === 'Paused', 90_000);
  assert.equal(md?.status?.analysis?.validation?.phase, 'Passed');
  assert.equal(md?.status?.analysis?.validation?.job, 'scorer-validate-2');
  assert.equal(md?.status?.canary?.weight, 50);
  const reasons = operator.events.filter((e) => e.name === 'scorer').map((e) => e.reason);
  assert.ok(reasons.indexOf('ValidationStarted') < reasons.indexOf('ValidationPassed'), reasons.join(','));
  assert.ok(reasons.indexOf('ValidationPassed') < reasons.lastIndexOf('StepAdvanced') || reasons.includes('Paused'), reasons.join(','));
});

test('a validation Job that fails aborts the canary before any traffic: Stalled ValidationFailed', { timeout: 180_000 }, async () => {
  await createModelDeployment(client, namespace, modelWithRollout('ranker', rollout('fails.invalid/holdout-scorer:1')));
  await eventually('version 1 Ready', get('ranker'), (md) => conditionOf(md, 'Ready')?.status === 'True', 60_000);
  await setVersion('ranker', '2');
  const md = await eventually('Stalled ValidationFailed', get('ranker'), (m) => conditionOf(m, 'Stalled')?.status === 'True', 90_000);
  const stalled = conditionOf(md, 'Stalled');
  assert.equal(stalled?.reason, 'ValidationFailed');
  assert.match(stalled?.message ?? '', /validation failed: validation Job ranker-validate-2 exited non-zero/);
  assert.match(stalled?.message ?? '', /kubectl logs job\/ranker-validate-2/);
  assert.equal(md?.status?.canary?.phase, 'Aborted');
  assert.equal(md?.status?.analysis?.phase, 'ValidationFailed');
  assert.ok(md?.status?.traffic?.every((t) => t.weight === (t.variant === 'stable' ? 100 : 0)), JSON.stringify(md?.status?.traffic));
  // The canary never took traffic: no weight above 0 was ever written.
  const weights = operator.events.filter((e) => e.name === 'ranker' && e.reason === 'StepAdvanced');
  assert.deepEqual(weights, []);
  assert.equal(md?.status?.stable?.version, '1');
});
