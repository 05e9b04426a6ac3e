// A canary on the replicas provider (no mesh): a new model version starts a canary beside stable,
// holds at its weight until promoted, and promotion makes it stable; abort sends traffic back.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'canary');
const operator = await startInProcessOperator(kc, [namespace]);
const discovery = kc.makeApiClient(DiscoveryV1Api);
const core = kc.makeApiClient(CoreV1Api);

/** The modelship CLI as a user runs it. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [resolve(import.meta.dirname, '../../bin/modelship.js'), '--kubeconfig', cluster.kubeconfigPath, '-n', namespace, ...args], (err, stdout, stderr) =>
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** `modelship watch` running as a user runs it, until interrupted (Ctrl-C: SIGINT). */
function cliWatch(args: string[]) {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '../../bin/modelship.js'), '--kubeconfig', cluster.kubeconfigPath, '-n', namespace, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  after(() => child.kill('SIGKILL'));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    interrupt: (): Promise<number | null> => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

/** Ready endpoints behind the stable Service, by the variant of the pod they point at. */
async function endpointsByVariant(service: string): Promise<Record<string, number>> {
  const slices = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
  const pods = await core.listNamespacedPod({ namespace });
  const variantOf = new Map(pods.items.map((p) => [p.metadata?.name, p.metadata?.labels?.['modelship.io/variant'] ?? '?']));
  const counts: Record<string, number> = {};
  for (const e of slices.items.flatMap((sl) => sl.endpoints ?? [])) {
    if (e.conditions?.ready !== true) continue;
    const v = variantOf.get(e.targetRef?.name) ?? '?';
    counts[v] = (counts[v] ?? 0) + 1;
  }
  return counts;
}

type Md = ModelDeploymentObject & { status?: { canary?: { phase?: string; weight?: number; version?: string; revision?: number }; stable?: { version?: string; revision?: number }; traffic?: { variant: string; weight: number; exact: boolean }[]; history?: { revision: number; outcome: string }[] } };
const get = () => client.get<Md>(mdRef(namespace, 'churn'));
const deployment = (variant: string) => client.get<KubeObject & { spec?: { replicas?: number; template?: { metadata?: { labels?: Record<string, string> } } } }>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: `churn-${variant}` });

test('a new version walks canary steps, pauses for promotion, and is promoted', async () => {
  await createModelDeployment(client, namespace, {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name: 'churn' },
    spec: {
      model: { name: 'churn', version: '1', uri: 's3://models/churn/1', format: 'xgboost' },
      runtime: { preset: 'mlserver' },
      replicas: 4,
      rollout: { strategy: 'canary', steps: [{ weight: 25 }, { pause: {} }], scaleDownDelaySeconds: 1 },
    },
  });
  const first = await eventually('first version Ready', get, (md) => conditionOf(md, 'Ready')?.status === 'True');
  assert.equal(first?.status?.stable?.version, '1');
  assert.equal(first?.status?.canary, undefined);

  await client.mergePatch(mdRef(namespace, 'churn'), { spec: { model: { version: '2', uri: 's3://models/churn/2' } } });
  const paused = await eventually('the canary to reach its pause', get, (md) => md?.status?.canary?.phase === 'Paused', 60_000);
  assert.equal(paused?.status?.canary?.version, '2');
  assert.equal(paused?.status?.stable?.version, '1', 'stable keeps serving version 1 during the canary');
  assert.equal(conditionOf(paused, 'RolloutInProgress')?.status, 'True');
  assert.equal(conditionOf(paused, 'Serving')?.status, 'True', 'Serving stays True during a healthy rollout');
  const canaryTraffic = paused?.status?.traffic?.find((t) => t.variant === 'canary');
  assert.equal(canaryTraffic?.exact, false, 'the replicas provider reports its weight as approximate');
  assert.equal(canaryTraffic?.weight, 25);
  const [stableDeploy, canaryDeploy] = await Promise.all([deployment('stable'), deployment('canary')]);
  assert.equal(canaryDeploy?.spec?.replicas, 1, 'canary sized for 25% of 4 replicas');
  assert.equal(stableDeploy?.spec?.replicas, 3);
  assert.equal(canaryDeploy?.spec?.template?.metadata?.labels?.['app.kubernetes.io/version'], '2');
  // Without a router, the split is what the stable Service's EndpointSlices hold: it must match the reported weight.
  const endpoints = await eventually('endpoints of both variants', () => endpointsByVariant('churn'), (c) => (c.canary ?? 0) + (c.stable ?? 0) === 4);
  assert.equal(Math.round((100 * (endpoints.canary ?? 0)) / 4), canaryTraffic?.weight, JSON.stringify(endpoints));

  // The CLI shows the rollout and promotes it (an annotation, never the spec).
  const status = await cli(['status', 'churn']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /Canary: +version 2 \(revision 2\), step 2\/2, Paused/);
  const promote = await cli(['promote', 'churn']);
  assert.equal(promote.code, 0, promote.stderr);
  const generation = (await get())?.metadata?.generation;
  const promoted = await eventually('promotion to finish', get, (md) => md?.status?.stable?.version === '2' && md.status.canary === undefined && conditionOf(md, 'Ready')?.status === 'True', 90_000);
  assert.equal(promoted?.status?.history?.[0]?.outcome, 'Promoted');
  await eventually('the canary Deployment to be removed', () => deployment('canary'), (d) => d === undefined, 30_000);
  const stable = await deployment('stable');
  assert.equal(stable?.spec?.template?.metadata?.labels?.['app.kubernetes.io/version'], '2');
  assert.equal(stable?.spec?.replicas, 4);
  assert.ok(operator.events.some((e) => e.reason === 'Promoted'), JSON.stringify(operator.events.map((e) => e.reason)));
  assert.equal(promoted?.metadata?.generation, generation, 'promotion did not touch the spec');
});

test('abort (through the CLI, followed by `modelship watch`) sends all traffic back to stable; retry restarts the canary', async () => {
  await client.mergePatch(mdRef(namespace, 'churn'), { spec: { model: { version: '3', uri: 's3://models/churn/3' } } });
  await eventually('a canary of version 3', get, (md) => md?.status?.canary?.phase === 'Paused' && md.status.canary.version === '3', 60_000);
  const watching = cliWatch(['watch', 'churn']);
  await eventually('watch to print the paused canary', () => Promise.resolve(watching.stdout()), (out) => /Canary: +version 3 .*Paused/.test(out), 30_000, 50);
  const abort = await cli(['abort', 'churn']);
  assert.equal(abort.code, 0, abort.stderr);
  assert.equal(abort.stdout, `abort requested for ${namespace}/churn\n`);
  const aborted = await eventually('the abort', get, (md) => md?.status?.canary?.phase === 'Aborted', 30_000);
  assert.equal(aborted?.status?.canary?.weight, 0);
  assert.equal(conditionOf(aborted, 'Stalled')?.reason, 'RolloutAborted');
  assert.equal(aborted?.status?.stable?.version, '2');
  assert.ok(aborted?.metadata?.annotations?.['modelship.io/abort'], 'the CLI set the abort annotation');
  // watch printed the change as it happened, and ends cleanly on Ctrl-C.
  await eventually('watch to print the abort', () => Promise.resolve(watching.stdout()), (out) => /Canary: +version 3 .*Aborted/.test(out), 30_000, 50);
  assert.equal(await watching.interrupt(), 0, watching.stderr());
  await eventually('the canary Deployment to go after the scale-down delay', () => deployment('canary'), (d) => d === undefined, 30_000);
  const stable = await deployment('stable');
  assert.equal(stable?.spec?.replicas, 4, 'stable is back to full size');

  // retry: the aborted canary starts again from its first step, with the same spec.
  const generation = aborted?.metadata?.generation;
  const retry = await cli(['retry', 'churn']);
  assert.equal(retry.code, 0, retry.stderr);
  assert.equal(retry.stdout, `retry requested for ${namespace}/churn\n`);
  const retried = await eventually('the canary to run again', get, (md) => md?.status?.canary?.version === '3' && md.status.canary.phase === 'Paused' && md.status.canary.weight === 25, 60_000);
  assert.notEqual(conditionOf(retried, 'Stalled')?.status, 'True');
  assert.equal(retried?.metadata?.generation, generation, 'retry did not touch the spec');
  const canary = await eventually('the canary Deployment again', () => deployment('canary'), (d) => d?.spec?.replicas === 1, 30_000);
  assert.equal(canary?.spec?.template?.metadata?.labels?.['app.kubernetes.io/version'], '3');

  // Git reverts to the stable version: the canary is over, the ModelDeployment is Ready again.
  await client.mergePatch(mdRef(namespace, 'churn'), { spec: { model: { version: '2', uri: 's3://models/churn/2' } } });
  await eventually('Ready after the revert', get, (md) => conditionOf(md, 'Ready')?.status === 'True' && conditionOf(md, 'Stalled')?.status !== 'True' && md?.status?.canary === undefined, 60_000);
});

test('a new spec during a canary restarts it; rollback serves a known-good revision at once', async () => {
  await client.mergePatch(mdRef(namespace, 'churn'), { spec: { model: { version: '5', uri: 's3://models/churn/5' } } });
  const first = await eventually('a canary of version 5', get, (md) => md?.status?.canary?.phase === 'Paused' && md.status.canary.version === '5', 60_000);
  await client.mergePatch(mdRef(namespace, 'churn'), { spec: { model: { version: '6', uri: 's3://models/churn/6' } } });
  const restarted = await eventually('the canary to restart with version 6', get, (md) => md?.status?.canary?.version === '6' && md.status.canary.phase === 'Paused', 60_000);
  assert.ok((restarted?.status?.canary?.revision ?? 0) > (first?.status?.canary?.revision ?? 0), 'a new revision');

  const rollback = await cli(['rollback', 'churn', '--to-revision', '1']);
  assert.equal(rollback.code, 0, rollback.stderr);
  const rolledBack = await eventually('stable to serve revision 1', get, (md) => md?.status?.stable?.revision === 1, 60_000);
  assert.equal(rolledBack?.status?.stable?.version, '1');
  assert.equal(rolledBack?.status?.canary?.weight ?? 0, 0, 'the running canary was stopped');
  assert.equal(rolledBack?.status?.history?.[0]?.outcome, 'RolledBack');
  // Git still asks for version 6: the ModelDeployment says it is held back until the spec changes.
  assert.equal(conditionOf(rolledBack, 'Stalled')?.status, 'True');
  const stable = await eventually('the stable Deployment to run version 1', () => deployment('stable'), (d) => d?.spec?.template?.metadata?.labels?.['app.kubernetes.io/version'] === '1');
  assert.ok(stable);
});

test('an operator restart mid-rollout resumes the same step from status', async () => {
  await client.mergePatch(mdRef(namespace, 'churn'), { spec: { model: { version: '7', uri: 's3://models/churn/7' } } });
  const paused = await eventually('a canary of version 7', get, (md) => md?.status?.canary?.phase === 'Paused' && md.status.canary.version === '7', 60_000);
  await operator.stop();
  // A new operator (stopped when this test ends) takes over from status alone.
  const next = await startInProcessOperator(kc, [namespace]);
  // Barrier instead of 3 s: the synced caches queued every key before the workers started, so once the
  // queue is idle the new operator has reconciled the ModelDeployment and any write it made is recorded.
  await next.controller.queue.idle();
  const resumed = await get();
  assert.deepEqual(resumed?.status?.canary, paused?.status?.canary, 'the canary status is unchanged after a restart');
  assert.equal(next.writes().filter((w) => w.path.includes('/deployments/')).length, 0, 'the new operator changes no Deployment');
  assert.ok(next.controller.reconciles > 0, 'the new operator did reconcile');
});
