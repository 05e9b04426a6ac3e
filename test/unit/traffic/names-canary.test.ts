// Whether the live router objects still name the canary's Service: read from what each provider
// renders, with and without the canary, the way the controller reads the live objects back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../src/kube/api-client.ts';
import { DEFAULT_ISTIO_POLICY } from '../../../src/traffic/istio/istio-policy.ts';
import type { RouterInput, RouterKind, WeightInput } from '../../../src/traffic/provider.ts';
import { trafficProvider } from '../../../src/traffic/registry.ts';
import { httpRouteNamesService, traefikServiceNamesService, virtualServiceNamesService } from '../../../src/traffic/names-canary.ts';

const accepted = { parents: [{ conditions: [{ type: 'Accepted', status: 'True' }] }] };

function routerInput(provider: 'gateway-api' | 'istio' | 'traefik', canary: boolean, extras: Partial<RouterInput> = {}): RouterInput {
  return {
    name: 'fraud',
    namespace: 'ml',
    labels: {},
    traffic: provider === 'istio' ? { provider } : { provider, gateway: { name: 'gw' } },
    canary,
    weights: { stable: 100, canary: 0 },
    policy: { istio: DEFAULT_ISTIO_POLICY },
    ...extras,
  };
}

/** What the controller would read back once the rendered objects are applied (HTTPRoutes accepted). */
function liveOf(objects: readonly { kind: string; metadata: { name: string } }[]): WeightInput['live'] {
  return (kind: RouterKind, name: string) => {
    const o = objects.find((x) => x.kind === kind.kind && x.metadata.name === name);
    return o === undefined ? undefined : { ...o, ...(o.kind === 'HTTPRoute' ? { status: accepted } : {}) };
  };
}

function namesCanary(provider: 'gateway-api' | 'istio' | 'traefik', input: RouterInput): boolean | undefined {
  const p = trafficProvider(provider);
  const objects = p.render(input);
  assert.ok(Array.isArray(objects), provider);
  const stable = { ready: true, updatedReady: true };
  return p.namesCanary({ name: 'fraud', canaryService: 'fraud-canary', live: liveOf(objects), spec: {} as WeightInput['spec'], previous: undefined, stable, canary: stable });
}

for (const provider of ['gateway-api', 'istio', 'traefik'] as const) {
  void test(`${provider}: the router names the canary at weight 0 and no longer once rendered without it`, () => {
    assert.equal(namesCanary(provider, routerInput(provider, true)), true);
    assert.equal(namesCanary(provider, routerInput(provider, false)), false);
  });
}

void test('a mirror or a cohort rule names the canary too', () => {
  const cohort = { cohortMatch: [{ headers: { 'x-variant': 'canary' } }] };
  assert.equal(httpRouteNamesService({ metadata: { name: 'r' }, spec: { rules: [{ matches: [{}], backendRefs: [{ name: 'fraud-canary' }] }, { backendRefs: [{ name: 'fraud-stable' }] }] }, status: accepted }, 'fraud-canary'), true);
  assert.equal(
    httpRouteNamesService(
      { metadata: { name: 'r' }, spec: { rules: [{ backendRefs: [{ name: 'fraud-stable' }], filters: [{ requestMirror: { backendRef: { name: 'fraud-canary' } } }] } as never] }, status: accepted },
      'fraud-canary',
    ),
    true,
  );
  assert.equal(traefikServiceNamesService({ metadata: { name: 'fraud' }, spec: { mirroring: { name: 'fraud-split', mirrors: [{ name: 'fraud-canary' }] } } }, 'fraud-canary'), true);
  assert.equal(virtualServiceNamesService({ metadata: { name: 'fraud' }, spec: { http: [{ route: [{ destination: { host: 'fraud-stable' } }], mirror: { host: 'fraud-canary.ml.svc.cluster.local' } }] } } as KubeObject, 'fraud-canary'), true);
  for (const provider of ['gateway-api', 'istio', 'traefik'] as const) assert.equal(namesCanary(provider, routerInput(provider, true, cohort)), true, provider);
});

void test('not known while the route is not accepted at its generation; no router object names nothing', () => {
  const unaccepted = { metadata: { name: 'fraud', generation: 2 }, spec: { rules: [{ backendRefs: [{ name: 'fraud-stable' }] }] } };
  assert.equal(httpRouteNamesService(unaccepted, 'fraud-canary'), undefined);
  const onlyRoute = (kind: RouterKind) => (kind.kind === 'HTTPRoute' ? { ...unaccepted, kind: 'HTTPRoute' } : undefined);
  assert.equal(trafficProvider('traefik').namesCanary({ name: 'fraud', canaryService: 'fraud-canary', live: onlyRoute } as unknown as WeightInput), undefined);
  assert.equal(httpRouteNamesService(undefined, 'fraud-canary'), false);
  assert.equal(virtualServiceNamesService(undefined, 'fraud-canary'), false);
  assert.equal(trafficProvider('traefik').namesCanary({ name: 'fraud', canaryService: 'fraud-canary', live: () => undefined } as unknown as WeightInput), false);
  assert.equal(trafficProvider('replicas').namesCanary({} as WeightInput), undefined);
});
