// `modelship render -f` prints what the operator creates on first apply: for every example, the objects
// the CLI renders offline are exactly the children the operator made on the real control plane (the same
// kinds and names, none missing, none extra), and each one's desired-hash annotation, a hash of the whole
// object the operator applied, equals the hash of the rendered object with the ModelDeployment's owner
// reference (the one thing render cannot know): every field the operator sets is the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import { render } from '../../src/cli/offline.ts';
import { DESIRED_HASH_ANNOTATION, withDesiredHash } from '../../src/controller/apply-decision.ts';
import { withOwner } from '../../src/controller/owner-reference.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';
import { CHILD_KINDS, LABEL_MODEL_DEPLOYMENT } from '../../src/render/index.ts';
import { sharedCluster } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { createModelDeployment, exampleFiles, examplesDir, readExample, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'offline-render');
await startInProcessOperator(kc, [namespace]);

type Child = KubeObject & { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> } };
const id = (o: Child) => `${o.kind}/${o.metadata.name}`;

/** Every child of the ModelDeployment `name` on the cluster, of every kind the renderer can produce. */
async function liveChildren(name: string): Promise<Child[]> {
  const lists = await Promise.all(CHILD_KINDS.map(({ apiVersion, kind }) => client.list<Child>({ apiVersion, kind, namespace }, { labelSelector: `${LABEL_MODEL_DEPLOYMENT}=${name}` })));
  return lists.flatMap((l) => l.items);
}

test('render -f prints exactly the children the operator creates on first apply, for every example', { timeout: 180_000 }, async () => {
  for (const file of exampleFiles()) {
    const offline = render([{ name: file, text: readFileSync(resolve(examplesDir, file), 'utf8') }], namespace);
    assert.ok(offline.ok, `${file}: ${offline.stderr}`);
    const rendered = (loadAll(offline.stdout) as Child[]).sort((a, b) => id(a).localeCompare(id(b)));
    const manifest = readExample(file);
    const md = await createModelDeployment(client, namespace, manifest);
    const owner = { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', name: manifest.metadata.name, uid: md.metadata?.uid ?? '' };
    const live = await eventually(
      `${file}: the operator's children`,
      () => liveChildren(manifest.metadata.name),
      (children) => children.length >= rendered.length,
      60_000,
      250,
    );
    live.sort((a, b) => id(a).localeCompare(id(b)));
    assert.deepEqual(live.map(id), rendered.map(id), `${file}: the same children`);
    for (const [i, r] of rendered.entries()) {
      const l = live[i];
      assert.equal(r.metadata.annotations?.[DESIRED_HASH_ANNOTATION], undefined, `${file}: ${id(r)}: no hash offline`);
      const applied = withDesiredHash(withOwner(r, owner));
      assert.equal(l?.metadata.annotations?.[DESIRED_HASH_ANNOTATION], applied.metadata.annotations?.[DESIRED_HASH_ANNOTATION], `${file}: ${id(r)} applied as rendered`);
      assert.deepEqual(l?.metadata.labels, { ...l?.metadata.labels, ...(r.metadata as { labels?: Record<string, string> }).labels }, `${file}: ${id(r)} labels`);
    }
  }
});
