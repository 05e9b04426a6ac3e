// The one deferred status write: nothing is sent when the status did not change; otherwise one merge
// patch of the status subresource, conditional on the resourceVersion read; a conflict is reported, not thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { ModelDeploymentStatus } from '../../../../src/api/index.ts';
import type { Target } from '../../../../src/controller/phases/load.ts';
import { writeStatus } from '../../../../src/controller/phases/write-status.ts';
import type { ApiClient, KubeObject } from '../../../../src/kube/api-client.ts';
import { ApiError } from '../../../../src/kube/api-error.ts';
import { StatusEchoes } from '../../../../src/controller/quiet-echo.ts';

const log = pino({ level: 'silent' });
const previous: ModelDeploymentStatus = { observedGeneration: 1 };
const target = { key: 'ns/fraud', namespace: 'ns', name: 'fraud', cachedVersion: '7', md: { metadata: { name: 'fraud' }, status: previous } } as unknown as Target;

function fakeClient(answer: () => Promise<KubeObject>) {
  const patches: { ref: unknown; patch: unknown }[] = [];
  const client = {
    mergePatch: (ref: unknown, patch: unknown) => {
      patches.push({ ref, patch });
      return answer();
    },
  } as unknown as ApiClient;
  return { client, patches };
}

void test('an unchanged status: no request, no yield', async () => {
  const { client, patches } = fakeClient(() => Promise.reject(new Error('no request expected')));
  let yielded = 0;
  assert.equal(await writeStatus(target, { observedGeneration: 1 }, { client }, log, () => yielded++), 'unchanged');
  assert.equal(patches.length, 0);
  assert.equal(yielded, 0);
});

void test('a changed status: one conditional merge patch, and the replaced version remembered', async () => {
  const { client, patches } = fakeClient(() => Promise.resolve({ metadata: { resourceVersion: '8' } }));
  const replacedVersions = new Map<string, string>();
  let yielded = 0;
  assert.equal(await writeStatus(target, { observedGeneration: 2 }, { client, replacedVersions }, log, () => yielded++), 'written');
  assert.equal(yielded, 1);
  assert.deepEqual(patches, [
    {
      ref: { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', namespace: 'ns', name: 'fraud', subresource: 'status' },
      patch: { metadata: { resourceVersion: '7' }, status: { observedGeneration: 2 } },
    },
  ]);
  assert.equal(replacedVersions.get('ns/fraud'), '7');
});

void test('a conflict is reported for a new decision; other errors are thrown', async () => {
  const conflict = fakeClient(() => Promise.reject(new ApiError('PATCH', '/x', 409, 'Conflict', 'changed')));
  assert.equal(await writeStatus(target, { observedGeneration: 2 }, { client: conflict.client }, log, () => {}), 'conflict');
  const down = fakeClient(() => Promise.reject(new ApiError('PATCH', '/x', 500, 'InternalError', 'down')));
  await assert.rejects(writeStatus(target, { observedGeneration: 2 }, { client: down.client }, log, () => {}), /down/);
});

void test("a condition's time moves only with its status: a paused canary's look writes nothing; a real change is written with its new time", async () => {
  const at = (lastTransitionTime: string, status: 'True' | 'False', type: string) => ({ type, status, reason: 'RolloutInProgress', message: 'paused at weight 50', observedGeneration: 2, lastTransitionTime });
  const stored: ModelDeploymentStatus = { observedGeneration: 2, conditions: [at('2026-12-06T20:16:28Z', 'False', 'Ready'), at('2026-12-06T20:16:28Z', 'True', 'Reconciling')] };
  const paused = { ...target, md: { ...target.md, status: stored } } as Target;
  // Serving, then the rollout's overlay set Ready and Reconciling again, a second later.
  const again: ModelDeploymentStatus = { observedGeneration: 2, conditions: [at('2026-12-06T20:16:29Z', 'False', 'Ready'), at('2026-12-06T20:16:29Z', 'True', 'Reconciling')] };
  const idle = fakeClient(() => Promise.reject(new Error('no request expected')));
  assert.equal(await writeStatus(paused, again, { client: idle.client }, log, () => {}), 'unchanged');
  assert.equal(idle.patches.length, 0);

  const promoted: ModelDeploymentStatus = { observedGeneration: 2, conditions: [at('2026-12-06T20:17:00Z', 'True', 'Ready'), at('2026-12-06T20:16:29Z', 'True', 'Reconciling')] };
  const { client, patches } = fakeClient(() => Promise.resolve({ metadata: { resourceVersion: '8' } }));
  assert.equal(await writeStatus(paused, promoted, { client }, log, () => {}), 'written');
  const sent = (patches[0]?.patch as { status: ModelDeploymentStatus }).status.conditions;
  assert.deepEqual(sent?.map((c) => [c.type, c.status, c.lastTransitionTime]), [
    ['Ready', 'True', '2026-12-06T20:17:00Z'],
    ['Reconciling', 'True', '2026-12-06T20:16:28Z'],
  ]);
});

void test("a write whose echo changes nothing: its echo starts no reconcile, before or after the answer; asked only before a write", async () => {
  const released: string[] = [];
  const statusEchoes = new StatusEchoes((key) => released.push(key));
  const echo = { metadata: { name: 'fraud', namespace: 'ns', resourceVersion: '8' } } as KubeObject;
  const { client } = fakeClient(() => Promise.resolve({ metadata: { resourceVersion: '8' } }));
  let asked = 0;
  assert.equal(await writeStatus(target, { observedGeneration: 1 }, { client, statusEchoes }, log, () => {}, () => (asked++, true)), 'unchanged');
  assert.equal(asked, 0, 'not asked when nothing is written');
  assert.equal(await writeStatus(target, { observedGeneration: 2 }, { client, statusEchoes }, log, () => {}, () => (asked++, true)), 'written');
  assert.equal(asked, 1);
  assert.equal(statusEchoes.absorbs('ns/fraud', 'update', echo), true, 'the echo after the answer');
  // The echo before the answer: held, then dropped.
  const early = fakeClient(() => {
    assert.equal(statusEchoes.absorbs('ns/fraud', 'update', echo), true, 'held during the write');
    return Promise.resolve({ metadata: { resourceVersion: '8' } });
  });
  assert.equal(await writeStatus(target, { observedGeneration: 2 }, { client: early.client, statusEchoes }, log, () => {}, () => true), 'written');
  assert.deepEqual(released, []);
  // Not quiet: the held echo starts its reconcile.
  assert.equal(await writeStatus(target, { observedGeneration: 2 }, { client: early.client, statusEchoes }, log, () => {}, () => false), 'written');
  assert.deepEqual(released, ['ns/fraud']);
  // Refused: nothing recorded.
  const conflict = fakeClient(() => Promise.reject(new ApiError('PATCH', '/x', 409, 'Conflict', 'changed')));
  assert.equal(await writeStatus(target, { observedGeneration: 2 }, { client: conflict.client, statusEchoes }, log, () => {}, () => true), 'conflict');
  assert.equal(statusEchoes.size, 0);
});
