// The waves of a reconcile's applies: independent children together, a ConfigMap before the Deployment
// that mounts it, routers and Jobs one at a time in render order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyWaves } from '../../../../src/controller/phases/apply-waves.ts';

const kinds = (waves: { kind: string }[][]) => waves.map((w) => w.map((c) => c.kind));
const children = (...k: string[]) => k.map((kind) => ({ kind }));

void test("a model's Deployments, Services, autoscalers and budgets go together, after its ConfigMaps; routers and Jobs alone, in order", () => {
  const waves = applyWaves(children('ConfigMap', 'ConfigMap', 'Deployment', 'Deployment', 'Service', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'TraefikService', 'HTTPRoute', 'Job'));
  assert.deepEqual(kinds(waves), [
    ['ConfigMap', 'ConfigMap'],
    ['Deployment', 'Deployment', 'Service', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'],
    ['TraefikService'],
    ['HTTPRoute'],
    ['Job'],
  ]);
});

void test("a canary's ConfigMap after the stable Deployment still goes before the canary's Deployment", () => {
  const waves = applyWaves(children('ConfigMap', 'Deployment', 'ConfigMap', 'Deployment', 'Service', 'HTTPRoute'));
  assert.deepEqual(kinds(waves), [['ConfigMap'], ['Deployment'], ['ConfigMap'], ['Deployment', 'Service'], ['HTTPRoute']]);
});

void test('every child is in exactly one wave, in render order', () => {
  const list = children('Deployment', 'Service', 'HTTPRoute', 'Service', 'Job', 'ConfigMap');
  assert.deepEqual(applyWaves(list).flat(), list);
  assert.deepEqual(applyWaves([]), []);
});
