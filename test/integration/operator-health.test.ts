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

test('/healthz of the leader and of a follower stays ok past the leader elector\'s bound of 4 lease durations', async () => {
  const leaseMs = 2000;
  const flags = ['--leader-election-namespace=default', '--leader-election-id=health-lease', `--lease-duration=${leaseMs}ms`, '--renew-deadline=1500ms', '--retry-period=500ms'];
  const operators = [startOperatorProcess(cp.kubeconfigPath, 'health-a', flags), startOperatorProcess(cp.kubeconfigPath, 'health-b', flags)];
  const ports = await Promise.all(operators.map((o) => o.metricsPort()));
  const leading = 'leader_election_master_status{name="health-lease"}';
  await eventually('one of them to lead', async () => (await Promise.all(operators.map((o) => o.metric(leading)))).join(','), (l) => l === '1,0' || l === '0,1', 60_000);
  // Time must pass: the elector's verdict fails after 4 lease durations without progress, and a follower
  // of a healthy leader makes no attempt in that time (it sees the renewals through its watch).
  const failing: string[] = [];
  const until = Date.now() + 4 * leaseMs + 3000;
  while (Date.now() < until) {
    for (const port of ports) {
      const r = await probe(port, '/healthz');
      if (r.status !== 200) failing.push(`${port}: ${r.status} ${r.body.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 250)); // the probe's poll interval
  }
  assert.deepEqual(failing, [], 'every /healthz answer ok');
  assert.deepEqual(operators.map((o) => o.child.exitCode), [null, null], 'no exit');
  for (const o of operators) o.kill('SIGTERM');
  await Promise.all(operators.map((o) => o.exited()));
});
