// spec.rollout and the rollout parts of status: defaults, what parses, and the CRD rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelDeploymentCrd } from '../../../src/api/crd/model-deployment-crd.ts';
import { durationMs, parseModelDeployment } from '../../../src/api/index.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';
import type { Json } from '../../fixtures/manifests.ts';

function parse(rollout: Json) {
  const result = parseModelDeployment(withChanges(validManifest(), { 'spec.rollout': rollout }));
  assert.ok(result.ok, JSON.stringify(result));
  return result.value.spec.rollout!;
}

void test('defaults: strategy immediate, scaleDownDelaySeconds 30, provider replicas', () => {
  assert.deepEqual(parse({}), { strategy: 'immediate', scaleDownDelaySeconds: 30 });
  assert.deepEqual(parse({ traffic: {} }).traffic, { provider: 'replicas' });
});

void test('a full canary with gateway-api, hosts, cohorts and mirror parses as written', () => {
  const rollout: { [key: string]: Json } = {
    strategy: 'canary',
    steps: [{ weight: 10 }, { pause: { duration: '10m' } }, { weight: 50 }, { pause: {} }],
    scaleDownDelaySeconds: 60,
    traffic: {
      provider: 'gateway-api',
      gateway: { name: 'ml-gateway', namespace: 'gateways', sectionName: 'http' },
      hosts: ['fraud.example.com', '*.models.example.com'],
      match: [{ headers: { 'x-model-variant': 'canary' } }, { cookie: { name: 'cohort', value: 'b' } }],
      mirror: { percent: 10 },
    },
  };
  assert.deepEqual(parse(rollout), rollout);
  assert.deepEqual(parse({ ...rollout, traffic: { provider: 'istio', mirror: { percent: 100 } } }).traffic, {
    provider: 'istio',
    mirror: { percent: 100 },
  });
});

void test('durations are Go-style', () => {
  assert.equal(durationMs('30s'), 30_000);
  assert.equal(durationMs('10m'), 600_000);
  assert.equal(durationMs('1h30m'), 5_400_000);
  assert.equal(durationMs('1.5h'), 5_400_000);
  assert.equal(durationMs('250ms'), 250);
  assert.equal(durationMs('10 minutes'), undefined);
  assert.equal(durationMs(''), undefined);
});

void test('the CRD carries the rollout CEL rules and bounds', () => {
  const spec = modelDeploymentCrd().spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!.properties!;
  const rollout = spec.rollout!;
  const rules = (node: { 'x-kubernetes-validations'?: unknown[] }) =>
    (node['x-kubernetes-validations'] ?? []).map((v) => (v as { rule: string }).rule).join('\n');
  assert.match(rules(rollout), /self.strategy != 'canary' \|\| has\(self.steps\)/);
  assert.match(rules(rollout.properties!.steps!.items!), /has\(self.weight\) != has\(self.pause\)/);
  const traffic = rollout.properties!.traffic!;
  assert.match(rules(traffic), /self.provider != 'gateway-api' \|\| has\(self.gateway\)/);
  for (const field of ['match', 'mirror', 'hosts']) assert.match(rules(traffic), new RegExp(`!has\\(self.${field}\\)`));
  assert.equal(rollout.properties!.steps!.maxItems, 20);
  assert.equal(traffic.properties!.match!.maxItems, 8);
  assert.equal(rollout.properties!.strategy!.default, 'immediate');
  assert.equal(traffic.properties!.provider!.default, 'replicas');
});
