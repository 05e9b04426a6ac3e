// Batch scoring end to end: batch ModelDeployments (mode: batch) on the real API server, Job controller and
// scheduler, reconciled by the operator, whose run Jobs' pods really run on the process runtime
// (test/cluster/process-kubelet.ts): per shard, modelship's fetcher fetches an sklearn iris model from
// versitygw, the real MLServer serves it as a native sidecar, and the batch runner (`node src/main.ts batch`)
// reads its shard of the input from versitygw and writes its part of the output there. Every prediction in
// the output is checked against the same model's prediction in Python, row by row.
//   - 100,000 rows in 8 JSONL files, 8 shards, 4 at a time, started with `modelship batch run`;
//   - a shard's pod deleted mid-way and another runner killed with SIGKILL: both retried, still exactly once;
//   - 37 malformed rows: the errors files name them; with maxFailedRecords 10 the run fails, no manifest;
//   - a one-minute schedule on the operator's clock: two runs, Forbid skips a time while one runs, keepRuns;
//   - CSV and Parquet inputs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { BatchV1Api, CoreV1Api, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { LABEL_BATCH_RUN } from '../../src/batch/labels.ts';
import { RUNNER_CONTAINER } from '../../src/batch/run-job.ts';
import { requestBatchRun } from '../../src/cli/cluster-actions.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import { writeIrisModel } from '../cluster/iris-model.ts';
import { processNodePlacement } from '../cluster/process-kubelet.ts';
import { ensureMlserverEnv } from '../cluster/python-env.ts';
import { startS3Server } from '../cluster/s3-server.ts';
import { checkScored, lineId, listKeys, readLines, readText, type RowIndex } from '../support/batch-output.ts';
import { installCrds } from '../support/crds.ts';
import { dataPathCluster } from '../support/data-path.ts';
import { startInProcessOperator, type InProcessOperator } from '../support/in-process-operator.ts';
import { computeKStatus } from '../support/kstatus.ts';
import { conditionOf, createModelDeployment, mdRef, readyForGeneration, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { runTool } from '../support/run-tool.ts';
import { tarGz } from '../support/tar-writer.ts';
import { eventually } from '../support/wait.ts';

const execFileAsync = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const log = (line: string) => process.stderr.write(`[batch-scoring] ${line}\n`);
const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

// The model (test/cluster/iris-model.ts: logistic regression on iris, model.joblib for MLServer's sklearn
// runtime) and 100,000 rows it was not trained on, with the model's own predictions for them, from Python.
const pythonEnv = await ensureMlserverEnv();
const work = mkdtempSync(join(tmpdir(), 'modelship-batch-scoring-'));
after(() => rmSync(work, { recursive: true, force: true }));
const ROWS = 100_000;
const { rows, predictions } = await writeIrisModel(pythonEnv, work, ROWS);
assert.equal(rows.length, ROWS);
assert.equal(new Set(predictions).size, 3, 'the rows cover the three classes');
const archive = tarGz([{ name: 'model.joblib', body: readFileSync(join(work, 'model.joblib')) }]);
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

const cluster = await dataPathCluster({ processRuntime: true });
const { dataPath } = cluster;
const runtime = dataPath.processRuntime;
assert.ok(runtime, 'the data path runs the process runtime');
// versitygw on loopback (the test's uploads and reads) and on the pod network's host address (the pods').
const s3 = await startS3Server({ toolsDir: cluster.toolsDir, extraHost: dataPath.network.hostAddress });
after(() => s3.stop());
assert.ok(s3.podEndpoint);
await s3.createBucket('models');
await s3.createBucket('scoring');
await s3.putObject('models', 'iris/1/model.tar.gz', archive);

await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const batchApi = kc.makeApiClient(BatchV1Api);
const namespace = await testNamespace(kc, 'batch-scoring');
// The schedule's namespace has an operator of its own whose clock stands still unless the test moves it.
const scheduled = await testNamespace(kc, 'batch-schedule');
for (const ns of [namespace, scheduled]) {
  const stringData = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region, AWS_ENDPOINT_URL: s3.podEndpoint };
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 's3-creds' }, stringData } });
}
const operator = await startInProcessOperator(kc, [namespace]);
// Set to the wall clock when the schedule's test starts, then moved a minute at a time.
let clock = new Date();
const clockOperator = await startInProcessOperator(kc, [scheduled], { now: () => clock });

/** A batch ModelDeployment of the iris model, its pods on the process node, output under s3://scoring/predictions. */
function batchModel(name: string, batch: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name },
    spec: {
      mode: 'batch',
      model: { name: 'iris', version: '1', uri: 's3://models/iris/1/model.tar.gz', format: 'sklearn', sha256: sha256(archive), credentials: { secretRef: { name: 's3-creds' } } },
      runtime: { preset: 'mlserver', ...processNodePlacement() },
      batch: { output: { uri: 's3://scoring/predictions' }, ...batch },
    },
  };
}

/** JSONL files of rows[from, from + count) under `prefix` in the scoring bucket, and where each row's line starts. */
async function jsonlInput(prefix: string, from: number, count: number, files: number, line: (row: number[], i: number) => string): Promise<RowIndex> {
  const index: RowIndex = new Map();
  const per = Math.ceil(count / files);
  for (let f = 0; f < files; f++) {
    const name = `part-${f}.jsonl`;
    const lines: string[] = [];
    let offset = 0;
    for (let i = from + f * per; i < Math.min(from + count, from + (f + 1) * per); i++) {
      const text = `${line(rows[i]!, i)}\n`;
      index.set(`${name}@${offset}`, i);
      lines.push(text);
      offset += Buffer.byteLength(text);
    }
    await s3.putObject('scoring', `${prefix}${name}`, lines.join(''));
  }
  return index;
}

const get = (ns: string, name: string) => client.get<ModelDeploymentObject>(mdRef(ns, name));
const runPods = async (ns: string, run: string) => (await core.listNamespacedPod({ namespace: ns, labelSelector: `${LABEL_BATCH_RUN}=${run}` })).items;
const runnerOf = (p: V1Pod) => p.status?.containerStatuses?.find((c) => c.name === RUNNER_CONTAINER);
const indexOf = (p: V1Pod) => p.metadata?.annotations?.[INDEX_ANNOTATION];
const folderOf = (run: string) => `predictions/${run}`;
const eventsOf = (op: InProcessOperator, name: string, reason: string) => op.events.filter((e) => e.name === name && e.reason === reason);

async function describeRun(ns: string, run: string): Promise<string> {
  const pods = await runPods(ns, run).catch(() => []);
  return pods.map((p) => `${p.metadata?.name} (index ${indexOf(p)}): ${JSON.stringify(p.status)}\n${runtime?.logs(ns, p.metadata?.name ?? '', 15) ?? ''}`).join('\n');
}

/** Waits until status.batch reports the run finished; on a timeout the error carries the run's pods and logs. */
async function runEnded(ns: string, name: string, run: string, timeoutMs: number): Promise<ModelDeploymentObject> {
  try {
    const md = await eventually(
      `run ${run} to end`,
      () => get(ns, name),
      (m) => m?.status?.batch?.runs?.some((r) => r.name === run && r.phase !== 'Running') === true && conditionOf(m, 'LastRunSucceeded')?.message.includes(run) === true,
      timeoutMs,
      500,
    );
    assert.ok(md);
    return md;
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${await describeRun(ns, run)}`, { cause: err });
  }
}

const jobOf = (ns: string, run: string): Promise<V1Job> => batchApi.readNamespacedJob({ namespace: ns, name: run });
const kubectl = async (...args: string[]) => {
  const r = await runTool(cluster.toolsDir, 'kubectl', ['--kubeconfig', cluster.kubeconfigPath, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
};
const seconds = (from: string | undefined, to: string | undefined) => (from && to ? `${Math.round((Date.parse(to) - Date.parse(from)) / 1000)} s` : 'n/a');

// Scenario 1's input: 8 JSONL files of 12,500 rows each, records as objects of the four features.
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const asObject = (r: number[]) => JSON.stringify(Object.fromEntries(FEATURES.map((f, c) => [f, r[c]])));
const fullInput = await jsonlInput('iris/jsonl/', 0, ROWS, 8, asObject);

test('100,000 rows in 8 JSONL files, 8 shards 4 at a time: every row scored once with the model\'s own prediction, a manifest, and the run in status.batch', { timeout: 600_000 }, async () => {
  const name = 'iris-scoring';
  await createModelDeployment(client, namespace, batchModel(name, { input: { uri: 's3://scoring/iris/jsonl/', format: 'jsonl' }, shards: 8, parallelism: 4, batchSize: 250 }));
  const ready = await readyForGeneration(client, namespace, name);
  assert.equal(conditionOf(ready, 'Ready')?.reason, 'Succeeded');

  // A run on demand, as a user starts it: `modelship batch run <name>`.
  const cli = await execFileAsync(process.execPath, [join(repo, 'bin', 'modelship.js'), 'batch', 'run', name, '-n', namespace, '--kubeconfig', cluster.kubeconfigPath]);
  const run = /: run (\S+) \(/.exec(cli.stdout)?.[1];
  assert.ok(run, `the CLI names the run: ${cli.stdout}`);
  log(`$ modelship batch run ${name}\n${cli.stdout.trimEnd()}`);

  // Pods of the run that have not ended, seen every 250 ms: never more than the parallelism.
  let maxActive = 0;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const pods = await runPods(namespace, run).catch(() => []);
      maxActive = Math.max(maxActive, pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const started = Date.now();
  const running = await eventually('the run in status.batch.currentRun', () => get(namespace, name), (m) => m?.status?.batch?.currentRun?.name === run, 60_000);
  log(`kubectl get mdep while the run goes:\n${await kubectl('get', 'mdep', name, '-n', namespace)}`);
  assert.equal(running?.status?.batch?.currentRun?.shards?.total, 8);
  // Ready and Current while the run goes, too: a run is not a change of the resource.
  assert.equal(conditionOf(running, 'Ready')?.status, 'True');
  assert.equal((await computeKStatus(cluster.toolsDir, [running]))[0]?.status, 'Current');
  const md = await runEnded(namespace, name, run, 480_000).finally(() => {
    watching = false;
  });
  await watcher;
  const wallMs = Date.now() - started;

  // status.batch: the run succeeded with the counts of every shard's runner, and is the last successful one.
  const batch = md.status?.batch;
  const record = batch?.runs?.[0];
  assert.equal(record?.name, run);
  assert.equal(record?.phase, 'Succeeded', JSON.stringify(record));
  assert.equal(record?.trigger, 'Manual');
  assert.equal(record?.modelVersion, '1');
  assert.deepEqual(record?.records, { scored: ROWS, failed: 0 });
  assert.equal(record?.output, `s3://scoring/predictions/${run}`);
  assert.equal(batch?.lastSuccessfulRun?.name, run);
  assert.deepEqual(batch?.lastSuccessfulRun?.records, { scored: ROWS, failed: 0 });
  assert.equal(batch?.currentRun, undefined);
  const last = conditionOf(md, 'LastRunSucceeded');
  assert.equal(last?.status, 'True');
  assert.equal(last?.reason, 'RunSucceeded');
  assert.match(last?.message ?? '', new RegExp(`run ${run} succeeded: ${ROWS} records scored, 0 failed`));
  // Ready throughout, and Current for kstatus (what Helm and Flux wait on).
  assert.equal(conditionOf(md, 'Ready')?.status, 'True');
  const [verdict] = await computeKStatus(cluster.toolsDir, [md]);
  assert.equal(verdict?.status, 'Current', verdict?.message);
  await eventually('RunSucceeded', () => Promise.resolve(operator.events), () => eventsOf(operator, name, 'RunSucceeded').length === 1, 30_000);
  assert.equal(eventsOf(operator, name, 'RunStarted').length, 1);
  assert.match(eventsOf(operator, name, 'RunSucceeded')[0]?.message ?? '', new RegExp(`${ROWS} records scored, 0 failed; output s3://scoring/predictions/${run}`));

  // The Job: 8 indexes completed, 4 pods at a time, all on the process node, each runner's summary in its
  // termination message.
  const job = await jobOf(namespace, run);
  assert.equal(job.spec?.completions, 8);
  assert.equal(job.spec?.parallelism, 4);
  assert.equal(job.status?.completedIndexes, '0-7');
  assert.equal(job.status?.succeeded, 8);
  assert.equal(maxActive, 4, 'four shards at a time');
  const pods = (await runPods(namespace, run)).filter((p) => p.status?.phase === 'Succeeded');
  assert.deepEqual(pods.map(indexOf).sort(), ['0', '1', '2', '3', '4', '5', '6', '7']);
  let summed = 0;
  for (const p of pods) {
    assert.equal(p.spec?.nodeName, runtime.nodeName);
    const ended = runnerOf(p)?.state?.terminated;
    assert.equal(ended?.exitCode, 0);
    const summary = JSON.parse(ended?.message ?? '') as { scored: number; failed: number; records: number };
    assert.equal(summary.failed, 0);
    summed += summary.scored;
  }
  assert.equal(summed, ROWS);

  // The output folder: a part and a marker per shard and the manifest, nothing else.
  const folder = folderOf(run);
  const keys = await listKeys(s3.client, 'scoring', `${folder}/`);
  const shardKeys = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((s) => [`${folder}/_shards/${s}.json`, `${folder}/part-0000${s}.jsonl`]);
  assert.deepEqual(keys, [`${folder}/_manifest.json`, ...shardKeys].sort());
  const { manifest } = await checkScored(s3.client, 'scoring', folder, fullInput, predictions, ROWS);
  assert.equal(manifest.run, run);
  assert.equal(manifest.model, 'iris');
  assert.equal(manifest.modelVersion, '1');
  assert.equal(manifest.shards, 8);
  assert.equal(manifest.records, ROWS);
  assert.equal(manifest.failed, 0);
  assert.deepEqual(manifest.parts.map((p) => p.key), [0, 1, 2, 3, 4, 5, 6, 7].map((s) => `part-0000${s}.jsonl`));
  assert.deepEqual(manifest.errors, []);

  log(`run ${run}: ${ROWS} rows scored in ${Math.round(wallMs / 1000)} s from the request (Job ${seconds(record?.startedAt, record?.completedAt)} from start to completion)`);
  log(`kubectl get mdep after the run:\n${await kubectl('get', 'mdep', name, '-n', namespace)}`);
  log(`kubectl get jobs:\n${await kubectl('get', 'jobs', '-n', namespace)}`);
  log(`status.batch:\n${JSON.stringify(batch, null, 2)}`);
  log(`_manifest.json:\n${await readText(s3.client, 'scoring', `${folder}/_manifest.json`)}`);
  log(`first line of part-00000.jsonl: ${(await readText(s3.client, 'scoring', `${folder}/part-00000.jsonl`)).split('\n')[0]}`);
});

// Scenario 2's input: 16,000 rows in 4 files as arrays, scored one row per request so a shard lasts long enough
// to be interrupted after it has written some.
const retryInput = await jsonlInput('retry/', ROWS - 16_000, 16_000, 4, (r) => JSON.stringify(r));

test('a shard\'s pod deleted mid-way and another runner killed with SIGKILL: both shards are retried and the output is still exactly once', { timeout: 600_000 }, async () => {
  const name = 'iris-retry';
  await createModelDeployment(client, namespace, batchModel(name, { input: { uri: 's3://scoring/retry/', format: 'jsonl' }, shards: 4, parallelism: 2, batchSize: 1, concurrency: 1 }));
  await readyForGeneration(client, namespace, name);
  const run = await requestBatchRun(client, namespace, name, () => {});
  const folder = folderOf(run);

  /** The pod of an index whose runner is scoring: running, and its progress line counts scored records. */
  const scoring = async (index: string) => {
    try {
      return await eventually(
        `index ${index}'s runner to have scored records`,
        async () => (await runPods(namespace, run)).find((p) => indexOf(p) === index && p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined),
        (p) => p !== undefined && runtime.containerPid(namespace, p.metadata?.name ?? '', RUNNER_CONTAINER) !== undefined && /modelship-batch: progress read \d+, scored [1-9]/.test(runtime.logs(namespace, p.metadata?.name ?? '', 5)),
        240_000,
        250,
      );
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${await describeRun(namespace, run)}`, { cause: err });
    }
  };
  // Index 0's pod is deleted (SIGTERM to its containers) while its runner is scoring, before its marker.
  const deleted = await scoring('0');
  const deletedName = deleted?.metadata?.name ?? '';
  assert.deepEqual(await listKeys(s3.client, 'scoring', `${folder}/_shards/0.json`), [], 'shard 0 had not finished');
  await core.deleteNamespacedPod({ namespace, name: deletedName });
  // Index 1's runner is killed with SIGKILL, as the OOM killer would, before its marker.
  const killed = await scoring('1');
  const killedName = killed?.metadata?.name ?? '';
  const pid = runtime.containerPid(namespace, killedName, RUNNER_CONTAINER);
  assert.deepEqual(await listKeys(s3.client, 'scoring', `${folder}/_shards/1.json`), [], 'shard 1 had not finished');
  assert.equal(runtime.kill(namespace, killedName, RUNNER_CONTAINER, 'SIGKILL'), true);
  log(`deleted pod ${deletedName} (index 0) and killed runner process ${pid} of ${killedName} (index 1) while they scored`);

  const md = await runEnded(namespace, name, run, 480_000);
  const record = md.status?.batch?.runs?.[0];
  assert.equal(record?.phase, 'Succeeded', JSON.stringify(record));
  assert.deepEqual(record?.records, { scored: 16_000, failed: 0 });
  assert.equal(conditionOf(md, 'LastRunSucceeded')?.status, 'True');
  assert.equal(conditionOf(md, 'Ready')?.status, 'True');

  // Both indexes ran again: the deleted pod is gone and another pod completed index 0; the killed pod failed
  // with 137 and another pod completed index 1.
  const pods = await runPods(namespace, run);
  assert.equal(pods.find((p) => p.metadata?.name === deletedName), undefined, 'the deleted pod is gone');
  const byIndex = (i: string) => pods.filter((p) => indexOf(p) === i);
  assert.deepEqual(byIndex('0').map((p) => p.status?.phase), ['Succeeded']);
  const killedPod = pods.find((p) => p.metadata?.name === killedName);
  assert.equal(killedPod?.status?.phase, 'Failed');
  assert.equal(runnerOf(killedPod ?? {})?.state?.terminated?.exitCode, 137);
  assert.deepEqual(byIndex('1').map((p) => p.status?.phase).sort(), ['Failed', 'Succeeded']);
  const job = await jobOf(namespace, run);
  assert.equal(job.status?.completedIndexes, '0-3');
  assert.ok((job.status?.failed ?? 0) >= 1, `the Job counted the killed pod: ${JSON.stringify(job.status)}`);

  // Still exactly once: one part and marker per shard, nothing of the interrupted attempts, every row once.
  const keys = await listKeys(s3.client, 'scoring', `${folder}/`);
  assert.deepEqual(keys, [`${folder}/_manifest.json`, ...[0, 1, 2, 3].flatMap((s) => [`${folder}/_shards/${s}.json`, `${folder}/part-0000${s}.jsonl`])].sort());
  const { manifest } = await checkScored(s3.client, 'scoring', folder, retryInput, predictions, 16_000);
  assert.equal(manifest.records, 16_000);
  log(`run ${run} with two interrupted shards: ${seconds(record?.startedAt, record?.completedAt)} from start to completion`);
});

// Scenario 3's input: 4,000 rows in 4 files, 37 of them malformed in one of three ways.
const badKinds = ['{"sepal_length": 5.1, "sepal_width"', '"a string"', '["a", 1, 2, 3]'];
const BAD_FROM = 60_000;
const isBad = (i: number) => (i - BAD_FROM) % 108 === 53;
const badInput = await jsonlInput('bad/', BAD_FROM, 4000, 4, (r, i) => (isBad(i) ? badKinds[i % 3]! : JSON.stringify(r)));
const badRows = [...badInput.entries()].filter(([, i]) => isBad(i));
assert.equal(badRows.length, 37);

test('37 malformed rows: the errors files name each with its position and scored + errors = input; with maxFailedRecords 10 the run fails with the reason and no manifest', { timeout: 600_000 }, async () => {
  const input = { uri: 's3://scoring/bad/', format: 'jsonl' };
  await createModelDeployment(client, namespace, batchModel('iris-tolerant', { input, shards: 4, parallelism: 2, maxFailedRecords: 100 }));
  await createModelDeployment(client, namespace, batchModel('iris-strict', { input, shards: 4, parallelism: 2, maxFailedRecords: 10 }));
  await readyForGeneration(client, namespace, 'iris-tolerant');
  await readyForGeneration(client, namespace, 'iris-strict');
  const tolerantRun = await requestBatchRun(client, namespace, 'iris-tolerant', () => {});
  const strictRun = await requestBatchRun(client, namespace, 'iris-strict', () => {});

  // Under the cap: the run succeeds with 3,963 scored and 37 in the errors files, each at its line's offset.
  const tolerant = await runEnded(namespace, 'iris-tolerant', tolerantRun, 480_000);
  const record = tolerant.status?.batch?.runs?.[0];
  assert.equal(record?.phase, 'Succeeded', JSON.stringify(record));
  assert.deepEqual(record?.records, { scored: 4000 - 37, failed: 37 });
  assert.match(conditionOf(tolerant, 'LastRunSucceeded')?.message ?? '', /3963 records scored, 37 failed/);
  const folder = folderOf(tolerantRun);
  const { manifest } = await checkScored(s3.client, 'scoring', folder, badInput, predictions, 4000 - 37);
  assert.equal(manifest.failed, 37);
  assert.equal(manifest.records, 4000);
  const errors = await readLines(s3.client, 'scoring', folder, manifest.errors.map((e) => e.key));
  assert.equal(errors.length, 37);
  assert.deepEqual(errors.map(lineId).sort(), badRows.map(([id]) => id).sort(), 'the errors files name exactly the malformed lines');
  for (const e of errors) {
    const i = badInput.get(lineId(e))!;
    assert.equal(e.record, badKinds[i % 3], `${lineId(e)}: the record as it was`);
    assert.ok(typeof e.reason === 'string' && e.reason !== '', `${lineId(e)}: a reason`);
  }
  assert.ok(manifest.errors.every((e) => /^errors\/part-\d{5}\.jsonl$/.test(e.key)));
  log(`errors line: ${JSON.stringify(errors[0])}`);

  // Over the cap: the run fails, says why, and leaves no manifest.
  const strict = await runEnded(namespace, 'iris-strict', strictRun, 480_000);
  const failed = strict.status?.batch?.runs?.[0];
  assert.equal(failed?.phase, 'Failed', JSON.stringify(failed));
  assert.equal(failed?.reason, 'TooManyBadRecords');
  assert.match(failed?.message ?? '', /^shard \d: .*more than --max-failed-records 10/);
  const condition = conditionOf(strict, 'LastRunSucceeded');
  assert.equal(condition?.status, 'False');
  assert.equal(condition?.reason, 'TooManyBadRecords');
  assert.match(condition?.message ?? '', new RegExp(`^run ${strictRun} failed: shard \\d: .*more than --max-failed-records 10`));
  log(`LastRunSucceeded: ${JSON.stringify(condition)}; run: ${JSON.stringify(failed)}`);
  assert.equal(conditionOf(strict, 'Ready')?.status, 'True', 'a failed run does not make the ModelDeployment unready');
  await eventually('RunFailed', () => Promise.resolve(operator.events), () => eventsOf(operator, 'iris-strict', 'RunFailed').length === 1, 30_000);
  const event = eventsOf(operator, 'iris-strict', 'RunFailed')[0];
  assert.equal(event?.type, 'Warning');
  assert.match(event?.message ?? '', new RegExp(`^run ${strictRun} failed \\(TooManyBadRecords: shard \\d: .*more than --max-failed-records 10\\)$`));
  log(`RunFailed: ${event?.message}`);
  // No manifest: the run is not complete. A shard that saw every marker wrote _failed.json instead, unless
  // a shard stopped on its own count first.
  const strictFolder = folderOf(strictRun);
  const strictKeys = await listKeys(s3.client, 'scoring', `${strictFolder}/`);
  assert.ok(!strictKeys.includes(`${strictFolder}/_manifest.json`), `no manifest: ${strictKeys.join(', ')}`);
  if (strictKeys.includes(`${strictFolder}/_failed.json`)) {
    const failure = JSON.parse(await readText(s3.client, 'scoring', `${strictFolder}/_failed.json`)) as { reason: string; failed: number; records: number };
    assert.deepEqual([failure.reason, failure.failed, failure.records], ['TooManyBadRecords', 37, 4000]);
  }
  log(`the failed run's folder: ${strictKeys.join(', ')}`);
});

test('a one-minute schedule on the operator\'s clock: two scheduled runs score, Forbid skips a time while one runs, keepRuns trims the older', { timeout: 600_000 }, async () => {
  const name = 'iris-nightly';
  const input = await jsonlInput('small/', 70_000, 600, 1, (r) => JSON.stringify(r));
  clock = new Date();
  await createModelDeployment(client, scheduled, batchModel(name, { input: { uri: 's3://scoring/small/', format: 'jsonl' }, shards: 1, schedule: '* * * * *', keepRuns: 1 }));
  await readyForGeneration(client, scheduled, name);
  /** Moves the operator's clock 2 s past the next minute and has it look; the minute's run name. */
  const nextMinute = () => {
    const minute = Math.floor(clock.getTime() / 60_000) * 60_000 + 60_000;
    clock = new Date(minute + 2000);
    clockOperator.controller.forceResync();
    return `${name}-${new Date(minute).toISOString().slice(0, 16).replace(/[-T:]/g, '')}`;
  };
  const runs = async () => (await batchApi.listNamespacedJob({ namespace: scheduled, labelSelector: LABEL_BATCH_RUN })).items.map((j) => j.metadata?.name).sort();

  const first = nextMinute();
  const afterFirst = await runEnded(scheduled, name, first, 300_000);
  assert.equal(afterFirst.status?.batch?.runs?.[0]?.phase, 'Succeeded');
  assert.equal(afterFirst.status?.batch?.runs?.[0]?.trigger, 'Schedule');

  const second = nextMinute();
  await eventually('the second run to be running', () => get(scheduled, name), (m) => m?.status?.batch?.currentRun?.name === second, 60_000);
  // A minute later the second run still runs (its model server takes seconds to load): Forbid skips that time.
  const skippedRun = nextMinute();
  await eventually('RunSkipped', () => Promise.resolve(clockOperator.events), () => eventsOf(clockOperator, name, 'RunSkipped').length === 1, 30_000);
  assert.match(eventsOf(clockOperator, name, 'RunSkipped')[0]?.message ?? '', new RegExp(`skipped: run ${second} is still active and concurrencyPolicy is Forbid`));

  const md = await runEnded(scheduled, name, second, 300_000);
  assert.equal(md.status?.batch?.lastSuccessfulRun?.name, second);
  // keepRuns 1: the first run's Job is deleted and status lists the second only; the skipped time never ran.
  assert.deepEqual(await eventually('history trimmed to keepRuns', runs, (r) => r.length === 1, 60_000), [second]);
  const trimmed = await eventually('status trimmed', () => get(scheduled, name), (m) => m?.status?.batch?.runs?.length === 1, 30_000);
  assert.equal(trimmed?.status?.batch?.runs?.[0]?.name, second);
  assert.ok(!(await runs()).includes(skippedRun));
  assert.equal(eventsOf(clockOperator, name, 'RunStarted').length, 2);
  // Predictions are never deleted: both runs' outputs are complete.
  for (const run of [first, second]) await checkScored(s3.client, 'scoring', folderOf(run), input, predictions, 600);
  await client.delete(mdRef(scheduled, name));
});

test('CSV and Parquet inputs are scored with the model\'s own predictions', { timeout: 600_000 }, async () => {
  // CSV: one object with a header row; a line's position is its byte offset.
  const csvFrom = 80_000;
  const csvIndex: RowIndex = new Map();
  let csv = `${FEATURES.join(',')}\n`;
  for (let i = csvFrom; i < csvFrom + 2000; i++) {
    csvIndex.set(`@${Buffer.byteLength(csv)}`, i);
    csv += `${rows[i]!.join(',')}\n`;
  }
  await s3.putObject('scoring', 'csv/table.csv', csv);
  // Parquet: one file of four DOUBLE columns in row groups of 500; a row's position is its row number.
  const pqFrom = 90_000;
  const pqRows = rows.slice(pqFrom, pqFrom + 2000);
  const parquet = parquetWriteBuffer({ columnData: FEATURES.map((f, c) => ({ name: f, data: pqRows.map((r) => r[c]!), type: 'DOUBLE' as const })), rowGroupSize: 500 });
  await s3.putObject('scoring', 'parquet/data.parquet', new Uint8Array(parquet));
  const pqIndex: RowIndex = new Map(pqRows.map((_, i) => [`data.parquet@${i}`, pqFrom + i]));

  await createModelDeployment(client, namespace, batchModel('iris-csv', { input: { uri: 's3://scoring/csv/table.csv', format: 'csv' }, shards: 2, parallelism: 2 }));
  await createModelDeployment(client, namespace, batchModel('iris-parquet', { input: { uri: 's3://scoring/parquet/', format: 'parquet' }, shards: 2, parallelism: 2 }));
  await readyForGeneration(client, namespace, 'iris-csv');
  await readyForGeneration(client, namespace, 'iris-parquet');
  const csvRun = await requestBatchRun(client, namespace, 'iris-csv', () => {});
  const pqRun = await requestBatchRun(client, namespace, 'iris-parquet', () => {});
  for (const [name, run, index] of [['iris-csv', csvRun, csvIndex], ['iris-parquet', pqRun, pqIndex]] as const) {
    const md = await runEnded(namespace, name, run, 480_000);
    assert.equal(md.status?.batch?.runs?.[0]?.phase, 'Succeeded', JSON.stringify(md.status?.batch?.runs?.[0]));
    assert.deepEqual(md.status?.batch?.runs?.[0]?.records, { scored: 2000, failed: 0 });
    const { manifest } = await checkScored(s3.client, 'scoring', folderOf(run), index, predictions, 2000);
    assert.equal(manifest.parts.length, 2);
  }
});
