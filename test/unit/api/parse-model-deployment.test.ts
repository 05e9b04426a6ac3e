import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModelDeployment } from '../../../src/api/index.ts';
import { loadExamples } from '../../fixtures/examples.ts';
import { BOUNDARY_MANIFESTS, INVALID_MANIFESTS } from '../../fixtures/invalid-manifests.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';

void test('a minimal manifest parses, with defaults filled in', () => {
  const result = parseModelDeployment(withChanges(validManifest(), { 'spec.replicas': undefined }));
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.value.spec.mode, 'realtime');
  assert.equal(result.value.spec.replicas, 1);
});

void test('autoscaling minReplicas defaults to 1', () => {
  const result = parseModelDeployment(withChanges(validManifest(), { 'spec.autoscaling': { maxReplicas: 3 } }));
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.value.spec.autoscaling?.minReplicas, 1);
});

void test('every example parses', () => {
  const examples = loadExamples();
  assert.ok(examples.length >= 7, 'expected an example per preset plus autoscaling');
  for (const example of examples) {
    const result = parseModelDeployment(example.manifest);
    assert.ok(result.ok, `${example.name}: ${JSON.stringify(result)}`);
  }
});

void test('the invalid-manifest table has at least 25 distinct cases', () => {
  assert.ok(INVALID_MANIFESTS.length >= 25);
  assert.equal(new Set(INVALID_MANIFESTS.map((c) => c.name)).size, INVALID_MANIFESTS.length);
});

for (const c of INVALID_MANIFESTS) {
  void test(`rejects ${c.name}, naming ${c.expectField}`, () => {
    const result = parseModelDeployment(c.manifest);
    assert.equal(result.ok, false, `${c.name} was accepted`);
    if (result.ok) return;
    const messages = result.errors.map((e) => e.message);
    assert.ok(
      messages.some((m) => m.includes(c.expectField)),
      `no message names ${c.expectField}: ${JSON.stringify(messages)}`,
    );
    for (const error of result.errors) assert.ok(error.message.startsWith(error.field), error.message);
  });
}

for (const c of BOUNDARY_MANIFESTS) {
  void test(`accepts the boundary case ${c.name}`, () => {
    const result = parseModelDeployment(c.manifest);
    assert.ok(result.ok, `${c.name}: ${JSON.stringify(result.ok ? undefined : result.errors)}`);
  });
}

void test('an unknown field is reported at its own path', () => {
  const result = parseModelDeployment(withChanges(validManifest(), { 'spec.model.fromat': 'sklearn' }));
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(
    result.errors.map((e) => e.message),
    ['spec.model.fromat: unknown field'],
  );
});

void test('messages tell a data scientist what to do', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ 'spec.model.version': 7 }, 'spec.model.version: must be a string, not the number 7; quote it: "7"'],
    [{ 'spec.model.uri': undefined }, 'spec.model.uri: is required'],
    [{ 'spec.replicas': -1 }, 'spec.replicas: must be 0 or more'],
    [
      { 'spec.runtime.preset': 'tensorflow-serving' },
      'spec.model.format: model format sklearn cannot be served by runtime preset tensorflow-serving; it serves: tensorflow',
    ],
    [
      { 'spec.autoscaling': { minReplicas: 5, maxReplicas: 2 } },
      'spec.autoscaling.maxReplicas: maxReplicas (2) must be greater than or equal to minReplicas (5)',
    ],
  ];
  for (const [changes, expected] of cases) {
    const result = parseModelDeployment(withChanges(validManifest(), changes as never));
    assert.equal(result.ok, false);
    if (result.ok) continue;
    assert.ok(
      result.errors.some((e) => e.message === expected),
      `expected ${JSON.stringify(expected)} in ${JSON.stringify(result.errors)}`,
    );
  }
});

void test('non-objects are rejected, not thrown on', () => {
  for (const input of [undefined, null, 42, 'x', [], {}]) {
    const result = parseModelDeployment(input);
    assert.equal(result.ok, false);
  }
});

void test('metadata the operator does not type passes through', () => {
  const manifest = withChanges(validManifest(), {
    'metadata.namespace': 'risk',
    'metadata.uid': 'c0ffee',
    'metadata.generation': 3,
    'metadata.creationTimestamp': '2025-01-01T00:00:00Z',
  });
  const result = parseModelDeployment(manifest);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.value.metadata.generation, 3);
  assert.equal((result.value.metadata as Record<string, unknown>).creationTimestamp, '2025-01-01T00:00:00Z');
});

void test('a status written by the operator parses', () => {
  const manifest = withChanges(validManifest(), {
    status: {
      observedGeneration: 3,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          observedGeneration: 3,
          lastTransitionTime: '2025-01-01T00:00:00Z',
          reason: 'Serving',
          message: 'model fraud-detector version 7 is served by 2 ready pods',
        },
      ],
      url: 'http://fraud.risk.svc.cluster.local',
      replicas: 2,
      readyReplicas: 2,
      trafficSummary: 'stable=100',
      stable: { version: '7', revision: 3, template: '0123456789abcdef' },
      traffic: [{ variant: 'stable', weight: 100, exact: true }],
      history: [
        {
          revision: 3,
          version: '7',
          template: '0123456789abcdef',
          model: { name: 'fraud-detector', version: '7', uri: 's3://models/fraud/7', format: 'sklearn' },
          runtime: { preset: 'mlserver' },
          outcome: 'Promoted',
          at: '2025-01-01T00:00:00Z',
        },
      ],
      rollout: { handledRequests: { promote: '2025-01-01T00:00:00Z' }, lastRevision: 3 },
    },
  });
  const result = parseModelDeployment(manifest);
  assert.ok(result.ok, JSON.stringify(result));
});
