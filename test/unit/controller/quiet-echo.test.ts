// Which events of a ModelDeployment start no reconcile: the one carrying our own status write, when
// the written status changes nothing the rollout machine observes and no drift check or retraining
// reads it back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelDeploymentSpec, ModelDeploymentStatus } from '../../../src/api/index.ts';
import type { ModelDeploymentObject } from '../../../src/controller/caches.ts';
import { observeRollout } from '../../../src/controller/observe-rollout.ts';
import { echoChangesNothing, takeQuietEcho } from '../../../src/controller/quiet-echo.ts';

const spec = {
  model: { name: 'fraud', version: '2', uri: 's3://models/fraud/2', format: 'sklearn' },
  runtime: { preset: 'mlserver' },
  replicas: 4,
  rollout: { strategy: 'canary', steps: [{ weight: 25 }, { weight: 50 }] },
} as unknown as ModelDeploymentSpec;
const settled = (revision: number, replicas: number) => ({
  metadata: { generation: 3 },
  spec: { replicas, template: { metadata: { labels: { 'modelship.io/revision': String(revision) } } } },
  status: { observedGeneration: 3, replicas, updatedReplicas: replicas, readyReplicas: replicas },
});
const live = { name: 'fraud', stable: settled(1, 3), canary: settled(2, 1), router: () => undefined, canaryService: 'fraud-canary', canaryEndpoints: 1 };
const atWeight = (weight: number) => ({ canary: { revision: 2, version: '2', phase: 'Progressing', weight, step: 0 } }) as unknown as ModelDeploymentStatus;

void test('a written status that changes no observation: quiet, unless drift checks or retraining read it back', () => {
  const before = observeRollout(spec, atWeight(25), live as never);
  const after = observeRollout(spec, { ...atWeight(25), url: 'http://fraud.ns.svc' }, live as never);
  assert.equal(echoChangesNothing(spec, before, after), true);
  const logging = { logging: { sink: 's3://logs' } };
  assert.equal(echoChangesNothing({ ...spec, monitoring: { ...logging, drift: { schedule: '@hourly' } } } as never, before, after), false);
  assert.equal(echoChangesNothing({ ...spec, monitoring: { retraining: { on: { driftDetected: true } } } } as never, before, after), false);
});

void test("the replicas provider reads the canary's last weight from status: a new weight is not quiet", () => {
  const before = observeRollout(spec, atWeight(25), live as never);
  const after = observeRollout(spec, atWeight(50), live as never);
  assert.notDeepEqual(before.routerWeight, after.routerWeight);
  assert.equal(echoChangesNothing(spec, before, after), false);
});

void test('only the update carrying the recorded version is quiet; any event of the key ends the record', () => {
  const md = (resourceVersion: string) => ({ metadata: { name: 'fraud', namespace: 'ns', resourceVersion } }) as ModelDeploymentObject;
  const echoes = new Map([['ns/fraud', '8']]);
  assert.equal(takeQuietEcho(echoes, 'ns/other', 'update', md('8')), false, 'another key');
  assert.equal(takeQuietEcho(echoes, 'ns/fraud', 'update', md('8')), true);
  assert.equal(echoes.size, 0);
  assert.equal(takeQuietEcho(echoes, 'ns/fraud', 'update', md('8')), false, 'once');
  for (const [event, version] of [['update', '9'], ['resync', '8'], ['add', '8'], ['delete', '8']] as const) {
    echoes.set('ns/fraud', '8');
    assert.equal(takeQuietEcho(echoes, 'ns/fraud', event, md(version)), false, `${event} at ${version}`);
    assert.equal(echoes.size, 0, `${event} ends the record`);
  }
});
