// The drift loop on real pods. A real MLflow registry holds iris version 1 (alias `champion`), whose
// artifacts carry its training sample as reference/train.csv (test/support/shifted-iris.ts). A
// ModelDeployment serves `models:/iris@champion` on the process runtime's node (modelship's fetcher and
// agent in front of the real MLServer), logs every request to versitygw and asks for drift checks every
// minute: the operator's profile Job runs `modelship profile` (the image's entry point) in a real pod and
// fills status.drift.reference; its check Jobs run `modelship drift` on the logged traffic. Unshifted
// traffic through the gateway gives NoDrift; traffic whose petal length is shifted gives DriftDetected
// naming that feature, and the model stays Ready.
//
// The drift Jobs carry no node placement (on a real cluster they need none); the process runtime runs only
// the pods the scheduler binds to its node, so the test makes that node the only schedulable one: the
// simulated nodes are cordoned and the process node's taint is removed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { request } from 'undici';
import { processNodePlacement } from '../cluster/process-kubelet.ts';
import { dataPathCluster } from '../support/data-path.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, gatewayRef, mdRef, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { testPrometheusCidrs } from '../support/outbound-allow.ts';
import { LOGS_BUCKET, retrainingLoopBed } from '../support/retraining-loop-bed.ts';
import { IRIS_FEATURES, SHIFTED_FEATURE, registerIrisVersion, shiftedIris } from '../support/shifted-iris.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';

const log = (line: string) => process.stderr.write(`[drift-retraining-loop] ${line}\n`);
const fileStarted = Date.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const cluster = await dataPathCluster({ processRuntime: true });
const { dataPath } = cluster;
const gateway = dataPath.gateway;
const runtime = dataPath.processRuntime;
assert.ok(gateway && runtime, 'the data path has a gateway and the process runtime');

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

// The process node alone schedulable (see the header).
for (const node of (await core.listNode()).items) {
  const nodeName = node.metadata?.name ?? '';
  await eventually(
    `node ${nodeName} set up`,
    async () => {
      const current = await core.readNode({ name: nodeName });
      if (nodeName === runtime.nodeName) current.spec = { ...current.spec, taints: [] };
      else current.spec = { ...current.spec, unschedulable: true };
      await core.replaceNode({ name: nodeName, body: current });
      return true;
    },
    (done) => done,
    30_000,
    250,
  );
}

const namespace = await testNamespace(kc, 'drift-loop');
await core.createNamespacedSecret({
  namespace,
  body: { metadata: { name: 's3-creds' }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region, AWS_ENDPOINT_URL: s3.podEndpoint } },
});
const operator = await startInProcessOperator(kc, [namespace], {
  registries: [{ name: 'mlflow', type: 'mlflow', address: bed.mlflow.address, default: true }],
  registryPollIntervalMs: 10_000,
  // MLflow listens on 127.0.0.1, which the outbound client refuses unless allowed.
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

/** POSTs each row through the gateway, one request a row; every answer must be 200. */
async function sendRows(rows: readonly (readonly number[])[]): Promise<void> {
  for (const [i, row] of rows.entries()) {
    const res = await request(`${dataPath.gatewayUrl}${INFER}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: inferBody(row), signal: AbortSignal.timeout(30_000) });
    const text = await res.body.text();
    assert.equal(res.statusCode, 200, `row ${i}: ${text}`);
  }
}

const WINDOW_MS = 5 * 60_000;

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
      rollout: { strategy: 'canary', steps: [{ weight: 50 }], traffic: { provider: 'gateway-api', gateway: gatewayRef(gateway) } },
      monitoring: {
        logging: { uri: `s3://${LOGS_BUCKET}/team-a`, sampleRate: 1, flushInterval: '2s' },
        drift: { reference: { modelFile: 'reference/train.csv', target: 'species' }, schedule: '* * * * *', window: '5m', minSamples: 100 },
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

  await eventually('the gateway to route to the model', async () => (await request(`${dataPath.gatewayUrl}${INFER}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: inferBody([5.1, 3.5, 1.4, 0.2]) })).statusCode, (s) => s === 200, 60_000, 250);

  // Unshifted traffic: iris rows with little noise.
  const unshifted = await shiftedIris(python, bed.mlflowClientEnv, { n: 200, seed: 1, shift: 0, noise: 0.05, predictWith: 'models:/iris/1' });
  await sendRows(unshifted.rows);
  const unshiftedSent = Date.now();
  const calm = await waitFor('a check after the unshifted traffic', (m) => Date.parse(m?.status?.drift?.lastCheck?.windowEnd ?? '') >= unshiftedSent + 5000 && m?.status?.drift?.lastCheck?.verdict !== undefined, 180_000);
  const calmCheck = calm?.status?.drift?.lastCheck;
  assert.equal(calmCheck?.verdict, 'NoDrift', JSON.stringify(calm?.status?.drift, null, 1));
  assert.ok((calmCheck?.samples ?? 0) >= 200, JSON.stringify(calmCheck));
  assert.equal(conditionOf(calm, 'DriftDetected')?.status, 'False');
  assert.equal(conditionOf(calm, 'DriftDetected')?.reason, 'NoDrift');
  log(`NoDrift ${seconds(Date.now() - unshiftedSent)} after the unshifted traffic: ${JSON.stringify(calmCheck)}`);

  // Shifted traffic: petal length 2.5 cm longer. The window still holds the unshifted rows: 2 of 3 shifted.
  const shifted = await shiftedIris(python, bed.mlflowClientEnv, { n: 400, seed: 2, noise: 0.05, predictWith: 'models:/iris/1' });
  await sendRows(shifted.rows);
  const shiftedSent = Date.now();
  assert.ok(shiftedSent - unshiftedSent < WINDOW_MS, 'both kinds of traffic in one window');
  const drifted = await waitFor('DriftDetected True', (m) => Date.parse(m?.status?.drift?.lastCheck?.windowEnd ?? '') >= shiftedSent + 5000 && m?.status?.drift?.lastCheck?.verdict !== undefined, 180_000);
  const drift = drifted?.status?.drift;
  assert.equal(drift?.lastCheck?.verdict, 'Drift', JSON.stringify(drift, null, 1));
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
