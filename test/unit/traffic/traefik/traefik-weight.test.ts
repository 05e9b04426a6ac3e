// The traefik provider's router weight: the canary's share of the TraefikService `<name>-split`, once the
// HTTPRoute leading to it is accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traefikCanaryWeight } from '../../../../src/traffic/traefik/traefik-weight.ts';

const accepted = (generation: number, observed: number) => ({
  metadata: { name: 'fraud', generation },
  status: { parents: [{ conditions: [{ type: 'Accepted', status: 'True', observedGeneration: observed }] }] },
});
const split = (services: { name: string; weight?: number }[]) => ({ metadata: { name: 'fraud-split' }, spec: { weighted: { services } } });

void test('traefikCanaryWeight: the canary share of <name>-split once the route is accepted', () => {
  const route = accepted(1, 1);
  assert.equal(traefikCanaryWeight(route, split([{ name: 'fraud-stable', weight: 90 }, { name: 'fraud-canary', weight: 10 }]), 'fraud-canary'), 10);
  assert.equal(traefikCanaryWeight(route, split([{ name: 'fraud-stable', weight: 100 }, { name: 'fraud-canary', weight: 0 }]), 'fraud-canary'), 0);
  assert.equal(traefikCanaryWeight(route, split([{ name: 'fraud-stable', weight: 100 }]), 'fraud-canary'), 0);
  assert.equal(traefikCanaryWeight(accepted(2, 1), split([{ name: 'fraud-canary', weight: 10 }]), 'fraud-canary'), undefined);
  assert.equal(traefikCanaryWeight(route, undefined, 'fraud-canary'), undefined);
});
