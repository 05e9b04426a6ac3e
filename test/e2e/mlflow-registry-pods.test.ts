// The MLflow registry flow end to end on real pods. A real `mlflow server` 3.17.2 (SQLite backend,
// `--default-artifact-root s3://mlflow/ --no-serve-artifacts`) is the registry; MLflow's Python client
// trains iris models and logs them with `log_model(..., registered_model_name="iris")`, so each version's
// source is an MLflow 3 logged model (`models:/m-<id>`) whose artifacts are in versitygw. A ModelDeployment
// names `models:/iris@champion` (format mlflow, preset mlserver) on the process runtime's node: the
// operator resolves the alias through get-download-uri to the artifact location, modelship's fetcher
// fetches it in the pod and the real MLServer (its MLflow runtime) serves it through the gateway with
// Python's predictions. Moving the alias starts the canary with no spec change, and the analysis on
// MLServer's own metrics, scraped by a real Prometheus, promotes a healthy version with no human action
// and no failed request, and rolls back a version whose predict raises.
//
// MLflow's Python client writes the artifacts to versitygw itself (boto3 is pinned in the MLflow
// environment, MLFLOW_S3_ENDPOINT_URL names versitygw): logged models, registration, their sources and the
// objects are all MLflow's own.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { processNodePlacement } from '../cluster/process-kubelet.ts';
import { ensureMlflowEnv } from '../cluster/python-env.ts';
import { startMlflowServer } from '../cluster/mlflow-server.ts';
import { startS3Server } from '../cluster/s3-server.ts';
import { countBy, dataPathCluster, routed, send, type Reply } from '../support/data-path.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, gatewayRef, mdRef, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { testPrometheusCidrs } from '../support/outbound-allow.ts';
import { steadyLoad } from '../support/steady-load.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';

const execFileAsync = promisify(execFile);
const log = (line: string) => process.stderr.write(`[mlflow-registry-pods] ${line}\n`);
const fileStarted = Date.now();
const BUCKET = 'mlflow';
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// The registry starts beside the cluster: with --no-serve-artifacts it never reads the artifact store.
const mlflowStarting = startMlflowServer({ artifactRoot: `s3://${BUCKET}/`, serveArtifacts: false });
after(async () => (await mlflowStarting.catch(() => undefined))?.stop());
const cluster = await dataPathCluster({ prometheus: true, processRuntime: true });
const { dataPath } = cluster;
const gateway = dataPath.gateway;
const runtime = dataPath.processRuntime;
const prometheus = dataPath.prometheus;
assert.ok(gateway && runtime && prometheus, 'the data path has a gateway, the process runtime and Prometheus');

// versitygw on loopback (MLflow's client, the test) and on the pod network's host address (the fetcher).
const s3 = await startS3Server({ toolsDir: cluster.toolsDir, extraHost: dataPath.network.hostAddress });
after(() => s3.stop());
assert.ok(s3.podEndpoint);
await s3.createBucket(BUCKET);
const s3Env = { MLFLOW_S3_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_DEFAULT_REGION: s3.region };

const mlflow = await mlflowStarting;
log(`mlflow server ready in ${seconds(mlflow.startMs)}`);

// MLflow's client: three logged and registered versions of iris. 1 and 2 are logistic regressions (2 strongly
// regularised: other predictions on some rows), 3 an mlflow.pyfunc model whose predict raises.
const logScript = `
import json
import numpy as np
import mlflow, mlflow.sklearn, mlflow.pyfunc
from mlflow.models import infer_signature
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

X, y = load_iris(return_X_y=True)
rng = np.random.default_rng(7)
rows = np.vstack([X[::15], X[::20] + rng.normal(0, 0.3, X[::20].shape), X[::10] + rng.normal(0, 0.6, X[::10].shape)]).round(3)
signature = infer_signature(X, np.zeros(len(X), dtype=np.int64))
mlflow.set_experiment("iris")
out = {"rows": rows.tolist(), "versions": []}

def registered(info, predictions):
    out["versions"].append({"version": str(info.registered_model_version), "source": "models:/" + info.model_id, "artifactUri": mlflow.get_logged_model(info.model_id).artifact_location, "predictions": predictions})

for c in (1.0, 0.01):
    model = LogisticRegression(C=c, max_iter=1000).fit(X, y)
    with mlflow.start_run():
        registered(mlflow.sklearn.log_model(model, name="model", signature=signature, registered_model_name="iris"), model.predict(rows).tolist())

class Broken(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        raise RuntimeError("this model version is broken")

with mlflow.start_run():
    registered(mlflow.pyfunc.log_model(name="model", python_model=Broken(), signature=signature, registered_model_name="iris"), None)
print(json.dumps(out))
`;
interface Logged {
  rows: number[][];
  versions: { version: string; source: string; artifactUri: string; predictions: number[] | null }[];
}
const mlflowEnv = await ensureMlflowEnv();
const logStarted = Date.now();
// MLflow's client prints links to its runs on stdout too: the JSON is the last line.
const logOutput = (await execFileAsync(mlflowEnv.python, ['-c', logScript], { env: { ...process.env, ...s3Env, MLFLOW_TRACKING_URI: mlflow.address }, maxBuffer: 16 * 1024 * 1024 })).stdout;
const logged = JSON.parse(logOutput.trim().split('\n').at(-1) ?? '') as Logged;
log(`MLflow's client logged and registered 3 versions, artifacts written to versitygw by boto3, in ${seconds(Date.now() - logStarted)}`);
assert.deepEqual(
  logged.versions.map((v) => v.version),
  ['1', '2', '3'],
);
const v = (n: '1' | '2' | '3') => logged.versions[Number(n) - 1]!;
for (const mv of logged.versions) {
  assert.match(mv.source, /^models:\/m-[0-9a-f]+$/);
  assert.match(mv.artifactUri, new RegExp(`^s3://${BUCKET}/\\d+/models/m-[0-9a-f]+/artifacts$`));
}
assert.ok(new Set(v('1').predictions).size === 3, 'the rows cover the three classes');
const differing = v('1').predictions!.map((p, i) => (p !== v('2').predictions![i] ? i : -1)).filter((i) => i >= 0);
assert.ok(differing.length > 0, 'versions 1 and 2 predict differently on some rows');

await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const namespace = await testNamespace(kc, 'mlflow-pods');
await core.createNamespacedSecret({
  namespace,
  body: { metadata: { name: 's3-creds' }, stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region, AWS_ENDPOINT_URL: s3.podEndpoint } },
});
const POLL_MS = 10_000;
const operator = await startInProcessOperator(kc, [namespace], {
  registries: [{ name: 'mlflow', type: 'mlflow', address: mlflow.address, default: true }],
  registryPollIntervalMs: POLL_MS,
  prometheusAddress: prometheus.url,
  // MLflow and Prometheus listen on 127.0.0.1, which the outbound client refuses unless allowed.
  outboundAllowCidrs: testPrometheusCidrs,
});

type Md = ModelDeploymentObject & { status?: ModelDeploymentStatus };
const name = 'iris';
const get = () => client.get<Md>(mdRef(namespace, name));
const events = () => operator.events.filter((e) => e.name === name);
const describeEvents = () => events().map((e) => `${new Date(e.at).toISOString()} ${e.type} ${e.reason}: ${e.message}`).join('\n');
const podsOf = async () => (await core.listNamespacedPod({ namespace, labelSelector: `modelship.io/model-deployment=${name}` })).items;
const logsOf = async () => (await podsOf()).map((p) => `${p.metadata?.name} ${JSON.stringify(p.status)}\n${runtime.logs(namespace, p.metadata?.name ?? '')}`).join('\n');
const path = `/v2/models/${name}/infer`;
const inferBody = (rows: readonly number[][]) => ({ inputs: [{ name: 'input-0', shape: [rows.length, 4], datatype: 'FP64', data: rows.flat() }] });
const answer = (r: Reply) => JSON.parse(r.body) as { model_version?: string; outputs: { data: number[] }[] };

// Small and quick: 10 s intervals (Prometheus scrapes every second), two weight steps, 50 requests per
// variant for a verdict. The built-in checks as they are; latency's tolerance is wide, as two real servers
// share two cores with everything else here.
const ANALYSIS = { interval: '10s', minRequests: 50, failureLimit: 2, inconclusiveLimit: 20, latency: { tolerance: 1 } };

/** MLServer's inference counters in Prometheus, per series, for the log. */
async function counters(): Promise<string> {
  const query = `{__name__=~"model_infer_request_(success|failure)_total",namespace="${namespace}"}`;
  const res = await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
  return (body.data?.result ?? []).map((r) => `${r.metric.__name__}{${Object.entries(r.metric).filter(([k]) => k !== '__name__').map(([k, x]) => `${k}=${x}`).join(',')}} ${r.value[1]}`).join('\n');
}

interface Sent extends Reply {
  readonly row: number;
  readonly at: number;
}

/** Steady requests through the gateway, one row at a time, until stop(). */
const load = () =>
  steadyLoad(
    async (n): Promise<Sent> => {
      const row = n % logged.rows.length;
      return { ...(await send(dataPath.gatewayUrl, { path, body: inferBody([logged.rows[row]!]) })), row, at: Date.now() };
    },
    { max: 50_000 },
  );

/** Every answer of a healthy version is that version's prediction in Python for the row sent. */
function assertPredictions(replies: readonly Sent[]): Record<string, number> {
  const byVersion: Record<string, number> = {};
  for (const r of replies.filter((x) => x.status === 200)) {
    const a = answer(r);
    const version = a.model_version ?? '';
    const expected = logged.versions.find((x) => x.version === version)?.predictions;
    assert.ok(expected, `an answer of version ${JSON.stringify(version)}: ${r.body.slice(0, 200)}`);
    assert.deepEqual(a.outputs[0]?.data, [expected[r.row]], `version ${version}, row ${r.row}`);
    byVersion[version] = (byVersion[version] ?? 0) + 1;
  }
  return byVersion;
}

test('models:/iris@champion: a logged model resolved through get-download-uri, fetched from S3 and served by the real MLServer with Python\'s predictions', { timeout: 600_000 }, async () => {
  await mlflow.setAlias('iris', 'champion', '1');
  const started = Date.now();
  await createModelDeployment(client, namespace, {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name },
    spec: {
      model: { name, version: 'champion', uri: 'models:/iris@champion', format: 'mlflow', credentials: { secretRef: { name: 's3-creds' } } },
      runtime: { preset: 'mlserver', ...processNodePlacement() },
      replicas: 1,
      rollout: {
        strategy: 'canary',
        steps: [{ weight: 20 }, { weight: 50 }],
        scaleDownDelaySeconds: 3,
        traffic: { provider: 'gateway-api', gateway: gatewayRef(gateway) },
        analysis: ANALYSIS,
      },
    },
  });
  let md: Md | undefined;
  try {
    md = await eventually('version 1 Ready', get, (m) => conditionOf(m, 'Ready')?.status === 'True', 300_000, 250);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${await logsOf()}`, { cause: err });
  }
  const readyMs = Date.now() - started;
  assert.equal(md?.status?.stable?.version, '1');
  assert.equal(md?.status?.model?.uri, 'models:/iris@champion');
  assert.equal(md?.status?.model?.version, '1');
  assert.equal(md?.status?.model?.source, v('1').artifactUri, 'the artifact location get-download-uri answered, not models:/m-...');
  assert.equal(conditionOf(md, 'ModelResolved')?.reason, 'Resolved');
  const [pod] = await podsOf();
  assert.equal(pod?.spec?.nodeName, runtime.nodeName, 'the pod ran on the process node');
  const fetcher = pod?.spec?.initContainers?.find((c) => c.name === 'model-fetcher');
  assert.deepEqual(fetcher?.args, ['fetch', '--termination-log', '/dev/termination-log', v('1').artifactUri, '/mnt/models']);
  assert.match(pod?.status?.initContainerStatuses?.find((c) => c.name === 'model-fetcher')?.state?.terminated?.message ?? '', /^modelship-fetch: done: \d+ file\(s\)/);
  assert.equal(pod?.spec?.containers[0]?.env?.find((e) => e.name === 'MLSERVER_MODEL_IMPLEMENTATION')?.value, 'mlserver_mlflow.MLflowRuntime');

  await routed(dataPath.gatewayUrl, (replies) => replies.every((r) => r.status === 200), { path, body: inferBody(logged.rows.slice(0, 1)), probe: 4, timeoutMs: 60_000 });
  const predictedMs = Date.now() - started;
  const reply = await send(dataPath.gatewayUrl, { path, body: inferBody(logged.rows) });
  assert.equal(reply.status, 200, reply.body);
  assert.equal(answer(reply).model_version, '1');
  assert.deepEqual(answer(reply).outputs[0]?.data, v('1').predictions);
  log(`version 1: Ready ${seconds(readyMs)} after the apply, first prediction through the gateway ${seconds(predictedMs)}`);
});

test('the alias moved to version 2: a canary with no spec change, promoted by the analysis on MLServer\'s metrics with no failed request', { timeout: 600_000 }, async () => {
  const before = await get();
  assert.equal(before?.status?.stable?.version, '1', 'the first test served version 1');
  const generation = before?.metadata?.generation;
  const traffic = load();
  let moved: number;
  let md: Md | undefined;
  try {
    await routed(dataPath.gatewayUrl, (replies) => replies.every((r) => r.status === 200), { path, body: inferBody(logged.rows.slice(0, 1)), probe: 4 });
    await sleep(3000);
    await mlflow.setAlias('iris', 'champion', '2');
    moved = Date.now();
    const canary = await eventually('a canary of version 2', get, (m) => m?.status?.canary?.version === '2', POLL_MS + 60_000, 250);
    log(`version 2: canary ${seconds(Date.now() - moved)} after the alias moved`);
    assert.equal(canary?.metadata?.generation, generation, 'the spec was not changed');
    assert.equal(canary?.status?.model?.version, '2');
    assert.equal(canary?.status?.model?.source, v('2').artifactUri);
    try {
      md = await eventually('version 2 promoted', get, (m) => m?.status?.stable?.version === '2' && m.status.canary === undefined, 420_000, 1000);
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${JSON.stringify((await get())?.status?.analysis, null, 1)}\n${describeEvents()}`, { cause: err });
    }
    log(`version 2: promoted ${seconds(Date.now() - moved)} after the alias moved`);
    // Requests go on after the promotion, until the old pods are gone.
    await eventually('one stable pod of version 2 only', podsOf, (pods) => pods.length === 1 && pods[0]?.metadata?.labels?.['app.kubernetes.io/version'] === '2', 120_000, 500);
    await sleep(2000);
  } finally {
    await traffic.stop();
  }
  const failed = traffic.replies.filter((r) => r.status !== 200);
  assert.deepEqual(failed.slice(0, 5).map((r) => ({ status: r.status, at: new Date(r.at).toISOString(), body: r.body.slice(0, 120) })), [], `${failed.length} failed of ${traffic.replies.length}\n${describeEvents()}`);
  const byVersion = assertPredictions(traffic.replies);
  assert.ok((byVersion['2'] ?? 0) > 0 && (byVersion['1'] ?? 0) > 0, JSON.stringify(byVersion));
  const last = traffic.replies.slice(-20).map((r) => answer(r).model_version);
  assert.deepEqual([...new Set(last)], ['2'], 'version 2 serves everything at the end');
  log(`version 2: ${traffic.replies.length} requests, 0 failed, by version ${JSON.stringify(byVersion)}`);

  assert.equal(md?.metadata?.generation, generation, 'the operator never edits the spec');
  const a = md?.status?.analysis;
  assert.equal(a?.phase, 'Succeeded');
  assert.equal(a?.failures ?? 0, 0);
  const rate = a?.measurements?.find((m) => m.check === 'success-rate');
  assert.equal(rate?.verdict, 'Pass', JSON.stringify(a?.measurements));
  assert.ok((rate?.samples ?? 0) >= 50 && (rate?.stableSamples ?? 0) >= 50, JSON.stringify(rate));
  assert.equal(a?.measurements?.find((m) => m.check === 'latency')?.verdict, 'Pass', JSON.stringify(a?.measurements));
  const reasons = events().map((e) => e.reason);
  assert.ok(reasons.filter((r) => r === 'AnalysisPassed').length >= 2, reasons.join(','));
  assert.ok(reasons.includes('CanaryStarted') && reasons.includes('Promoted'), reasons.join(','));
  assert.equal(md?.status?.model?.version, '2');
  assert.deepEqual(
    md?.status?.model?.resolutions?.map((r) => [r.version, r.source]),
    [
      ['2', v('2').artifactUri],
      ['1', v('1').artifactUri],
    ],
  );
  const entry = md?.status?.history?.find((h) => h.version === '2');
  assert.equal(entry?.outcome, 'Promoted');
  assert.equal((entry?.model as { uri?: string } | undefined)?.uri, v('2').artifactUri);
});

test('the alias moved to version 3, whose predict raises: the analysis sees the errors in MLServer\'s metrics and rolls back; version 2 keeps serving', { timeout: 600_000 }, async () => {
  const before = await get();
  assert.equal(before?.status?.stable?.version, '2', 'the second test promoted version 2');
  const generation = before?.metadata?.generation;
  const traffic = load();
  let switchedAt: number;
  let md: Md | undefined;
  try {
    await sleep(3000);
    await mlflow.setAlias('iris', 'champion', '3');
    const moved = Date.now();
    await eventually('a canary of version 3', get, (m) => m?.status?.canary?.version === '3', POLL_MS + 60_000, 250);
    try {
      md = await eventually('Stalled AnalysisFailed', get, (m) => conditionOf(m, 'Stalled')?.status === 'True', 300_000, 500);
      log(`at the rollback: window opened ${md?.status?.analysis?.startedAt}, ${JSON.stringify(md?.status?.analysis?.measurements)}\nthe client's replies: ${JSON.stringify(countBy(traffic.replies, (r) => `${r.status} ${r.status === 200 ? answer(r).model_version : ''}`))}\nMLServer's counters in Prometheus:\n${await counters()}`);
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${JSON.stringify((await get())?.status?.analysis, null, 1)}\n${describeEvents()}`, { cause: err });
    }
    log(`version 3: rolled back ${seconds(Date.now() - moved)} after the alias moved`);
    // Everything back on version 2, and requests go on until the canary pod is gone.
    await routed(dataPath.gatewayUrl, (replies) => replies.every((r) => r.status === 200 && answer(r).model_version === '2'), { path, body: inferBody(logged.rows.slice(0, 1)), probe: 20 });
    switchedAt = traffic.replies.length;
    await eventually('the canary pod to be gone', podsOf, (pods) => pods.every((p) => p.metadata?.labels?.['modelship.io/variant'] !== 'canary'), 120_000, 500);
    await sleep(2000);
  } finally {
    await traffic.stop();
  }
  assert.equal(conditionOf(md, 'Stalled')?.reason, 'AnalysisFailed');
  assert.equal(md?.metadata?.generation, generation, 'the spec was not changed');
  const a = md?.status?.analysis;
  assert.equal(a?.phase, 'Failed');
  assert.equal(a?.failures, 2, 'rolled back exactly at failureLimit');
  const rate = a?.measurements?.find((m) => m.check === 'success-rate');
  assert.equal(rate?.verdict, 'Fail', JSON.stringify(a?.measurements));
  assert.ok((rate?.value ?? 0) > 0.9 && rate?.stableValue === 0, `every canary request failed, none of stable's: ${JSON.stringify(rate)}`);
  assert.equal(md?.status?.canary?.phase, 'Aborted');
  assert.equal(md?.status?.stable?.version, '2');
  assert.equal(md?.status?.model?.version, '3', 'the registry still names version 3');
  assert.equal(conditionOf(md, 'ModelResolved')?.reason, 'Resolved');
  const measuredFail = events().filter((e) => e.reason === 'AnalysisFailed' && e.message.startsWith('measurement'));
  assert.equal(measuredFail.length, 2, describeEvents());
  assert.match(measuredFail[0]?.message ?? '', /canary error rate/);

  // The client's view: no transport failure; the only errors are version 3's own 500s; version 2's answers
  // are its predictions; after the abort, version 2 answers everything.
  const transport = traffic.replies.filter((r) => r.status === 0 || r.status === 502 || r.status === 503 || r.status === 504);
  assert.deepEqual(transport.slice(0, 5).map((r) => ({ status: r.status, body: r.body.slice(0, 120) })), [], `${transport.length} transport failures`);
  const statuses = countBy(traffic.replies, (r) => String(r.status));
  assert.deepEqual(Object.keys(statuses).sort(), ['200', '500'], JSON.stringify(statuses));
  const byVersion = assertPredictions(traffic.replies);
  assert.deepEqual(Object.keys(byVersion), ['2'], JSON.stringify(byVersion));
  // Replies that were sent before the switch may still land later in the list (two workers): skip a few.
  const afterAbort = traffic.replies.slice(switchedAt + 4);
  assert.ok(afterAbort.length > 50 && afterAbort.every((r) => r.status === 200), JSON.stringify(countBy(afterAbort, (r) => String(r.status))));
  log(`version 3: ${traffic.replies.length} requests: ${JSON.stringify(statuses)}; file total ${seconds(Date.now() - fileStarted)}`);
});
