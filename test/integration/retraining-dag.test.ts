// The training side of the closed retraining loop with real components (test/support/retraining-loop-bed.ts):
// versitygw, MLflow 3.17.2 and Airflow 3.3.2 running test/fixtures/airflow/dags/retrain_iris.py. Version 1 of
// iris (trained on the iris data set) holds the alias `champion`; traffic whose petal length is shifted by
// 2.5 cm is logged under the inference agent's layout (records made by the agent's own logRecord/logFileKey)
// and labelled by a labels file under <log uri>/labels/, as the agent's feedback files are. A DAG run
// triggered as the operator will (POST /api/v2/dags/retrain_iris/dagRuns with dag_run_id, logical_date null,
// conf.modelship = the evidence) trains on the labelled requests of the window only, logs and registers
// version 2 with its training sample (reference/train.csv) beside the model, and moves `champion` to it;
// version 2, loaded from the registry, is more accurate than version 1 on fresh shifted rows, and the real
// MLServer (its MLflow runtime) serves version 2's artifact folder with the same predictions. The same
// dag_run_id again is refused with 409: no second run, no third version. No Kubernetes, but it starts
// MLServer: run it alone under the cluster lock
// (`flock /tmp/modelship-cluster.lock npx node --test test/integration/retraining-dag.test.ts`).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startMlserver } from '../cluster/mlserver-process.ts';
import { ensureMlserverEnv } from '../cluster/python-env.ts';
import { logRecord, type LogRecord } from '../../src/agent/log-record.ts';
import { logFileKey } from '../../src/agent/layout.ts';
import { LOGS_BUCKET, MLFLOW_BUCKET, retrainingLoopBed, type DagRun } from '../support/retraining-loop-bed.ts';
import { eventually } from '../support/wait.ts';
import { registerIrisVersion, scoreVersions, SHIFTED_FEATURE, shiftedIris, type ShiftedSamples } from '../support/shifted-iris.ts';

const log = (line: string) => process.stderr.write(`[retraining-dag] ${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const DAG = 'retrain_iris';
const MODEL = 'iris';
const NAMESPACE = 'team-a';
const LOG_BASE = 'retraining';
const LOG_URI = `s3://${LOGS_BUCKET}/${LOG_BASE}`;

const fileStarted = Date.now();
const work = mkdtempSync(join(tmpdir(), 'modelship-retraining-'));
after(() => rmSync(work, { recursive: true, force: true }));
const bed = await retrainingLoopBed({ log });
after(() => bed.stop());
log(`S3 ${seconds(bed.startMs.s3)}, MLflow ${seconds(bed.startMs.mlflow)}, Airflow ${seconds(bed.startMs.airflow)} (all ready ${seconds(Date.now() - fileStarted)} after the file started)`);

const v1Started = Date.now();
const v1 = await registerIrisVersion(bed.python, bed.mlflowClientEnv, MODEL, 'champion');
log(`version ${v1.version} logged, registered and given the alias champion in ${seconds(Date.now() - v1Started)}`);
assert.equal(v1.version, '1');

// The window the drift check judged: the last hour. Inside it, 300 requests answered by version 1 (280
// labelled); before it, 100 requests whose labels are rotated, and a failed request inside it: a DAG that
// used them would train on wrong classes or count them.
const windowEnd = Date.now();
const windowStart = windowEnd - 3_600_000;
const inWindow = await shiftedIris(bed.python, bed.mlflowClientEnv, { n: 300, seed: 1, predictWith: `models:/${MODEL}@champion` });
const before = await shiftedIris(bed.python, bed.mlflowClientEnv, { n: 100, seed: 3, predictWith: `models:/${MODEL}@champion` });
const identity = { namespace: NAMESPACE, model: MODEL, version: v1.version, variant: 'stable', revision: '1', pod: 'iris-7d9f-abcde' };

function record(requestId: string, atMs: number, row: readonly number[], prediction: number, status = 200): LogRecord {
  const request = { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: row }] };
  const response = status === 200 ? { model_name: MODEL, model_version: v1.version, outputs: [{ name: 'output-1', shape: [1, 1], datatype: 'INT64', data: [prediction] }] } : { error: 'overloaded' };
  return logRecord(
    identity,
    { requestId, startMs: atMs, method: 'POST', path: `/v2/models/${MODEL}/infer`, status, latencyMs: 3.2, request: { bytes: Buffer.from(JSON.stringify(request)), truncated: false }, response: { bytes: Buffer.from(JSON.stringify(response)), truncated: false } },
    new Set(),
  );
}

const records: LogRecord[] = [];
const labels: { requestId: string; label: number }[] = [];
inWindow.rows.forEach((row, i) => {
  const id = `in-${i}`;
  records.push(record(id, windowStart + 60_000 + i * 11_000, row, inWindow.predictions[i]!));
  if (i < 280) labels.push({ requestId: id, label: inWindow.labels[i]! });
});
before.rows.forEach((row, i) => {
  const id = `before-${i}`;
  records.push(record(id, windowStart - 60_000 - i * 30_000, row, before.predictions[i]!));
  labels.push({ requestId: id, label: (before.labels[i]! + 1) % 3 });
});
records.push(record('failed-0', windowEnd - 30_000, inWindow.rows[0]!, 0, 503));
labels.push({ requestId: 'failed-0', label: 2 });

// As the agent ships them: one file per flush, in the hour partition of its records.
const files = new Map<string, LogRecord[]>();
for (const r of records) {
  const at = Date.parse(r.time);
  const flush = Math.floor(at / 600_000);
  const key = logFileKey(LOG_BASE, identity, at, flush * 600_000 + 599_000, flush);
  files.set(key, [...(files.get(key) ?? []), r]);
}
for (const [key, rs] of files) await bed.s3.putObject(LOGS_BUCKET, key, rs.map((r) => JSON.stringify(r)).join('\n') + '\n');
await bed.s3.putObject(LOGS_BUCKET, `${LOG_BASE}/labels/2026-12-04/batch-1.jsonl`, labels.map((l) => JSON.stringify(l)).join('\n') + '\n');
log(`${records.length} logged requests in ${files.size} files and ${labels.length} labels written`);

const evidence = {
  model: MODEL,
  namespace: NAMESPACE,
  version: v1.version,
  reason: 'Drift',
  features: [SHIFTED_FEATURE],
  window: { start: new Date(windowStart).toISOString(), end: new Date(windowEnd).toISOString() },
  logUri: LOG_URI,
};
const DAG_RUN_ID = 'modelship-team-a-iris-drift-5f3c2a1b';

interface ModelVersion {
  version: string;
  source: string;
  tags?: { key: string; value: string }[];
}
const versions = async () =>
  ((await bed.mlflow.api('GET', `model-versions/search?filter=${encodeURIComponent(`name='${MODEL}'`)}&max_results=100`)) as { model_versions?: ModelVersion[] }).model_versions ?? [];
const champion = async () => ((await bed.mlflow.api('GET', `registered-models/alias?name=${MODEL}&alias=champion`)) as { model_version: ModelVersion }).model_version;

let run: DagRun | undefined;

test('a run triggered with the evidence retrains on the labelled window, registers version 2 and moves champion to it', { timeout: 600_000 }, async () => {
  const triggered = await bed.triggerDagRun(DAG, DAG_RUN_ID, { modelship: evidence });
  assert.equal(triggered.status, 200, JSON.stringify(triggered.body));
  const body = triggered.body as DagRun;
  assert.equal(body.dag_run_id, DAG_RUN_ID);
  assert.deepEqual(body.conf, { modelship: evidence });

  const started = Date.now();
  run = await bed.finishedDagRun(DAG, DAG_RUN_ID);
  log(`DAG run ${run.state} in ${seconds(Date.now() - started)} after the trigger`);
  assert.equal(run.state, 'success', await bed.taskLog(DAG, DAG_RUN_ID, 'retrain'));

  const summary = (await bed.airflow.api('GET', `dags/${DAG}/dagRuns/${DAG_RUN_ID}/taskInstances/retrain/xcomEntries/return_value?deserialize=true`)) as { value: unknown };
  const result = (typeof summary.value === 'string' ? JSON.parse(summary.value) : summary.value) as { version: string; rows: number; registered: boolean; previousVersion: string; holdoutAccuracy: number; previousHoldoutAccuracy: number };
  log(`the DAG's summary: ${JSON.stringify(result)}`);
  // Exactly the 280 labelled successful requests of the window: nothing from before it, not the failed one.
  assert.equal(result.rows, 280);
  assert.equal(result.registered, true);
  assert.equal(result.previousVersion, '1');
  assert.ok(result.holdoutAccuracy > result.previousHoldoutAccuracy, 'the DAG judged its model better on held-out rows');

  const current = await champion();
  assert.equal(current.version, '2');
  assert.equal(result.version, '2');
  assert.match(current.source, /^models:\/m-[0-9a-f]+$/);
  assert.deepEqual(current.tags?.find((t) => t.key === 'modelship_dag_run_id')?.value, DAG_RUN_ID);

  // The artifacts MLServer's MLflow runtime serves, and the drift reference beside them.
  const download = ((await bed.mlflow.api('GET', `model-versions/get-download-uri?name=${MODEL}&version=2`)) as { artifact_uri: string }).artifact_uri;
  const prefix = download.replace(`s3://${MLFLOW_BUCKET}/`, '');
  const listed = await bed.s3.client.send(new ListObjectsV2Command({ Bucket: MLFLOW_BUCKET, Prefix: `${prefix}/` }));
  const names = (listed.Contents ?? []).map((o) => (o.Key ?? '').slice(prefix.length + 1)).sort();
  // MLflow 3.17's sklearn flavour serialises with skops (model.skops), which MLServer's environment has too.
  for (const f of ['MLmodel', 'model.skops', 'requirements.txt', 'reference/train.csv']) assert.ok(names.includes(f), `${f} in ${names.join(', ')}`);
  // The reference is the shifted training sample (3/4 of the rows; the rest held out), not the iris data set.
  const csv = await (await bed.s3.client.send(new GetObjectCommand({ Bucket: MLFLOW_BUCKET, Key: `${prefix}/reference/train.csv` }))).Body?.transformToString();
  const lines = (csv ?? '').trim().split(/\r?\n/);
  assert.equal(lines[0], 'sepal_length,sepal_width,petal_length,petal_width,species');
  assert.equal(lines.length - 1, 210);
  const petal = lines.slice(1).map((l) => Number(l.split(',')[2]));
  const mean = petal.reduce((a, b) => a + b, 0) / petal.length;
  assert.ok(mean > 5.5, `mean petal length of the reference ${mean} (iris: 3.76, shifted by 2.5)`);
});

let fresh: ShiftedSamples | undefined;
let accuracy: Record<string, number> = {};

test('version 2, loaded from the registry, is more accurate than version 1 on fresh shifted traffic', { timeout: 300_000 }, async () => {
  assert.ok(run?.state === 'success', 'the run succeeded');
  fresh = await shiftedIris(bed.python, bed.mlflowClientEnv, { n: 500, seed: 42, predictWith: `models:/${MODEL}/1` });
  accuracy = await scoreVersions(bed.python, bed.mlflowClientEnv, MODEL, ['1', '2'], fresh);
  log(`accuracy on 500 fresh shifted rows: version 1 ${accuracy['1']}, version 2 ${accuracy['2']}`);
  assert.ok(accuracy['2']! >= 0.9, `version 2: ${accuracy['2']}`);
  assert.ok(accuracy['2']! - accuracy['1']! >= 0.2, `version 2 ${accuracy['2']} against version 1 ${accuracy['1']}`);
});

test("MLServer's MLflow runtime serves version 2's artifacts, reference folder and all, with the registry's accuracy", { timeout: 300_000 }, async () => {
  assert.ok(fresh && accuracy['2'] !== undefined, 'version 2 was scored');
  // The artifact folder as modelship's fetcher lays it out: every object under the download URI.
  const download = ((await bed.mlflow.api('GET', `model-versions/get-download-uri?name=${MODEL}&version=2`)) as { artifact_uri: string }).artifact_uri;
  const prefix = `${download.replace(`s3://${MLFLOW_BUCKET}/`, '')}/`;
  const modelDir = join(work, 'models', MODEL);
  for (const o of (await bed.s3.client.send(new ListObjectsV2Command({ Bucket: MLFLOW_BUCKET, Prefix: prefix }))).Contents ?? []) {
    const file = join(modelDir, (o.Key ?? '').slice(prefix.length));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, await (await bed.s3.client.send(new GetObjectCommand({ Bucket: MLFLOW_BUCKET, Key: o.Key }))).Body!.transformToByteArray());
  }
  // What the mlserver preset sets through MLSERVER_MODEL_* for format mlflow, as a settings file.
  writeFileSync(join(modelDir, 'model-settings.json'), JSON.stringify({ name: MODEL, implementation: 'mlserver_mlflow.MLflowRuntime', parameters: { uri: '.', version: '2' } }));
  const mlserver = await startMlserver(await ensureMlserverEnv(), join(work, 'models'), join(work, 'mlserver.log'));
  try {
    const started = Date.now();
    await mlserver.waitReady(MODEL);
    log(`MLServer ready with version 2 in ${seconds(Date.now() - started)}`);
    const rows = fresh.rows;
    const res = await fetch(`${mlserver.url}/v2/models/${MODEL}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'input-0', shape: [rows.length, 4], datatype: 'FP64', data: rows.flat() }] }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text.slice(0, 500));
    const predicted = (JSON.parse(text) as { outputs: { data: number[] }[] }).outputs[0]!.data;
    assert.equal(predicted.length, rows.length);
    const served = predicted.filter((p, i) => p === fresh!.labels[i]).length / rows.length;
    assert.equal(served, accuracy['2']);
  } finally {
    await mlserver.stop();
  }
});

test('the same dag_run_id again is refused with 409: one run, no third version', { timeout: 60_000 }, async () => {
  const again = await bed.triggerDagRun(DAG, DAG_RUN_ID, { modelship: evidence });
  assert.equal(again.status, 409, JSON.stringify(again.body));
  const runs = await bed.dagRuns(DAG);
  assert.deepEqual(
    runs.map((r) => r.dag_run_id),
    [DAG_RUN_ID],
  );
  assert.deepEqual((await versions()).map((v) => v.version).sort(), ['1', '2']);
  assert.equal((await champion()).version, '2');
});

test('the training task run again for the same DAG run (a retry, a clear) finds its version and registers nothing', { timeout: 300_000 }, async () => {
  assert.ok(run?.state === 'success', 'the run succeeded');
  const cleared = (await bed.airflow.api('POST', `dags/${DAG}/clearTaskInstances`, { dry_run: false, only_failed: false, reset_dag_runs: true, dag_run_id: DAG_RUN_ID, task_ids: ['retrain'] })) as { task_instances: unknown[] };
  assert.equal(cleared.task_instances.length, 1);
  const task = await eventually(
    'the cleared task to run again and end',
    async () => (await bed.airflow.api('GET', `dags/${DAG}/dagRuns/${DAG_RUN_ID}/taskInstances/retrain`)) as { try_number: number; state: string | null },
    (t) => t.try_number >= 2 && (t.state === 'success' || t.state === 'failed'),
    240_000,
    1000,
  );
  assert.equal(task.state, 'success', await bed.taskLog(DAG, DAG_RUN_ID, 'retrain'));
  const summary = (await bed.airflow.api('GET', `dags/${DAG}/dagRuns/${DAG_RUN_ID}/taskInstances/retrain/xcomEntries/return_value?deserialize=true`)) as { value: unknown };
  const result = (typeof summary.value === 'string' ? JSON.parse(summary.value) : summary.value) as { version: string; registered: boolean };
  assert.deepEqual({ version: result.version, registered: result.registered }, { version: '2', registered: false });
  assert.deepEqual((await versions()).map((v) => v.version).sort(), ['1', '2']);
  assert.equal((await champion()).version, '2');
});

test('a run whose window holds no labelled traffic fails in training: nothing registered, champion unmoved', { timeout: 300_000 }, async () => {
  const id = 'modelship-team-a-iris-drift-empty-window';
  const triggered = await bed.triggerDagRun(DAG, id, { modelship: { ...evidence, window: { start: '2020-01-01T00:00:00Z', end: '2020-01-01T01:00:00Z' } } });
  assert.equal(triggered.status, 200, JSON.stringify(triggered.body));
  const end = await bed.finishedDagRun(DAG, id);
  assert.equal(end.state, 'failed');
  assert.match(await bed.taskLog(DAG, id, 'retrain'), /only 0 labelled rows in the window/);
  assert.deepEqual((await versions()).map((v) => v.version).sort(), ['1', '2']);
  assert.equal((await champion()).version, '2');
});

test('a run without the modelship evidence fails before training: nothing registered, champion unmoved', { timeout: 300_000 }, async () => {
  const id = 'manual-without-evidence';
  const triggered = await bed.triggerDagRun(DAG, id, { model: MODEL });
  assert.equal(triggered.status, 200, JSON.stringify(triggered.body));
  const end = await bed.finishedDagRun(DAG, id);
  assert.equal(end.state, 'failed');
  assert.match(await bed.taskLog(DAG, id, 'evidence'), /conf has no \\?"modelship\\?" object/);
  assert.deepEqual((await versions()).map((v) => v.version).sort(), ['1', '2']);
  assert.equal((await champion()).version, '2');
});
