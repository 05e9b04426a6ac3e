// The istio provider renders a VirtualService only for hosts and gateways the namespace owns or the
// platform allows, and carries the platform's exportTo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrafficSpec } from '../../../../src/api/rollout-spec.ts';
import type { RouterInput } from '../../../../src/traffic/provider.ts';
import { istio } from '../../../../src/traffic/istio/index.ts';
import { DEFAULT_ISTIO_POLICY, type IstioPolicy } from '../../../../src/traffic/istio/istio-policy.ts';
import type { VirtualServiceObject } from '../../../../src/traffic/istio/virtual-service-object.ts';
import type { RenderError } from '../../../../src/render/errors.ts';

function input(traffic: Omit<TrafficSpec, 'provider'>, policy: Partial<IstioPolicy> = {}): RouterInput {
  return {
    name: 'fraud',
    namespace: 'risk',
    labels: {},
    traffic: { provider: 'istio', ...traffic },
    canary: false,
    weights: { stable: 100, canary: 0 },
    policy: { istio: { ...DEFAULT_ISTIO_POLICY, ...policy } },
  };
}

const isError = (out: readonly VirtualServiceObject[] | RenderError): out is RenderError => 'code' in out;

function virtualService(out: readonly VirtualServiceObject[] | RenderError): VirtualServiceObject {
  assert.ok(!isError(out), JSON.stringify(out));
  assert.equal(out.length, 1);
  return out[0]!;
}

function refusal(out: readonly VirtualServiceObject[] | RenderError): RenderError {
  assert.ok(isError(out), `rendered ${JSON.stringify(out)}`);
  return out;
}

void test("by default: the namespace's Service as the host, exportTo '.'", () => {
  const vs = virtualService(istio.render(input({})));
  assert.deepEqual(vs.spec.hosts, ['fraud']);
  assert.deepEqual(vs.spec.exportTo, ['.']);
  assert.equal(vs.spec.gateways, undefined);
});

void test("the namespace's own Services and Gateways need no allowlist", () => {
  const vs = virtualService(istio.render(input({ hosts: ['fraud', 'scorer.risk.svc.cluster.local'], gateway: { name: 'team-gateway' } })));
  assert.deepEqual(vs.spec.hosts, ['fraud', 'scorer.risk.svc.cluster.local']);
  assert.deepEqual(vs.spec.gateways, ['team-gateway', 'mesh']);
  virtualService(istio.render(input({ gateway: { name: 'team-gateway', namespace: 'risk' } })));
});

void test('a host outside the namespace is HostNotAllowed unless the platform allows it', () => {
  for (const host of ['fraud.example.com', 'payments.shop.svc.cluster.local', 'fraud.risk']) {
    const e = refusal(istio.render(input({ hosts: ['fraud', host] })));
    assert.equal(e.code, 'HostNotAllowed', host);
    assert.equal(e.field, 'spec.rollout.traffic.hosts[1]');
    assert.ok(e.message.startsWith('spec.rollout.traffic.hosts[1]: '), e.message);
    assert.ok(e.message.includes(host) && e.message.includes('(none)') && e.message.includes('--istio-allowed-hosts'), e.message);
  }
  const allowed = { allowedHosts: ['*.models.example.com', 'fraud.example.com'] };
  assert.deepEqual(virtualService(istio.render(input({ hosts: ['fraud.models.example.com', 'fraud.example.com'] }, allowed))).spec.hosts, [
    'fraud.models.example.com',
    'fraud.example.com',
  ]);
  const e = refusal(istio.render(input({ hosts: ['payments.example.com'] }, allowed)));
  assert.equal(e.code, 'HostNotAllowed');
  assert.match(e.message, /\(\*\.models\.example\.com, fraud\.example\.com\)/);
});

void test("another namespace's gateway is GatewayNotAllowed unless the platform allows it", () => {
  const shared = { gateway: { name: 'public', namespace: 'istio-ingress' } };
  const e = refusal(istio.render(input(shared)));
  assert.equal(e.code, 'GatewayNotAllowed');
  assert.equal(e.field, 'spec.rollout.traffic.gateway');
  assert.match(e.message, /istio-ingress\/public is in another namespace/);
  assert.deepEqual(virtualService(istio.render(input(shared, { allowedGateways: ['istio-ingress/public'] }))).spec.gateways, ['istio-ingress/public', 'mesh']);
  virtualService(istio.render(input(shared, { allowedGateways: ['istio-ingress/*'] })));
  assert.equal(refusal(istio.render(input(shared, { allowedGateways: ['istio-ingress/internal', 'other/*'] }))).code, 'GatewayNotAllowed');
});

void test('exportTo follows the platform: several namespaces, or none written when the list is empty', () => {
  assert.deepEqual(virtualService(istio.render(input({}, { exportTo: ['.', 'istio-ingress'] }))).spec.exportTo, ['.', 'istio-ingress']);
  assert.equal(virtualService(istio.render(input({}, { exportTo: [] }))).spec.exportTo, undefined);
});
