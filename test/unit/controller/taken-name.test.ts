// A child's name taken by another's object: the Stalled message names the object and who holds it,
// and an apply to an existing object is bound to its uid.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundTo, createOnly, CREATE_ONLY_VERSION } from '../../../src/controller/create-only.ts';
import { holderOf, isTakenName, takenName } from '../../../src/controller/taken-name.ts';
import type { KubeObject } from '../../../src/kube/api-client.ts';

void test('the holder is the controller, else the Helm release, else the field managers', () => {
  const controlled = { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: 'u', controller: true }] } };
  assert.equal(holderOf(controlled), 'controlled by Deployment api');
  assert.equal(holderOf({ metadata: { annotations: { 'meta.helm.sh/release-name': 'ledger' }, managedFields: [{ manager: 'helm', operation: 'Update' }] } }), 'installed by Helm release ledger');
  const kubectl = { metadata: { managedFields: [{ manager: 'kubectl-create', operation: 'Update' }, { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status' }, { manager: 'kubectl-create', operation: 'Update' }] } };
  assert.equal(holderOf(kubectl), 'managed by kubectl-create');
  assert.equal(holderOf({ metadata: {} }), 'with no controller');
});

void test('a taken name is a conflict no retry solves, naming the object and its holder', () => {
  const error = takenName('Service', 'payments', { metadata: { managedFields: [{ manager: 'kubectl-create', operation: 'Update' }] } });
  assert.equal(error.code, 409);
  assert.equal(error.retryable, false);
  assert.ok(isTakenName(error));
  assert.match(error.message, /a Service named payments already exists, managed by kubectl-create, not by this ModelDeployment/);
  assert.equal(isTakenName({ kind: 'Service', name: 'payments', code: 409, message: 'conflict' }), false, 'a plain 409 is retried');
});

void test('an apply to an existing object is bound to its uid; a create-only apply carries the version no object has', () => {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payments', namespace: 'ml' } };
  assert.equal(boundTo(obj, 'u1').metadata?.uid, 'u1');
  assert.equal(boundTo(obj, 'u1').metadata?.resourceVersion, undefined);
  assert.equal(createOnly(obj).metadata?.resourceVersion, CREATE_ONLY_VERSION);
  assert.equal(createOnly(obj).metadata?.uid, undefined);
  assert.equal(createOnly(obj).metadata?.name, 'payments');
  assert.deepEqual(obj.metadata, { name: 'payments', namespace: 'ml' }, 'the desired object is not changed');
});
