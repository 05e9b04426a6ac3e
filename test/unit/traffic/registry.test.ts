// The traffic provider registry: every provider of the API is registered under its own name, implements
// the Provider interface, and declares the kinds (with their REST paths and CRDs) it did before the
// providers had folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TRAFFIC_PROVIDERS } from '../../../src/api/rollout-spec.ts';
import { resourceKind, resourcePath } from '../../../src/kube/resource-paths.ts';
import { CHILD_KINDS } from '../../../src/render/index.ts';
import { crdName } from '../../../src/traffic/provider.ts';
import { PROVIDERS, ROUTER_KINDS, trafficProvider } from '../../../src/traffic/registry.ts';
import { DEFAULT_TRAFFIC_POLICY } from '../../../src/traffic/traffic-policy.ts';

void test('every provider of the API is registered under its name and implements the interface', () => {
  assert.deepEqual(Object.keys(PROVIDERS).sort(), [...TRAFFIC_PROVIDERS].sort());
  for (const name of TRAFFIC_PROVIDERS) {
    const p = trafficProvider(name);
    assert.equal(p.name, name);
    assert.ok(Array.isArray(p.kinds), `${name}: kinds`);
    for (const method of ['render', 'observedWeight', 'mirrorSupport'] as const) assert.equal(typeof p[method], 'function', `${name}: ${method}`);
  }
});

void test('the kinds each provider renders, as before', () => {
  const kinds = Object.fromEntries(TRAFFIC_PROVIDERS.map((name) => [name, trafficProvider(name).kinds.map((k) => [k.apiVersion, k.kind, k.plural, crdName(k)])]));
  const httpRoute = ['gateway.networking.k8s.io/v1', 'HTTPRoute', 'httproutes', 'httproutes.gateway.networking.k8s.io'];
  assert.deepEqual(kinds, {
    replicas: [],
    'gateway-api': [httpRoute],
    istio: [['networking.istio.io/v1', 'VirtualService', 'virtualservices', 'virtualservices.networking.istio.io']],
    traefik: [['traefik.io/v1alpha1', 'TraefikService', 'traefikservices', 'traefikservices.traefik.io'], httpRoute],
  });
  assert.deepEqual(
    ROUTER_KINDS.map((k) => `${k.apiVersion}/${k.kind}`),
    ['gateway.networking.k8s.io/v1/HTTPRoute', 'networking.istio.io/v1/VirtualService', 'traefik.io/v1alpha1/TraefikService'],
  );
});

void test('router kinds keep their REST paths and are child kinds (watched, pruned, in RBAC)', () => {
  const ref = { namespace: 'ns', name: 'fraud' };
  assert.equal(resourcePath({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', ...ref }), '/apis/gateway.networking.k8s.io/v1/namespaces/ns/httproutes/fraud');
  assert.equal(resourcePath({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', ...ref }), '/apis/networking.istio.io/v1/namespaces/ns/virtualservices/fraud');
  assert.equal(resourcePath({ apiVersion: 'traefik.io/v1alpha1', kind: 'TraefikService', ...ref }), '/apis/traefik.io/v1alpha1/namespaces/ns/traefikservices/fraud');
  for (const k of ROUTER_KINDS) {
    assert.equal(resourceKind(k.apiVersion, k.kind).namespaced, true);
    assert.ok(CHILD_KINDS.some((c) => c.apiVersion === k.apiVersion && c.kind === k.kind), `${k.kind} is a child kind`);
  }
  // In render order, as the list was written before providers had folders (pruning follows it).
  assert.deepEqual(
    CHILD_KINDS.map((k) => `${k.apiVersion}/${k.kind}`),
    [
      'v1/ConfigMap',
      'apps/v1/Deployment',
      'v1/Service',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'policy/v1/PodDisruptionBudget',
      'traefik.io/v1alpha1/TraefikService',
      'gateway.networking.k8s.io/v1/HTTPRoute',
      'networking.istio.io/v1/VirtualService',
      'batch/v1/Job',
    ],
  );
});

void test('a router without a Gateway is a render error of the gateway providers; replicas renders none', () => {
  const input = { name: 'fraud', namespace: 'ns', labels: {}, traffic: { provider: 'gateway-api' as const }, canary: false, weights: { stable: 100, canary: 0 }, policy: DEFAULT_TRAFFIC_POLICY };
  for (const name of ['gateway-api', 'traefik'] as const) {
    const out = trafficProvider(name).render({ ...input, traffic: { provider: name } });
    assert.ok(!Array.isArray(out) && 'code' in out && out.code === 'MissingGateway', name);
  }
  assert.deepEqual(trafficProvider('replicas').render(input), []);
  assert.equal(trafficProvider('istio').mirrorSupport([], new Map()), undefined);
});
