// The rollout peers benchmark reads each controller's canary share from a weighted TraefikService, and gives
// every controller the same pods and the same step plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argoRollout, argoTraefikService, canaryPercent, flaggerCanary, flaggerTarget, modelshipModel, STEP_WEIGHTS } from '../../../bench/peer-workloads.ts';

const gateway = { name: 'ml-gateway', namespace: 'gateways', sectionName: 'http' };

test('the canary share is the *-canary weight over the sum, whoever wrote the TraefikService', () => {
  // Flagger: primary and canary; at rest it drops the canary entry altogether.
  assert.equal(canaryPercent({ spec: { weighted: { services: [{ name: 'model-primary', weight: 75 }, { name: 'model-canary', weight: 25 }] } } }), 25);
  assert.equal(canaryPercent({ spec: { weighted: { services: [{ name: 'model-primary', weight: 100 }] } } }), 0);
  // modelship writes percentages; Argo Rollouts keeps the canary at weight 0.
  assert.equal(canaryPercent({ spec: { weighted: { services: [{ name: 'model-stable', weight: 50 }, { name: 'model-canary', weight: 50 }] } } }), 50);
  assert.equal(canaryPercent(argoTraefikService('ns')), 0);
  // Traefik's default weight is 1.
  assert.equal(canaryPercent({ spec: { weighted: { services: [{ name: 'a-stable' }, { name: 'a-canary', weight: 3 }] } } }), 75);
  assert.equal(canaryPercent({ spec: { mirroring: { name: 'x' } } }), undefined);
  assert.equal(canaryPercent(undefined), undefined);
});

test('every controller gets the same pods and the same step plan', () => {
  const labels = (template: unknown) => (template as { metadata: { labels: Record<string, string> } }).metadata.labels;
  const flagger = flaggerTarget('ns', '3') as { spec: { replicas: number; template: unknown } };
  const argo = argoRollout('ns', '3') as { spec: { replicas: number; template: unknown; strategy: { canary: { steps: Record<string, unknown>[] } } } };
  assert.deepEqual(labels(flagger.spec.template), labels(argo.spec.template));
  // The pod simulator serves only pods labelled with a model deployment.
  assert.equal(labels(flagger.spec.template)['modelship.io/model-deployment'], 'model');
  assert.equal(flagger.spec.replicas, argo.spec.replicas);

  const weights = argo.spec.strategy.canary.steps.flatMap((s) => (typeof s.setWeight === 'number' ? [s.setWeight] : []));
  assert.deepEqual(weights, [...STEP_WEIGHTS]);
  const md = modelshipModel('ns', 'h', gateway, '3') as { spec: { replicas: number; rollout: { steps: { weight?: number }[] } } };
  assert.deepEqual(md.spec.rollout.steps.flatMap((s) => (s.weight !== undefined ? [s.weight] : [])), [...STEP_WEIGHTS]);
  assert.equal(md.spec.replicas, argo.spec.replicas);
  const analysis = (flaggerCanary('ns', 'http://127.0.0.1:1/') as { spec: { analysis: { stepWeight: number; maxWeight: number } } }).spec.analysis;
  assert.deepEqual([analysis.stepWeight, analysis.maxWeight], [...STEP_WEIGHTS]);
});
