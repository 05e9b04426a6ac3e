// The gateway's acceptance of an HTTPRoute, before its weights count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpRouteAccepted } from '../../../../src/traffic/gateway-api/route-weight.ts';

const accepted = (generation: number, observed: number) => ({
  metadata: { name: 'fraud', generation },
  status: { parents: [{ conditions: [{ type: 'Accepted', status: 'True', observedGeneration: observed }] }] },
});

void test('httpRouteAccepted: every parent accepted this generation', () => {
  assert.equal(httpRouteAccepted(accepted(2, 2)), true);
  assert.equal(httpRouteAccepted(accepted(2, 1)), false);
  assert.equal(httpRouteAccepted({ metadata: { name: 'fraud' } }), false);
  assert.equal(httpRouteAccepted(undefined), false);
});
