// Request logging on real pods: a ModelDeployment of the sklearn iris model with spec.monitoring.logging
// runs on the process runtime's node as the operator renders it, modelship's agent (`node src/main.ts agent`,
// the image's entry point) in front of a real MLServer. Requests go through the gateway to the agent; the
// answers must be MLServer's (the predictions Python makes), each with its request id; the sampled
// request/response pairs must reach versitygw under the documented layout with the pod's identity; labels
// posted to the feedback endpoint through the same gateway must be joined to the logged predictions and
// counted in the agent's metrics, which a real Prometheus scrapes from the pod through its annotations.
// versitygw stopped for a minute under steady load fails no request, is counted, and logging resumes after
// it; then a second ModelDeployment (its own host) samples 2000 requests at 0.25 within binomial bounds.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { request } from 'undici';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import { writeIrisModel } from '../cluster/iris-model.ts';
import { processNodePlacement } from '../cluster/process-kubelet.ts';
import { ensureMlserverEnv } from '../cluster/python-env.ts';
import { startS3Server } from '../cluster/s3-server.ts';
import { listKeys, readText } from '../support/batch-output.ts';
import { installCrds } from '../support/crds.ts';
import { binomialRange, dataPathCluster } from '../support/data-path.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { steadyLoad } from '../support/steady-load.ts';
import { tarGz } from '../support/tar-writer.ts';
import { eventually } from '../support/wait.ts';

const log = (line: string) => process.stderr.write(`[inference-logging] ${line}\n`);
const pythonEnv = await ensureMlserverEnv();
const work = mkdtempSync(join(tmpdir(), 'modelship-inference-logging-'));
after(() => rmSync(work, { recursive: true, force: true }));
const { rows, predictions } = await writeIrisModel(pythonEnv, work, 300);
const archive = tarGz([{ name: 'model.joblib', body: readFileSync(join(work, 'model.joblib')) }]);

const cluster = await dataPathCluster({ processRuntime: true, prometheus: true });
const { dataPath } = cluster;
const runtime = dataPath.processRuntime;
const prometheus = dataPath.prometheus;
assert.ok(runtime && dataPath.gateway && prometheus, 'the data path runs the process runtime, a gateway and Prometheus');
const s3 = await startS3Server({ toolsDir: cluster.toolsDir, extraHost: dataPath.network.hostAddress });
after(() => s3.stop());
assert.ok(s3.podEndpoint);
await s3.createBucket('models');
await s3.createBucket('inference-logs');
await s3.putObject('models', 'iris/1/model.tar.gz', archive);

await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const namespace = await testNamespace(kc, 'inference-logging');
const stringData = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region, AWS_ENDPOINT_URL: s3.podEndpoint };
await core.createNamespacedSecret({ namespace, body: { metadata: { name: 's3-creds' }, stringData } });
await startInProcessOperator(kc, [namespace]);

const name = 'iris';
const INFER = `/v2/models/${name}/infer`;
const inferBody = (row: readonly number[]) => JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: [...row] }] });

interface Answer {
  readonly status: number;
  readonly requestId: string | null;
  readonly body: string;
  /** Milliseconds from sending to the whole answer. */
  readonly ms: number;
}

/** A POST through the gateway; `host` reaches the route of a ModelDeployment with traffic.hosts. Network errors are status 0. */
async function post(path: string, body: string, headers: Record<string, string> = {}, host?: string): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await request(`${dataPath.gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(host !== undefined ? { host } : {}), ...headers }, body, signal: AbortSignal.timeout(30_000) });
    const text = await res.body.text();
    const id = res.headers['x-request-id'];
    return { status: res.statusCode, requestId: typeof id === 'string' ? id : null, body: text, ms: performance.now() - started };
  } catch (err) {
    return { status: 0, requestId: null, body: err instanceof Error ? err.message : String(err), ms: performance.now() - started };
  }
}

async function servingPod(md = name): Promise<V1Pod> {
  const pods = (await core.listNamespacedPod({ namespace, labelSelector: `modelship.io/model-deployment=${md}` })).items;
  assert.equal(pods.length, 1, 'one serving pod');
  return pods[0]!;
}

async function agentMetrics(pod: V1Pod): Promise<string> {
  return (await fetch(`http://${pod.status?.podIP}:9464/metrics`)).text();
}

/** Every record logged under a prefix of the log bucket. */
async function loggedRecords(prefix: string): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  for (const key of await listKeys(s3.client, 'inference-logs', prefix)) {
    for (const line of (await readText(s3.client, 'inference-logs', key)).split('\n')) if (line !== '') records.push(JSON.parse(line) as Record<string, unknown>);
  }
  return records;
}

/** The value of one series in Prometheus text: the metric name and every label given must match. */
function seriesValue(text: string, metric: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** One number from an instant query; undefined while the result is empty. */
async function promValue(query: string): Promise<number | undefined> {
  const res = await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
  const value = body.data?.result?.[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

const SAMPLED = 'iris-sampled';
const SAMPLED_HOST = 'iris-sampled.example.com';

/** The iris model on MLServer behind the agent, logging at `sampleRate`; routed by `host` when given, else any host. */
function irisDeployment(md: string, sampleRate: number, host?: string): Record<string, unknown> {
  const traffic = { provider: 'gateway-api', gateway: { name: dataPath.gateway!.name, namespace: dataPath.gateway!.namespace }, ...(host !== undefined ? { hosts: [host] } : {}) };
  return {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name: md },
    spec: {
      model: { name: md, version: '1', uri: 's3://models/iris/1/model.tar.gz', format: 'sklearn', sha256: createHash('sha256').update(archive).digest('hex'), credentials: { secretRef: { name: 's3-creds' } } },
      runtime: { preset: 'mlserver', ...processNodePlacement() },
      replicas: 1,
      rollout: { strategy: 'canary', steps: [{ weight: 50 }], traffic },
      monitoring: { logging: { uri: 's3://inference-logs/tenant-a', sampleRate, flushInterval: '2s' } },
    },
  };
}

/** Request ids the client received for each row index, sent in order. */
const sent = new Map<string, number>();

test('the agent fronts a real MLServer: answers unchanged, request ids returned, every pair logged under the layout', { timeout: 600_000 }, async () => {
  const started = Date.now();
  await createModelDeployment(client, namespace, irisDeployment(name, 1));
  const get = () => client.get<ModelDeploymentObject>(mdRef(namespace, name));
  try {
    await eventually('the ModelDeployment to be Ready', get, (md) => conditionOf(md, 'Ready')?.status === 'True', 240_000, 1000);
  } catch (err) {
    const pods = (await core.listNamespacedPod({ namespace })).items;
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${pods.map((p) => `${JSON.stringify(p.status?.containerStatuses)}\n${runtime.logs(namespace, p.metadata?.name ?? '')}`).join('\n')}`, { cause: err });
  }
  log(`Ready ${Math.round((Date.now() - started) / 1000)} s after apply`);
  const pod = await servingPod();
  const agent = pod.status?.containerStatuses?.find((c) => c.name === 'agent');
  assert.equal(agent?.ready, true, 'the agent container is ready');

  // Until the route is live, requests may fail: none of those is counted.
  await eventually('the gateway to route to the agent', () => post(INFER, inferBody(rows[0]!)), (a) => a.status === 200, 60_000, 250);

  // 300 single-row requests, half with an id of the client's own.
  for (let i = 0; i < rows.length; i++) {
    const own = i % 2 === 0 ? `client-${randomUUID()}` : undefined;
    const answer = await post(INFER, inferBody(rows[i]!), own !== undefined ? { 'x-request-id': own } : {});
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual((JSON.parse(answer.body) as { outputs: { data: number[] }[] }).outputs[0]?.data, [predictions[i]], `row ${i}: MLServer's answer`);
    assert.ok(answer.requestId, `row ${i}: a request id in the answer`);
    if (own !== undefined) assert.equal(answer.requestId, own, `row ${i}: the client's id is kept`);
    sent.set(answer.requestId, i);
  }
  assert.equal(sent.size, rows.length, 'every request id is distinct');

  // Every pair is logged (sampleRate 1), under namespace=/model=/version=/date=/hour=, with the pod's identity.
  const prefix = `tenant-a/namespace=${namespace}/model=${name}/version=1/`;
  const logged = await eventually(
    'every request to be logged',
    async () => {
      const records: Record<string, unknown>[] = [];
      const keys = await listKeys(s3.client, 'inference-logs', prefix);
      for (const key of keys) {
        assert.match(key, new RegExp(`^${prefix}date=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/${pod.metadata?.name}-\\d+-\\d+\\.jsonl$`));
        for (const line of (await readText(s3.client, 'inference-logs', key)).split('\n')) if (line !== '') records.push(JSON.parse(line) as Record<string, unknown>);
      }
      return records;
    },
    (records) => records.filter((r) => r['path'] === INFER).length >= rows.length,
    60_000,
    1000,
  );
  // The kubelet's readiness probes went through the agent all along, but are not traffic: never logged.
  assert.deepEqual(logged.filter((r) => r['path'] !== INFER).map((r) => r['path']), []);
  const byId = new Map(logged.map((r) => [String(r['requestId']), r]));
  for (const [id, i] of sent) {
    const record = byId.get(id);
    assert.ok(record, `request ${id} (row ${i}) is logged`);
    assert.equal(record['namespace'], namespace);
    assert.equal(record['model'], name);
    assert.equal(record['version'], '1');
    assert.equal(record['variant'], 'stable');
    assert.equal(record['status'], 200);
    assert.deepEqual((record['request'] as { inputs: { data: number[] }[] }).inputs[0]?.data, rows[i]);
    assert.deepEqual((record['response'] as { outputs: { data: number[] }[] }).outputs[0]?.data, [predictions[i]]);
  }
  // The agent's own request counter saw them as 200s.
  assert.ok(seriesValue(await agentMetrics(pod), 'modelship_inference_requests_total', { code: '200' }) >= rows.length);
});

test('labels posted through the gateway are joined to the logged predictions: 30% wrong on purpose gives 0.70', { timeout: 120_000 }, async () => {
  assert.equal(sent.size, rows.length, 'the previous test sent the requests');
  const labels = [...sent].map(([requestId, i]) => ({ requestId, label: i % 10 < 3 ? ((predictions[i]! + 1) % 3) : predictions[i]! }));
  const wrong = labels.filter((l, k) => l.label !== predictions[[...sent.values()][k]!]).length;
  const answer = await post('/modelship/v1/feedback', JSON.stringify(labels));
  assert.equal(answer.status, 202, answer.body);
  const pod = await servingPod();
  const counts = await eventually(
    'the labels to be counted',
    async () => {
      const text = await agentMetrics(pod);
      const of = (result: string) => seriesValue(text, 'modelship_inference_labels_total', { prediction_variant: 'stable', prediction_version: '1', result });
      return { correct: of('correct'), incorrect: of('incorrect') };
    },
    (c) => c.correct + c.incorrect >= labels.length,
    60_000,
    500,
  );
  assert.deepEqual(counts, { correct: labels.length - wrong, incorrect: wrong });
  assert.equal(counts.correct / labels.length, 0.7);
  // The same through Prometheus, by the scrape's target labels and the prediction's identity: what the
  // accuracy check, the alerts and the dashboard query.
  const selector = `namespace="${namespace}",model_deployment="${name}",prediction_version="1"`;
  const seen = await eventually(
    'Prometheus to see every label',
    async () => ({
      total: await promValue(`sum(modelship_inference_labels_total{${selector}})`),
      accuracy: await promValue(`sum(modelship_inference_labels_total{${selector},result="correct"}) / sum(modelship_inference_labels_total{${selector}})`),
    }),
    (v) => v.total === labels.length,
    60_000,
    1000,
  );
  assert.equal(seen.accuracy, 0.7);
});

/** The agent's log record counters and buffer from one scrape. */
function logCounts(text: string): { written: number; dropped: number; sampledOut: number; buffered: number; uploadErrors: number; ok: number } {
  const outcome = (o: string) => seriesValue(text, 'modelship_agent_log_records_total', { outcome: o });
  return {
    written: outcome('written'),
    dropped: outcome('dropped'),
    sampledOut: outcome('sampled_out'),
    buffered: seriesValue(text, 'modelship_agent_log_buffer_records', {}),
    uploadErrors: seriesValue(text, 'modelship_agent_log_flushes_total', { result: 'error' }),
    ok: seriesValue(text, 'modelship_inference_requests_total', { code: '200' }),
  };
}

/** Counters once the buffer is empty and `holds`: nothing of the requests sent so far is still on its way. */
function settled(pod: V1Pod, holds: (c: ReturnType<typeof logCounts>) => boolean = () => true, timeoutMs = 60_000): Promise<ReturnType<typeof logCounts>> {
  return eventually('the agent to write its buffer', async () => logCounts(await agentMetrics(pod)), (c) => c.buffered === 0 && holds(c), timeoutMs, 500);
}

test('versitygw stopped for a minute under steady load: no request fails or waits for it, drops and upload errors are counted, logging resumes', { timeout: 600_000 }, async () => {
  const pod = await servingPod();
  const before = await settled(pod);
  const load = steadyLoad(async (n) => ({ ...(await post(INFER, inferBody(rows[n % rows.length]!))), at: Date.now() }), { workers: 4, pauseMs: 20 });
  await sleep(3000);
  await s3.halt();
  const haltedAt = Date.now();
  let resumedAt = 0;
  try {
    await sleep(60_000);
  } finally {
    await s3.resume();
    resumedAt = Date.now();
  }
  await sleep(5000);
  await load.stop();
  const replies = load.replies;
  assert.deepEqual(replies.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.body}`), [], 'every request succeeds while the store is down');
  const during = replies.filter((a) => a.at - a.ms >= haltedAt && a.at <= resumedAt).map((a) => a.ms).sort((x, y) => x - y);
  const at = (q: number) => Math.round(during[Math.min(during.length - 1, Math.floor(q * during.length))]!);
  log(`${replies.length} requests, ${during.length} sent and answered during the ${Math.round((resumedAt - haltedAt) / 1000)} s outage: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
  assert.ok(during.length > 100, 'steady traffic during the outage');
  // Uploads retry for as long as the store is down (up to 5 s apart); a request that waited for the sink would
  // take that long, so the slowest one stays below the 2 s flush interval.
  assert.ok(at(1) < 2000, `the slowest request during the outage took ${at(1)} ms`);

  // Requests after the restart are logged; every request is accounted for as written, dropped or sampled out.
  const afterIds: string[] = [];
  for (let i = 0; i < 50; i++) {
    const answer = await post(INFER, inferBody(rows[i]!));
    assert.equal(answer.status, 200, answer.body);
    afterIds.push(answer.requestId!);
  }
  const total = replies.length + afterIds.length;
  const accounted = (c: ReturnType<typeof logCounts>) => c.written + c.dropped + c.sampledOut - (before.written + before.dropped + before.sampledOut);
  const after = await settled(pod, (c) => accounted(c) >= total, 120_000);
  assert.equal(after.ok - before.ok, total, 'the agent counted every request as a 200');
  assert.equal(accounted(after), total, 'written + dropped + sampled_out = requests');
  assert.ok(after.uploadErrors > before.uploadErrors, 'failed uploads are counted');
  log(`upload errors ${after.uploadErrors - before.uploadErrors}, written ${after.written - before.written}, dropped ${after.dropped - before.dropped}`);
  const logged = new Set((await loggedRecords(`tenant-a/namespace=${namespace}/model=${name}/version=1/`)).map((r) => String(r['requestId'])));
  assert.deepEqual(afterIds.filter((id) => !logged.has(id)), [], 'requests after the restart are in the files');
  const written = replies.filter((a) => a.requestId !== null && logged.has(a.requestId)).length;
  assert.equal(written, after.written - before.written - afterIds.length, 'the files hold what the agent counts as written');
});

// A second ModelDeployment beside the first, on its own host: sampling is per pod, so its counters and files
// are its own.
test('sample rate 0.25 in a real pod: 2000 requests through the gateway log a binomial share (6 sigma), each with its client id once', { timeout: 600_000 }, async () => {
  await createModelDeployment(client, namespace, irisDeployment(SAMPLED, 0.25, SAMPLED_HOST));
  await eventually('the sampled ModelDeployment to be Ready', () => client.get<ModelDeploymentObject>(mdRef(namespace, SAMPLED)), (md) => conditionOf(md, 'Ready')?.status === 'True', 240_000, 1000);
  const path = `/v2/models/${SAMPLED}/infer`;
  // Every id any client got back from this host, the route probes' included.
  const clientIds = new Set<string>();
  const send = async (i: number) => {
    const answer = await post(path, inferBody(rows[i % rows.length]!), {}, SAMPLED_HOST);
    if (answer.requestId !== null) clientIds.add(answer.requestId);
    return answer;
  };
  await eventually('the gateway to route the host to the sampled agent', () => send(0), (a) => a.status === 200, 60_000, 250);
  const pod = await servingPod(SAMPLED);
  const before = await settled(pod);

  const n = 2000;
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        const i = next++;
        answers.push(await send(i));
      }
    }),
  );
  assert.deepEqual(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.body}`), [], 'every request answered 200');
  const ids = new Set(answers.map((a) => a.requestId));
  assert.equal(ids.size, n, 'every request id is distinct');

  const after = await settled(pod, (c) => c.written + c.sampledOut + c.dropped - (before.written + before.sampledOut + before.dropped) >= n);
  const written = after.written - before.written;
  assert.equal(after.ok - before.ok, n, 'the agent counted every request as a 200');
  assert.equal(after.dropped - before.dropped, 0);
  assert.equal(written + after.sampledOut - before.sampledOut, n, 'written + sampled_out = requests');
  const { low, high } = binomialRange(n, 0.25, 6);
  assert.ok(written >= low && written <= high, `${written} of ${n} logged, expected ${low}..${high}`);

  const records = await loggedRecords(`tenant-a/namespace=${namespace}/model=${SAMPLED}/version=1/`);
  const loggedIds = records.map((r) => String(r['requestId']));
  assert.equal(new Set(loggedIds).size, loggedIds.length, 'no request is logged twice');
  assert.deepEqual(loggedIds.filter((id) => !clientIds.has(id)), [], 'every logged id is one a client received');
  assert.equal(loggedIds.filter((id) => ids.has(id)).length, written, 'the files hold what the agent counts as written');
  for (const r of records) assert.deepEqual([r['namespace'], r['model'], r['version'], r['variant'], r['path'], r['status']], [namespace, SAMPLED, '1', 'stable', path, 200]);
  log(`sampled ${written} of ${n} at 0.25 (bounds ${low}..${high})`);
});
