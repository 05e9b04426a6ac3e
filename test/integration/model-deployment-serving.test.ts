// A ModelDeployment becomes a served model: children with owner references, pods Ready (kwok),
// status Ready with observedGeneration == generation, and nothing written once converged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, exampleFiles, readExample, testClient, readyForGeneration } from '../support/model-deployments.ts';
import { boundClaim } from '../support/volumes.ts';
import { eventually } from '../support/wait.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'serving');
await boundClaim(kc, namespace, 'models');
const operator = await startInProcessOperator(kc, [namespace]);

const ready = (name: string, timeoutMs = 60_000) => readyForGeneration(client, namespace, name, timeoutMs);

test('every example becomes Ready with owned children', async () => {
  const names: string[] = [];
  for (const file of exampleFiles()) {
    const manifest = readExample(file);
    await createModelDeployment(client, namespace, manifest);
    names.push(manifest.metadata.name);
  }
  for (const name of names) {
    const md = await ready(name);
    assert.equal(md?.status?.url, `http://${name}.${namespace}.svc.cluster.local`);
    const uid = md?.metadata?.uid;
    for (const [apiVersion, kind, childName] of [
      ['apps/v1', 'Deployment', `${name}-stable`],
      ['v1', 'Service', name],
    ] as const) {
      const child = await client.get<KubeObject>({ apiVersion, kind, namespace, name: childName });
      assert.ok(child, `${kind} ${childName} exists`);
      assert.deepEqual(
        child.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
        [['ModelDeployment', name, uid, true]],
        `${kind} ${childName} is controlled by its ModelDeployment`,
      );
    }
    assert.equal(conditionOf(md, 'Serving')?.status, 'True');
    assert.notEqual(conditionOf(md, 'Stalled')?.status, 'True');
    assert.notEqual(conditionOf(md, 'Reconciling')?.status, 'True');
  }
});

test('once converged, the operator writes nothing, even through a forced resync', async () => {
  // Converged: the HPA has scaled to its minimum and no write happened for 3 s (flapping would time out here).
  let last = -1;
  await eventually('the operator to stop writing', () => {
    const n = operator.writes().length;
    const quiet = n === last;
    last = n;
    return Promise.resolve(quiet);
  }, (quiet) => quiet, 60_000, 3000);
  const before = operator.writes().length;
  const reconcilesBefore = operator.controller.reconciles;
  operator.controller.forceResync();
  await eventually('a resync to reconcile every ModelDeployment', () => Promise.resolve(operator.controller.reconciles - reconcilesBefore), (n) => n >= exampleFiles().length, 30_000);
  // Barrier instead of 3 s: the resync queued every key at once, so once the queue is idle every reconcile
  // it caused has ended, and any write one made is recorded.
  await operator.controller.queue.idle();
  const writes = operator.writes().slice(before);
  assert.deepEqual(writes, [], 'no create, update, patch or delete after convergence');
});
