// The caches keep less than the API server sends; what reconcile decides from them must not change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { applyReason, DESIRED_HASH_ANNOTATION, FIELD_MANAGER, withDesiredHash } from '../../../src/controller/apply-decision.ts';
import { cachedChild, cachedEndpointSlice, cachedModelDeployment, cachedPod } from '../../../src/controller/cache-transforms.ts';
import { ownedFieldsText } from '../../../src/controller/cached-fields-text.ts';
import { withOwner } from '../../../src/controller/owner-reference.ts';
import { canaryTargets } from '../../../src/controller/canary-targets.ts';
import { observeDeployment, observePod } from '../../../src/controller/observe.ts';
import { observeVariant } from '../../../src/controller/observe-rollout.ts';
import type { KubeObject, ManagedFieldsEntry } from '../../../src/kube/api-client.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const desired: KubeObject & { apiVersion: string; kind: string; spec: V1Deployment['spec'] } = withDesiredHash({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'iris', namespace: 'ml', labels: { 'modelship.io/model-deployment': 'iris' } },
  spec: {
    selector: { matchLabels: { app: 'iris' } },
    template: {
      metadata: { labels: { app: 'iris', 'modelship.io/revision': '3' } },
      spec: { containers: [{ name: 'server', image: 'scorer:1', env: [{ name: 'A', value: '1' }] }] },
    },
  },
});

/** modelship's Apply entry covering the desired fields, as the API server records it. */
const ourEntry = {
  manager: FIELD_MANAGER,
  operation: 'Apply',
  apiVersion: 'apps/v1',
  fieldsV1: {
    'f:metadata': { 'f:labels': { 'f:modelship.io/model-deployment': {} }, 'f:annotations': { 'f:modelship.io/desired-hash': {} } },
    'f:spec': {
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { 'f:app': {}, 'f:modelship.io/revision': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"server"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } },
      },
    },
  },
};
const controllerEntry = { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'apps/v1', subresource: 'status', fieldsV1: { 'f:status': { 'f:replicas': {} } } };

function live(entries: ManagedFieldsEntry[]): V1Deployment & KubeObject {
  const deployment: V1Deployment & KubeObject = {
    ...desired,
    metadata: {
      name: 'iris',
      namespace: 'ml',
      labels: { 'modelship.io/model-deployment': 'iris' },
      uid: 'u1',
      resourceVersion: '42',
      annotations: { ...desired.metadata?.annotations, [LAST_APPLIED]: JSON.stringify(desired), team: 'fraud' },
      managedFields: entries,
    },
    spec: { ...desired.spec, replicas: 2, selector: { matchLabels: { app: 'iris' } }, template: desired.spec?.template ?? {} },
    status: { replicas: 2, readyReplicas: 1, updatedReplicas: 2, observedGeneration: 1 },
  };
  return deployment;
}

void test('a cached Deployment keeps what reconcile reads and nothing of the pod spec or other managers', () => {
  const full = live([ourEntry, controllerEntry]);
  const kept = cachedChild(full);
  assert.equal(kept.spec?.template.spec, undefined);
  assert.deepEqual(kept.spec?.template.metadata?.labels, { app: 'iris', 'modelship.io/revision': '3' });
  assert.deepEqual(kept.metadata?.managedFields?.map((m) => m.manager), [FIELD_MANAGER]);
  assert.equal(typeof kept.metadata?.managedFields?.[0]?.fieldsV1, 'string', 'kept as its JSON text');
  assert.deepEqual(cachedChild(kept), kept, 'transforming twice changes nothing (relists re-deliver cached objects)');
  assert.equal(kept.metadata?.annotations?.[LAST_APPLIED], undefined);
  assert.equal(kept.metadata?.annotations?.['team'], undefined, 'annotations reconcile never reads are dropped');
  assert.equal(kept.metadata?.resourceVersion, '42');
  assert.deepEqual(kept.status, full.status);
  assert.ok(JSON.stringify(kept).length < JSON.stringify(full).length * 0.7, `${JSON.stringify(kept).length} of ${JSON.stringify(full).length} bytes`);
  // The decisions are the same on the kept object.
  assert.deepEqual(observeVariant(kept), observeVariant(full));
  assert.deepEqual(observeDeployment('stable', 'iris', kept), observeDeployment('stable', 'iris', full));
  assert.equal(applyReason(desired, kept), 'UpToDate');
  assert.equal(applyReason(desired, full), 'UpToDate');
  assert.equal(full.metadata?.managedFields?.length, 2, "the informer's object itself is not changed");
});

void test('anyone may label an object: of its annotations, a cached child keeps only the hash, pods and slices none', () => {
  const big = 'x'.repeat(200_000);
  const labelled = { metadata: { name: 'iris', labels: { 'modelship.io/model-deployment': 'iris' }, annotations: { filler: big, [DESIRED_HASH_ANNOTATION]: 'h1' } } };
  assert.deepEqual(cachedChild({ ...labelled, apiVersion: 'v1', kind: 'Service' }).metadata?.annotations, { [DESIRED_HASH_ANNOTATION]: 'h1' });
  assert.deepEqual(cachedChild({ ...labelled, apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...labelled.metadata, annotations: { filler: big } } }).metadata, { name: 'iris', labels: labelled.metadata.labels });
  assert.equal(cachedPod({ ...labelled, apiVersion: 'v1', kind: 'Pod' }).metadata?.annotations, undefined);
  assert.equal(cachedEndpointSlice({ ...labelled, apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' }).metadata?.annotations, undefined);
  assert.ok(JSON.stringify(cachedChild({ ...labelled, apiVersion: 'v1', kind: 'Service' })).length < 1000);
});

void test('drift in the dropped pod spec still shows: another manager took the field, ours no longer covers it', () => {
  const theirs = { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'apps/v1', fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"server"}': { 'f:image': {} } } } } } } };
  const ourNow = structuredClone(ourEntry);
  delete (ourNow.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"server"}'] as Record<string, unknown>)['f:image'];
  const full = live([ourNow, theirs]);
  assert.equal(applyReason(desired, full), 'Drifted');
  assert.equal(applyReason(desired, cachedChild(full)), 'Drifted');
  // The version before the edit was up to date for the same hash; that answer belongs to it alone.
  const before = cachedChild(live([ourEntry]));
  assert.equal(applyReason(desired, before), 'UpToDate');
  assert.equal(applyReason(desired, before), 'UpToDate', 'asked again');
  assert.equal(applyReason(desired, cachedChild(full)), 'Drifted', 'the edited version is compared anew');
});

void test('a cached ConfigMap has no data; its hash annotation and our entry decide', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', managedFields: [ourEntry, controllerEntry] }, data: { 'model.json': 'x'.repeat(10_000) } };
  const kept = cachedChild(cm) as KubeObject & { data?: unknown };
  assert.equal(kept.data, undefined);
  assert.equal(kept.metadata?.managedFields?.length, 1);
});

void test('a cached pod keeps its status and container ports: observation and smoke targets are unchanged', () => {
  const pod: V1Pod & KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'iris-canary-abc',
      namespace: 'ml',
      labels: { 'modelship.io/variant': 'canary', 'modelship.io/revision': '2', 'app.kubernetes.io/component': 'model-server' },
      managedFields: [controllerEntry],
    },
    spec: {
      containers: [{ name: 'server', image: 'scorer:2', ports: [{ name: 'http', containerPort: 8080 }], env: [{ name: 'BIG', value: 'y'.repeat(5000) }] }],
      volumes: [{ name: 'model', emptyDir: {} }],
      nodeName: 'kwok-node-1',
    },
    status: {
      phase: 'Running',
      podIP: '10.244.0.7',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'server', ready: true, restartCount: 0, image: 'scorer:2', imageID: '', state: { running: {} } }],
    },
  };
  const kept = cachedPod(pod);
  assert.deepEqual(kept.spec, { containers: [{ name: 'server', ports: [{ name: 'http', containerPort: 8080 }] }] });
  assert.equal(kept.metadata?.managedFields, undefined);
  assert.deepEqual(observePod(kept), observePod(pod));
  assert.deepEqual(canaryTargets([kept], 2), canaryTargets([pod], 2));
  assert.equal(canaryTargets([kept], 2).length, 1);
});

void test('a cached ModelDeployment has no managedFields and no kubectl copy, but keeps its rollout annotations', () => {
  const md = { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', metadata: { name: 'iris', annotations: { [LAST_APPLIED]: '{}', 'modelship.io/promote': 'x' }, managedFields: [ourEntry] }, spec: { a: 1 } };
  const kept = cachedModelDeployment(md);
  assert.deepEqual(kept.metadata?.annotations, { 'modelship.io/promote': 'x' });
  assert.equal(kept.metadata?.managedFields, undefined);
  assert.deepEqual(kept.spec, md.spec);
});

void test('an unreadable fieldsV1 text counts as drift, so the next apply rewrites the fields', () => {
  const kept = cachedChild(live([ourEntry]));
  const broken = { ...kept, metadata: { ...kept.metadata, managedFields: [{ ...ourEntry, fieldsV1: '{not json' }] } };
  assert.equal(applyReason(desired, kept), 'UpToDate');
  assert.equal(applyReason(desired, broken), 'Drifted');
});

void test("a child's owner uid is not in its cached fieldsV1 text, so alike children share it; the apply decision sees it back", () => {
  const owner = { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', name: 'iris', uid: '6f1c2a9e-0d4b-4c3e-9a51-3f0f8e2b7c11', controller: true, blockOwnerDeletion: true };
  const owned = withOwner(desired, owner);
  const entry = { ...ourEntry, fieldsV1: { ...ourEntry.fieldsV1, 'f:metadata': { ...ourEntry.fieldsV1['f:metadata'], 'f:ownerReferences': { [`k:{"uid":"${owner.uid}"}`]: {} } } } };
  const full = { ...live([entry]), metadata: { ...live([entry]).metadata, ownerReferences: owned.metadata?.ownerReferences } };
  const kept = cachedChild(full);
  const text: unknown = kept.metadata?.managedFields?.[0]?.fieldsV1;
  assert.equal(typeof text, 'string');
  assert.ok(!String(text).includes(owner.uid), 'the uid is taken out');
  const other = { ...owner, name: 'fraud', uid: '0a9b8c7d-1111-4222-8333-944455556666' };
  const otherFull = { ...full, metadata: { ...full.metadata, ownerReferences: [other] } };
  const otherEntry = { ...entry, fieldsV1: { ...entry.fieldsV1, 'f:metadata': { ...entry.fieldsV1['f:metadata'], 'f:ownerReferences': { [`k:{"uid":"${other.uid}"}`]: {} } } } };
  assert.equal(cachedChild({ ...otherFull, metadata: { ...otherFull.metadata, managedFields: [otherEntry] } }).metadata?.managedFields?.[0]?.fieldsV1, text, 'equal texts for children of different owners');
  const ours = kept.metadata?.managedFields?.[0];
  assert.ok(ours);
  assert.deepEqual(JSON.parse(String(ownedFieldsText(ours, kept.metadata))), entry.fieldsV1);
  assert.equal(applyReason(owned, kept), 'UpToDate');
  assert.equal(applyReason(owned, full), 'UpToDate');
  // Our entry no longer holds the owner reference (someone took it): drift, cached or not.
  const taken = { ...full, metadata: { ...full.metadata, managedFields: [{ ...entry, fieldsV1: ourEntry.fieldsV1 }] } };
  assert.equal(applyReason(owned, taken), 'Drifted');
  assert.equal(applyReason(owned, cachedChild(taken)), 'Drifted');
  // The placeholder cannot be put back without the owner reference: counted as drift, never as ours.
  const orphaned = { ...kept, metadata: { ...kept.metadata, ownerReferences: [] } };
  assert.equal(ownedFieldsText(ours, orphaned.metadata), undefined);
  assert.equal(applyReason(owned, orphaned), 'Drifted');
});

void test('cached objects are equal to what they were before their strings were shared', () => {
  const full = live([ourEntry, controllerEntry]);
  const a = cachedChild(full);
  const b = cachedChild(structuredClone(full));
  assert.deepEqual(a, b);
  assert.deepEqual(a.metadata?.labels, full.metadata?.labels);
  assert.deepEqual(cachedPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b'.repeat(40) } }, status: { phase: 'Running', podIP: '10.0.0.1' } }).status, { phase: 'Running', podIP: '10.0.0.1' });
});

void test("a cached pod's status keeps the containers' states, not its host, start time or images", () => {
  const terminated = { exitCode: 1, reason: 'Error', message: 'no such key: s3://models/iris/3', finishedAt: new Date('2026-01-01T00:00:00Z') };
  const sent: V1Pod & KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'iris-stable-abc', namespace: 'ml' },
    spec: { containers: [{ name: 'server', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: {
      phase: 'Pending',
      podIP: '10.244.0.9',
      hostIP: '172.18.0.2',
      hostIPs: [{ ip: '172.18.0.2' }],
      podIPs: [{ ip: '10.244.0.9' }],
      startTime: new Date('2026-01-01T00:00:00Z'),
      qosClass: 'Burstable',
      conditions: [{ type: 'Ready', status: 'False' }],
      initContainerStatuses: [{ name: 'model-fetcher', ready: false, restartCount: 3, image: 'modelship:1', imageID: 'sha256:1', containerID: 'containerd://1', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated } }],
      containerStatuses: [{ name: 'server', ready: false, restartCount: 0, image: 'scorer:2', imageID: '', started: false, state: { waiting: { reason: 'PodInitializing' } } }],
    },
  };
  // As the informer gets it: JSON text parsed (dates are strings).
  const pod = JSON.parse(JSON.stringify(sent)) as V1Pod & KubeObject;
  const kept = cachedPod(pod);
  assert.deepEqual(observePod(kept), observePod(pod));
  assert.ok(observePod(kept).fetchFailure, 'the failed fetch is still seen');
  assert.equal(kept.status?.hostIP, undefined);
  assert.equal(kept.status?.startTime, undefined);
  assert.equal(kept.status?.initContainerStatuses?.[0]?.image, undefined);
  assert.deepEqual(kept.status?.initContainerStatuses?.[0]?.lastState, pod.status?.initContainerStatuses?.[0]?.lastState);
  assert.equal(kept.status?.initContainerStatuses?.[0]?.lastState?.terminated?.message, terminated.message);
  assert.equal(kept.status?.podIP, '10.244.0.9');
});

void test('a key named __proto__ stays a plain key of the cached object', () => {
  const md = JSON.parse('{"apiVersion":"modelship.io/v1alpha1","kind":"ModelDeployment","metadata":{"name":"iris"},"spec":{"__proto__":"x","a":"b"}}') as KubeObject & { spec: Record<string, unknown> };
  const kept = cachedModelDeployment(md);
  assert.equal(Object.getPrototypeOf(kept.spec), Object.prototype);
  assert.deepEqual(Object.keys(kept.spec), ['__proto__', 'a']);
  assert.equal(Object.getOwnPropertyDescriptor(kept.spec, '__proto__')?.value, 'x');
});

void test('an answer found for one version holds for the next with the same fields entry, and only while the owner is the same', () => {
  const owner = (uid: string) => ({ apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', name: 'iris', uid });
  const service = withDesiredHash(withOwner({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'iris-owned', namespace: 'ml' }, spec: { selector: { app: 'iris' } } }, owner('owner-a')));
  const fieldsFor = (ownerUid: string) => ({
    'f:metadata': { 'f:annotations': { 'f:modelship.io/desired-hash': {} }, 'f:ownerReferences': { [`k:{"uid":"${ownerUid}"}`]: {} } },
    'f:spec': { 'f:selector': {} },
  });
  const version = (resourceVersion: string, controller: string, fieldsOwner = controller): KubeObject =>
    cachedChild({
      ...service,
      metadata: {
        ...service.metadata,
        uid: 'svc-1',
        resourceVersion,
        ownerReferences: [{ ...owner(controller), controller: true, blockOwnerDeletion: true }],
        managedFields: [{ manager: FIELD_MANAGER, operation: 'Apply', apiVersion: 'v1', fieldsV1: fieldsFor(fieldsOwner) }],
      },
    });
  assert.equal(applyReason(service, version('1', 'owner-a')), 'UpToDate');
  const next = version('2', 'owner-a');
  assert.equal(applyReason(service, next), 'UpToDate', 'a later version, same entry');
  // The cached entry's text is the same (the owner's uid is kept out of it), the owner put back is not ours.
  const otherOwner = version('3', 'owner-b');
  assert.equal(otherOwner.metadata?.managedFields?.[0]?.fieldsV1, next.metadata?.managedFields?.[0]?.fieldsV1, 'the same cached text');
  assert.equal(applyReason(service, otherOwner), 'Drifted');
  // Our entry lost the selector (someone else took it): the entry differs, the answer is found anew.
  const taken = cachedChild({
    ...otherOwner,
    metadata: { ...version('4', 'owner-a').metadata, managedFields: [{ manager: FIELD_MANAGER, operation: 'Apply', apiVersion: 'v1', fieldsV1: { 'f:metadata': fieldsFor('owner-a')['f:metadata'] } }] },
  });
  assert.equal(applyReason(service, taken), 'Drifted');
  assert.equal(applyReason(service, version('5', 'owner-a')), 'UpToDate');
});
