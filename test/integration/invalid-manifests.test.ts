// Every manifest of the INVALID_MANIFESTS table is refused by the API server itself, through the
// generated CRD's schema and CEL rules: HTTP 422 (Invalid), a message naming the field, nothing
// stored. No operator runs here: a manifest the CRD lets through would reach the cluster and
// only the operator's own parse could catch it, which is too late for `kubectl apply` users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { createModelDeployment, mdRef, testClient } from '../support/model-deployments.ts';
import { BOUNDARY_MANIFESTS, INVALID_MANIFESTS } from '../fixtures/invalid-manifests.ts';
import { validManifest, withChanges } from '../fixtures/manifests.ts';
import { ApiError } from '../../src/kube/api-error.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'invalid');

/** Creates the manifest and returns the API server's refusal (fails the test if it was accepted). */
async function refusal(manifest: Record<string, unknown>, what: string): Promise<ApiError> {
  try {
    const created = await createModelDeployment(client, namespace, manifest);
    assert.fail(`${what} was accepted by the API server (uid ${created.metadata?.uid})`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return err;
  }
}

test('the table holds at least 25 distinct cases', () => {
  assert.ok(INVALID_MANIFESTS.length >= 25, `only ${INVALID_MANIFESTS.length} cases`);
  assert.equal(new Set(INVALID_MANIFESTS.map((c) => c.name)).size, INVALID_MANIFESTS.length, 'case names are unique');
});

test('a valid manifest is accepted (the table fails for its own reasons, not for a broken base)', async () => {
  const created = await createModelDeployment(client, namespace, validManifest('valid-base'));
  assert.ok(created.metadata?.uid, 'the valid manifest was stored');
  assert.equal(created.metadata?.name, 'valid-base');
});

for (const c of INVALID_MANIFESTS) {
  test(`the API server rejects ${c.name}, naming ${c.expectField}`, async () => {
    const err = await refusal(c.manifest, c.name);
    assert.equal(err.status, 422, `${c.name}: expected 422 Unprocessable Entity, got ${err.status}: ${err.serverMessage}`);
    assert.equal(err.reason, 'Invalid', `${c.name}: ${err.serverMessage}`);
    const message = err.serverMessage;
    assert.ok(message.includes(c.expectField), `${c.name}: the message does not name ${c.expectField}: ${message}`);
    if (c.expectField.startsWith('spec.')) {
      // Schema errors and CEL rules with a fieldPath report "<path>: <what is wrong>": the error
      // is attached to the field itself, not just mentioned in a rule's text.
      assert.ok(message.includes(`${c.expectField}: `), `${c.name}: no error is reported at ${c.expectField}: ${message}`);
    }
    // Nothing was stored under the manifest's name.
    const name = (c.manifest.metadata as { name: string }).name;
    const stored = await client.get<ModelDeploymentObject>(mdRef(namespace, name));
    assert.equal(stored, undefined, `${c.name}: an object named ${name} exists`);
  });
}

for (const c of BOUNDARY_MANIFESTS) {
  test(`the API server accepts the boundary case ${c.name}`, async () => {
    const created = await createModelDeployment(client, namespace, c.manifest);
    assert.equal(created.metadata?.name, c.name, `${c.name} was stored`);
  });
}

test('the API server fills in the documented spec.batch defaults', async () => {
  const manifest = withChanges(validManifest('batch-defaults'), {
    'spec.mode': 'batch',
    'spec.batch': { input: { uri: 's3://scoring/incoming/', format: 'csv' }, output: { uri: 'pvc://scoring-data/predictions' } },
  });
  const created = await createModelDeployment(client, namespace, manifest);
  const batch = (created.spec as { batch?: Record<string, unknown> }).batch;
  assert.deepEqual(batch, {
    input: { uri: 's3://scoring/incoming/', format: 'csv' },
    output: { uri: 'pvc://scoring-data/predictions', format: 'jsonl' },
    suspend: false,
    parallelism: 1,
    batchSize: 64,
    concurrency: 4,
    maxFailedRecords: 0,
    concurrencyPolicy: 'Forbid',
    keepRuns: 10,
  });
});
