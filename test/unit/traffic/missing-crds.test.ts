// A provider whose CRDs are missing: its router objects are left out and the reason names the CRD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withoutMissingCrds } from '../../../src/traffic/missing-crds.ts';

const desired = (...kinds: string[]) => kinds.map((kind) => ({ kind }));

void test('nothing missing, or the missing kind not wanted: everything stays', () => {
  assert.deepEqual(withoutMissingCrds(desired('Deployment', 'HTTPRoute'), () => false, 'gateway-api'), { objects: desired('Deployment', 'HTTPRoute') });
  assert.deepEqual(withoutMissingCrds(desired('Deployment', 'VirtualService'), (_v, k) => k === 'HTTPRoute', 'istio'), { objects: desired('Deployment', 'VirtualService') });
});

void test('a missing CRD: its objects are dropped and the spec provider is named with the CRD', () => {
  const out = withoutMissingCrds(desired('Deployment', 'HTTPRoute'), (_v, k) => k === 'HTTPRoute', 'gateway-api');
  assert.deepEqual(out.objects, desired('Deployment'));
  assert.equal(out.missing?.code, 'TrafficProviderMissing');
  assert.equal(out.missing?.field, 'spec.rollout.traffic.provider');
  assert.match(out.missing?.message ?? '', /^the gateway-api traffic provider needs the CRD httproutes\.gateway\.networking\.k8s\.io, which is not installed/);
});

void test('traefik with both CRDs missing: both dropped, the TraefikService CRD named (the last checked), as before', () => {
  const out = withoutMissingCrds(desired('Service', 'TraefikService', 'TraefikService', 'HTTPRoute'), () => true, 'traefik');
  assert.deepEqual(out.objects, desired('Service'));
  assert.match(out.missing?.message ?? '', /^the traefik traffic provider needs the CRD traefikservices\.traefik\.io/);
});

void test('without a parsed spec the kind\'s own provider is named', () => {
  const out = withoutMissingCrds(desired('VirtualService'), () => true, undefined);
  assert.match(out.missing?.message ?? '', /^the istio traffic provider needs the CRD virtualservices\.networking\.istio\.io/);
});
