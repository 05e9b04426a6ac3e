import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelDeploymentStatus } from '../../../src/api/index.ts';
import { computeStatus, statusEqual } from '../../../src/status/index.ts';
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
