// The operator's probes against a real control plane: /readyz says not ready while the API server does
// not serve ModelDeployments (its CRD deleted) and ready again once the CRD is back, with no restart;
// /healthz stays ok meanwhile (the caches still make progress: they are retrying, not wedged).
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { installCrdFiles } from '../cluster/traffic.ts';
import { loadKubeConfig, privateControlPlane } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { testClient } from '../support/model-deployments.ts';
import { startOperatorProcess } from '../support/operator-process.ts';
import { eventually } from '../support/wait.ts';

const cp = await privateControlPlane();
const cluster = { kubeconfigPath: cp.kubeconfigPath, toolsDir: cp.toolsDir, kubeConfig: () => loadKubeConfig(cp.kubeconfigPath) };
await installCrds(cluster, { routers: false });
const admin = testClient(cluster.kubeConfig());
const crdFile = resolve(import.meta.dirname, '..', '..', 'crds', 'modelship.io_modeldeployments.yaml');

async function probe(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

test('/readyz fails while the ModelDeployment CRD is deleted and recovers when it is back; /healthz stays ok', async () => {
  const operator = startOperatorProcess(cp.kubeconfigPath, 'health-probe', ['--leader-elect=false']);
  const port = await operator.metricsPort();
  await eventually('ready', () => probe(port, '/readyz'), (r) => r.status === 200, 60_000);

  await admin.request('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/modeldeployments.modelship.io');
  const notReady = await eventually('not ready without the CRD', () => probe(port, '/readyz'), (r) => r.status === 500, 60_000);
  assert.match(notReady.body, /does not serve ModelDeployment/);
  assert.equal((await probe(port, '/healthz')).status, 200, 'retrying is not wedged');

  await installCrdFiles(cp.toolsDir, cp.kubeconfigPath, [crdFile]);
  await eventually('ready again with the CRD back', () => probe(port, '/readyz'), (r) => r.status === 200, 90_000, 500);
  assert.equal(operator.child.exitCode, null, 'no restart');
  operator.kill('SIGTERM');
  await operator.exited();
});
