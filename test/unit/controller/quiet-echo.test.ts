// Which events of a ModelDeployment start no reconcile: the one carrying our own status write, when
// the written status changes nothing the rollout machine observes and no drift check or retraining
// reads it back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelDeploymentSpec, ModelDeploymentStatus } from '../../../src/api/index.ts';
import type { ModelDeploymentObject } from '../../../src/controller/caches.ts';
import { observeRollout } from '../../../src/controller/observe-rollout.ts';
import { echoChangesNothing, StatusEchoes } from '../../../src/controller/quiet-echo.ts';

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

const md = (resourceVersion: string) => ({ metadata: { name: 'fraud', namespace: 'ns', resourceVersion } }) as ModelDeploymentObject;

/** A StatusEchoes whose released keys are collected. */
function echoes() {
  const released: string[] = [];
  return { echoes: new StatusEchoes((key) => released.push(key)), released };
}

void test('answered first: only the update carrying the written version is absorbed; any event of the key ends the record', () => {
  const { echoes: e, released } = echoes();
  e.writing('ns/fraud');
  e.written('ns/fraud', '8', true);
  assert.equal(e.absorbs('ns/other', 'update', md('8')), false, 'another key');
  assert.equal(e.absorbs('ns/fraud', 'update', md('8')), true);
  assert.equal(e.size, 0);
  assert.equal(e.absorbs('ns/fraud', 'update', md('8')), false, 'once');
  for (const [event, version] of [['update', '9'], ['resync', '8'], ['add', '8'], ['delete', '8']] as const) {
    e.writing('ns/fraud');
    e.written('ns/fraud', '8', true);
    assert.equal(e.absorbs('ns/fraud', event, md(version)), false, `${event} at ${version}`);
    assert.equal(e.size, 0, `${event} ends the record`);
  }
  e.writing('ns/fraud');
  e.written('ns/fraud', '8', false);
  assert.equal(e.size, 0, 'an echo that may change the decision is not recorded');
  assert.equal(e.absorbs('ns/fraud', 'update', md('8')), false);
  assert.deepEqual(released, []);
});

void test('echo first: events met during the write are held, and start a reconcile at the answer unless they were its quiet echo alone', () => {
  const run = (quiet: boolean, versions: readonly string[], answer: string) => {
    const { echoes: e, released } = echoes();
    e.writing('ns/fraud');
    const absorbed = versions.map((v) => e.absorbs('ns/fraud', 'update', md(v)));
    if (answer === 'failed') e.failed('ns/fraud');
    else e.written('ns/fraud', answer, quiet);
    return { absorbed, released, size: e.size };
  };
  assert.deepEqual(run(true, ['8'], '8'), { absorbed: [true], released: [], size: 0 }, 'the quiet echo alone: no reconcile');
  assert.deepEqual(run(false, ['8'], '8'), { absorbed: [true], released: ['ns/fraud'], size: 0 }, 'not quiet: one reconcile');
  assert.deepEqual(run(true, ['8', '9'], '8'), { absorbed: [true, true], released: ['ns/fraud'], size: 0 }, 'a change after ours: one reconcile');
  assert.deepEqual(run(true, ['9'], 'failed'), { absorbed: [true], released: ['ns/fraud'], size: 0 }, 'refused: what came meanwhile is reconciled');
  assert.deepEqual(run(true, [], 'failed'), { absorbed: [], released: [], size: 0 });
  // A relist or a delete during the write starts its reconcile at once, and again at the answer.
  const { echoes: e, released } = echoes();
  e.writing('ns/fraud');
  assert.equal(e.absorbs('ns/fraud', 'resync', md('7')), false);
  e.written('ns/fraud', '8', true);
  assert.deepEqual(released, ['ns/fraud']);
});

void test('forget drops an answered record, never a write on its way', () => {
  const { echoes: e, released } = echoes();
  e.writing('ns/fraud');
  e.forget('ns/fraud');
  assert.equal(e.absorbs('ns/fraud', 'update', md('8')), true, 'still held');
  e.written('ns/fraud', '9', true);
  assert.deepEqual(released, ['ns/fraud']);
  e.writing('ns/fraud');
  e.written('ns/fraud', '10', true);
  e.forget('ns/fraud');
  assert.equal(e.absorbs('ns/fraud', 'update', md('10')), false);
});
