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

void test('the router is reported still naming the canary while its live objects do (traefik), and not once they do not', () => {
  const spec = {
    model: { name: 'fraud', version: '2', uri: 's3://m/2', format: 'sklearn' },
    runtime: { preset: 'mlserver' },
    rollout: { strategy: 'canary', traffic: { provider: 'traefik', gateway: { name: 'gw' } } },
  } as unknown as Parameters<typeof observeRollout>[0];
  const route = { kind: 'HTTPRoute', metadata: { name: 'fraud', generation: 1 }, spec: { rules: [{ backendRefs: [{ name: 'fraud' }] }] }, status: { parents: [{ conditions: [{ type: 'Accepted', status: 'True' }] }] } };
  const split = (services: { name: string; weight: number }[]) => ({ kind: 'TraefikService', metadata: { name: 'fraud-split' }, spec: { weighted: { services } } });
  const live = (objects: { kind: string; metadata: { name: string } }[]) => ({
    stable: undefined,
    canary: undefined,
    name: 'fraud',
    router: (kind: { kind: string }, name: string) => objects.find((o) => o.kind === kind.kind && o.metadata.name === name),
    canaryService: 'fraud-canary',
  });
  const atZero = observeRollout(spec, undefined, live([route, split([{ name: 'fraud-stable', weight: 100 }, { name: 'fraud-canary', weight: 0 }])]));
  assert.equal(atZero.routerWeight, 0);
  assert.equal(atZero.routerNamesCanary, true, 'weight 0 is not gone: Traefik still resolves the Service');
  const gone = observeRollout(spec, undefined, live([route, split([{ name: 'fraud-stable', weight: 100 }])]));
  assert.equal(gone.routerWeight, 0);
  assert.equal(gone.routerNamesCanary, false);
  const unaccepted = { ...route, metadata: { name: 'fraud', generation: 2 }, status: { parents: [] } };
  assert.equal(observeRollout(spec, undefined, live([unaccepted, split([{ name: 'fraud-stable', weight: 100 }])])).routerNamesCanary, undefined, 'not accepted: not known');
});
