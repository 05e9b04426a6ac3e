// Two operator processes: only the Lease holder reconciles; when it dies the other takes over,
// and a graceful stop hands the Lease over at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startOperatorProcess } from '../support/operator-process.ts';
import { conditionOf, createModelDeployment, mdRef, readExample, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'leader');
const coordination = kc.makeApiClient(CoordinationV1Api);
const leaseName = 'modelship-leader';
const flags = [
  `--watch-namespaces=${namespace}`,
  `--leader-election-namespace=${namespace}`,
  `--leader-election-id=${leaseName}`,
  '--lease-duration=4s',
  '--renew-deadline=3s',
  '--retry-period=500ms',
];

const holder = async () => (await coordination.readNamespacedLease({ namespace, name: leaseName })).spec?.holderIdentity ?? '';
const ready = (name: string) =>
  eventually(`${name} Ready`, () => client.get<ModelDeploymentObject>(mdRef(namespace, name)), (md) => conditionOf(md, 'Ready')?.status === 'True', 60_000);

test('only the leader reconciles; after kill -9 the other replica takes over; SIGTERM hands over', { timeout: 180_000 }, async () => {
  const a = startOperatorProcess(cluster.kubeconfigPath, 'replica-a', flags);
  const b = startOperatorProcess(cluster.kubeconfigPath, 'replica-b', flags);
  await Promise.all([a.metricsPort(), b.metricsPort()]);
  const first = await eventually('a leader', holder, (h) => h === 'replica-a' || h === 'replica-b');
  const [leader, follower] = first === 'replica-a' ? [a, b] : [b, a];

  await createModelDeployment(client, namespace, readExample('mlserver-sklearn.yaml'));
  await ready('iris');
  assert.equal(await leader.metric('leader_election_master_status{name="modelship-leader"}'), 1);
  assert.equal(await follower.metric('leader_election_master_status{name="modelship-leader"}'), 0);
  assert.ok((await leader.metric('controller_runtime_reconcile_total{controller="modeldeployment",result="success"}')) > 0);
  assert.equal(await follower.metric('controller_runtime_reconcile_total{controller="modeldeployment",result="success"}'), 0, 'the follower never reconciles');

  leader.kill('SIGKILL');
  await eventually('the follower to take the Lease', holder, (h) => h === follower.identity, 30_000);
  await createModelDeployment(client, namespace, readExample('tensorflow-serving.yaml'));
  await ready('flowers');
  assert.ok((await follower.metric('controller_runtime_reconcile_total{controller="modeldeployment",result="success"}')) > 0);

  // Graceful stop: the Lease is released, so a new replica leads without waiting for expiry.
  const c = startOperatorProcess(cluster.kubeconfigPath, 'replica-c', flags);
  await c.metricsPort();
  follower.kill('SIGTERM');
  assert.equal(await follower.exited(), 0, follower.output().slice(-2000));
  await eventually('replica-c to lead', holder, (h) => h === 'replica-c', 10_000);
  await createModelDeployment(client, namespace, readExample('triton-onnx.yaml'));
  const triton = readExample('triton-onnx.yaml').metadata.name;
  await ready(triton);
});
