// A served model over its life, with the operator running in-process against the real control plane:
// a new model version rolls the Deployment and status follows; under an HPA the operator leaves the
// replica count alone; deleted children come back; fields modelship manages are restored while
// fields others added are kept; deleting the ModelDeployment garbage-collects everything it owned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpMethod } from '@kubernetes/client-node';
import type { V1Deployment, V1PodDisruptionBudget, V1ReplicaSet, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, testClient, readyForGeneration } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import { validManifest, withChanges } from '../fixtures/manifests.ts';
import { resourcePath, type ObjectRef } from '../../src/kube/resource-paths.ts';
import { LABEL_MANAGED_BY, LABEL_MODEL_DEPLOYMENT, LABEL_PART_OF, LABEL_VERSION, MANAGED_BY, PART_OF, SERVER_CONTAINER } from '../../src/render/index.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { KubeObject, WatchEvent } from '../../src/kube/api-client.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'lifecycle');
const operator = await startInProcessOperator(kc, [namespace]);

/** Someone other than modelship: a person with kubectl, another controller. */
const OTHER_MANAGER = 'someone-else';

type Deployment = V1Deployment & KubeObject;
type Service = V1Service & KubeObject;

const deploymentRef = (name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: `${name}-stable` });
const serviceRef = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Service', namespace, name });
const hpaRef = (name: string): ObjectRef => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace, name: `${name}-stable` });
const selectorOf = (name: string) => `${LABEL_MODEL_DEPLOYMENT}=${name}`;

const getDeployment = (name: string) => client.get<Deployment>(deploymentRef(name));
const getService = (name: string) => client.get<Service>(serviceRef(name));

/** A JSON merge patch written under another field manager (an Update in managedFields). */
function patchAs<T>(fieldManager: string, ref: ObjectRef, body: unknown): Promise<T> {
  return client.request<T>(HttpMethod.PATCH, resourcePath(ref), { query: { fieldManager }, body, contentType: 'application/merge-patch+json' });
}

function replicaSets(name: string): Promise<V1ReplicaSet[]> {
  return client
    .request<{ items: V1ReplicaSet[] }>(HttpMethod.GET, `/apis/apps/v1/namespaces/${namespace}/replicasets`, { query: { labelSelector: selectorOf(name) } })
    .then((l) => l.items);
}

/** Operator writes (create, update, patch, delete) since request `since` to this object or one of its subresources. */
function operatorWritesTo(ref: ObjectRef, since: number) {
  const path = resourcePath(ref);
  return operator.requests
    .slice(since)
    .filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && (r.path === path || r.path.startsWith(`${path}/`)));
}

const ready = (name: string, timeoutMs = 60_000) => readyForGeneration(client, namespace, name, timeoutMs);

/** The Deployment controller has acted on the current spec and every wanted pod runs it and is available. */
function rolledOut(d: Deployment | undefined, replicas: number): boolean {
  const s = d?.status;
  return (
    d?.metadata?.generation !== undefined &&
    s?.observedGeneration === d.metadata.generation &&
    s.replicas === replicas &&
    s.updatedReplicas === replicas &&
    s.readyReplicas === replicas &&
    s.availableReplicas === replicas &&
    s.conditions?.find((c) => c.type === 'Progressing')?.reason === 'NewReplicaSetAvailable'
  );
}

const serverImage = (d: Deployment | undefined) => d?.spec?.template?.spec?.containers?.find((c) => c.name === SERVER_CONTAINER)?.image;

test('a new model version rolls the Deployment and status follows to Ready for the new generation', async () => {
  const name = 'roll';
  await createModelDeployment(client, namespace, withChanges(validManifest(name), { 'spec.replicas': 2 }));
  const before = await ready(name);
  const deployment0 = await eventually('the Deployment to be rolled out', () => getDeployment(name), (d) => rolledOut(d, 2));
  const [replicaSet0] = await replicaSets(name);
  assert.equal((await replicaSets(name)).length, 1, 'one ReplicaSet before the change');
  assert.equal(deployment0?.spec?.template?.metadata?.labels?.[LABEL_VERSION], '7');

  // Watch the ModelDeployment from before the change: every status it goes through is seen.
  const seen: ModelDeploymentObject[] = [];
  const abort = new AbortController();
  const watching = client
    .watch<ModelDeploymentObject>(
      mdRef(namespace, ''),
      { resourceVersion: before?.metadata?.resourceVersion ?? '', timeoutSeconds: 300 },
      (e: WatchEvent<ModelDeploymentObject>) => {
        if (e.object.metadata?.name === name) seen.push(e.object);
      },
      abort.signal,
    )
    .catch((err: unknown) => err);
  const eventsBefore = operator.events.length;

  const patched = await client.mergePatch<ModelDeploymentObject>(mdRef(namespace, name), { spec: { model: { version: '8', uri: 's3://models/fraud/8' } } });
  const generation = patched.metadata?.generation ?? 0;
  assert.ok(generation > (before?.metadata?.generation ?? 0), 'the spec change bumped the generation');

  // End state: the Deployment rolled to a new ReplicaSet whose pods are all Ready, the old one is scaled down.
  const deployment1 = await eventually('the Deployment to roll out version 8', () => getDeployment(name), (d) => d?.spec?.template?.metadata?.labels?.[LABEL_VERSION] === '8' && rolledOut(d, 2));
  assert.ok((deployment1?.metadata?.generation ?? 0) > (deployment0?.metadata?.generation ?? 0), 'the Deployment generation increased');
  assert.notDeepEqual(deployment1?.spec?.template, deployment0?.spec?.template, 'the pod template changed');
  assert.ok(
    deployment1?.spec?.template?.spec?.initContainers?.some((c) => JSON.stringify(c).includes('s3://models/fraud/8')),
    'the model fetcher loads the new URI',
  );
  const sets = await eventually('the old ReplicaSet to be scaled to zero', () => replicaSets(name), (rs) => rs.length === 2 && rs.every((r) => r.status?.replicas === 0 || r.metadata?.uid !== replicaSet0?.metadata?.uid));
  const replicaSet1 = sets.find((r) => r.metadata?.uid !== replicaSet0?.metadata?.uid);
  assert.ok(replicaSet1, 'a new ReplicaSet exists');
  assert.equal(replicaSet1.metadata?.labels?.[LABEL_VERSION], '8');
  assert.equal(replicaSet1.status?.readyReplicas, 2, 'the new ReplicaSet has its 2 pods Ready');
  const old = sets.find((r) => r.metadata?.uid === replicaSet0?.metadata?.uid);
  assert.equal(old?.spec?.replicas, 0, 'the old ReplicaSet is scaled to zero');

  // Status: Ready again, for the new generation.
  const after = await ready(name);
  assert.equal(after?.metadata?.generation, generation);
  assert.equal(after?.status?.observedGeneration, generation);
  assert.equal(after?.status?.readyReplicas, 2);
  assert.equal(conditionOf(after, 'Serving')?.status, 'True');
  assert.equal(conditionOf(after, 'Reconciling'), undefined, 'Reconciling is removed once the rollout is done');

  // The transition, as a watch saw it (every status written, in order): the first status reporting the
  // new generation says it is still rolling out (Reconciling=True, Ready=False); Ready=True comes only
  // later and, once reached, does not flip back. A Ready=True before the rollout would let kstatus
  // (Flux, Helm --wait) report the new version Current while old pods still serve.
  await eventually(
    'the watch to deliver the Ready status',
    () => Promise.resolve(seen.some((md) => md.status?.observedGeneration === generation && conditionOf(md, 'Ready')?.status === 'True')),
    (delivered) => delivered,
    30_000,
  );
  abort.abort();
  const watchError = await watching;
  const forNew = seen.filter((md) => md.status?.observedGeneration === generation);
  const trail = JSON.stringify(forNew.map((md) => md.status?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`)));
  assert.ok(forNew.length > 0, `the watch saw statuses for generation ${generation} (watch ended with ${String(watchError)})`);
  assert.equal(conditionOf(forNew[0], 'Reconciling')?.status, 'True', `the first status for generation ${generation} shows Reconciling=True: ${trail}`);
  assert.equal(conditionOf(forNew[0], 'Ready')?.status, 'False', `the first status for generation ${generation} shows Ready=False: ${trail}`);
  const firstReady = forNew.findIndex((md) => conditionOf(md, 'Ready')?.status === 'True');
  assert.ok(firstReady > 0, `Ready=True was reached for generation ${generation}: ${trail}`);
  assert.ok(
    forNew.slice(firstReady).every((md) => conditionOf(md, 'Ready')?.status === 'True'),
    `Ready stays True once reached for generation ${generation}: ${trail}`,
  );
  assert.ok(
    operator.events.slice(eventsBefore).some((e) => e.name === name && e.reason === 'Applied' && e.message.includes(`Deployment/${name}-stable (changed)`)),
    `an Applied event names the changed Deployment: ${JSON.stringify(operator.events.slice(eventsBefore))}`,
  );
});

test('under an HPA the operator leaves spec.replicas alone: no fight when the replica count changes', async () => {
  const name = 'scaled';
  await createModelDeployment(
    client,
    namespace,
    withChanges(validManifest(name), { 'spec.replicas': undefined, 'spec.autoscaling': { minReplicas: 2, maxReplicas: 4, targetCPUUtilization: 70 } }),
  );
  await ready(name);

  const hpa = await client.get<V2HorizontalPodAutoscaler & KubeObject>(hpaRef(name));
  assert.ok(hpa, 'the HPA exists');
  assert.equal(hpa.spec?.minReplicas, 2);
  assert.equal(hpa.spec?.maxReplicas, 4);
  assert.deepEqual(hpa.spec?.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: `${name}-stable` });
  assert.equal(hpa.spec?.metrics?.[0]?.resource?.target?.averageUtilization, 70);

  const deployment = await eventually('the HPA to scale the Deployment to its minimum', () => getDeployment(name), (d) => d?.spec?.replicas === 2);
  const ours = deployment?.metadata?.managedFields?.filter((m) => m.manager === 'modelship');
  assert.ok(ours?.length, 'modelship manages fields of the Deployment');
  for (const entry of ours ?? []) {
    const spec = (entry.fieldsV1 as Record<string, Record<string, unknown> | undefined>)['f:spec'];
    assert.ok(spec, 'modelship manages the Deployment spec');
    assert.equal('f:replicas' in spec, false, `modelship must not own spec.replicas: ${JSON.stringify(entry)}`);
  }

  // Scale as the HPA would: through the scale subresource, within [min, max] (no metrics server, so
  // the HPA itself keeps whatever count it finds in range).
  const since = operator.requests.length;
  await patchAs(OTHER_MANAGER, { ...deploymentRef(name), subresource: 'scale' }, { spec: { replicas: 3 } });
  await eventually('3 replicas to roll out', () => getDeployment(name), (d) => rolledOut(d, 3));
  await eventually('status to count 3 ready replicas', () => client.get<ModelDeploymentObject>(mdRef(namespace, name)), (md) => md?.status?.readyReplicas === 3 && conditionOf(md, 'Ready')?.status === 'True');

  // The operator looks again (a forced resync, then the queue idle: every reconcile it caused has ended):
  // the count stays where it was put, and the operator never wrote to the Deployment or the HPA.
  const reconciles = operator.controller.reconciles;
  operator.controller.forceResync();
  await operator.controller.queue.idle();
  assert.ok(operator.controller.reconciles > reconciles, 'the resync reconciled');
  assert.equal((await getDeployment(name))?.spec?.replicas, 3, 'spec.replicas stays as set');
  assert.deepEqual(operatorWritesTo(deploymentRef(name), since), [], 'no operator write to the Deployment');
  assert.deepEqual(operatorWritesTo(hpaRef(name), since), [], 'no operator write to the HPA');
  const after = await getDeployment(name);
  for (const entry of after?.metadata?.managedFields?.filter((m) => m.manager === 'modelship') ?? []) {
    assert.equal('f:replicas' in ((entry.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec'] ?? {}), false);
  }
});

test('a deleted child comes back: the Service, then the Deployment', async () => {
  const name = 'heal';
  const md = await createModelDeployment(client, namespace, withChanges(validManifest(name), { 'spec.replicas': 2 }));
  await ready(name);

  for (const [what, ref] of [
    ['Service', serviceRef(name)],
    ['Deployment', deploymentRef(name)],
  ] as const) {
    const before = await client.get<KubeObject>(ref);
    assert.ok(before?.metadata?.uid, `${what} exists`);
    await client.delete(ref, before.metadata.uid);
    const back = await eventually(`${what} ${ref.name} to be re-created`, () => client.get<KubeObject>(ref), (o) => o?.metadata?.uid !== undefined && o.metadata.uid !== before.metadata?.uid);
    assert.equal(back?.metadata?.name, ref.name, 'same name');
    assert.deepEqual(
      back?.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
      [['ModelDeployment', name, md.metadata?.uid, true]],
      `the new ${what} is controlled by its ModelDeployment`,
    );
    assert.equal(back?.metadata?.labels?.[LABEL_MODEL_DEPLOYMENT], name);
  }
  await eventually('the re-created Deployment to roll out', () => getDeployment(name), (d) => rolledOut(d, 2));
  await ready(name);
});

test('fields modelship manages are restored; fields others added are left alone', async () => {
  const name = 'drift';
  await createModelDeployment(client, namespace, withChanges(validManifest(name), { 'spec.replicas': 1 }));
  await ready(name);
  const image = serverImage(await getDeployment(name));
  assert.ok(image, 'the Deployment has a model server container');

  // Someone else annotates both children.
  const annotation = { 'example.com/owner': 'team-risk' };
  await patchAs(OTHER_MANAGER, serviceRef(name), { metadata: { annotations: annotation } });
  await patchAs(OTHER_MANAGER, deploymentRef(name), { metadata: { annotations: annotation } });

  // ... changes a label modelship sets on the Service, and removes another.
  await patchAs(OTHER_MANAGER, serviceRef(name), { metadata: { labels: { [LABEL_MANAGED_BY]: 'someone-else' } } });
  const svc = await eventually('the Service label to be restored', () => getService(name), (s) => s?.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY);
  assert.equal(svc?.metadata?.annotations?.['example.com/owner'], 'team-risk', 'the foreign annotation survived the restoring apply');

  await patchAs(OTHER_MANAGER, serviceRef(name), { metadata: { labels: { [LABEL_PART_OF]: null } } });
  await eventually('the removed Service label to be restored', () => getService(name), (s) => s?.metadata?.labels?.[LABEL_PART_OF] === PART_OF);

  // ... and swaps the model server image (a merge patch replaces the whole container list).
  const live = await getDeployment(name);
  const containers = (live?.spec?.template?.spec?.containers ?? []).map((c) => (c.name === SERVER_CONTAINER ? { ...c, image: 'registry.example.com/tampered:1.0' } : c));
  const tampered = await patchAs<Deployment>(OTHER_MANAGER, deploymentRef(name), { spec: { template: { spec: { containers } } } });
  assert.equal(serverImage(tampered), 'registry.example.com/tampered:1.0', 'the tampering took effect');
  const restored = await eventually('the Deployment image to be restored', () => getDeployment(name), (d) => serverImage(d) === image);
  assert.equal(restored?.metadata?.annotations?.['example.com/owner'], 'team-risk', 'the foreign annotation on the Deployment survived');
  await eventually('the restored Deployment to roll out', () => getDeployment(name), (d) => rolledOut(d, 1));
  await ready(name);

  // A forced reconcile of everything: the annotations stay, and nothing is written to either child.
  const since = operator.requests.length;
  const reconciles = operator.controller.reconciles;
  operator.controller.forceResync();
  await eventually('a forced resync to reconcile', () => Promise.resolve(operator.controller.reconciles - reconciles), (n) => n >= 1, 30_000);
  // Barrier instead of 2 s of real time: a resync re-delivers every cached object at once (from the caches, no
  // request), so once the queue is idle every reconcile it caused has ended.
  await operator.controller.queue.idle();
  for (const ref of [serviceRef(name), deploymentRef(name)]) {
    const obj = await client.get<KubeObject>(ref);
    assert.equal(obj?.metadata?.annotations?.['example.com/owner'], 'team-risk', `${ref.kind}: the foreign annotation is left alone`);
    assert.ok(obj?.metadata?.managedFields?.some((m) => m.manager === OTHER_MANAGER), `${ref.kind}: the other manager still owns its fields`);
    assert.deepEqual(operatorWritesTo(ref, since), [], `${ref.kind}: no operator write once converged`);
  }
});

test("other controllers' status bookkeeping starts no reconcile; a change the operator reads does", async (t) => {
  const name = 'quiet';
  const key = `${namespace}/${name}`;
  await createModelDeployment(client, namespace, withChanges(validManifest(name), { 'spec.replicas': 2 }));
  await ready(name);
  await eventually('the Deployment to roll out', () => getDeployment(name), (d) => rolledOut(d, 2));
  const pdbRef: ObjectRef = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace, name: `${name}-stable` };
  const cached = (ref: ObjectRef) => operator.controller.caches.children.get(`${ref.apiVersion}/${ref.kind}`)?.get(namespace, ref.name ?? '');
  /** Until the operator's cache holds `written` (or newer), its watch event has not been handled yet. */
  const seen = (ref: ObjectRef, written: KubeObject | undefined) =>
    eventually(`the cache to see ${ref.kind} ${ref.name} at ${written?.metadata?.resourceVersion}`, () => Promise.resolve(cached(ref)), (o) => Number(o?.metadata?.resourceVersion) >= Number(written?.metadata?.resourceVersion));
  // The roll-out's last status writes reach the cache (and are reconciled) before the count starts.
  await seen(deploymentRef(name), await getDeployment(name));
  await seen(pdbRef, await client.get<KubeObject>(pdbRef));
  await operator.controller.queue.idle();
  // Only this ModelDeployment's key counts: the others in the namespace may still be settling.
  const adds = t.mock.method(operator.controller.queue, 'add');
  const reconcilesOfKey = () => adds.mock.calls.filter((c) => c.arguments[0] === key).length;

  // As their controllers do: the disruption controller recounts, the Deployment controller rewrites a
  // condition's timestamps. Nothing a reconcile reads changes.
  const pdb = await patchAs<KubeObject>(OTHER_MANAGER, { ...pdbRef, subresource: 'status' }, { status: { disruptionsAllowed: 7 } });
  const live = await getDeployment(name);
  const conditions = (live?.status?.conditions ?? []).map((c) => ({ ...c, lastUpdateTime: new Date(Date.now() + 60_000).toISOString() }));
  assert.ok(conditions.length > 0, 'the Deployment has conditions');
  const deployment = await patchAs<KubeObject>(OTHER_MANAGER, { ...deploymentRef(name), subresource: 'status' }, { status: { conditions } });
  await seen(pdbRef, pdb);
  await seen(deploymentRef(name), deployment);
  await operator.controller.queue.idle();
  assert.equal(reconcilesOfKey(), 0, 'no reconcile for status bookkeeping nobody reads');

  // A label is read (and kept in the cache): the owner is reconciled, and writes nothing back.
  const since = operator.requests.length;
  const labelled = await patchAs<KubeObject>(OTHER_MANAGER, pdbRef, { metadata: { labels: { 'example.com/team': 'risk' } } });
  await seen(pdbRef, labelled);
  await eventually('the label to start a reconcile', () => Promise.resolve(reconcilesOfKey()), (n) => n >= 1, 30_000);
  await operator.controller.queue.idle();
  assert.deepEqual(operatorWritesTo(pdbRef, since), [], 'the foreign label is left alone');
});

test("the operator's own status write starts no reconcile; one written by anyone else does", async (t) => {
  const name = 'echo';
  const key = `${namespace}/${name}`;
  const ref = mdRef(namespace, name);
  await createModelDeployment(client, namespace, validManifest(name));
  await ready(name);
  const cachedMd = () => Promise.resolve(operator.controller.caches.modelDeployments.get(namespace, name));
  const url = (await client.get<ModelDeploymentObject>(ref))?.status?.url;
  assert.ok(url, 'the ready ModelDeployment reports its URL');
  await eventually('the cache to hold the ready status', cachedMd, (md) => md?.status?.url === url && conditionOf(md, 'Ready')?.status === 'True');
  await operator.controller.queue.idle();
  const adds = t.mock.method(operator.controller.queue, 'add');
  const reconcilesOfKey = () => adds.mock.calls.filter((c) => c.arguments[0] === key).length;
  const since = operator.requests.length;

  // Someone else rewrites a field the operator reports: that event starts a reconcile, which writes
  // the field back. The event of that write starts none: it would only repeat the reconcile.
  const foreign = await patchAs<ModelDeploymentObject>(OTHER_MANAGER, { ...ref, subresource: 'status' }, { status: { url: 'http://elsewhere.invalid' } });
  await eventually('the operator to write the URL back', () => client.get<ModelDeploymentObject>(ref), (md) => md?.status?.url === url);
  const restored = await client.get<ModelDeploymentObject>(ref);
  await eventually('the cache to hold the restored status', cachedMd, (md) => md?.metadata?.resourceVersion === restored?.metadata?.resourceVersion);
  await operator.controller.queue.idle();
  assert.ok(Number(restored?.metadata?.resourceVersion) > Number(foreign.metadata?.resourceVersion), 'a write after the foreign one');
  assert.equal(operatorWritesTo(ref, since).length, 1, 'one status write restored the URL');
  assert.equal(reconcilesOfKey(), 1, "the foreign write started one reconcile; the operator's own write started none");
});

test('deleting the ModelDeployment garbage-collects everything it owned', async () => {
  const name = 'gone';
  // TensorFlow Serving needs a ConfigMap; autoscaling adds the HPA; more than one replica, the PDB.
  const manifest = withChanges(validManifest(name), {
    'spec.model.format': 'tensorflow',
    'spec.runtime.preset': 'tensorflow-serving',
    'spec.replicas': undefined,
    'spec.autoscaling': { minReplicas: 2, maxReplicas: 3 },
  });
  await createModelDeployment(client, namespace, manifest);
  await ready(name);

  const kinds: ObjectRef[] = [
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace },
    { apiVersion: 'v1', kind: 'Service', namespace },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace },
    { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace },
    { apiVersion: 'v1', kind: 'ConfigMap', namespace },
    { apiVersion: 'v1', kind: 'Pod', namespace },
  ];
  const owned = async () => {
    const found: string[] = [];
    for (const ref of kinds) {
      const { items } = await client.list<KubeObject>(ref, { labelSelector: selectorOf(name) });
      for (const o of items) found.push(`${ref.kind}/${o.metadata?.name}`);
    }
    for (const rs of await replicaSets(name)) found.push(`ReplicaSet/${rs.metadata?.name}`);
    return found.sort();
  };
  const before = await owned();
  for (const kind of ['ConfigMap', 'Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ReplicaSet', 'Pod']) {
    assert.ok(before.some((o) => o.startsWith(`${kind}/`)), `a ${kind} exists before the delete: ${JSON.stringify(before)}`);
  }
  const pdb = await client.get<V1PodDisruptionBudget & KubeObject>({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace, name: `${name}-stable` });
  assert.ok(pdb, 'the PDB exists');

  await client.delete(mdRef(namespace, name));
  await eventually('the ModelDeployment to be gone', () => client.get<ModelDeploymentObject>(mdRef(namespace, name)), (md) => md === undefined);
  // Generous: on a control plane that has just installed the CRD, the garbage collector learns the new
  // kind only on its 30 s discovery resync and then retries the owner lookup with backoff (~45 s seen).
  await eventually('everything it owned to be garbage-collected', owned, (left) => left.length === 0, 120_000, 500);

  // Nothing comes back: once its cache has the ModelDeployment gone, the operator reconciles its key (as an
  // event on any child does) and re-creates none of its children.
  await eventually('the operator to see the ModelDeployment gone', () => Promise.resolve(operator.controller.caches.modelDeployments.get(namespace, name)), (md) => md === undefined);
  const reconciles = operator.controller.reconciles;
  operator.controller.queue.add(`${namespace}/${name}`);
  await operator.controller.queue.idle();
  assert.ok(operator.controller.reconciles > reconciles, 'the deleted key was reconciled');
  assert.deepEqual(await owned(), [], 'nothing was re-created');
});
