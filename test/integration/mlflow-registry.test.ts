// Models from a real MLflow registry (mlflow server 3.17.2, test/cluster/mlflow-server.ts): a
// ModelDeployment names models:/iris@champion; the operator resolves the alias to a version and its
// s3:// source, pins both in status and in the pod template, and moving the alias in MLflow starts the
// configured canary without any change of the spec. A deleted alias keeps the last version serving.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import { testPrometheusCidrs } from '../support/outbound-allow.ts';
import { startMlflowServer } from '../cluster/mlflow-server.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';

const mlflowStarted = Date.now();
const mlflow = await startMlflowServer();
after(() => mlflow.stop());
process.stderr.write(`[mlflow-registry] mlflow server ready in ${mlflow.startMs} ms (${Date.now() - mlflowStarted} ms with the environment check)\n`);

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'mlflow');
const POLL_MS = 1000;
const operator = await startInProcessOperator(kc, [namespace], {
  registries: [{ name: 'mlflow', type: 'mlflow', address: mlflow.address, default: true }],
  registryPollIntervalMs: POLL_MS,
  // MLflow listens on 127.0.0.1, which the outbound client refuses unless allowed.
  outboundAllowCidrs: testPrometheusCidrs,
});

type Md = ModelDeploymentObject & { status?: ModelDeploymentStatus };
type Deployment = KubeObject & { spec?: { template?: { metadata?: { labels?: Record<string, string> }; spec?: { initContainers?: { name: string; args?: string[] }[] } } } };
const get = (name: string) => client.get<Md>(mdRef(namespace, name));
const deployment = (name: string) => client.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name });
const fetcherArgs = (d: Deployment | undefined): string[] => d?.spec?.template?.spec?.initContainers?.flatMap((c) => c.args ?? []) ?? [];
/** A ModelDeployment serving `models:/iris@champion` from the registry `registry`. */
const championOf = (name: string, registry: string, more: Record<string, unknown> = {}) => ({
  apiVersion: 'modelship.io/v1alpha1',
  kind: 'ModelDeployment',
  metadata: { name },
  spec: { model: { name: 'iris', version: 'champion', uri: 'models:/iris@champion', registry, format: 'sklearn' }, runtime: { preset: 'mlserver' }, ...more },
});

test('an alias resolves to a pinned version; moving it starts a canary with no spec change; a deleted alias keeps serving', async () => {
  await mlflow.createModel('iris');
  assert.equal(await mlflow.registerVersion('iris', 's3://models/iris/1'), '1');
  assert.equal(await mlflow.registerVersion('iris', 's3://models/iris/2'), '2');
  await mlflow.setAlias('iris', 'champion', '1');

  await createModelDeployment(client, namespace, championOf('iris', 'mlflow', {
    replicas: 2,
    rollout: { strategy: 'canary', steps: [{ weight: 50 }, { pause: {} }], scaleDownDelaySeconds: 1 },
  }));
  const first = await eventually('version 1 Ready', () => get('iris'), (md) => conditionOf(md, 'Ready')?.status === 'True', 60_000);
  const generation = first?.metadata?.generation;
  assert.equal(first?.status?.stable?.version, '1');
  assert.equal(first?.status?.model?.uri, 'models:/iris@champion');
  assert.equal(first?.status?.model?.registry, 'mlflow');
  assert.equal(first?.status?.model?.version, '1');
  assert.equal(first?.status?.model?.source, 's3://models/iris/1');
  assert.ok(first?.status?.model?.resolvedAt);
  assert.equal(conditionOf(first, 'ModelResolved')?.reason, 'Resolved');
  const stable1 = await deployment('iris-stable');
  assert.ok(fetcherArgs(stable1).includes('s3://models/iris/1'), JSON.stringify(fetcherArgs(stable1)));
  assert.equal(stable1?.spec?.template?.metadata?.labels?.['app.kubernetes.io/version'], '1');

  // The alias moves in MLflow: the next poll makes version 2 a canary; nobody touched the spec.
  await mlflow.setAlias('iris', 'champion', '2');
  const paused = await eventually('a canary of version 2', () => get('iris'), (md) => md?.status?.canary?.phase === 'Paused' && md.status.canary.version === '2', 60_000);
  assert.equal(paused?.status?.stable?.version, '1', 'version 1 serves beside the canary');
  assert.equal(paused?.status?.model?.version, '2');
  assert.equal(paused?.status?.model?.source, 's3://models/iris/2');
  assert.deepEqual(
    paused?.status?.model?.resolutions?.map((r) => [r.version, r.source]),
    [
      ['2', 's3://models/iris/2'],
      ['1', 's3://models/iris/1'],
    ],
  );
  const canary = await deployment('iris-canary');
  assert.ok(fetcherArgs(canary).includes('s3://models/iris/2'), JSON.stringify(fetcherArgs(canary)));
  assert.equal(paused?.metadata?.generation, generation, 'the spec was not changed');
  assert.ok(operator.events.some((e) => e.reason === 'CanaryStarted'));

  // Promote through the annotation; history keeps each version with the source it was resolved to.
  await client.mergePatch(mdRef(namespace, 'iris'), { metadata: { annotations: { 'modelship.io/promote': 'p1' } } });
  const promoted = await eventually('version 2 promoted', () => get('iris'), (md) => md?.status?.stable?.version === '2' && md.status.canary === undefined && conditionOf(md, 'Ready')?.status === 'True', 90_000);
  const entry = promoted?.status?.history?.find((h) => h.version === '2');
  assert.equal(entry?.outcome, 'Promoted');
  assert.equal((entry?.model as { uri?: string } | undefined)?.uri, 's3://models/iris/2');
  assert.deepEqual(entry?.resolvedFrom, { uri: 'models:/iris@champion', registry: 'mlflow', resolvedAt: paused?.status?.model?.resolvedAt }, 'the history names the alias that resolved to version 2');
  assert.deepEqual(promoted?.status?.history?.find((h) => h.version === '1')?.resolvedFrom, { uri: 'models:/iris@champion', registry: 'mlflow', resolvedAt: first?.status?.model?.resolvedAt });

  // The alias is deleted: version 2 keeps serving; ModelResolved says why it is not resolved.
  await mlflow.deleteAlias('iris', 'champion');
  const gone = await eventually('ModelResolved=False', () => get('iris'), (md) => conditionOf(md, 'ModelResolved')?.status === 'False', 30_000);
  assert.equal(conditionOf(gone, 'ModelResolved')?.reason, 'AliasNotFound');
  assert.match(conditionOf(gone, 'ModelResolved')?.message ?? '', /no alias champion of model iris.*version 2 .* keeps serving/);
  assert.equal(gone?.status?.stable?.version, '2');
  assert.equal(gone?.status?.model?.version, '2');
  assert.notEqual(conditionOf(gone, 'Stalled')?.status, 'True');
  const stable2 = await deployment('iris-stable');
  assert.ok(fetcherArgs(stable2).includes('s3://models/iris/2'));
  assert.equal((await get('iris'))?.metadata?.generation, generation, 'the operator never edits the spec');
});

test('an unknown registry name stalls with UnknownModelRegistry and creates nothing', async () => {
  await createModelDeployment(client, namespace, championOf('elsewhere', 'team-b'));
  const stalled = await eventually('Stalled', () => get('elsewhere'), (md) => conditionOf(md, 'Stalled')?.status === 'True', 30_000);
  assert.equal(conditionOf(stalled, 'Stalled')?.reason, 'UnknownModelRegistry');
  assert.match(conditionOf(stalled, 'Stalled')?.message ?? '', /there is no model registry named team-b: the platform's registries are mlflow \(default\)/);
  assert.equal(await deployment('elsewhere-stable'), undefined);
});
