// The traefik provider's router weight: the canary's share of the TraefikService `<name>-split`, once the
// HTTPRoute leading to it is accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpRouteAccepted, observeRollout, traefikCanaryWeight } from '../../../src/controller/observe-rollout.ts';

const accepted = (generation: number, observed: number) => ({
  metadata: { name: 'fraud', generation },
  status: { parents: [{ conditions: [{ type: 'Accepted', status: 'True', observedGeneration: observed }] }] },
});
const split = (services: { name: string; weight?: number }[]) => ({ metadata: { name: 'fraud-split' }, spec: { weighted: { services } } });

void test('httpRouteAccepted: every parent accepted this generation', () => {
  assert.equal(httpRouteAccepted(accepted(2, 2)), true);
  assert.equal(httpRouteAccepted(accepted(2, 1)), false);
  assert.equal(httpRouteAccepted({ metadata: { name: 'fraud' } }), false);
  assert.equal(httpRouteAccepted(undefined), false);
});

void test('traefikCanaryWeight: the canary share of <name>-split once the route is accepted', () => {
  const route = accepted(1, 1);
  assert.equal(traefikCanaryWeight(route, split([{ name: 'fraud-stable', weight: 90 }, { name: 'fraud-canary', weight: 10 }]), 'fraud-canary'), 10);
  assert.equal(traefikCanaryWeight(route, split([{ name: 'fraud-stable', weight: 100 }, { name: 'fraud-canary', weight: 0 }]), 'fraud-canary'), 0);
  assert.equal(traefikCanaryWeight(route, split([{ name: 'fraud-stable', weight: 100 }]), 'fraud-canary'), 0);
  assert.equal(traefikCanaryWeight(accepted(2, 1), split([{ name: 'fraud-canary', weight: 10 }]), 'fraud-canary'), undefined);
  assert.equal(traefikCanaryWeight(route, undefined, 'fraud-canary'), undefined);
});

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
    httpRoute: undefined,
    virtualService: undefined,
    canaryService: 'fraud-canary',
    canaryEndpoints,
  });
  assert.equal(observeRollout(spec, undefined, live(1)).canary?.updatedReady, false, 'one of two replicas behind the Service');
  assert.equal(observeRollout(spec, undefined, live(2)).canary?.updatedReady, true);
  assert.equal(observeRollout(spec, undefined, live(undefined)).canary?.updatedReady, true, 'no EndpointSlice cache: no gate');
  assert.equal(observeRollout(spec, undefined, live(0)).canary?.ready, true, 'serving pods stay ready; only the gate waits');
});
