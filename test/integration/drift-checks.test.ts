// Drift checks on the real API server with the real Job controller: the operator creates the profile Job
// of the serving stable version once, then a check Job per scheduled minute (Forbid while one runs), reads
// their termination messages into status.drift and DriftDetected, emits Events on transitions, never
// touches Ready for a drift verdict or a failed check, keeps the last 3 finished checks, and a restarted
// operator starts no Job twice. The test plays the kubelet for the drift Jobs: their image is on
// held.invalid/, which kwok keeps running (test/cluster/kwok/stages.yaml), and the test writes how each
// pod ended (exit code and termination message). The schedule runs on the controller's clock, which the
// test moves a minute at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import { ANNOTATION_DRIFT_SCHEDULED_TIME, DRIFT_CONTAINER, DRIFT_TERMINATION_LOG, LABEL_DRIFT_JOB } from '../../src/drift-checks/labels.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';
import { resourcePath } from '../../src/kube/resource-paths.ts';
import { defaultRenderConfig, LABEL_MODEL_DEPLOYMENT } from '../../src/render/index.ts';
import { kstatusOf } from '../../src/status/kstatus.ts';
import { validManifest, withChanges } from '../fixtures/manifests.ts';
import { sharedCluster } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator, type InProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, readyForGeneration, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'drift-checks');

const IMAGE = 'held.invalid/modelship:1';
const LOGS = 's3://logs/team-a';
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);
const startOperator = () => startInProcessOperator(kc, [namespace], { now, renderConfig: { ...defaultRenderConfig, fetcherImage: IMAGE } });
let operator: InProcessOperator = await startOperator();

type Job = V1Job & KubeObject;
type Pod = V1Pod & KubeObject;
const jobRef = (name = '') => ({ apiVersion: 'batch/v1', kind: 'Job', namespace, name });
const read = () => client.get<ModelDeploymentObject>(mdRef(namespace, 'iris'));
const eventsOf = (reason: string) => operator.events.filter((e) => e.name === 'iris' && e.reason === reason);

async function driftJobs(kind: 'profile' | 'check'): Promise<Job[]> {
  const list = await client.list<Job>(jobRef(), { labelSelector: `${LABEL_MODEL_DEPLOYMENT}=iris,${LABEL_DRIFT_JOB}=${kind}` });
  return list.items.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}

const finished = (j: Job) => j.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') === true;

/** Moves the controller's clock just past the next whole minute and has every ModelDeployment reconciled. */
function nextMinute(): void {
  const t = now().getTime();
  offsetMs += 60_000 - (t % 60_000) + 2_000;
  operator.controller.forceResync();
}

/** The check Job that is running (there is at most one: Forbid). */
async function activeCheck(): Promise<Job> {
  const running = await eventually('a running check Job', () => driftJobs('check'), (js) => js.filter((j) => !finished(j)).length === 1, 60_000);
  return running.find((j) => !finished(j))!;
}

/** Plays the kubelet: the Job's running pod ends with this exit code and termination message. */
async function endPod(job: string, exitCode: number, message: string): Promise<void> {
  const [pod] = await eventually(
    `the running pod of ${job}`,
    async () => (await client.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace }, { labelSelector: `batch.kubernetes.io/job-name=${job}` })).items,
    (ps) => ps.length === 1 && ps[0]!.status?.phase === 'Running',
  );
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', message, startedAt: at, finishedAt: at };
  await client.request('PATCH', resourcePath({ apiVersion: 'v1', kind: 'Pod', namespace, name: pod!.metadata!.name!, subresource: 'status' }), {
    body: {
      status: {
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        containerStatuses: [{ name: DRIFT_CONTAINER, image: IMAGE, imageID: '', ready: false, restartCount: 0, started: false, state: { terminated } }],
      },
    },
    contentType: 'application/merge-patch+json',
  });
  await eventually(`${job} to finish`, () => client.get<Job>(jobRef(job)), (j) => j !== undefined && finished(j), 60_000);
}

const windowEndOf = (job: Job) => job.metadata!.annotations![ANNOTATION_DRIFT_SCHEDULED_TIME]!;

function checkMessage(verdict: string, job: Job, features: unknown[]): string {
  const end = windowEndOf(job);
  const start = new Date(new Date(end).getTime() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return JSON.stringify({ verdict, samples: 812, windowStart: start, windowEnd: end, report: `${LOGS}/_modelship/drift/${job.metadata!.name}/report.json`, features, predictions: null });
}

function assertServing(md: ModelDeploymentObject | undefined): void {
  assert.equal(conditionOf(md, 'Ready')?.status, 'True', 'drift never makes the model unready');
  assert.notEqual(conditionOf(md, 'Stalled')?.status, 'True', 'drift never stalls the model');
  assert.equal(kstatusOf({ metadata: { generation: md?.metadata?.generation ?? 0 }, ...(md?.status ? { status: md.status } : {}) }), 'Current');
}

test('drift checks: profile once, a check per scheduled minute, verdicts into status and DriftDetected, failures as Events, no duplicate after a restart', async () => {
  await createModelDeployment(
    client,
    namespace,
    withChanges(validManifest('iris'), {
      'spec.replicas': 1,
      'spec.model': { name: 'iris', version: '3', uri: 's3://models/iris/3', format: 'sklearn', credentials: { secretRef: { name: 's3' } } },
      'spec.monitoring': {
        logging: { uri: LOGS },
        drift: { reference: { modelFile: 'reference/train.csv', target: 'species' }, schedule: '* * * * *', window: '1h' },
      },
    }),
  );
  await readyForGeneration(client, namespace, 'iris');

  // The profile Job of version 3, with the contract's arguments.
  const [profile] = await eventually('the profile Job', () => driftJobs('profile'), (js) => js.length === 1);
  const profileName = profile!.metadata!.name!;
  assert.match(profileName, /^iris-profile-[a-z0-9]{5}$/);
  assert.equal(profile!.metadata!.ownerReferences?.[0]?.name, 'iris');
  const container = profile!.spec!.template.spec!.containers[0]!;
  assert.equal(container.image, IMAGE, "modelship's image (the fetcher image flag)");
  assert.equal(container.terminationMessagePath, DRIFT_TERMINATION_LOG);
  assert.deepEqual(container.envFrom, [{ secretRef: { name: 's3' } }], 'the credentials the fetcher gets');
  assert.deepEqual(container.args, [
    'profile',
    '--reference', 's3://models/iris/3/reference/train.csv',
    '--target', 'species',
    '--output', `${LOGS}/_modelship/profiles/namespace=${namespace}/model=iris/version=3/profile.json`,
    '--termination-log', DRIFT_TERMINATION_LOG,
  ]);
  assert.equal(profile!.spec!.template.spec!.securityContext?.runAsNonRoot, true);
  let md = await eventually('DriftDetected Unknown while profiling', read, (m) => conditionOf(m, 'DriftDetected')?.reason === 'NoReference');
  assert.equal(conditionOf(md, 'DriftDetected')?.status, 'Unknown');

  await endPod(profileName, 0, JSON.stringify({ rows: 150, features: 4, output: `${LOGS}/_modelship/profiles/p.json` }));
  md = await eventually('status.drift.reference', read, (m) => m?.status?.drift?.reference?.rows === 150);
  assert.deepEqual({ ...md!.status!.drift!.reference, profiledAt: undefined }, { version: '3', rows: 150, features: 4, job: profileName, profile: `${LOGS}/_modelship/profiles/p.json`, profiledAt: undefined });
  assert.equal((await driftJobs('profile')).length, 1, 'profiled once');

  // A check on the next minute: the window ends at its scheduled time.
  nextMinute();
  const first = await activeCheck();
  assert.match(first.metadata!.name!, /^iris-drift-\d{12}$/);
  const end = windowEndOf(first);
  assert.deepEqual(first.spec!.template.spec!.containers[0]!.args, [
    'drift',
    '--profile', `${LOGS}/_modelship/profiles/namespace=${namespace}/model=iris/version=3/profile.json`,
    '--logs', LOGS,
    '--namespace', namespace,
    '--model', 'iris',
    '--version', '3',
    '--window-end', end,
    '--window', '1h',
    '--predictions',
    '--alpha', '0.05',
    '--effect-size', 'psi:0.02',
    '--min-samples', '100',
    '--report', `${LOGS}/_modelship/drift/namespace=${namespace}/model=iris/version=3/${first.metadata!.name}/report.json`,
    '--termination-log', DRIFT_TERMINATION_LOG,
  ]);

  // Drift: status.drift, DriftDetected True naming the feature, one Warning Event; still Ready.
  const drifting = { name: 'petal_length', test: 'ks', statistic: 0.41, pValue: 1.2e-30, adjustedPValue: 4.8e-30, effectSize: 0.73, verdict: 'Drift' };
  const calm = { name: 'sepal_width', test: 'ks', statistic: 0.02, pValue: 0.9, adjustedPValue: 0.9, effectSize: 0.001, verdict: 'NoDrift' };
  await endPod(first.metadata!.name!, 0, checkMessage('Drift', first, [calm, drifting]));
  md = await eventually('DriftDetected True', read, (m) => conditionOf(m, 'DriftDetected')?.status === 'True');
  assert.equal(conditionOf(md, 'DriftDetected')?.reason, 'DriftDetected');
  assert.match(conditionOf(md, 'DriftDetected')!.message, /drift in petal_length/);
  const drift = md!.status!.drift!;
  assert.equal(drift.lastCheck?.verdict, 'Drift');
  assert.equal(drift.lastCheck?.samples, 812);
  assert.equal(drift.lastCheck?.job, first.metadata!.name);
  assert.equal(drift.lastCheck?.windowEnd, end);
  assert.deepEqual(drift.features?.map((f) => f.name), ['petal_length', 'sepal_width'], 'drifting first');
  assertServing(md);
  await eventually('the DriftDetected Event', () => Promise.resolve(eventsOf('DriftDetected')), (es) => es.length === 1);

  // NoDrift: the condition clears with a DriftCleared Event.
  nextMinute();
  const second = await activeCheck();
  assert.notEqual(second.metadata!.name, first.metadata!.name);
  await endPod(second.metadata!.name!, 0, checkMessage('NoDrift', second, [{ ...drifting, effectSize: 0.004, verdict: 'NoDrift' }]));
  md = await eventually('DriftDetected False', read, (m) => conditionOf(m, 'DriftDetected')?.status === 'False');
  assert.equal(conditionOf(md, 'DriftDetected')?.reason, 'NoDrift');
  await eventually('the DriftCleared Event', () => Promise.resolve(eventsOf('DriftCleared')), (es) => es.length === 1);
  assertServing(md);

  // A failed check: lastCheck carries the failure without a verdict, the condition keeps its value,
  // a DriftCheckFailed Event; never Stalled.
  nextMinute();
  const third = await activeCheck();
  await endPod(third.metadata!.name!, 5, 'modelship-drift: UnreadableData: request bodies have 2 inputs; set spec.monitoring.drift.features');
  md = await eventually('the failed check in status', read, (m) => m?.status?.drift?.lastCheck?.job === third.metadata!.name);
  assert.equal(md!.status!.drift!.lastCheck!.verdict, undefined);
  assert.equal(md!.status!.drift!.lastCheck!.reason, 'UnreadableData');
  assert.match(md!.status!.drift!.lastCheck!.message!, /set spec\.monitoring\.drift\.features/);
  assert.equal(conditionOf(md, 'DriftDetected')?.status, 'False', 'keeps its last value');
  await eventually('the DriftCheckFailed Event', () => Promise.resolve(eventsOf('DriftCheckFailed')), (es) => es.length === 1);
  assert.match(eventsOf('DriftCheckFailed')[0]!.message, /UnreadableData/);
  assertServing(md);

  // A check runs while the operator restarts: the new one creates no Job (the profile and the check exist).
  nextMinute();
  const fourth = await activeCheck();
  const before = (await driftJobs('check')).map((j) => j.metadata!.name).sort();
  await operator.stop();
  const eventsBefore = operator.events.length;
  operator = await startOperator();
  operator.controller.forceResync();
  await new Promise((r) => setTimeout(r, 3000));
  const created = operator.writes().filter((w) => w.method === 'POST' && w.path.includes('/jobs'));
  assert.deepEqual(created, [], 'the restarted operator creates no Job');
  assert.deepEqual(operator.writes(), [], 'nothing changed, so nothing is written (status included)');
  assert.deepEqual((await driftJobs('check')).map((j) => j.metadata!.name).sort(), before);
  assert.equal((await driftJobs('profile')).length, 1);
  assert.equal(operator.events.filter((e) => e.name === 'iris' && e.reason.startsWith('Drift')).length, 0, `no Event again (had ${eventsBefore})`);

  // The last 3 finished checks are kept: the fourth finishing leaves 4, and the oldest goes with the next reconcile.
  await endPod(fourth.metadata!.name!, 0, checkMessage('NoDrift', fourth, []));
  await eventually('the fourth check in status', read, (m) => m?.status?.drift?.lastCheck?.job === fourth.metadata!.name);
  const kept = await eventually('3 finished checks kept', () => driftJobs('check'), (js) => js.filter(finished).length === 3, 30_000);
  assert.ok(!kept.some((j) => j.metadata!.name === first.metadata!.name), 'the oldest check Job was deleted');
  assertServing(await read());
});
