import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../../../src/controller/phases/load.ts';
import type { ModelDeploymentObject } from '../../../../src/controller/caches.ts';
import { StatusEchoes } from '../../../../src/controller/quiet-echo.ts';

type Deps = Parameters<typeof load>[1];

function depsHolding(current: () => ModelDeploymentObject | undefined): Deps {
  return {
    caches: { modelDeployments: { get: () => current() } },
    evidence: { forget: () => {} },
  } as unknown as Deps;
}

function md(version: string, resourceVersion: string, replicas: number): ModelDeploymentObject {
  return {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name: 'm', namespace: 'ns', uid: 'u-1', generation: 1, resourceVersion },
    spec: { model: { name: 'm', version, uri: `s3://models/m/${version}`, format: 'sklearn' }, runtime: { preset: 'mlserver' }, replicas },
  };
}

test('each version the cache holds is parsed as itself, and an unchanged object gives the same parse', () => {
  let current = md('1', '10', 1);
  const deps = depsHolding(() => current);
  const first = load('ns/m', deps);
  const again = load('ns/m', deps);
  assert.ok(first.ok && again.ok);
  assert.equal(first.target.spec?.model.version, '1');
  assert.deepEqual(again.target.parsed, first.target.parsed);
  current = md('2', '11', 3);
  const next = load('ns/m', deps);
  assert.ok(next.ok);
  assert.equal(next.target.spec?.model.version, '2');
  assert.equal(next.target.spec?.replicas, 3);
  // An equal object that is not the cached one (a new version with the same content) is parsed anew, alike.
  current = md('2', '11', 3);
  const equal = load('ns/m', deps);
  assert.ok(equal.ok);
  assert.deepEqual(equal.target.parsed, next.target.parsed);
});

test('a new version with the same spec (a status write, a label) keeps the spec object and takes the new metadata', () => {
  let current = md('1', '10', 1);
  const deps = depsHolding(() => current);
  const first = load('ns/m', deps);
  current = { ...md('1', '11', 1), metadata: { ...md('1', '11', 1).metadata, labels: { team: 'search' } }, status: { phase: 'Ready' } } as ModelDeploymentObject;
  const next = load('ns/m', deps);
  assert.ok(first.ok && next.ok && next.target.parsed.ok);
  assert.equal(next.target.spec, first.target.spec, 'the same spec object: the render memo holds');
  assert.equal(next.target.parsed.value.metadata.resourceVersion, '11');
  assert.deepEqual(next.target.parsed.value.metadata.labels, { team: 'search' });
  assert.equal(next.target.cachedVersion, '11');
});

test('the status is not parsed: one the schema would refuse does not make the spec invalid, first seen or a new version', () => {
  const odd = (resourceVersion: string) => ({ ...md('1', resourceVersion, 1), status: { phase: 42, conditions: 'none' } }) as unknown as ModelDeploymentObject;
  let current = odd('20');
  const deps = depsHolding(() => current);
  for (const version of ['20', '21']) {
    current = odd(version);
    const loaded = load('ns/odd', deps);
    assert.ok(loaded.ok && loaded.target.parsed.ok, `version ${version} parsed`);
    assert.equal(loaded.target.spec?.model.version, '1');
    assert.equal('status' in loaded.target.parsed.value, false);
  }
});

test('a spec that does not parse stays unparsed while the same object is cached', () => {
  const broken = { ...md('1', '12', 1), spec: { model: { name: 'm' } } } as unknown as ModelDeploymentObject;
  const deps = depsHolding(() => broken);
  for (let i = 0; i < 2; i++) {
    const loaded = load('ns/other', deps);
    assert.ok(loaded.ok);
    assert.equal(loaded.target.parsed.ok, false);
    assert.equal(loaded.target.spec, undefined);
  }
});

test("a reconcile that meets the version our status write replaced forgets its echo, so the write's event brings the key back, and sets no timer", () => {
  const current = md('1', '10', 1);
  const echo = (rv: string) => ({ ...current, metadata: { ...current.metadata, resourceVersion: rv } });
  const statusEchoes = new StatusEchoes(() => {});
  statusEchoes.writing('ns/m');
  statusEchoes.written('ns/m', '11', true);
  const replacedVersions = new Map([['ns/m', '10']]);
  const stale = load('ns/m', { ...depsHolding(() => current), replacedVersions, statusEchoes });
  assert.deepEqual(stale, { ok: false, outcome: {} });
  assert.equal(statusEchoes.absorbs('ns/m', 'update', echo('11')), false);
  // Gone: forgotten.
  statusEchoes.writing('ns/m');
  statusEchoes.written('ns/m', '12', true);
  const gone = load('ns/m', { ...depsHolding(() => undefined), statusEchoes, registry: { forget: () => {} }, retrainer: { forget: () => {} } } as unknown as Deps);
  assert.equal(gone.ok, false);
  assert.equal(statusEchoes.size, 0);
});
