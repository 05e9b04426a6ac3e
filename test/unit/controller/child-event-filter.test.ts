// Which child events start a reconcile: an update only when the cached copy changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { cachedChild, cachedPod } from '../../../src/controller/cache-transforms.ts';
import { isReadEndpointSlice, sameCachedContent, triggersReconcile } from '../../../src/controller/child-event-filter.ts';
import { jsonEqual } from '../../../src/status/status-changed.ts';
import { observeDeployment, observePod } from '../../../src/controller/observe.ts';
import { canaryTargets } from '../../../src/controller/canary-targets.ts';
import type { KubeObject, ManagedFieldsEntry } from '../../../src/kube/api-client.ts';

const ours = { manager: 'modelship', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-12-05T10:00:00Z', fieldsV1: { 'f:spec': { 'f:replicas': {} } } };

/** As the API server sends it: JSON, so times are strings (client-node's types say Date). */
function deployment(resourceVersion: string, status: Record<string, unknown> | undefined, time = ours.time): KubeObject & Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'iris', namespace: 'ml', uid: 'u1', generation: 1, resourceVersion, labels: { 'modelship.io/model-deployment': 'iris' }, managedFields: [{ ...ours, time } as ManagedFieldsEntry] },
    spec: { replicas: 1, selector: { matchLabels: { app: 'iris' } }, template: { metadata: { labels: { app: 'iris' } } } },
    ...(status ? { status } : {}),
  };
}

const progressing = (at: string, message: string) => ({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message, lastUpdateTime: at, lastTransitionTime: '2026-12-05T10:00:00Z' });

void test('adds, deletes and resyncs always start a reconcile; an update without a previous copy too', () => {
  const d = cachedChild(deployment('1', { replicas: 1 }));
  for (const event of ['add', 'delete', 'resync'] as const) assert.equal(triggersReconcile(event, d, d), true, event);
  assert.equal(triggersReconcile('update', d, undefined), true);
});

void test('a Deployment status update that only moves condition times starts no reconcile; a new message or count does', () => {
  const before = cachedChild(deployment('1', { replicas: 1, readyReplicas: 1, conditions: [progressing('2026-12-05T10:00:01Z', 'ReplicaSet "iris-1" has successfully progressed.')] }));
  const timesOnly = cachedChild(deployment('2', { replicas: 1, readyReplicas: 1, conditions: [progressing('2026-12-05T10:05:00Z', 'ReplicaSet "iris-1" has successfully progressed.')] }, '2026-12-05T10:05:00Z'));
  assert.equal(triggersReconcile('update', timesOnly, before), false);
  const message = cachedChild(deployment('3', { replicas: 1, readyReplicas: 1, conditions: [progressing('2026-12-05T10:05:00Z', 'ReplicaSet "iris-2" is progressing.')] }));
  assert.equal(triggersReconcile('update', message, before), true);
  const ready = cachedChild(deployment('4', { replicas: 1, readyReplicas: 0, conditions: [progressing('2026-12-05T10:00:01Z', 'ReplicaSet "iris-1" has successfully progressed.')] }));
  assert.equal(triggersReconcile('update', ready, before), true);
  // What observe reads is the same for the copies that start no reconcile.
  assert.deepEqual(observeDeployment('stable', 'iris', timesOnly as V1Deployment), observeDeployment('stable', 'iris', before as V1Deployment));
});

void test('HorizontalPodAutoscaler and PodDisruptionBudget status updates start no reconcile; a spec change does', () => {
  for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
    const obj = (rv: string, status: unknown, spec: unknown = { minReplicas: 1 }): KubeObject => cachedChild({ apiVersion: 'x/v1', kind, metadata: { name: 'iris', namespace: 'ml', resourceVersion: rv }, spec, status } as KubeObject);
    assert.equal(triggersReconcile('update', obj('2', { currentHealthy: 1, conditions: [{ type: 'SufficientPods', status: 'True' }] }), obj('1', {})), false, kind);
    assert.equal(triggersReconcile('update', obj('2', {}, { minReplicas: 2 }), obj('1', {})), true, kind);
  }
});

void test('a pod scheduled to a node starts no reconcile; becoming Ready does, and observation and canary targets read the same', () => {
  const pod = (rv: string, status: V1Pod['status']): V1Pod & KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'iris-abc', namespace: 'ml', resourceVersion: rv, labels: { 'modelship.io/variant': 'canary', 'modelship.io/revision': '2', 'app.kubernetes.io/component': 'model-server' } },
    spec: { containers: [{ name: 'server', ports: [{ name: 'http', containerPort: 8080 }] }] },
    ...(status ? { status } : {}),
  });
  const pending = pod('1', { phase: 'Pending' });
  const scheduled = pod('2', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: new Date('2026-12-05T10:00:00Z') }] });
  assert.equal(triggersReconcile('update', cachedPod(scheduled), cachedPod(pending)), false);
  const ready = pod('3', { phase: 'Running', podIP: '10.0.0.7', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True', lastTransitionTime: new Date('2026-12-05T10:00:05Z') }] });
  assert.equal(triggersReconcile('update', cachedPod(ready), cachedPod(scheduled)), true);
  assert.deepEqual(cachedPod(ready).status?.conditions, [{ type: 'Ready', status: 'True' }]);
  assert.deepEqual(observePod(cachedPod(ready)), observePod(ready));
  assert.deepEqual(canaryTargets([cachedPod(ready)], 2), canaryTargets([ready], 2));
  assert.equal(canaryTargets([cachedPod(ready)], 2).length, 1);
});

void test('only the canary Service\'s EndpointSlices are read', () => {
  const slice = (service: string): KubeObject => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${service}-x1`, labels: { 'kubernetes.io/service-name': service } } });
  assert.equal(isReadEndpointSlice(slice('iris-canary'), 'iris'), true);
  assert.equal(isReadEndpointSlice(slice('iris'), 'iris'), false);
  assert.equal(isReadEndpointSlice(slice('iris-stable'), 'iris'), false);
  assert.equal(isReadEndpointSlice(slice('other-canary'), 'iris'), false);
});

void test('sameCachedContent ignores the resourceVersion and managed fields times, nothing else', () => {
  const a = cachedChild(deployment('1', { replicas: 1 }));
  assert.equal(sameCachedContent(a, cachedChild(deployment('9', { replicas: 1 }, '2027-01-01T00:00:00Z'))), true);
  assert.equal(sameCachedContent(a, { ...a, metadata: { ...a.metadata, labels: { other: 'x' } } }), false);
  assert.equal(sameCachedContent(a, { ...a, metadata: { ...a.metadata, managedFields: [] } }), false);
  assert.equal(sameCachedContent(a, { ...a, metadata: { ...a.metadata, generation: 2 } }), false);
});

/** The definition before it was written in loops: rest copies without the ignored keys, compared whole. */
function referenceSame(a: KubeObject, b: KubeObject): boolean {
  const { metadata: ma, ...ra } = a;
  const { metadata: mb, ...rb } = b;
  if (!jsonEqual(ra, rb)) return false;
  if (ma === undefined || mb === undefined) return ma === mb;
  const { resourceVersion: _va, managedFields: fa, ...restA } = ma;
  const { resourceVersion: _vb, managedFields: fb, ...restB } = mb;
  if (!jsonEqual(restA, restB)) return false;
  if (fa === undefined || fb === undefined) return fa === fb;
  if (fa.length !== fb.length) return false;
  return fa.every((entry, i) => {
    const { time: _ta, ...ea } = entry as Record<string, unknown>;
    const { time: _tb, ...eb } = (fb[i] ?? {}) as Record<string, unknown>;
    return jsonEqual(ea, eb);
  });
}

void test('sameCachedContent decides as the definition does for objects that differ anywhere, ignored keys included', () => {
  const small = fc.constantFrom(undefined, '1', '2', 1, null);
  const entry = fc.record({ manager: fc.constantFrom('modelship', 'kubectl'), time: small, fieldsV1: small }, { requiredKeys: [] });
  const metadata = fc.record({ name: small, resourceVersion: small, generation: small, labels: fc.option(fc.dictionary(fc.constantFrom('a', 'b'), small)), managedFields: fc.option(fc.array(entry, { maxLength: 2 }), { nil: undefined }) }, { requiredKeys: [] });
  const object = fc.record({ kind: small, metadata: fc.option(metadata, { nil: undefined }), spec: small, status: fc.option(fc.dictionary(fc.constantFrom('replicas', 'ready'), small)) }, { requiredKeys: [] });
  /** Changes one place of a copy: an ignored key or any other. */
  const changes: ((o: KubeObject & Record<string, unknown>, v: unknown) => void)[] = [
    (o, v) => ((o as Record<string, unknown>)['kind'] = v),
    (o, v) => (o['status'] = v),
    (o) => delete o.metadata,
    (o, v) => o.metadata && ((o.metadata as Record<string, unknown>)['resourceVersion'] = v),
    (o, v) => o.metadata && ((o.metadata as Record<string, unknown>)['generation'] = v),
    (o, v) => o.metadata && (o.metadata.labels = { a: v as string }),
    (o) => o.metadata?.managedFields?.pop(),
    (o, v) => o.metadata?.managedFields?.[0] && ((o.metadata.managedFields[0] as Record<string, unknown>)['time'] = v),
    (o, v) => o.metadata?.managedFields?.[0] && ((o.metadata.managedFields[0] as Record<string, unknown>)['manager'] = v),
    (o, v) => o.metadata?.managedFields?.at(-1) && ((o.metadata.managedFields.at(-1) as Record<string, unknown>)['fieldsV1'] = v),
    (o) => o.metadata && (o.metadata.managedFields = undefined),
  ];
  const change = fc.tuple(fc.nat(changes.length - 1), small);
  fc.assert(
    fc.property(object, object, fc.array(change, { maxLength: 2 }), (a, b, edits) => {
      const x = a as KubeObject;
      assert.equal(sameCachedContent(x, b as KubeObject), referenceSame(x, b as KubeObject));
      const y = structuredClone(x) as KubeObject & Record<string, unknown>;
      for (const [i, v] of edits) changes[i]?.(y, v);
      assert.equal(sameCachedContent(x, y), referenceSame(x, y), JSON.stringify(edits));
      assert.equal(sameCachedContent(y, x), referenceSame(y, x));
    }),
    { numRuns: 3000 },
  );
});

void test('jsonEqual is deep equality of JSON values, whatever the key order', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (x, y) => {
      assert.equal(jsonEqual(x, JSON.parse(JSON.stringify(x))), true);
      const reordered = JSON.parse(JSON.stringify(x, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v))) as unknown;
      assert.equal(jsonEqual(x, reordered), true);
      // Two values are equal exactly when their key-sorted JSON texts are.
      assert.equal(jsonEqual(x, y), sortedJson(x) === sortedJson(y));
    }),
  );
});

function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}
