// modelship never takes over an object it did not create. A Service, HPA and HTTPRoute made with kubectl
// (no modelship label, so invisible to the operator's caches), and a Service installed by `helm install`,
// keep their spec, labels and owners when a ModelDeployment of the colliding name appears; the
// ModelDeployment is Stalled/ApplyConflict naming the object; deleting it leaves the objects in place;
// once the object is removed, the ModelDeployment converges by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { chartServiceAccount } from '../support/chart-service-account.ts';
import { conditionOf, createModelDeployment, mdRef, modelWithRollout, testClient } from '../support/model-deployments.ts';
import { helm, mustSucceed } from '../support/helm-chart.ts';
import { runTool } from '../support/run-tool.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';
import type { ObjectRef } from '../../src/kube/resource-paths.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'no-takeover');
// The operator runs with the chart's ServiceAccount: what it may not do, it cannot do here either.
await startInProcessOperator(await chartServiceAccount(cluster), [namespace]);

type Loose = KubeObject & { spec?: unknown };

const kubectl = (args: readonly string[], input?: string) => mustSucceed(`kubectl ${args.join(' ')}`, runTool(cluster.toolsDir, 'kubectl', ['--kubeconfig', cluster.kubeconfigPath, '-n', namespace, ...args], input));

/** What must survive untouched: the spec, labels and owners. */
function snapshot(obj: Loose | undefined): unknown {
  assert.ok(obj, 'the object still exists');
  return { spec: obj.spec, labels: obj.metadata?.labels, ownerReferences: obj.metadata?.ownerReferences };
}

const getMd = (name: string) => client.get<ModelDeploymentObject>(mdRef(namespace, name));

/** A ModelDeployment whose children are a Service `<name>`, an HPA `<name>-stable` and an HTTPRoute `<name>`. */
function colliding(name: string): Record<string, unknown> {
  const md = modelWithRollout(name, { strategy: 'canary', steps: [{ weight: 50 }], traffic: { provider: 'gateway-api', gateway: { name: 'ml-gateway', namespace: 'gateways' } } });
  const spec = md.spec as { runtime: object };
  return { ...md, spec: { ...spec, runtime: { ...spec.runtime, resources: { requests: { cpu: '100m', memory: '128Mi' } } }, autoscaling: { minReplicas: 1, maxReplicas: 3 } } };
}

async function stalledOnConflict(name: string): Promise<string> {
  const md = await eventually('Stalled/ApplyConflict', () => getMd(name), (m) => conditionOf(m, 'Stalled')?.reason === 'ApplyConflict', 60_000, 500);
  return conditionOf(md, 'Stalled')?.message ?? '';
}

async function converged(name: string, refs: readonly ObjectRef[]): Promise<void> {
  await eventually('Stalled to clear', () => getMd(name), (m) => m !== undefined && conditionOf(m, 'Stalled')?.status !== 'True' && (m.status?.observedGeneration ?? 0) >= (m.metadata?.generation ?? 1), 90_000, 1000);
  const md = await getMd(name);
  for (const ref of refs) {
    const obj = await eventually(`${ref.kind}/${ref.name} to be created by the ModelDeployment`, () => client.get<Loose>(ref), (o) => o?.metadata?.ownerReferences?.some((r) => r.uid === md?.metadata?.uid && r.controller === true) === true, 30_000, 500);
    assert.ok(obj);
  }
}

async function deleteAndWait(name: string): Promise<void> {
  await client.delete(mdRef(namespace, name));
  await eventually('the ModelDeployment to be gone', () => getMd(name), (m) => m === undefined, 30_000, 250);
}

test('objects made with kubectl keep their spec and owners; the ModelDeployment stalls naming them and converges once they are gone', async () => {
  const name = 'payments';
  await kubectl(['create', 'service', 'clusterip', name, '--tcp=8080:8080']);
  await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: `${name}-stable` }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'other' }, minReplicas: 1, maxReplicas: 2 } }));
  await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name }, spec: { parentRefs: [{ name: 'shared-gateway' }], rules: [{ backendRefs: [{ name: 'payments-api', port: 8080 }] }] } }));
  const refs: ObjectRef[] = [
    { apiVersion: 'v1', kind: 'Service', namespace, name },
    { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace, name: `${name}-stable` },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace, name },
  ];
  const before = await Promise.all(refs.map(async (r) => snapshot(await client.get<Loose>(r))));

  await createModelDeployment(client, namespace, colliding(name));
  const message = await stalledOnConflict(name);
  assert.match(message, /(Service|HorizontalPodAutoscaler|HTTPRoute)\/?\s*"?payments/, message);
  assert.match(message, /kubectl/, `the message names the current manager: ${message}`);
  // Give the operator time to (wrongly) apply, then compare.
  await new Promise((r) => setTimeout(r, 3000));
  assert.deepEqual(await Promise.all(refs.map(async (r) => snapshot(await client.get<Loose>(r)))), before, 'spec, labels and owners are untouched');

  await deleteAndWait(name);
  await new Promise((r) => setTimeout(r, 3000)); // the garbage collector would have acted by now
  assert.deepEqual(await Promise.all(refs.map(async (r) => snapshot(await client.get<Loose>(r)))), before, 'deleting the ModelDeployment leaves them in place');

  // A new ModelDeployment stalls as well, and converges by itself once the objects are removed.
  await createModelDeployment(client, namespace, colliding(name));
  await stalledOnConflict(name);
  for (const r of refs) await client.delete(r);
  await converged(name, refs);
});

test('an object installed by helm keeps its spec and owners, and the ModelDeployment converges once it is uninstalled', async () => {
  const name = 'ledger';
  const chart = mkdtempSync(join(tmpdir(), 'no-takeover-chart-'));
  mkdirSync(join(chart, 'templates'));
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: ledger\nversion: 0.1.0\n');
  writeFileSync(join(chart, 'templates', 'service.yaml'), `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    app: ledger-api\n  ports:\n  - name: api\n    port: 8080\n`);
  await mustSucceed('helm install', helm(cluster.toolsDir, ['install', 'ledger', chart, '-n', namespace], cluster.kubeconfigPath));
  const ref: ObjectRef = { apiVersion: 'v1', kind: 'Service', namespace, name };
  const before = snapshot(await client.get<Loose>(ref));

  await createModelDeployment(client, namespace, modelWithRollout(name, { strategy: 'canary', steps: [{ weight: 50 }] }));
  const message = await stalledOnConflict(name);
  assert.match(message, /Service\/?\s*"?ledger/, message);
  assert.match(message, /helm/i, `the message names the current manager: ${message}`);
  await new Promise((r) => setTimeout(r, 3000));
  assert.deepEqual(snapshot(await client.get<Loose>(ref)), before, 'the Helm release keeps its Service as it was');

  await mustSucceed('helm uninstall', helm(cluster.toolsDir, ['uninstall', 'ledger', '-n', namespace], cluster.kubeconfigPath));
  await converged(name, [ref]);
});
