// What the rollout machine is told about the live variants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observeRollout } from '../../../src/controller/observe-rollout.ts';

void test('a canary is rolled out only once its Service has a ready endpoint per replica', () => {
  const spec = { model: { name: 'fraud', version: '2', uri: 's3://m/2', format: 'sklearn' }, runtime: { preset: 'mlserver' } } as unknown as Parameters<typeof observeRollout>[0];
  const deployment = (revision: number) => ({
    metadata: { generation: 1 },
    spec: { replicas: 2, selector: {}, template: { metadata: { labels: { 'modelship.io/revision': String(revision) } } } },
    status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2 },
  });
  const live = (canaryEndpoints: number | undefined) => ({
    stable: deployment(1),
    canary: deployment(2),
    name: 'fraud',
    router: () => undefined,
    canaryService: 'fraud-canary',
    canaryEndpoints,
  });
  assert.equal(observeRollout(spec, undefined, live(1)).canary?.updatedReady, false, 'one of two replicas behind the Service');
  assert.equal(observeRollout(spec, undefined, live(2)).canary?.updatedReady, true);
  assert.equal(observeRollout(spec, undefined, live(undefined)).canary?.updatedReady, true, 'no EndpointSlice cache: no gate');
  assert.equal(observeRollout(spec, undefined, live(0)).canary?.ready, true, 'serving pods stay ready; only the gate waits');
});
