// Which of the operator's writes of children start no reconcile when their watch event comes back: the
// kinds a reconcile reads only to apply and prune them, and only the event carrying the version written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childEchoKey, echoesQuietly, ownerOfChildEchoKey } from '../../../src/controller/child-echoes.ts';
import { WriteEchoes } from '../../../src/controller/quiet-echo.ts';
import type { KubeObject } from '../../../src/kube/api-client.ts';
import { CHILD_KINDS } from '../../../src/render/index.ts';

void test('only the kinds no observation reads are quiet: never a Deployment, a router or a Job', () => {
  const quiet = CHILD_KINDS.filter((k) => echoesQuietly(k.apiVersion, k.kind)).map((k) => k.kind);
  assert.deepEqual(quiet.sort(), ['ConfigMap', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']);
  assert.equal(echoesQuietly('apps/v1', 'Deployment'), false);
  assert.equal(echoesQuietly('batch/v1', 'Job'), false);
  assert.equal(echoesQuietly('v2', 'Service'), false, 'the kind of that API version');
});

void test("a child's echo key names its owner, whose reconcile held events start", () => {
  const key = childEchoKey('ml/fraud', 'policy/v1', 'PodDisruptionBudget', 'fraud-stable');
  assert.equal(ownerOfChildEchoKey(key), 'ml/fraud');
  assert.notEqual(key, childEchoKey('ml/fraud', 'v1', 'Service', 'fraud-stable'), 'each kind its own record');
});

const service = (resourceVersion: string): KubeObject => ({ metadata: { name: 'fraud-stable', namespace: 'ml', resourceVersion } });

void test("a created child's echo is an add: absorbed when it carries the written version, held while the write is on its way", () => {
  const released: string[] = [];
  const echoes = new WriteEchoes((key) => released.push(ownerOfChildEchoKey(key)), new Set(['add', 'update']));
  const key = childEchoKey('ml/fraud', 'v1', 'Service', 'fraud-stable');
  // The answer first, then the echo.
  echoes.writing(key);
  echoes.written(key, '10', true);
  assert.equal(echoes.absorbs(key, 'add', service('10')), true);
  assert.equal(echoes.absorbs(key, 'update', service('11')), false, 'a later version starts one');
  // The echo first, held until the answer shows it was that write's.
  echoes.writing(key);
  assert.equal(echoes.absorbs(key, 'add', service('12')), true, 'held');
  echoes.written(key, '12', true);
  assert.deepEqual(released, []);
  // Someone else's change met during the write: released to the owner at the answer.
  echoes.writing(key);
  assert.equal(echoes.absorbs(key, 'update', service('13')), true, 'held');
  echoes.written(key, '14', true);
  assert.deepEqual(released, ['ml/fraud']);
  // A deletion is never held or absorbed.
  echoes.writing(key);
  assert.equal(echoes.absorbs(key, 'delete', service('15')), false);
  echoes.failed(key);
  assert.equal(echoes.size, 0);
  // Status writes' echoes are updates only: an add is not absorbed there.
  const statusEchoes = new WriteEchoes(() => {});
  statusEchoes.writing('ml/fraud');
  statusEchoes.written('ml/fraud', '20', true);
  assert.equal(statusEchoes.absorbs('ml/fraud', 'add', service('20')), false);
});
