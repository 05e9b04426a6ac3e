// What a kubectl or GitOps user does first: apply the CRD (client-side, whose last-applied annotation must fit
// in 256 KiB, and server-side, as Argo CD and Flux do), then the examples, with the project's kubectl. On a
// control plane of this file's own, so the CRD is applied to a cluster that never saw it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { privateControlPlane, loadKubeConfig, type TestCluster } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { testNamespace } from '../support/namespaces.ts';
import { exampleFiles, examplesDir } from '../support/model-deployments.ts';
import { runTool, type ToolResult } from '../support/run-tool.ts';

const crdsDir = resolve(import.meta.dirname, '..', '..', 'crds');
const crdName = 'modeldeployments.modelship.io';
// The API server's limit on all of an object's annotations together (apimachinery's TotalAnnotationSizeLimitB).
const annotationLimit = 256 * 1024;

const cp = await privateControlPlane();
const cluster: TestCluster = { kubeconfigPath: cp.kubeconfigPath, toolsDir: cp.toolsDir, kubeConfig: () => loadKubeConfig(cp.kubeconfigPath) };
const kubectl = (...args: string[]): Promise<ToolResult> => runTool(cp.toolsDir, 'kubectl', ['--kubeconfig', cp.kubeconfigPath, ...args]);

function ok(result: ToolResult, what: string): string {
  assert.equal(result.code, 0, `${what} failed:\n${result.stderr}${result.stdout}`);
  assert.equal(result.stderr, '', `${what} warned`);
  return result.stdout;
}

const established = async () => ok(await kubectl('wait', '--for=condition=Established', '--timeout=60s', `crd/${crdName}`), 'waiting for the CRD');

test('kubectl apply -f crds/ (client-side): the last-applied annotation fits, a second apply changes nothing', async () => {
  assert.match(ok(await kubectl('apply', '-f', crdsDir), 'client-side apply'), new RegExp(`${crdName} created`));
  await established();
  const annotations = JSON.parse(ok(await kubectl('get', `crd/${crdName}`, '-o', 'jsonpath={.metadata.annotations}'), 'reading annotations')) as Record<string, string>;
  const lastApplied = annotations['kubectl.kubernetes.io/last-applied-configuration'] ?? '';
  assert.ok(lastApplied.length > 0, 'kubectl recorded the last-applied configuration');
  const total = Object.entries(annotations).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  assert.ok(total < annotationLimit, `annotations take ${total} of ${annotationLimit} bytes`);
  assert.match(ok(await kubectl('apply', '-f', crdsDir), 'second client-side apply'), /unchanged/);
});

test('kubectl apply --server-side -f crds/ takes over from client-side apply without conflicts', async () => {
  // No --force-conflicts: the fields kubectl's client-side apply owns hold the same values.
  assert.match(ok(await kubectl('apply', '--server-side', '-f', crdsDir), 'server-side apply'), new RegExp(`${crdName} serverside-applied`));
  await established();
  assert.match(ok(await kubectl('apply', '--server-side', '-f', crdsDir), 'second server-side apply'), /serverside-applied/);
});

test('every example is accepted by kubectl apply, and a server dry run afterwards is clean', async () => {
  await installCrds(cluster, { routers: true });
  const namespace = await testNamespace(cluster.kubeConfig(), 'kubectl-apply');
  const files = exampleFiles();
  assert.ok(files.length > 0, 'examples/ holds manifests');
  for (const file of files) {
    const path = resolve(examplesDir, file);
    assert.match(ok(await kubectl('apply', '-n', namespace, '-f', path), `kubectl apply -f examples/${file}`), /modeldeployment\.modelship\.io\/\S+ created/, file);
    const dryRun = ok(await kubectl('apply', '--dry-run=server', '-n', namespace, '-f', path), `kubectl apply --dry-run=server -f examples/${file}`);
    assert.match(dryRun, /unchanged \(server dry run\)/, `${file}: the applied object matches its manifest`);
  }
  const names = ok(await kubectl('get', 'mdep', '-n', namespace, '-o', 'name'), 'kubectl get mdep').trim().split('\n');
  assert.equal(names.length, files.length, `every example is stored: ${names.join(', ')}`);
});
