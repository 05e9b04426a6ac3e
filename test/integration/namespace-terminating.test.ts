// What the real API server answers a create in a namespace being deleted: a 403 whose Status names the
// cause NamespaceTerminating (the NamespaceLifecycle admission adds it). isNamespaceTerminating reads
// that cause, so the operator ends its work there quietly whatever the message says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { ApiClient } from '../../src/kube/api-client.ts';
import { ApiError, isNamespaceTerminating, NAMESPACE_TERMINATING } from '../../src/kube/api-error.ts';
import { sharedCluster } from '../support/cluster.ts';
import { connectionOf } from '../support/connection.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';

const cluster = await sharedCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const client = new ApiClient(connectionOf(kc), { qps: 10, burst: 30, userAgent: 'modelship-test' });

void test('a create in a terminating namespace is an ApiError with the cause NamespaceTerminating', async (t) => {
  const namespace = await testNamespace(kc, 'terminating');
  // A finalizer no one removes holds the namespace in Terminating until the test lets it go.
  const configMaps = { apiVersion: 'v1', kind: 'ConfigMap', namespace };
  const held = { ...configMaps, name: 'held' };
  await client.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['modelship.io/test-hold'] } });
  t.after(() => client.mergePatch(held, { metadata: { finalizers: null } }).then(() => undefined, () => undefined));
  await core.deleteNamespace({ name: namespace });
  await eventually('the namespace to be Terminating', () => core.readNamespace({ name: namespace }), (ns) => ns.status?.phase === 'Terminating', 30_000);

  const refused = await client.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } }).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(refused instanceof ApiError, String(refused));
  assert.equal(refused.status, 403);
  assert.ok(
    refused.causes.some((c) => c.reason === NAMESPACE_TERMINATING),
    `causes: ${JSON.stringify(refused.causes)}`,
  );
  assert.equal(isNamespaceTerminating(refused), true);
});
