// Matching a VirtualService's hosts and gateway against the platform's allowlist, and telling the
// namespace's own Services from everything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayMatches, hostMatches, isNamespaceService } from '../../../../src/traffic/istio/host-pattern.ts';

void test('hostMatches: exact names, *. for every host under a domain (not the domain), * for any', () => {
  assert.ok(hostMatches('fraud.example.com', 'fraud.example.com'));
  assert.ok(hostMatches('fraud.example.com', 'Fraud.Example.com'));
  assert.ok(!hostMatches('fraud.example.com', 'fraud.example.com.evil.io'));
  assert.ok(!hostMatches('fraud.example.com', 'x.fraud.example.com'));
  assert.ok(hostMatches('*.models.example.com', 'fraud.models.example.com'));
  assert.ok(hostMatches('*.models.example.com', 'a.b.models.example.com'));
  assert.ok(!hostMatches('*.models.example.com', 'models.example.com'));
  assert.ok(!hostMatches('*.models.example.com', 'evilmodels.example.com'));
  assert.ok(!hostMatches('*.models.example.com', 'fraud.models.example.com.evil.io'));
  assert.ok(hostMatches('*', 'anything.example.org'));
});

void test('gatewayMatches: namespace/name, or namespace/* for every gateway of the namespace', () => {
  assert.ok(gatewayMatches('istio-ingress/public', 'istio-ingress', 'public'));
  assert.ok(!gatewayMatches('istio-ingress/public', 'istio-ingress', 'internal'));
  assert.ok(!gatewayMatches('istio-ingress/public', 'other', 'public'));
  assert.ok(gatewayMatches('edge/*', 'edge', 'anything'));
  assert.ok(!gatewayMatches('edge/*', 'edge2', 'anything'));
});

void test("isNamespaceService: a short name, or the namespace's cluster-local name; nothing else", () => {
  assert.ok(isNamespaceService('fraud', 'risk'));
  assert.ok(isNamespaceService('fraud.risk.svc.cluster.local', 'risk'));
  assert.ok(!isNamespaceService('fraud.payments.svc.cluster.local', 'risk'));
  assert.ok(!isNamespaceService('fraud.risk.svc.cluster.local', undefined));
  // A namespace named like a top-level domain does not make the public name its own.
  assert.ok(!isNamespaceService('google.com', 'com'));
  assert.ok(!isNamespaceService('fraud.risk', 'risk'));
  assert.ok(!isNamespaceService('fraud.risk.svc', 'risk'));
  assert.ok(!isNamespaceService('*', 'risk'));
  assert.ok(!isNamespaceService('', 'risk'));
});
