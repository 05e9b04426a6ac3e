// The drift loop on real pods. A real MLflow registry holds iris version 1 (alias `champion`), whose
// artifacts carry its training sample as reference/train.csv (test/support/shifted-iris.ts). A
// ModelDeployment serves `models:/iris@champion` on the process runtime's node (modelship's fetcher and
// agent in front of the real MLServer), logs every request to versitygw and asks for drift checks every
// minute: the operator's profile Job runs `modelship profile` (the image's entry point) in a real pod and
// fills status.drift.reference; its check Jobs run `modelship drift` on the logged traffic. Unshifted
// traffic through the gateway gives NoDrift; traffic whose petal length is shifted gives DriftDetected
// naming that feature, and the model stays Ready.
//
// Then the loop closes with no human action: the drift triggers one run of the Airflow DAG retrain_iris
// (test/fixtures/airflow), through the operator's --retraining-targets, with the check's evidence; the DAG
// retrains on the drifted window's logged requests and their labels (a labels file under <log uri>/labels/,
// as a labelling process writes it), registers version 2 with its own reference/train.csv and moves
// `champion`; the registry poll starts a canary of version 2, whose accuracy analysis (labels posted through
// the gateway by request id) promotes it; version 2 is profiled and the next check of its traffic is NoDrift.
//
// Checks run every minute over a window of one minute, and each batch of traffic is sent at the start of a
// minute, so one check judges exactly one batch.
//
// The process runtime runs only the pods bound to its node. The ModelDeployment's spec.runtime carries that
// node's placement (processNodePlacement), and the drift Jobs inherit it: they land there by themselves.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { processNodePlacement } from '../cluster/process-kubelet.ts';
import { countBy, dataPathCluster } from '../support/data-path.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, gatewayRef, mdRef, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { testPrometheusCidrs } from '../support/outbound-allow.ts';
import { LOGS_BUCKET, retrainingLoopBed } from '../support/retraining-loop-bed.ts';
import { IRIS_FEATURES, SHIFTED_FEATURE, registerIrisVersion, shiftedIris } from '../support/shifted-iris.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import { LABEL_DRIFT_JOB } from '../../src/drift-checks/labels.ts';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';

const log = (line: string) => process.stderr.write(`[drift-retraining-loop] ${line}\n`);
const fileStarted = Date.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const cluster = await dataPathCluster({ processRuntime: true, prometheus: true });
const { dataPath } = cluster;
const gateway = dataPath.gateway;
const runtime = dataPath.processRuntime;
const prometheus = dataPath.prometheus;
assert.ok(gateway && runtime && prometheus, 'the data path has a gateway, the process runtime and Prometheus');

const bed = await retrainingLoopBed({ toolsDir: cluster.toolsDir, extraHost: dataPath.network.hostAddress, log });
after(() => bed.stop());
const { s3, python } = bed;
assert.ok(s3.podEndpoint);
log(`S3 ${seconds(bed.startMs.s3)}, MLflow ${seconds(bed.startMs.mlflow)}, Airflow ${seconds(bed.startMs.airflow)}`);

const registered = await registerIrisVersion(python, bed.mlflowClientEnv, 'iris', 'champion');
assert.equal(registered.version, '1');

await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const batch = kc.makeApiClient(BatchV1Api);

const namespace = await testNamespace(kc, 'drift-loop');
await core.createNamespacedSecret({
  namespace,
  body: { metadata: { name: 's3-creds' }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region, AWS_ENDPOINT_URL: s3.podEndpoint } },
});
// The platform's Airflow, its login a Secret in the operator's namespace.
const operatorNamespace = await testNamespace(kc, 'drift-loop-operator');
await core.createNamespacedSecret({ namespace: operatorNamespace, body: { metadata: { name: 'airflow-login' }, stringData: { username: bed.airflow.username, password: bed.airflow.password } } });
const operator = await startInProcessOperator(kc, [namespace], {
  registries: [{ name: 'mlflow', type: 'mlflow', address: bed.mlflow.address, default: true }],
  registryPollIntervalMs: 10_000,
  prometheusAddress: prometheus.url,
  retrainingTargets: { airflow: [{ name: 'airflow', address: bed.airflow.url, basicAuthSecret: { name: 'airflow-login' }, default: true }], webhooks: [] },
  operatorNamespace,
  // MLflow, Airflow and Prometheus listen on 127.0.0.1, which the outbound client refuses unless allowed.
  outboundAllowCidrs: testPrometheusCidrs,
});

type Md = ModelDeploymentObject & { status?: ModelDeploymentStatus };
const name = 'iris';
const get = () => client.get<Md>(mdRef(namespace, name));
const events = () => operator.events.filter((e) => e.name === name);
const describeEvents = () => events().map((e) => `${new Date(e.at).toISOString()} ${e.type} ${e.reason}: ${e.message}`).join('\n');
const INFER = `/v2/models/${name}/infer`;
const inferBody = (row: readonly number[]) => JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: [...row] }] });

/** Every pod and Job of the namespace with its status and the process runtime's logs, for a failing wait. */
async function diagnostics(): Promise<string> {
  const pods = (await core.listNamespacedPod({ namespace })).items;
  const jobs = (await batch.listNamespacedJob({ namespace })).items;
  return [
    `status: ${JSON.stringify((await get())?.status, null, 1)}`,
    `events:\n${describeEvents()}`,
    `operator:\n${operator.logTail(`${namespace}/${name}`, 40)}`,
    ...jobs.map((j) => `job ${j.metadata?.name}: ${JSON.stringify(j.status?.conditions)}`),
    ...pods.map((p) => `pod ${p.metadata?.name} on ${p.spec?.nodeName}: ${JSON.stringify(p.status?.containerStatuses ?? p.status?.conditions)}\n${runtime!.logs(namespace, p.metadata?.name ?? '').slice(-4000)}`),
  ].join('\n');
}

async function waitFor(what: string, predicate: (m: Md | undefined) => boolean, timeoutMs: number): Promise<Md | undefined> {
  try {
    return await eventually(what, get, predicate, timeoutMs, 1000);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${await diagnostics()}`, { cause: err });
  }
}

interface Answer {
  readonly status: number;
  readonly requestId: string;
  readonly body: string;
}

async function post(path: string, body: string): Promise<Answer> {
  try {
    const res = await request(`${dataPath.gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
    const id = res.headers['x-request-id'];
    return { status: res.statusCode, requestId: (Array.isArray(id) ? id[0] : id) ?? '', body: await res.body.text() };
  } catch (err) {
    return { status: 0, requestId: '', body: err instanceof Error ? err.message : String(err) };
  }
}

/** POSTs each row through the gateway, one request a row, 4 at a time; every answer must be 200. The request ids, by row. */
async function sendRows(rows: readonly (readonly number[])[]): Promise<string[]> {
  const ids: string[] = new Array<string>(rows.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < rows.length; i = next++) {
      const a = await post(INFER, inferBody(rows[i]!));
      assert.equal(a.status, 200, `row ${i}: ${a.body}`);
      ids[i] = a.requestId;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return ids;
}

const MINUTE = 60_000;

/** Waits for the next minute to begin (and a second more): a batch sent then falls into one check's window. */
async function nextMinute(): Promise<number> {
  await sleep(MINUTE - (Date.now() % MINUTE) + 1000);
  return Date.now() - (Date.now() % MINUTE);
}

/** Sends a batch at the start of a minute; the start of the check window that judges it. */
async function sendInOneWindow(rows: readonly (readonly number[])[]): Promise<{ windowStart: number; ids: string[] }> {
  const windowStart = await nextMinute();
  const ids = await sendRows(rows);
  assert.ok(Date.now() < windowStart + MINUTE - 5000, `${rows.length} requests sent within their minute`);
  return { windowStart, ids };
}

/** The check whose window starts at `windowStart`, with a verdict. */
const checkOf = (windowStart: number) => (m: Md | undefined) => Date.parse(m?.status?.drift?.lastCheck?.windowStart ?? '') === windowStart && m?.status?.drift?.lastCheck?.verdict !== undefined;

// Accuracy only: every request succeeds, so the other checks could only pass.
const ANALYSIS = { interval: '10s', successRate: { enabled: false }, latency: { enabled: false }, accuracy: { minLabels: 100, tolerance: 0.2 }, failureLimit: 1, inconclusiveLimit: 60 };
const LOG_PREFIX = 'team-a';
const DAG = 'retrain_iris';

/** The check that found drift, shared by the tests. */
let driftCheck: { windowStart: string; windowEnd: string; samples: number } | undefined;

test('drift checks in real pods: the profile of the served version, NoDrift on unshifted traffic, DriftDetected on a shifted feature', { timeout: 900_000 }, async () => {
  const started = Date.now();
  await createModelDeployment(client, namespace, {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name },
    spec: {
      model: { name, version: 'champion', uri: 'models:/iris@champion', format: 'mlflow', credentials: { secretRef: { name: 's3-creds' } } },
      runtime: { preset: 'mlserver', ...processNodePlacement() },
      replicas: 1,
      rollout: { strategy: 'canary', steps: [{ weight: 50 }], scaleDownDelaySeconds: 3, traffic: { provider: 'gateway-api', gateway: gatewayRef(gateway) }, analysis: ANALYSIS },
      monitoring: {
        logging: { uri: `s3://${LOGS_BUCKET}/${LOG_PREFIX}`, sampleRate: 1, flushInterval: '2s' },
        drift: { reference: { modelFile: 'reference/train.csv', target: 'species' }, schedule: '* * * * *', window: '1m', minSamples: 100, alpha: 0.01 },
        retraining: { on: { drift: true }, cooldown: '1h', airflow: { dagId: DAG } },
      },
    },
  });
  await waitFor('version 1 Ready', (m) => conditionOf(m, 'Ready')?.status === 'True', 300_000);
  log(`version 1 Ready ${seconds(Date.now() - started)} after the apply`);

  // The profile Job ran `modelship profile` on the version's reference/train.csv.
  const profiled = await waitFor('status.drift.reference', (m) => m?.status?.drift?.reference?.rows !== undefined, 180_000);
  const reference = profiled?.status?.drift?.reference;
  assert.equal(reference?.version, '1');
  assert.equal(reference?.rows, 150);
  assert.equal(reference?.features, IRIS_FEATURES.length);
  log(`profiled ${seconds(Date.now() - started)} after the apply: ${JSON.stringify(reference)}`);
  // It ran on the process node through the placement copied from spec.runtime.
  const profilePods = (await core.listNamespacedPod({ namespace, labelSelector: `${LABEL_DRIFT_JOB}=profile` })).items;
  assert.ok(profilePods.length > 0, 'the profile pod is kept');
  for (const pod of profilePods) {
    assert.equal(pod.spec?.nodeName, runtime.nodeName, `${pod.metadata?.name} on ${pod.spec?.nodeName}`);
    assert.deepEqual(pod.spec?.nodeSelector, processNodePlacement().nodeSelector);
  }

  await eventually('the gateway to route to the model', async () => (await request(`${dataPath.gatewayUrl}${INFER}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: inferBody([5.1, 3.5, 1.4, 0.2]) })).statusCode, (s) => s === 200, 60_000, 250);

  // Unshifted traffic: iris rows with little noise.
  const unshifted = await shiftedIris(python, bed.mlflowClientEnv, { n: 200, seed: 1, shift: 0, noise: 0.05, predictWith: 'models:/iris/1' });
  const calmWindow = await sendInOneWindow(unshifted.rows);
  const unshiftedSent = Date.now();
  const calm = await waitFor('the check of the unshifted traffic', checkOf(calmWindow.windowStart), 180_000);
  const calmCheck = calm?.status?.drift?.lastCheck;
  assert.equal(calmCheck?.verdict, 'NoDrift', JSON.stringify(calm?.status?.drift, null, 1));
  assert.equal(calmCheck?.samples, unshifted.rows.length, JSON.stringify(calmCheck));
  assert.equal(conditionOf(calm, 'DriftDetected')?.status, 'False');
  assert.equal(conditionOf(calm, 'DriftDetected')?.reason, 'NoDrift');
  log(`NoDrift ${seconds(Date.now() - unshiftedSent)} after the unshifted traffic: ${JSON.stringify(calmCheck)}`);

  // Shifted traffic: petal length 2.5 cm longer. Its true classes are labelled (a labels file under
  // <log uri>/labels/), which the retraining DAG trains on.
  const shifted = await shiftedIris(python, bed.mlflowClientEnv, { n: 400, seed: 2, noise: 0.05, predictWith: 'models:/iris/1' });
  const driftWindow = await sendInOneWindow(shifted.rows);
  const shiftedSent = Date.now();
  await s3.putObject(LOGS_BUCKET, `${LOG_PREFIX}/labels/drifted.jsonl`, driftWindow.ids.map((requestId, i) => JSON.stringify({ requestId, label: shifted.labels[i] })).join('\n') + '\n');
  const drifted = await waitFor('the check of the shifted traffic', checkOf(driftWindow.windowStart), 180_000);
  const drift = drifted?.status?.drift;
  assert.equal(drift?.lastCheck?.verdict, 'Drift', JSON.stringify(drift, null, 1));
  assert.equal(drift?.lastCheck?.samples, shifted.rows.length);
  driftCheck = { windowStart: drift?.lastCheck?.windowStart ?? '', windowEnd: drift?.lastCheck?.windowEnd ?? '', samples: drift?.lastCheck?.samples ?? 0 };
  const condition = conditionOf(drifted, 'DriftDetected');
  assert.equal(condition?.status, 'True');
  assert.equal(condition?.reason, 'DriftDetected');
  assert.match(condition?.message ?? '', new RegExp(SHIFTED_FEATURE));
  const top = drift?.features?.[0];
  assert.equal(top?.name, SHIFTED_FEATURE, JSON.stringify(drift?.features));
  assert.equal(top?.verdict, 'Drift');
  assert.equal(top?.test, 'ks');
  for (const f of drift?.features ?? []) if (f.name !== SHIFTED_FEATURE) assert.notEqual(f.verdict, 'Drift', `only ${SHIFTED_FEATURE} drifts: ${JSON.stringify(drift?.features)}`);
  assert.equal(conditionOf(drifted, 'Ready')?.status, 'True', 'drift never changes Ready');
  assert.ok(events().some((e) => e.reason === 'DriftDetected'), describeEvents());
  assert.ok(!events().some((e) => e.reason === 'DriftCheckFailed'), describeEvents());
  log(`Drift ${seconds(Date.now() - shiftedSent)} after the shifted traffic: ${JSON.stringify(drift?.lastCheck)} ${JSON.stringify(drift?.features)}`);
  log(`file so far ${seconds(Date.now() - fileStarted)}`);
});

/**
 * Labelled traffic until stop(): a batch of single-row requests through the gateway, then one feedback
 * call with the true class of every answered request of the batch, again and again.
 */
function labelledTraffic(rows: readonly (readonly number[])[], labels: readonly number[], batch = 20) {
  const replies: { status: number; version?: string; body: string }[] = [];
  const feedback: { status: number; body: string }[] = [];
  let stopped = false;
  let next = 0;
  const loop = async () => {
    while (!stopped && replies.length < 50_000) {
      const answered: { requestId: string; label: number }[] = [];
      for (let k = 0; k < batch; k++) {
        const row = next++ % rows.length;
        const a = await post(INFER, inferBody(rows[row]!));
        const version = a.status === 200 ? (JSON.parse(a.body) as { model_version?: string }).model_version : undefined;
        replies.push({ status: a.status, ...(version !== undefined ? { version } : {}), body: a.body.slice(0, 200) });
        if (a.status === 200 && a.requestId !== '') answered.push({ requestId: a.requestId, label: labels[row]! });
      }
      if (answered.length === 0) await sleep(250);
      else {
        const f = await post('/modelship/v1/feedback', JSON.stringify(answered));
        feedback.push({ status: f.status, body: f.body });
      }
      // A steady, moderate rate: under a thousand requests a minute.
      await sleep(1000);
    }
  };
  const running = loop();
  return {
    replies,
    feedback,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

test('the loop closes: one DAG run with the evidence, version 2 registered, canaried on accuracy and promoted, NoDrift against its own reference', { timeout: 1_200_000 }, async () => {
  assert.ok(driftCheck, 'the first test found drift');
  const started = Date.now();
  // Shifted traffic goes on, labelled through the gateway, so the canary's accuracy analysis has labels.
  const ongoing = await shiftedIris(python, bed.mlflowClientEnv, { n: 1000, seed: 3, noise: 0.05, predictWith: 'models:/iris/1' });
  const traffic = labelledTraffic(ongoing.rows, ongoing.labels);
  let promoted: Md | undefined;
  let calm: Md | undefined;
  let triggerId: string;
  try {
    const triggered = await waitFor('the retraining trigger sent', (m) => m?.status?.retraining?.lastTrigger?.runId !== undefined, 120_000);
    const trigger = triggered?.status?.retraining?.lastTrigger;
    triggerId = trigger?.id ?? '';
    assert.equal(trigger?.reason, 'Drift');
    assert.equal(trigger?.target, 'airflow');
    assert.match(triggerId, /^rt-[0-9a-f]{16}$/);
    assert.equal(trigger?.runId, triggerId, "the trigger id is Airflow's dag_run_id");
    log(`trigger ${triggerId} ${trigger?.state} ${seconds(Date.now() - started)} after the drift check`);

    const run = await bed.finishedDagRun(DAG, triggerId, 300_000);
    assert.equal(run.state, 'success', await bed.taskLog(DAG, triggerId, 'retrain'));
    const evidence = run.conf['modelship'] as { reason?: string; model?: string; namespace?: string; version?: string; features?: string[]; statistics?: { features: { name: string; verdict: string }[] }; window?: { start: string; end: string; samples: number }; logUri?: string; report?: string };
    assert.equal(evidence.reason, 'Drift');
    assert.equal(evidence.namespace, namespace);
    assert.equal(evidence.model, name);
    assert.equal(evidence.version, '1');
    // The drifting features, and the statistics of every feature judged: only the shifted one drifted.
    assert.deepEqual(evidence.features, [SHIFTED_FEATURE], JSON.stringify(evidence.features));
    assert.deepEqual(evidence.statistics?.features.filter((f) => f.verdict === 'Drift').map((f) => f.name), [SHIFTED_FEATURE], JSON.stringify(evidence.statistics));
    assert.equal(Date.parse(evidence.window?.start ?? ''), Date.parse(driftCheck.windowStart));
    assert.equal(Date.parse(evidence.window?.end ?? ''), Date.parse(driftCheck.windowEnd));
    assert.equal(evidence.window?.samples, driftCheck.samples);
    assert.equal(evidence.logUri, `s3://${LOGS_BUCKET}/${LOG_PREFIX}`);
    assert.match(evidence.report ?? '', /report\.json$/);
    log(`DAG run ${triggerId} succeeded ${seconds(Date.now() - started)} after the drift check`);

    const canary = await waitFor('a canary of version 2', (m) => m?.status?.canary?.version === '2' || m?.status?.stable?.version === '2', 120_000);
    assert.equal(canary?.status?.model?.version, '2');
    log(`canary of version 2 ${seconds(Date.now() - started)} after the drift check`);
    promoted = await waitFor('version 2 promoted', (m) => m?.status?.stable?.version === '2' && m.status.canary === undefined, 600_000);
    log(`version 2 promoted ${seconds(Date.now() - started)} after the drift check`);

    const profiled = await waitFor('the profile of version 2', (m) => m?.status?.drift?.reference?.version === '2' && m.status.drift.reference.rows !== undefined, 180_000);
    // The DAG trained on three quarters of the drifted window's labelled rows.
    assert.equal(profiled?.status?.drift?.reference?.rows, Math.floor((driftCheck.samples * 3) / 4));
    calm = await waitFor('a conclusive check of version 2', (m) => m?.status?.drift?.lastCheck?.version === '2' && m.status.drift.lastCheck.verdict !== undefined && m.status.drift.lastCheck.verdict !== 'Inconclusive', 240_000);
    log(`check of version 2 ${seconds(Date.now() - started)} after the drift check: ${JSON.stringify(calm?.status?.drift?.lastCheck)} ${JSON.stringify(calm?.status?.drift?.features)}`);
  } finally {
    await traffic.stop();
  }
  const a = promoted?.status?.analysis;
  assert.equal(a?.phase, 'Succeeded', describeEvents());
  const accuracy = a?.measurements?.find((m) => m.check === 'accuracy');
  assert.equal(accuracy?.verdict, 'Pass', JSON.stringify(a?.measurements));
  assert.ok((accuracy?.value ?? 0) > 0.85 && (accuracy?.value ?? 0) > (accuracy?.stableValue ?? 1), `version 2 right on the shifted traffic, more than version 1: ${JSON.stringify(accuracy)}`);
  assert.ok(promoted?.status?.history?.some((h) => h.version === '2' && h.outcome === 'Promoted'));
  log(`accuracy on the shifted traffic: ${JSON.stringify(accuracy)}; reference of version 2: ${JSON.stringify(calm?.status?.drift?.reference)}`);

  assert.equal(calm?.status?.drift?.lastCheck?.verdict, 'NoDrift', JSON.stringify(calm?.status?.drift, null, 1));
  assert.equal(conditionOf(calm, 'DriftDetected')?.reason, 'NoDrift');
  assert.ok(events().some((e) => e.reason === 'DriftCleared'), describeEvents());

  // One trigger, one DAG run: the checks of version 1 that kept finding drift fell in the cooldown.
  const runs = await bed.dagRuns(DAG);
  assert.deepEqual(runs.map((r) => r.dag_run_id), [triggerId]);
  assert.equal((await get())?.status?.retraining?.lastTrigger?.id, triggerId);
  assert.equal(events().filter((e) => e.reason === 'RetrainingTriggered').length, 1, describeEvents());
  // The DAG run's outcome, read back from Airflow.
  const outcome = await waitFor('the trigger Succeeded', (m) => m?.status?.retraining?.lastTrigger?.state === 'Succeeded', 90_000);
  assert.equal(outcome?.status?.retraining?.lastTrigger?.id, triggerId);
  assert.ok(traffic.feedback.every((f) => f.status === 202), JSON.stringify(traffic.feedback.filter((f) => f.status !== 202).slice(0, 3)));
  log(`${traffic.replies.length} labelled requests (${JSON.stringify(countBy(traffic.replies, (r) => `${r.status} ${r.version ?? ''}`))}), ${traffic.feedback.length} feedback calls; loop ${seconds(Date.now() - started)}; file ${seconds(Date.now() - fileStarted)}`);
});
