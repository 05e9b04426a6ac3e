import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, type Target } from '../../../../src/controller/phases/load.ts';
import { render } from '../../../../src/controller/phases/render.ts';
import type { ModelDeploymentObject, Caches } from '../../../../src/controller/caches.ts';
import { defaultRenderConfig } from '../../../../src/render/index.ts';
import type { RolloutDecision, RolloutPlan } from '../../../../src/rollout/index.ts';

type Deps = Parameters<typeof load>[1];
const noCrdsMissing = { children: new Map() } as unknown as Caches;

function md(name: string, resourceVersion: string, version: string, status: Record<string, unknown> = {}): ModelDeploymentObject {
  return {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, generation: 1, resourceVersion },
    spec: { model: { name, version, uri: `s3://models/${name}/${version}`, format: 'sklearn' }, runtime: { preset: 'mlserver' }, replicas: 2 },
    status,
  };
}

function loaded(current: ModelDeploymentObject): Target {
  const deps = { caches: { modelDeployments: { get: () => current } }, evidence: { forget: () => {} } } as unknown as Deps;
  const result = load(`ns/${current.metadata?.name}`, deps);
  assert.ok(result.ok);
  return result.target;
}

function decision(target: Target, replicas: number): RolloutDecision {
  const spec = target.spec!;
  const plan: RolloutPlan = {
    provider: 'replicas',
    stable: { revision: 1, template: 't1', version: spec.model.version, model: spec.model, runtime: spec.runtime },
    replicas: { stable: { replicas } },
    weights: { stable: 100, canary: 0, exact: true },
  };
  return { plan } as RolloutDecision;
}

const replicasOf = (objects: readonly { kind: string; spec?: unknown }[]) => (objects.find((o) => o.kind === 'Deployment')?.spec as { replicas?: number } | undefined)?.replicas;

test('a reconcile that wants what the last one wanted gets the same children, frozen', () => {
  const target = loaded(md('same', '1', '1'));
  const first = render(target, decision(target, 2), defaultRenderConfig, noCrdsMissing).objects;
  const again = render(target, decision(target, 2), defaultRenderConfig, noCrdsMissing).objects;
  assert.ok(first.length >= 3);
  assert.notEqual(again, first, 'a list of its own: a phase may filter it');
  first.forEach((o, i) => assert.equal(again[i], o, `${o.kind} ${o.metadata.name} is the same object`));
  const deployment = first.find((o) => o.kind === 'Deployment')!;
  assert.ok(Object.isFrozen(deployment) && Object.isFrozen(deployment.metadata.labels) && Object.isFrozen(deployment.spec));
  assert.throws(() => {
    (deployment.metadata as { name: string }).name = 'changed';
  }, TypeError);
});

test('a new version with an equal spec (a status write) keeps the parsed spec and the children; a new spec or plan renders anew', () => {
  const before = loaded(md('versions', '1', '1'));
  const children = render(before, decision(before, 2), defaultRenderConfig, noCrdsMissing).objects;

  const statusWritten = loaded(md('versions', '2', '1', { observedGeneration: 1 }));
  assert.equal(statusWritten.spec, before.spec, 'the same spec object across versions with an equal spec');
  assert.equal(statusWritten.md.status?.observedGeneration, 1, 'the rest of the parse is the new version');
  assert.deepEqual(
    render(statusWritten, decision(statusWritten, 2), defaultRenderConfig, noCrdsMissing).objects.map((o, i) => o === children[i]),
    children.map(() => true),
  );

  const scaled = render(statusWritten, decision(statusWritten, 3), defaultRenderConfig, noCrdsMissing).objects;
  assert.equal(replicasOf(scaled), 3, 'another plan renders anew');
  assert.equal(replicasOf(children), 2);

  const newVersion = loaded(md('versions', '3', '2'));
  assert.notEqual(newVersion.spec, before.spec);
  const rendered = render(newVersion, decision(newVersion, 3), defaultRenderConfig, noCrdsMissing).objects;
  const deployment = rendered.find((o) => o.kind === 'Deployment');
  assert.notEqual(deployment, scaled.find((o) => o.kind === 'Deployment'));
  assert.match(JSON.stringify(deployment), /s3:\/\/models\/versions\/2/);

  const otherConfig = { ...defaultRenderConfig };
  assert.notEqual(render(newVersion, decision(newVersion, 3), otherConfig, noCrdsMissing).objects[0], rendered[0], 'another configuration renders anew');
});
