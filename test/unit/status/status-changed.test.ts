import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelDeploymentStatus } from '../../../src/api/index.ts';
import fc from 'fast-check';
import { computeStatus, statusEqual } from '../../../src/status/index.ts';
import { jsonEqual } from '../../../src/status/status-changed.ts';
import { NOW, observations } from './fixtures.ts';

const status = computeStatus(undefined, observations(), NOW);

void test('equal to a deep copy and to its JSON round trip (what the API server returns)', () => {
  assert.ok(statusEqual(status, structuredClone(status)));
  assert.ok(statusEqual(status, JSON.parse(JSON.stringify(status)) as ModelDeploymentStatus));
  assert.ok(statusEqual(undefined, undefined));
});

void test('key order does not matter; a property set to undefined is the same as an absent one', () => {
  const reordered = Object.fromEntries(Object.entries(status).reverse()) as ModelDeploymentStatus;
  assert.ok(statusEqual(status, reordered));
  assert.ok(statusEqual({ url: 'u' }, { url: 'u', trafficSummary: undefined }));
});

void test('any difference counts, list order included', () => {
  const conditions = status.conditions ?? [];
  assert.ok(conditions.length >= 2);
  assert.ok(!statusEqual(status, { ...status, conditions: [...conditions].reverse() }));
  assert.ok(!statusEqual(status, { ...status, readyReplicas: 1 }));
  assert.ok(!statusEqual(status, { ...status, observedGeneration: undefined }));
  const touched = structuredClone(status);
  touched.conditions![0]!.lastTransitionTime = '2030-01-01T00:00:00Z';
  assert.ok(!statusEqual(status, touched));
  assert.ok(!statusEqual(status, undefined));
  assert.ok(!statusEqual({ history: [] }, { history: [{}] } as unknown as ModelDeploymentStatus));
  const [one, oneString] = [{ a: 1 }, { a: '1' }] as unknown as NonNullable<ModelDeploymentStatus['stable']>[];
  assert.ok(!statusEqual({ stable: one }, { stable: oneString }));
});

/** The definition before it was written in plain loops: defined own keys, compared in any order. */
function referenceEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => referenceEqual(x, b[i]));
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  const defined = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  const keysA = defined(a);
  return keysA.length === defined(b).length && keysA.every((k) => Object.hasOwn(b, k) && referenceEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

void test('jsonEqual decides as the definition does, for any pair of values, a value and its copy, and an object with an inherited key', () => {
  // Small values close to each other: undefined properties, keys named __proto__ and toString, and an object with an inherited key.
  const value = fc.letrec((tie) => ({
    any: fc.oneof({ depthSize: 'small' }, fc.constantFrom(undefined, null, 0, -0, 1, '', 'a', true, false), fc.array(tie('any'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__', 'toString'), tie('any'), { maxKeys: 3 })),
  })).any;
  fc.assert(
    fc.property(value, value, (a, b) => {
      assert.equal(jsonEqual(a, b), referenceEqual(a, b));
      assert.equal(jsonEqual(b, a), referenceEqual(b, a));
      const copy: unknown = structuredClone(a);
      assert.equal(jsonEqual(a, copy), referenceEqual(a, copy));
      const inherited = Object.create({ inheritedKey: 1 }) as Record<string, unknown>;
      Object.assign(inherited, typeof a === 'object' && a !== null && !Array.isArray(a) ? a : { v: a });
      assert.equal(jsonEqual(inherited, b), referenceEqual(inherited, b));
      assert.equal(jsonEqual(inherited, { ...inherited }), referenceEqual(inherited, { ...inherited }));
    }),
    { numRuns: 2000 },
  );
});
