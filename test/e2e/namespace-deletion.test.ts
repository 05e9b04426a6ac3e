// Deleting a namespace that holds ModelDeployments while the operator runs: the children go with it,
// nothing is created again, and the operator ends its work there quietly. Before, a namespace of 50
// gave 411 warnings in 7 s (applies refused "because it is being terminated" and retried, Events
// refused, status patches answered 404).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { sharedCluster } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { startOperatorProcess } from '../support/operator-process.ts';
import { createModelDeployment, modelWithRollout, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);

const MODELS = 16;

/** `<key> <kind>/<name>` of each child an `applied` line says was written (one line per reconcile). */
function appliedChildren(line: Record<string, unknown>): string[] {
  if (line['msg'] !== 'applied' || typeof line['children'] !== 'object' || line['children'] === null) return [];
  return Object.keys(line['children']).map((child) => `${String(line['key'])} ${child}`);
}
/** Warnings the operator may log while the namespace goes: none is expected, one is tolerated (a watch broken by timing). */
const MAX_WARNINGS_DURING_DELETION = 1;

test('deleting a namespace of ModelDeployments: children gone, none re-created, no warning storm', { timeout: 180_000 }, async (t) => {
  const namespace = `ns-deletion-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'modelship.io/test': 'true' } } } });
  t.after(() => core.deleteNamespace({ name: namespace }).then(() => undefined, () => undefined));
  const operator = startOperatorProcess(cluster.kubeconfigPath, 'ns-deletion', ['--leader-elect=false', `--watch-namespaces=${namespace}`, '--log-level=debug']);
  await operator.metricsPort();

  const names = Array.from({ length: MODELS }, (_, i) => `model-${i}`);
  for (const name of names) await createModelDeployment(client, namespace, modelWithRollout(name, {}, 1));
  // Deleted while the operator is still busy there (children being created, status being written),
  // which is when the refusals came.
  const deployments = { apiVersion: 'apps/v1', kind: 'Deployment', namespace };
  await eventually('every stable Deployment', () => client.list(deployments), (l) => l.items.length === MODELS, 60_000, 50);

  const before = operator.logLines().length;
  const existed = new Set(operator.logLines().flatMap(appliedChildren));
  // A reconcile logs its change set once its applies are done: some are still on their way here.
  assert.ok(names.some((name) => existed.has(`${namespace}/${name} Deployment/${name}-stable`)), 'the log names the Deployments applied so far');
  await core.deleteNamespace({ name: namespace });
  await eventually(
    'the namespace to be gone',
    () => core.readNamespace({ name: namespace }).then(() => 'present', (err: unknown) => ((err as { code?: number }).code === 404 ? 'gone' : 'present')),
    (state) => state === 'gone',
    120_000,
    250,
  );
  // Let the operator's last queued keys and Events drain: its own log says when the queue is idle.
  await eventually('the operator to be idle', () => operator.metric('workqueue_depth{name="modeldeployment"}'), (d) => d === 0, 10_000);

  const during = operator.logLines().slice(before);
  const warnings = during.filter((l) => ['warn', 'error', 'fatal'].includes(String(l.level)));
  const recreated = during.flatMap(appliedChildren).filter((c) => existed.has(c));
  t.diagnostic(`${during.length} log lines while the namespace went, ${warnings.length} at warn or above, ${during.filter((l) => String(l.msg).startsWith('namespace is being deleted')).length} quiet ends`);
  assert.ok(warnings.length <= MAX_WARNINGS_DURING_DELETION, `warnings: ${JSON.stringify(warnings.slice(0, 5))}`);
  assert.deepEqual(recreated, [], 'no child was applied again');
  const left = await client.list(deployments);
  assert.equal(left.items.length, 0, 'no Deployment is left');
  assert.equal(operator.child.exitCode, null, operator.output().slice(-2000));
});
