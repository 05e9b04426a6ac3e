// Retraining triggers against real targets: a real Apache Airflow 3 (test/cluster/airflow-server.ts), a
// local webhook receiver that verifies signatures as docs/retraining.md tells receivers to, and the real
// API server (Jobs, Secrets, status writes) with the controller in process.
// - Airflow: one trigger is one DAG run carrying the evidence in conf; the same id sent again is no
//   second run (409 taken as sent); with Airflow unreachable (a TCP relay in front of it, closed) the
//   trigger stays Pending with backoff, status and a RetrainingFailed Event say so, and once Airflow is
//   back exactly one run exists.
// - Webhook: a bad signature is refused by the receiver, a good one accepted, the same delivery id twice
//   is acted on once.
// - Job: one Job per trigger, named from the id; an operator restart does not send a second (cooldown
//   and the trigger are in status).
// - The operator's modelship_retraining_sends_total counts the failed sends and the accepted one.
// - AccuracyBelow: the stable revision's accuracy read from a real Prometheus (labels written as TSDB
//   blocks) below the threshold sends one Job trigger, and later slots inside the cooldown none; without
//   a Prometheus to ask, one Warning Event says so.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAirflowServer } from '../cluster/airflow-server.ts';
import { sharedCluster } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { testNamespace } from '../support/namespaces.ts';
import { createModelDeployment, mdRef, testClient } from '../support/model-deployments.ts';
import { startInProcessOperator, type InProcessOperator } from '../support/in-process-operator.ts';
import { eventually } from '../support/wait.ts';
import { startLabelsPrometheus } from '../support/labels-prometheus.ts';
import { validManifest, withChanges, type Json } from '../fixtures/manifests.ts';
import { createOutboundClient, parseCidr } from '../../src/outbound/index.ts';
import { AirflowTarget } from '../../src/retraining/airflow-target.ts';
import { sendWebhook } from '../../src/retraining/webhook-target.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '../../src/retraining/webhook-signature.ts';
import type { AirflowConnection } from '../../src/retraining/targets-file.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';

const log = (line: string) => process.stderr.write(`[retraining-targets] ${line}\n`);
const DAG = 'modelship_conf_echo';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'retrain');
const allowCidrs = [parseCidr('127.0.0.0/8')!];
const http = createOutboundClient({ allowCidrs });
const out = mkdtempSync(join(tmpdir(), 'modelship-retrain-out-'));
const airflow = await startAirflowServer({ dagsFolder: resolve(import.meta.dirname, '..', 'fixtures', 'airflow', 'dags'), dagIds: [DAG], log });
after(async () => {
  await http.close();
  await airflow.stop();
  rmSync(out, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
async function secret(name: string, data: Record<string, string>): Promise<void> {
  await client.create({ apiVersion: 'v1', kind: 'Secret', namespace }, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });
}
await secret('airflow-login', { username: airflow.username, password: airflow.password });
await secret('hook-key', { key: 'the-platform-key' });
await secret('wrong-key', { key: 'not-the-key' });

interface DagRun {
  dag_run_id: string;
  state: string;
  conf: Record<string, unknown>;
}
async function runsOf(id: string): Promise<DagRun[]> {
  const list = (await airflow.api('GET', `dags/${DAG}/dagRuns?limit=100`)) as { dag_runs: DagRun[] };
  return list.dag_runs.filter((r) => r.dag_run_id === id);
}
async function finished(id: string): Promise<DagRun> {
  return eventually(`DAG run ${id} to end`, async () => (await airflow.api('GET', `dags/${DAG}/dagRuns/${id}`)) as DagRun, (r) => r.state === 'success' || r.state === 'failed', 120_000, 1000);
}

test('Airflow: one trigger is one DAG run with the evidence in conf; the same id again is no second run', async () => {
  const target = new AirflowTarget({ http, client, namespace });
  const connection: AirflowConnection = { name: 'airflow-test', address: airflow.url, basicAuthSecret: { name: 'airflow-login' } };
  const id = 'rt-00000000000000a1';
  const file = join(out, `${id}.json`);
  const evidence = { id, reason: 'Drift', model: 'iris', namespace, version: '3', features: ['petal_length'], window: { start: '2026-12-04T09:00:00Z', end: '2026-12-04T10:00:00Z' }, logUri: 's3://logs/a' };
  const first = await target.send(connection, DAG, id, { out: file, modelship: evidence });
  assert.deepEqual(first, { ok: true, runId: id, duplicate: false });
  const again = await target.send(connection, DAG, id, { out: file, modelship: evidence });
  assert.deepEqual(again, { ok: true, runId: id, duplicate: true });
  assert.equal((await runsOf(id)).length, 1, 'exactly one DAG run of that id');
  const run = await finished(id);
  assert.equal(run.state, 'success', airflow.logs());
  const seen = JSON.parse(readFileSync(file, 'utf8')) as { modelship: typeof evidence };
  assert.deepEqual(seen.modelship, evidence, 'the task received the evidence');
  assert.deepEqual(await target.outcome(connection, DAG, id), { state: 'Succeeded', message: `DAG run ${id} of ${DAG} succeeded` });
});

// ---- webhook ---------------------------------------------------------------------------------------

/** A receiver as docs/retraining.md describes: verify the signature over the raw body, then act once per delivery id. */
async function startReceiver(key: string) {
  const handled: string[] = [];
  const refused: string[] = [];
  const read = (req: IncomingMessage) => new Promise<string>((res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => res(Buffer.concat(chunks).toString('utf8')));
  });
  const server = createHttpServer((req, res) => {
    void read(req).then((body) => {
      const check = verifyWebhook(key, { signature: req.headers[SIGNATURE_HEADER] as string, timestamp: req.headers[TIMESTAMP_HEADER] as string }, body, Math.floor(Date.now() / 1000));
      if (!check.ok) {
        refused.push(check.why);
        res.writeHead(401).end(check.why);
        return;
      }
      const delivery = req.headers[DELIVERY_HEADER] as string;
      if (!handled.includes(delivery)) handled.push(delivery); // acted on once; a repeat is answered 200 and ignored
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  after(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${port}/hooks/retrain`, handled, refused };
}

test('webhook: a bad signature is refused by the receiver, a good one accepted, the same delivery twice acted on once', async () => {
  const receiver = await startReceiver('the-platform-key');
  const deps = { http, client, namespace, now: () => new Date() };
  const payload = { id: 'rt-00000000000000b1', reason: 'Schedule', model: 'iris' };
  const bad = await sendWebhook(deps, { name: 'ci-hook', url: receiver.url, hmacSecret: { name: 'wrong-key', key: 'key' } }, payload.id, payload);
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.message, /HTTP 401 bad signature/);
  assert.deepEqual(receiver.refused, ['bad signature']);
  const endpoint = { name: 'ci-hook', url: receiver.url, hmacSecret: { name: 'hook-key', key: 'key' } };
  assert.deepEqual(await sendWebhook(deps, endpoint, payload.id, payload), { ok: true, runId: payload.id, duplicate: false });
  assert.deepEqual(await sendWebhook(deps, endpoint, payload.id, payload), { ok: true, runId: payload.id, duplicate: false });
  assert.deepEqual(receiver.handled, [payload.id], 'the receiver acted on the delivery once');
});

// ---- through the controller ------------------------------------------------------------------------

/** A TCP relay in front of Airflow that can be closed and opened again on the same port. */
async function relay(targetPort: number) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  const open = async () => {
    server = createTcpServer((inbound) => {
      const outbound = connect(targetPort, '127.0.0.1');
      sockets.add(inbound).add(outbound);
      inbound.pipe(outbound).pipe(inbound);
      const end = () => {
        inbound.destroy();
        outbound.destroy();
      };
      inbound.on('error', end).on('close', end);
      outbound.on('error', end).on('close', end);
    });
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  };
  const close = async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  };
  await open();
  after(close);
  return { port: () => port, open, close };
}

/** modelship_retraining_sends_total of one ModelDeployment by `result`, read from the operator's metrics text. */
async function sendsOf(operator: InProcessOperator, name: string, reason: string, target: string): Promise<Record<string, number>> {
  const text = await operator.metrics.registry.metrics();
  const out: Record<string, number> = {};
  const prefix = `modelship_retraining_sends_total{model_namespace="${namespace}",model_deployment="${name}",reason="${reason}",target="${target}",result="`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const [result, value] = line.slice(prefix.length).split('"} ');
    out[result!] = Number(value);
  }
  return out;
}

const retrainingMd = (name: string, retraining: Json) => withChanges(validManifest(name), { 'spec.replicas': 1, 'spec.monitoring': { retraining } });
type Retraining = { lastTrigger?: { id?: string; state?: string; attempts?: number; message?: string; runId?: string; nextAttemptTime?: string }; nextAllowedTime?: string };
const retrainingOf = async (name: string): Promise<Retraining | undefined> =>
  ((await client.get<ModelDeploymentObject>(mdRef(namespace, name)))?.status as { retraining?: Retraining } | undefined)?.retraining;
/** Accepted by its target: Sent, or already further (the Job's outcome is read back as soon as it is Sent). */
const accepted = (r: Retraining | undefined) => ['Sent', 'Running', 'Succeeded', 'Failed'].includes(r?.lastTrigger?.state ?? '');

test('Airflow unreachable: the trigger stays Pending with backoff and a RetrainingFailed Event; once back, exactly one run', async () => {
  const airflowPort = Number(new URL(airflow.url).port);
  const front = await relay(airflowPort);
  await front.close();
  const operator = await startInProcessOperator(kc, [namespace], {
    outboundAllowCidrs: allowCidrs,
    operatorNamespace: namespace,
    retrainingTargets: { airflow: [{ name: 'airflow-test', address: `http://127.0.0.1:${front.port()}`, basicAuthSecret: { name: 'airflow-login' }, default: true }], webhooks: [] },
  });
  const file = join(out, 'controller.json');
  // Every minute: the latest minute is due at once; the cooldown keeps it to one trigger.
  await createModelDeployment(client, namespace, retrainingMd('iris-airflow', { on: { schedule: '* * * * *' }, cooldown: '1h', airflow: { dagId: DAG, conf: { out: file } } }));
  const pending = await eventually('a failed send recorded', () => retrainingOf('iris-airflow'), (r) => r?.lastTrigger?.state === 'Pending' && (r.lastTrigger.attempts ?? 0) >= 1, 60_000, 500);
  const id = pending!.lastTrigger!.id!;
  assert.match(pending!.lastTrigger!.message ?? '', /cannot be reached/);
  assert.ok(pending!.lastTrigger!.nextAttemptTime !== undefined, 'the next attempt is scheduled');
  assert.ok(operator.events.some((e) => e.reason === 'RetrainingFailed' && e.name === 'iris-airflow'), JSON.stringify(operator.events));
  assert.equal((await runsOf(id)).length, 0);

  await front.open();
  const sent = await eventually('the trigger sent once Airflow is back', () => retrainingOf('iris-airflow'), (r) => r?.lastTrigger?.state !== 'Pending', 90_000, 500);
  assert.equal(sent!.lastTrigger!.id, id, 'the same id as the failed attempts');
  assert.equal(sent!.lastTrigger!.runId, id);
  assert.equal((await runsOf(id)).length, 1, 'exactly one DAG run');
  const run = await finished(id);
  assert.equal(run.state, 'success', airflow.logs());
  // The DAG run's outcome, read back from Airflow by the operator within a poll interval (30 s) of its end.
  const outcome = await eventually("the DAG run's outcome in status", () => retrainingOf('iris-airflow'), (r) => r?.lastTrigger?.state === 'Succeeded', 45_000, 500);
  assert.equal(outcome!.lastTrigger!.message, `DAG run ${id} of ${DAG} succeeded`);
  const conf = JSON.parse(readFileSync(file, 'utf8')) as { out: string; modelship: { id: string; reason: string; model: string; namespace: string } };
  assert.deepEqual([conf.modelship.id, conf.modelship.reason, conf.modelship.model, conf.modelship.namespace], [id, 'Schedule', 'iris-airflow', namespace]);
  assert.ok(operator.events.some((e) => e.reason === 'RetrainingTriggered' && e.name === 'iris-airflow'));
  // The operator's counter: the failed attempts, then the one send that started the run.
  const sends = await sendsOf(operator, 'iris-airflow', 'Schedule', 'airflow');
  assert.equal(sends.sent, 1, JSON.stringify(sends));
  assert.ok((sends.failed ?? 0) >= 1, JSON.stringify(sends));
  await operator.stop();
});

test('Job: one Job per trigger, and an operator restart sends no second one (the cooldown is held in status)', async () => {
  const jobsOf = async () =>
    (await client.list<KubeObject>({ apiVersion: 'batch/v1', kind: 'Job', namespace }, { labelSelector: 'modelship.io/retraining-for=iris-job' })).items;
  const first = await startInProcessOperator(kc, [namespace], { operatorNamespace: namespace });
  await createModelDeployment(client, namespace, retrainingMd('iris-job', { on: { schedule: '* * * * *' }, cooldown: '2h', job: { image: 'ghcr.io/example/retrain:1.0', args: ['--epochs', '1'] } }));
  const sent = await eventually('the Job trigger sent', () => retrainingOf('iris-job'), accepted, 60_000, 500);
  const id = sent!.lastTrigger!.id!;
  assert.equal(sent!.lastTrigger!.runId, `iris-job-${id}`);
  const jobs = await jobsOf();
  assert.deepEqual(jobs.map((j) => j.metadata?.name), [`iris-job-${id}`]);
  const env = (jobs[0] as unknown as { spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } } }).spec.template.spec.containers[0]!.env;
  const trigger = JSON.parse(env.find((e) => e.name === 'MODELSHIP_TRIGGER')!.value) as { id: string; reason: string };
  assert.deepEqual([trigger.id, trigger.reason], [id, 'Schedule']);
  await first.stop();

  // A new operator (as after a restart or a leader change), across the next scheduled minute.
  const second = await startInProcessOperator(kc, [namespace], { operatorNamespace: namespace });
  const nextMinute = 60_000 - (Date.now() % 60_000) + 3000;
  await new Promise((r) => setTimeout(r, nextMinute));
  second.controller.queue.add(`${namespace}/iris-job`);
  await new Promise((r) => setTimeout(r, 2000));
  assert.deepEqual((await jobsOf()).map((j) => j.metadata?.name), [`iris-job-${id}`], 'still one Job');
  assert.equal((await retrainingOf('iris-job'))?.lastTrigger?.id, id);
  assert.ok(!second.events.some((e) => e.reason === 'RetrainingTriggered'), JSON.stringify(second.events));
  assert.equal((await sendsOf(first, 'iris-job', 'Schedule', 'job')).sent, 1);
  assert.deepEqual(await sendsOf(second, 'iris-job', 'Schedule', 'job'), {}, 'no send, no count');
  await second.stop();
});

test('a Pending trigger left by a crash between its write and its send is sent once, with its id', async () => {
  await createModelDeployment(client, namespace, retrainingMd('iris-crash', { on: { schedule: '0 0 1 1 *' }, cooldown: '1h', job: { image: 'ghcr.io/example/retrain:1.0' } }));
  // What an operator leaves when it stops right after step 1: the trigger in status, nothing sent.
  const id = 'rt-0000000000c0ffee';
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await client.mergePatch(
    { ...mdRef(namespace, 'iris-crash'), subresource: 'status' },
    { status: { retraining: { lastTrigger: { id, reason: 'Drift', time, evidenceTime: time, target: 'job', state: 'Pending', attempts: 0 } } } },
  );
  const operator = await startInProcessOperator(kc, [namespace], { operatorNamespace: namespace });
  const sent = await eventually('the Pending trigger sent', () => retrainingOf('iris-crash'), accepted, 60_000, 500);
  assert.equal(sent!.lastTrigger!.id, id);
  const jobs = (await client.list<KubeObject>({ apiVersion: 'batch/v1', kind: 'Job', namespace }, { labelSelector: 'modelship.io/retraining-for=iris-crash' })).items;
  assert.deepEqual(jobs.map((j) => j.metadata?.name), [`iris-crash-${id}`]);
  assert.equal((await sendsOf(operator, 'iris-crash', 'Drift', 'job')).sent, 1, 'the Pending trigger counted under its own reason');
  await operator.stop();
});

test('AccuracyBelow: accuracy 0.6 under 0.9 sends one Job trigger; none again within the cooldown', async () => {
  // The first revision of a new ModelDeployment is 1: its labels say 0.6 over the last hour.
  const prometheus = await startLabelsPrometheus([{ namespace, model: 'iris-accuracy', revision: 1, correct: 0.6, incorrect: 0.4 }]);
  after(() => prometheus.stop());
  let aheadMs = 0;
  const operator = await startInProcessOperator(kc, [namespace], {
    operatorNamespace: namespace,
    prometheusAddress: prometheus.address,
    outboundAllowCidrs: allowCidrs,
    now: () => new Date(Date.now() + aheadMs),
  });
  const jobsOf = async () =>
    (await client.list<KubeObject>({ apiVersion: 'batch/v1', kind: 'Job', namespace }, { labelSelector: 'modelship.io/retraining-for=iris-accuracy' })).items.map((j) => j.metadata?.name);
  await createModelDeployment(client, namespace, retrainingMd('iris-accuracy', { on: { accuracyBelow: 0.9 }, cooldown: '2h', job: { image: 'ghcr.io/example/retrain:1.0' } }));
  // The Job may have run already (the test cluster completes Jobs at once): Sent or any state after it.
  const sent = await eventually('the accuracy trigger sent', () => retrainingOf('iris-accuracy'), (r) => ['Sent', 'Running', 'Succeeded'].includes(r?.lastTrigger?.state ?? ''), 60_000, 500);
  const trigger = sent!.lastTrigger as { id: string; reason?: string; evidenceTime?: string };
  assert.equal(trigger.reason, 'AccuracyBelow');
  assert.equal(new Date(trigger.evidenceTime!).getTime() % 300_000, 0, `the evidence time is a 5-minute slot: ${trigger.evidenceTime}`);
  const md = await client.get<ModelDeploymentObject>(mdRef(namespace, 'iris-accuracy'));
  assert.equal(md?.status?.stable?.revision, 1, 'the labels were written for the stable revision');
  assert.deepEqual(await jobsOf(), [`iris-accuracy-${trigger.id}`]);

  // Two later slots inside the 2h cooldown: each is read again and still below, and sends nothing.
  for (const minutes of [6, 11]) {
    aheadMs = minutes * 60_000;
    operator.controller.queue.add(`${namespace}/iris-accuracy`);
    await new Promise((r) => setTimeout(r, 3000));
  }
  assert.deepEqual(await jobsOf(), [`iris-accuracy-${trigger.id}`], 'still one Job');
  assert.equal((await retrainingOf('iris-accuracy'))?.lastTrigger?.id, trigger.id);
  assert.deepEqual(operator.events.filter((e) => e.name === 'iris-accuracy' && e.reason.startsWith('Retraining')).map((e) => e.reason), ['RetrainingTriggered']);
  await operator.stop();
});

test('AccuracyBelow without a Prometheus to ask: one Warning Event, no trigger, no crash', async () => {
  const operator = await startInProcessOperator(kc, [namespace], { operatorNamespace: namespace });
  await createModelDeployment(client, namespace, retrainingMd('iris-no-prom', { on: { accuracyBelow: 0.9 }, cooldown: '1h', job: { image: 'ghcr.io/example/retrain:1.0' } }));
  const unavailable = () => operator.events.filter((e) => e.name === 'iris-no-prom' && e.reason === 'RetrainingAccuracyUnavailable');
  await eventually('the problem told', () => Promise.resolve(unavailable()), (es) => es.length > 0, 60_000, 500);
  for (let i = 0; i < 5; i++) {
    operator.controller.queue.add(`${namespace}/iris-no-prom`);
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(unavailable().length, 1, JSON.stringify(unavailable()));
  assert.match(unavailable()[0]!.message, /no Prometheus to ask/);
  assert.equal((await retrainingOf('iris-no-prom'))?.lastTrigger, undefined);
  await operator.stop();
});
