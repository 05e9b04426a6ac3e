// Canary analysis on accuracy with real models: real MLServer iris models behind modelship's inference
// agent in real pods (process runtime), a real gateway, versitygw and Prometheus. A client sends labelled
// iris rows through the gateway and posts each answered request's true class to the feedback endpoint
// (same gateway, any pod). Every request succeeds, so only the accuracy check can tell the models apart:
// a canary trained on rotated classes is rolled back on it, the same model under a new version is promoted.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { request } from 'undici';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import { writeIrisModel } from '../cluster/iris-model.ts';
import { processNodePlacement } from '../cluster/process-kubelet.ts';
import { ensureMlserverEnv } from '../cluster/python-env.ts';
import { startS3Server } from '../cluster/s3-server.ts';
import { installCrds } from '../support/crds.ts';
import { countBy, dataPathCluster, gatewayFailures } from '../support/data-path.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, gatewayRef, mdRef, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { testPrometheusCidrs } from '../support/outbound-allow.ts';
import { tarGz } from '../support/tar-writer.ts';
import { eventually } from '../support/wait.ts';

const log = (line: string) => process.stderr.write(`[accuracy-canary] ${line}\n`);
const pythonEnv = await ensureMlserverEnv();
const work = mkdtempSync(join(tmpdir(), 'modelship-accuracy-canary-'));
after(() => rmSync(work, { recursive: true, force: true }));
// The same rows for both models: the good one is right on about 97% of them, the rotated one on about 2%.
const good = await writeIrisModel(pythonEnv, join(work, 'good'), 2000, { noise: 0.1 });
const rotated = await writeIrisModel(pythonEnv, join(work, 'rotated'), 2000, { noise: 0.1, labelShift: 1 });
const { rows, labels } = good;
const archiveOf = (dir: string) => tarGz([{ name: 'model.joblib', body: readFileSync(join(work, dir, 'model.joblib')) }]);
const archives = { good: archiveOf('good'), rotated: archiveOf('rotated') };

// Root after-hooks run in the order they were added: this one, added before the control plane's, stops the
// in-process operator while the API server it talks to still runs.
const operatorStop: { stop?: () => Promise<void> } = {};
after(() => operatorStop.stop?.());
const cluster = await dataPathCluster({ processRuntime: true, prometheus: true });
const { dataPath } = cluster;
const runtime = dataPath.processRuntime;
const prometheus = dataPath.prometheus;
const gateway = dataPath.gateway;
assert.ok(runtime && gateway && prometheus, 'the data path runs the process runtime, a gateway and Prometheus');
const s3 = await startS3Server({ toolsDir: cluster.toolsDir, extraHost: dataPath.network.hostAddress });
after(() => s3.stop());
assert.ok(s3.podEndpoint);
await s3.createBucket('models');
await s3.createBucket('inference-logs');

await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const namespace = await testNamespace(kc, 'accuracy-canary');
const stringData = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region, AWS_ENDPOINT_URL: s3.podEndpoint };
await core.createNamespacedSecret({ namespace, body: { metadata: { name: 's3-creds' }, stringData } });
const operator = await startInProcessOperator(kc, [namespace], { prometheusAddress: prometheus.url, outboundAllowCidrs: testPrometheusCidrs });
operatorStop.stop = () => operator.stop();

type Md = ModelDeploymentObject & { status?: ModelDeploymentStatus };
const get = (name: string) => () => client.get<Md>(mdRef(namespace, name));
const host = (name: string) => `${name}.example.com`;
const events = (name: string) => operator.events.filter((e) => e.name === name);
/** Every pod's container logs, for a failure's message. */
async function podLogs(): Promise<string> {
  const pods = (await core.listNamespacedPod({ namespace })).items;
  return pods.map((p) => `${p.metadata?.name}: ${JSON.stringify(p.status?.containerStatuses?.map((c) => ({ name: c.name, ready: c.ready, restarts: c.restartCount })))}\n${runtime!.logs(namespace, p.metadata?.name ?? '')}`).join('\n');
}
const eventLines = (name: string) => events(name).map((e) => `${new Date(e.at).toISOString()} ${e.reason}: ${e.message}`).join('\n');

// Accuracy only: the requests all succeed, so the error-rate check could only pass. Per variant, 100
// labels before any verdict; a tolerance of 20 points lets two equal models pass on a few hundred labels
// (the always-valid bound narrows slowly), while the rotated model fails on the first look past 100.
const ANALYSIS = {
  interval: '10s',
  successRate: { enabled: false },
  latency: { enabled: false },
  accuracy: { minLabels: 100, tolerance: 0.2 },
  failureLimit: 1,
  inconclusiveLimit: 60,
};

function modelSpec(name: string, version: string, archive: Buffer): Record<string, unknown> {
  const sha256 = createHash('sha256').update(archive).digest('hex');
  return { name, version, uri: `s3://models/${name}/${version}/model.tar.gz`, format: 'sklearn', sha256, credentials: { secretRef: { name: 's3-creds' } } };
}

async function deployVersion1(name: string): Promise<void> {
  await s3.putObject('models', `${name}/1/model.tar.gz`, archives.good);
  await createModelDeployment(client, namespace, {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name },
    spec: {
      model: modelSpec(name, '1', archives.good),
      runtime: { preset: 'mlserver', ...processNodePlacement() },
      replicas: 1,
      rollout: {
        strategy: 'canary',
        steps: [{ weight: 50 }],
        scaleDownDelaySeconds: 3,
        traffic: { provider: 'gateway-api', gateway: gatewayRef(gateway!), hosts: [host(name)] },
        analysis: ANALYSIS,
      },
      monitoring: { logging: { uri: 's3://inference-logs/accuracy', sampleRate: 1, flushInterval: '2s' } },
    },
  });
  try {
    await eventually(`${name} version 1 Ready`, get(name), (md) => conditionOf(md, 'Ready')?.status === 'True', 240_000, 1000);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${await podLogs()}`, { cause: err });
  }
}

/** A new version of the model (a new pod template: a canary). */
async function setVersion(name: string, version: string, archive: Buffer): Promise<void> {
  await s3.putObject('models', `${name}/${version}/model.tar.gz`, archive);
  await client.mergePatch(mdRef(namespace, name), { spec: { model: modelSpec(name, version, archive) } });
}

interface Answer {
  readonly status: number;
  readonly requestId: string;
  readonly body: string;
}

async function post(name: string, path: string, body: string): Promise<Answer> {
  try {
    const res = await request(`${dataPath.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { host: host(name), 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const id = res.headers['x-request-id'];
    return { status: res.statusCode, requestId: (Array.isArray(id) ? id[0] : id) ?? '', body: await res.body.text() };
  } catch (err) {
    return { status: 0, requestId: '', body: err instanceof Error ? err.message : String(err) };
  }
}

interface Reply {
  readonly status: number;
  /** The row sent. */
  readonly row: number;
  /** The class answered; undefined when the request failed. */
  readonly prediction?: number;
  /** The start of the body when there was no prediction. */
  readonly error?: string;
}

function predictionOf(body: string): number | undefined {
  try {
    return (JSON.parse(body) as { outputs?: { data?: number[] }[] }).outputs?.[0]?.data?.[0];
  } catch {
    return undefined;
  }
}

/**
 * Labelled traffic until stop(): a batch of single-row requests, then one feedback call with the true
 * class of every answered request of the batch, again and again.
 */
function labelledTraffic(name: string, batch = 20) {
  const replies: Reply[] = [];
  const feedback: { status: number; body: string }[] = [];
  let stopped = false;
  let next = 0;
  const loop = async () => {
    while (!stopped && replies.length < 20_000) {
      const answered: { requestId: string; label: number }[] = [];
      for (let k = 0; k < batch; k++) {
        const row = next++ % rows.length;
        const a = await post(name, `/v2/models/${name}/infer`, JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: rows[row] }] }));
        const prediction = a.status === 200 ? predictionOf(a.body) : undefined;
        replies.push({ status: a.status, row, ...(prediction !== undefined ? { prediction } : { error: a.body.slice(0, 200) }) });
        if (a.status === 200 && a.requestId !== '') answered.push({ requestId: a.requestId, label: labels[row]! });
      }
      if (answered.length === 0) await sleep(250);
      else {
        const f = await post(name, '/modelship/v1/feedback', JSON.stringify(answered));
        feedback.push({ status: f.status, body: f.body });
      }
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

/**
 * Waits for 20 answers from version 1; returns the index of the first. The replies before it are the gateway
 * warming up: the ModelDeployment is Ready once its Deployment is, and Traefik gets the Service's ready
 * endpoint a moment later (until then it answers 503 "no available server"). From the first answer on, every
 * request must be answered.
 */
async function answered(traffic: { replies: readonly Reply[]; feedback: readonly { status: number; body: string }[] }): Promise<number> {
  try {
    await eventually('answers from version 1', () => Promise.resolve(traffic.replies.filter((r) => r.status === 200).length), (n) => n >= 20, 60_000, 250);
    const first = traffic.replies.findIndex((r) => r.status === 200);
    if (first > 0) log(`${first} requests before the gateway's first answer: ${JSON.stringify(countBy(traffic.replies.slice(0, first), (r) => `${r.status} ${r.error ?? ''}`))}`);
    return first;
  } catch (err) {
    const last = JSON.stringify({ replies: countBy(traffic.replies, (r) => `${r.status} ${r.error ?? ''}`), feedback: traffic.feedback.slice(-2) });
    throw new Error(`${err instanceof Error ? err.message : String(err)}: ${last}\n${await podLogs()}`, { cause: err });
  }
}

/** The share of answers that equal the row's true class. */
const accuracyOf = (replies: readonly Reply[]) => replies.filter((r) => r.prediction === labels[r.row]).length / replies.length;

describe('canary analysis on accuracy, real models', { concurrency: true }, () => {
  test('a canary trained on rotated classes answers every request but is rolled back on the accuracy check', { timeout: 540_000 }, async () => {
    const started = Date.now();
    await deployVersion1('worse');
    const traffic = labelledTraffic('worse');
    let md: Md | undefined;
    let abortedAt: number;
    let first: number;
    try {
      first = await answered(traffic);
      const canaryAt = Date.now();
      await setVersion('worse', '2', archives.rotated);
      md = await eventually('Stalled AnalysisFailed', get('worse'), (m) => conditionOf(m, 'Stalled')?.status === 'True', 360_000, 500);
      abortedAt = traffic.replies.length;
      log(`rolled back ${Math.round((Date.now() - canaryAt) / 1000)} s after version 2 was applied, ${Math.round((Date.now() - started) / 1000)} s after version 1`);
      // After the rollback the answers are version 1's again: the good model's, for every row.
      await eventually(
        'the good model to answer every request again',
        () => Promise.resolve(traffic.replies.slice(-40)),
        (last) => last.length === 40 && last.every((r) => r.status === 200 && r.prediction === good.predictions[r.row]),
        120_000,
        500,
      );
    } finally {
      await traffic.stop();
    }
    const stalled = conditionOf(md, 'Stalled');
    assert.equal(stalled?.reason, 'AnalysisFailed', `${eventLines('worse')}\n${await podLogs()}`);
    assert.match(stalled?.message ?? '', /accuracy/);
    const a = md?.status?.analysis;
    assert.equal(a?.phase, 'Failed');
    assert.equal(a?.failures, 1, 'rolled back at failureLimit');
    const accuracy = a?.measurements?.find((m) => m.check === 'accuracy');
    assert.equal(accuracy?.verdict, 'Fail', JSON.stringify(a?.measurements));
    assert.ok((accuracy?.value ?? 1) < 0.2 && (accuracy?.stableValue ?? 0) > 0.85, JSON.stringify(accuracy));
    assert.ok((accuracy?.samples ?? 0) >= 100 && (accuracy?.stableSamples ?? 0) >= 100, JSON.stringify(accuracy));
    assert.match(accuracy?.message ?? '', /canary accuracy lower/);
    assert.ok((a?.accuracyPValue ?? 1) <= 0.05, `accuracy p ${a?.accuracyPValue}`);
    assert.equal(md?.status?.canary?.phase, 'Aborted');
    assert.equal(md?.status?.stable?.version, '1');
    assert.ok(
      md?.status?.history?.some((h) => h.version === '2' && h.outcome === 'Aborted'),
      `history: ${JSON.stringify(md?.status?.history?.map((h) => ({ revision: h.revision, version: h.version, outcome: h.outcome })))}`,
    );
    const failed = events('worse').find((e) => e.reason === 'AnalysisFailed');
    assert.match(failed?.message ?? '', /accuracy/, eventLines('worse'));
    // The same error rate: every request was answered, by both models, so only accuracy told them apart.
    const served = traffic.replies.slice(first);
    assert.deepEqual(countBy(served, (r) => String(r.status)), { '200': served.length }, `${eventLines('worse')}${gatewayFailures(dataPath)}`);
    assert.ok(traffic.feedback.every((f) => f.status === 202), JSON.stringify(traffic.feedback.filter((f) => f.status !== 202).slice(0, 3)));
    const during = traffic.replies.slice(first, abortedAt);
    assert.ok(during.some((r) => r.prediction === rotated.predictions[r.row] && r.prediction !== good.predictions[r.row]), 'the rotated model answered some requests');
    log(`${served.length} requests, ${traffic.feedback.length} feedback calls; client-side accuracy while the canary ran ${accuracyOf(during).toFixed(3)}`);
  });

  test('the same model under a new version passes the accuracy check and is promoted', { timeout: 540_000 }, async () => {
    const started = Date.now();
    await deployVersion1('equal');
    const traffic = labelledTraffic('equal');
    let md: Md | undefined;
    let first: number;
    try {
      first = await answered(traffic);
      const canaryAt = Date.now();
      await setVersion('equal', '2', archives.good);
      md = await eventually('promotion', get('equal'), (m) => m?.status?.stable?.version === '2' && m.status.canary === undefined, 420_000, 1000);
      log(`promoted ${Math.round((Date.now() - canaryAt) / 1000)} s after version 2 was applied, ${Math.round((Date.now() - started) / 1000)} s after version 1`);
    } finally {
      await traffic.stop();
    }
    const a = md?.status?.analysis;
    assert.equal(a?.phase, 'Succeeded', eventLines('equal'));
    assert.equal(a?.failures ?? 0, 0);
    const accuracy = a?.measurements?.find((m) => m.check === 'accuracy');
    assert.equal(accuracy?.verdict, 'Pass', JSON.stringify(a?.measurements));
    assert.ok((accuracy?.samples ?? 0) >= 100 && (accuracy?.stableSamples ?? 0) >= 100, JSON.stringify(accuracy));
    assert.ok((accuracy?.value ?? 0) > 0.85 && (accuracy?.stableValue ?? 0) > 0.85, JSON.stringify(accuracy));
    assert.deepEqual(a?.measurements?.map((m) => m.check), ['accuracy'], 'accuracy is the only check');
    assert.ok(
      md?.status?.history?.some((h) => h.version === '2' && h.outcome === 'Promoted'),
      `history: ${JSON.stringify(md?.status?.history?.map((h) => ({ revision: h.revision, version: h.version, outcome: h.outcome })))}`,
    );
    const reasons = events('equal').map((e) => e.reason);
    assert.ok(reasons.includes('AnalysisPassed') && reasons.includes('Promoted'), reasons.join(','));
    assert.ok(!reasons.includes('AnalysisFailed'), eventLines('equal'));
    const served = traffic.replies.slice(first);
    assert.deepEqual(countBy(served, (r) => String(r.status)), { '200': served.length }, `${eventLines('equal')}${gatewayFailures(dataPath)}`);
    assert.ok(traffic.feedback.every((f) => f.status === 202), JSON.stringify(traffic.feedback.filter((f) => f.status !== 202).slice(0, 3)));
    assert.ok(served.every((r) => r.prediction === good.predictions[r.row]), 'both versions answer as the good model');
    log(`${served.length} requests, ${traffic.feedback.length} feedback calls; client-side accuracy ${accuracyOf(served).toFixed(3)}`);
  });
});
