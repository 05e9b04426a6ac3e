// Request annotations, template hashes and replica math.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ABORT_ANNOTATION, PROMOTE_ANNOTATION, RETRY_ANNOTATION, ROLLBACK_ANNOTATION } from '../../../src/api/index.ts';
import { parseRolloutRequests, splitReplicas, templateHash } from '../../../src/rollout/index.ts';
import type { VariantScale } from '../../../src/rollout/index.ts';
import { spec } from './builders.ts';

void test('parseRolloutRequests reads the four annotations', () => {
  assert.deepEqual(parseRolloutRequests(undefined), {});
  assert.deepEqual(parseRolloutRequests({ other: 'x' }), {});
  assert.deepEqual(
    parseRolloutRequests({
      [PROMOTE_ANNOTATION]: '2025-06-01T12:00:00Z',
      [ABORT_ANNOTATION]: ' a1 ',
      [RETRY_ANNOTATION]: '',
      [ROLLBACK_ANNOTATION]: '2025-06-01T12:00:00Z/3',
    }),
    { promote: '2025-06-01T12:00:00Z', abort: 'a1', rollback: { id: '2025-06-01T12:00:00Z/3', revision: 3 } },
  );
});

void test('a rollback without a revision number after the last / goes to the newest known-good revision', () => {
  assert.deepEqual(parseRolloutRequests({ [ROLLBACK_ANNOTATION]: 'r1' }), { rollback: { id: 'r1' } });
  assert.deepEqual(parseRolloutRequests({ [ROLLBACK_ANNOTATION]: 'a/b/c' }), { rollback: { id: 'a/b/c' } });
  assert.deepEqual(parseRolloutRequests({ [ROLLBACK_ANNOTATION]: 'r1/0' }), { rollback: { id: 'r1/0' } });
  assert.deepEqual(parseRolloutRequests({ [ROLLBACK_ANNOTATION]: 'r/1/12' }), { rollback: { id: 'r/1/12', revision: 12 } });
});

void test('ids longer than status keeps are replaced by their hash, so they still act once', () => {
  const long = 'x'.repeat(1000);
  const a = parseRolloutRequests({ [PROMOTE_ANNOTATION]: long }).promote!;
  assert.match(a, /^sha256:[0-9a-f]{64}$/);
  assert.equal(parseRolloutRequests({ [PROMOTE_ANNOTATION]: long }).promote, a);
  assert.notEqual(parseRolloutRequests({ [PROMOTE_ANNOTATION]: `${long}y` }).promote, a);
});

void test('templateHash: 16 hex digits, independent of key order, sensitive to model and runtime', () => {
  const s = spec();
  const h = templateHash(s.model, s.runtime);
  assert.match(h, /^[0-9a-f]{16}$/);
  const reordered = Object.fromEntries(Object.entries(s.model).reverse()) as typeof s.model;
  assert.equal(templateHash(reordered, s.runtime), h);
  assert.notEqual(templateHash({ ...s.model, version: '8' }, s.runtime), h);
  assert.notEqual(templateHash(s.model, { ...s.runtime, image: 'x:1' }), h);
  assert.equal(templateHash(s.model, { ...s.runtime, image: undefined }), h, 'an undefined field is an absent field');
  const t = spec({ replicas: 3, strategy: 'immediate' });
  assert.equal(templateHash(t.model, t.runtime), h, 'replicas and rollout settings are not part of the template');
});

void test('replicas provider: pods approximate the weight; the canary gets at least one pod', () => {
  const cases: [number, number, number, number, number][] = [
    // N, w -> canary, stable, effective weight
    [10, 10, 1, 9, 10],
    [10, 50, 5, 5, 50],
    [3, 10, 1, 2, 33],
    [1, 10, 1, 1, 50],
    [10, 100, 10, 0, 100],
    [10, 0, 0, 10, 0],
    [0, 10, 1, 1, 50],
  ];
  for (const [n, w, canary, stable, effective] of cases) {
    const split = splitReplicas('replicas', { replicas: n }, w);
    assert.deepEqual(split, { stable: { replicas: stable }, canary: { replicas: canary }, canaryWeight: effective, exact: false }, `N=${n} w=${w}`);
  }
});

void test('routers: stable keeps N, the canary gets ceil(N*w/100) for its sizing weight, the weight is exact', () => {
  assert.deepEqual(splitReplicas('gateway-api', { replicas: 10 }, 10), {
    stable: { replicas: 10 },
    canary: { replicas: 1 },
    canaryWeight: 10,
    exact: true,
  });
  assert.deepEqual(splitReplicas('istio', { replicas: 3 }, 50).canary, { replicas: 2 });
  assert.deepEqual(splitReplicas('istio', { replicas: 10 }, 0).canary, { replicas: 1 }, 'weight 0 still one pod');
  assert.deepEqual(splitReplicas('istio', { replicas: 10 }, 0, 50).canary, { replicas: 5 }, 'sized ahead of its traffic');
});

void test('autoscaling: HPA bounds are split the same way', () => {
  const hpa: VariantScale = { minReplicas: 2, maxReplicas: 10 };
  assert.deepEqual(splitReplicas('gateway-api', hpa, 10), {
    stable: { minReplicas: 2, maxReplicas: 10 },
    canary: { minReplicas: 1, maxReplicas: 1 },
    canaryWeight: 10,
    exact: true,
  });
  assert.deepEqual(splitReplicas('replicas', hpa, 50), {
    stable: { minReplicas: 1, maxReplicas: 5 },
    canary: { minReplicas: 1, maxReplicas: 5 },
    canaryWeight: 50,
    exact: false,
  });
  assert.deepEqual(splitReplicas('replicas', hpa, 0).canary, { replicas: 0 }, 'no HPA can hold 0 pods');
  assert.deepEqual(splitReplicas('replicas', hpa, 100).stable, { replicas: 0 });
});

void test('split properties: weights in range, a canary with traffic has pods, HPA bounds ordered', () => {
  const capacity: fc.Arbitrary<VariantScale> = fc.oneof(
    fc.integer({ min: 0, max: 50 }).map((replicas) => ({ replicas })),
    fc.integer({ min: 1, max: 20 }).chain((min) => fc.integer({ min, max: 50 }).map((max) => ({ minReplicas: min, maxReplicas: max }))),
  );
  fc.assert(
    fc.property(
      fc.constantFrom('replicas' as const, 'gateway-api' as const, 'istio' as const),
      capacity,
      fc.integer({ min: 0, max: 100 }),
      fc.integer({ min: 0, max: 100 }),
      (provider, cap, w, sizing) => {
        const split = splitReplicas(provider, cap, w, sizing);
        assert.ok(split.canaryWeight >= 0 && split.canaryWeight <= 100);
        if (provider !== 'replicas') assert.equal(split.canaryWeight, w);
        for (const s of [split.stable, split.canary]) {
          if ('replicas' in s) assert.ok(s.replicas >= 0);
          else assert.ok(s.minReplicas >= 1 && s.maxReplicas >= s.minReplicas, JSON.stringify(s));
        }
        if (split.canaryWeight > 0) {
          const c = split.canary;
          assert.ok('replicas' in c ? c.replicas >= 1 : c.minReplicas >= 1);
        }
      },
    ),
  );
});
