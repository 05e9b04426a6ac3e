// Horizontal sharding (--watch-label-selector, Flux's convention) on one real control plane: three
// operators in-process, shard1, shard2 and the rest (`notin (shard1,shard2)`), each reconcile only
// their own ModelDeployments, all of them, with no write by another shard. A ModelDeployment
// relabelled from shard1 to shard2 is taken over by shard2 with its children kept (same uids, no
// delete); shard1 only forgets it: no write, no timer left for it, also when moved during a timed
// canary pause, which shard2 then times and carries on from status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment } from '@kubernetes/client-node';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator, type InProcessOperator } from '../support/in-process-operator.ts';
import { createModelDeployment, mdRef, modelWithRollout, readyForGeneration, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import { validManifest, withChanges } from '../fixtures/manifests.ts';
import { parseLabelSelector } from '../../src/kube/label-selector.ts';
import { SHARD_LABEL } from '../../src/config.ts';
import { FIELD_MANAGER } from '../../src/controller/apply-decision.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';
import type { ObjectRef } from '../../src/kube/resource-paths.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'sharding');

/** As the operator's flag parser leaves it. */
function selector(text: string): string {
  const parsed = parseLabelSelector(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.normalized;
}

const shards: Record<string, InProcessOperator> = {
  shard1: await startInProcessOperator(kc, [namespace], { watchLabelSelector: selector(`${SHARD_LABEL}=shard1`) }),
  shard2: await startInProcessOperator(kc, [namespace], { watchLabelSelector: selector(`${SHARD_LABEL}=shard2`) }),
  rest: await startInProcessOperator(kc, [namespace], { watchLabelSelector: selector(`${SHARD_LABEL} notin (shard1,shard2)`) }),
};
/** Each ModelDeployment and the shard that must reconcile it. */
const placement: Record<string, string> = { alpha: 'shard1', bravo: 'shard1', charlie: 'shard2', delta: 'rest' };
/** Created by the last test, in shard1, and moved mid-rollout. */
const ECHO = 'echo';

type Deployment = V1Deployment & KubeObject;
const deploymentRef = (name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: `${name}-stable` });
const serviceRef = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Service', namespace, name });
const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The ModelDeployment a write was for: the object's name in the path is the ModelDeployment's or
 * starts with it and a dash (children: `<name>`, `<name>-stable`, ...). The names share no prefix.
 */
function writtenFor(path: string): string | undefined {
  const object = new RegExp(`/namespaces/${namespace}/[^/]+/([^/?]+)`).exec(path)?.[1];
  return [...Object.keys(placement), ECHO].find((md) => object === md || object?.startsWith(`${md}-`) === true);
}

/** Writes of one shard since request `since`, by ModelDeployment (undefined: not attributable). */
function writesBy(shard: string, since = 0): { md: string | undefined; method: string; path: string; code: number }[] {
  return shards[shard]!.requests.slice(since).filter((r) => WRITES.includes(r.method)).map((r) => ({ md: writtenFor(r.path), method: r.method, path: r.path, code: r.code }));
}

const uidOf = (o: KubeObject | undefined) => o?.metadata?.uid;

test('each shard reconciles exactly its ModelDeployments: every one Ready, no write by another shard', async () => {
  for (const [name, shard] of Object.entries(placement)) {
    const labels: Record<string, string> = shard === 'rest' ? {} : { [SHARD_LABEL]: shard };
    await createModelDeployment(client, namespace, withChanges(validManifest(name), { 'metadata.labels': labels, 'spec.replicas': 1 }));
  }
  for (const name of Object.keys(placement)) {
    assert.ok(await readyForGeneration(client, namespace, name, 90_000), `${name} Ready`);
    assert.ok(await client.get(deploymentRef(name)), `${name}'s Deployment exists`);
  }
  for (const [shard, operator] of Object.entries(shards)) {
    const mine = Object.keys(placement).filter((n) => placement[n] === shard);
    assert.deepEqual(
      operator.controller.caches.modelDeployments.list().map((m) => m.metadata?.name).sort(),
      mine,
      `${shard}'s cache holds its ModelDeployments only`,
    );
    const writes = writesBy(shard);
    const foreign = writes.filter((w) => w.md === undefined || placement[w.md] !== shard);
    assert.deepEqual(foreign, [], `${shard} wrote nothing for another shard's ModelDeployment`);
    for (const name of mine) {
      assert.ok(writes.some((w) => w.md === name && w.path.endsWith(`/modeldeployments/${name}/status`)), `${shard} wrote ${name}'s status`);
      assert.ok(writes.some((w) => w.md === name && w.path.endsWith(`/deployments/${name}-stable`)), `${shard} applied ${name}'s Deployment`);
    }
  }
});

test('relabelled from shard1 to shard2: shard2 takes it over with its children kept; shard1 only forgets it', async () => {
  const name = 'alpha';
  const key = `${namespace}/${name}`;
  const before = { deployment: uidOf(await client.get(deploymentRef(name))), service: uidOf(await client.get(serviceRef(name))) };
  assert.ok(before.deployment && before.service, 'alpha has its children');
  const since = { shard1: shards.shard1!.requests.length, shard2: shards.shard2!.requests.length };

  await client.mergePatch<ModelDeploymentObject>(mdRef(namespace, name), { metadata: { labels: { [SHARD_LABEL]: 'shard2' } } });
  const caches = () =>
    Promise.resolve({
      old: shards.shard1!.controller.caches.modelDeployments.get(namespace, name),
      now: shards.shard2!.controller.caches.modelDeployments.get(namespace, name),
    });
  await eventually('shard2 to hold alpha and shard1 to have let it go', caches, (c) => c.old === undefined && c.now !== undefined, 30_000, 100);
  // The move itself is a change shard2 reconciles (status for the new resourceVersion); let it settle.
  await readyForGeneration(client, namespace, name, 60_000);

  // A spec change after the move: applied by shard2.
  const patched = await client.mergePatch<ModelDeploymentObject>(mdRef(namespace, name), { spec: { replicas: 2 } });
  await eventually('alpha-stable to be scaled to 2', () => client.get<Deployment>(deploymentRef(name)), (d) => d?.spec?.replicas === 2, 60_000, 250);
  const ready = await readyForGeneration(client, namespace, name, 90_000);
  assert.equal(ready?.status?.observedGeneration, patched.metadata?.generation, 'status reports the new generation');

  const shard2Writes = writesBy('shard2', since.shard2);
  assert.ok(shard2Writes.some((w) => w.md === name && w.path.endsWith(`/deployments/${name}-stable`)), 'shard2 applied the scaled Deployment');
  assert.ok(shard2Writes.some((w) => w.path.endsWith(`/modeldeployments/${name}/status`)), 'shard2 wrote the status');
  assert.deepEqual(writesBy('shard1', since.shard1).filter((w) => w.md === name), [], 'shard1 wrote nothing for alpha after the move');
  assert.deepEqual([...writesBy('shard1'), ...writesBy('shard2'), ...writesBy('rest')].filter((w) => w.method === 'DELETE'), [], 'no shard deleted anything');

  // Taken over, not re-created: the same children, one field manager (shards apply as one).
  const deployment = await client.get<Deployment>(deploymentRef(name));
  assert.equal(uidOf(deployment), before.deployment, 'the Deployment is the one shard1 created');
  assert.equal(uidOf(await client.get(serviceRef(name))), before.service, 'the Service is the one shard1 created');
  const appliers = (deployment?.metadata?.managedFields ?? []).filter((m) => m.operation === 'Apply').map((m) => m.manager);
  assert.deepEqual(appliers, [FIELD_MANAGER], 'one apply manager owns the fields before and after the move');

  // Nothing is left running for alpha in shard1: no delayed requeue, and it stays out of shard1's hands.
  assert.equal(shards.shard1!.controller.queue.delayOf(key), undefined, 'shard1 keeps no timer for alpha');

  // The other ModelDeployments were not disturbed by the move.
  for (const other of ['bravo', 'charlie', 'delta']) assert.ok(await readyForGeneration(client, namespace, other, 30_000), `${other} still Ready`);
});

type Rolling = ModelDeploymentObject & { status?: { canary?: { version?: string; revision?: number; phase?: string } } };

test('moved in the middle of a timed canary pause: shard1 drops its timer, shard2 carries the rollout on', async () => {
  const key = `${namespace}/${ECHO}`;
  const md = modelWithRollout(ECHO, { strategy: 'canary', steps: [{ weight: 50 }, { pause: { duration: '1h' } }] }, 1) as { metadata: Record<string, unknown> };
  await createModelDeployment(client, namespace, { ...md, metadata: { ...md.metadata, labels: { [SHARD_LABEL]: 'shard1' } } });
  assert.ok(await readyForGeneration(client, namespace, ECHO, 90_000));
  await client.mergePatch(mdRef(namespace, ECHO), { spec: { model: { version: '2', uri: `s3://models/${ECHO}/2` } } });
  const get = () => client.get<Rolling>(mdRef(namespace, ECHO));
  const pausing = await eventually(
    'the canary of version 2 to wait out its pause in shard1',
    async () => ({ md: await get(), delay: shards.shard1!.controller.queue.delayOf(key) }),
    (c) => c.md?.status?.canary?.version === '2' && c.md.status.canary.phase === 'Paused' && c.delay !== undefined,
    60_000,
    200,
  );
  const canary = await client.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: `${ECHO}-canary` });
  assert.ok(uidOf(canary), 'the canary Deployment exists');
  const since = shards.shard1!.requests.length;

  await client.mergePatch<ModelDeploymentObject>(mdRef(namespace, ECHO), { metadata: { labels: { [SHARD_LABEL]: 'shard2' } } });
  // shard2 takes the pause over (its own look-again); shard1 keeps no timer for it.
  await eventually('shard2 to time the pause', () => Promise.resolve(shards.shard2!.controller.queue.delayOf(key)), (d) => d !== undefined, 30_000, 100);
  // The two shards' watches are separate streams: shard2 may see the relabel before shard1's watch
  // delivers it (as a delete, out of its selector), so shard1's side is awaited, not assumed.
  await eventually(
    'shard1 to forget it and cancel the pause it was timing',
    () => Promise.resolve({ cached: shards.shard1!.controller.caches.modelDeployments.get(namespace, ECHO), delay: shards.shard1!.controller.queue.delayOf(key) }),
    (s) => s.cached === undefined && s.delay === undefined,
    30_000,
    100,
  );
  const after = await get();
  assert.equal(after?.status?.canary?.version, '2', 'the rollout carries on from status');
  assert.equal(after?.status?.canary?.revision, pausing.md?.status?.canary?.revision, 'same canary revision: not restarted');
  assert.equal(uidOf(await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: `${ECHO}-canary` })), uidOf(canary), 'the canary Deployment is kept');
  // A status write of shard1 in flight at the move is refused (409: the relabel moved the resourceVersion).
  assert.deepEqual(writesBy('shard1', since).filter((w) => w.md === ECHO && w.code < 400), [], 'no write of shard1 for it took effect after the move');
});
