// Automated canary analysis on the real data path: Traefik splits real requests, the pod simulator
// counts them in each model server's own metric names, a real Prometheus scrapes the pods, and the
// operator measures canary against stable every interval (docs/analysis.md). Each scenario is its own
// ModelDeployment with its own host name on the shared Gateway.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { countBy, dataPathCluster, gatewayFailures, inferBody, inferCountsByVariant, modelPodsReport, routed, send, type Reply } from '../support/data-path.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { testPrometheusCidrs } from '../support/outbound-allow.ts';
import { conditionOf, createModelDeployment, gatewayRef, mdRef, modelWithRollout, testClient } from '../support/model-deployments.ts';
import { steadyLoad } from '../support/steady-load.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';

const cluster = await dataPathCluster({ prometheus: true });
const { dataPath } = cluster;
const prometheus = dataPath.prometheus;
assert.ok(prometheus, 'the data path runs Prometheus');
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'analysis');
const operator = await startInProcessOperator(kc, [namespace], { prometheusAddress: prometheus.url, outboundAllowCidrs: testPrometheusCidrs });
const core = kc.makeApiClient(CoreV1Api);
const gateway = dataPath.gateway;
assert.ok(gateway, 'the data path has a gateway');
const url = dataPath.gatewayUrl;

type Md = ModelDeploymentObject & { status?: ModelDeploymentStatus };
const get = (name: string) => () => client.get<Md>(mdRef(namespace, name));
const host = (name: string) => `${name}.example.com`;
const events = (name: string) => operator.events.filter((e) => e.name === name);
// A reconcile emits its Events once its status write has returned, so a read of that status can come first.
const eventSeen = (name: string, reason: string) => eventually(`the ${reason} Event of ${name}`, () => Promise.resolve(events(name)), (es) => es.some((e) => e.reason === reason), 10_000, 50);

/** The new version, with the simulator's error rate for its pods (the pod template changes: a canary). */
function setVersion(name: string, version: string, errorRate?: number) {
  const env = errorRate === undefined ? [] : [{ name: 'SIMULATED_ERROR_RATE', value: String(errorRate) }];
  return client.mergePatch(mdRef(namespace, name), { spec: { model: { version, uri: `s3://models/${name}/${version}` }, runtime: { preset: 'mlserver', env } } });
}

const ANALYSIS = { interval: '10s', minRequests: 50, failureLimit: 2, inconclusiveLimit: 20 };

function analysed(name: string, rollout: Record<string, unknown>): Record<string, unknown> {
  return modelWithRollout(name, {
    strategy: 'canary',
    steps: [{ weight: 20 }, { weight: 50 }],
    scaleDownDelaySeconds: 3,
    traffic: { provider: 'gateway-api', gateway: gatewayRef(gateway!), hosts: [host(name)] },
    analysis: ANALYSIS,
    ...rollout,
  });
}

/** Steady requests to one host until stop() (bounded: at most 20000), every reply kept in order. */
const load = (name: string) => steadyLoad(async () => ({ ...(await send(url, { host: host(name) })), at: Date.now() }));

/** Resolves once the load got `n` more replies. */
function repliesAfter(traffic: { replies: readonly unknown[] }, n: number): Promise<number> {
  const target = traffic.replies.length + n;
  return eventually(`${n} more replies`, () => Promise.resolve(traffic.replies.length), (len) => len >= target, 60_000, 50);
}

async function deployVersion1(name: string, rollout: Record<string, unknown> = {}): Promise<void> {
  await createModelDeployment(client, namespace, analysed(name, rollout));
  try {
    await eventually(`${name} version 1 Ready`, get(name), (md) => conditionOf(md, 'Ready')?.status === 'True', 90_000);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${await modelPodsReport(kc, dataPath, namespace, name, (key) => operator.logTail(key))}`, { cause: err });
  }
  await routed(url, (replies) => replies.every((r) => r.status === 200 && r.version === '1'), { host: host(name) });
}

/** Transport failures: the request never got a model's answer (connection reset, 502/503 from the gateway). */
const transportFailures = (replies: readonly Reply[]) => replies.filter((r) => r.status === 0 || r.status === 502 || r.status === 503 || r.status === 504);

describe('canary analysis against a real Prometheus', { concurrency: true }, () => {
  test('a healthy canary walks every step on passing measurements and is promoted with no human action', { timeout: 420_000 }, async () => {
    // A custom check too: the canary's own request rate, a PromQL template with every placeholder.
    await deployVersion1('healthy', {
      analysis: {
        ...ANALYSIS,
        metrics: [
          {
            name: 'canary-rps',
            query: 'sum(rate(model_infer_request_success_total{namespace="{{namespace}}",model_deployment="{{name}}",variant="{{variant}}",revision="{{revision}}"}[{{interval}}]))',
            min: 1,
          },
        ],
      },
    });
    const traffic = load('healthy');
    try {
      await setVersion('healthy', '2');
      const md = await eventually('promotion', get('healthy'), (m) => m?.status?.stable?.version === '2' && m.status.canary === undefined, 300_000, 1000);
      await eventSeen('healthy', 'Promoted');
      const a = md?.status?.analysis;
      assert.equal(a?.phase, 'Succeeded');
      assert.ok((a?.runs ?? 0) >= 2, `runs ${a?.runs}`);
      assert.equal(a?.failures ?? 0, 0);
      const rate = a?.measurements?.find((m) => m.check === 'success-rate');
      assert.equal(rate?.verdict, 'Pass');
      assert.ok((rate?.samples ?? 0) >= 50 && (rate?.stableSamples ?? 0) >= 50, JSON.stringify(rate));
      assert.match(rate?.statistic ?? '', /p=/);
      const custom = a?.measurements?.find((m) => m.check === 'canary-rps');
      assert.equal(custom?.verdict, 'Pass', JSON.stringify(custom));
      assert.ok((custom?.value ?? 0) >= 1 && custom?.stableValue !== undefined, JSON.stringify(custom));
      const reasons = events('healthy').map((e) => e.reason);
      assert.ok(reasons.filter((r) => r === 'AnalysisPassed').length >= 2, reasons.join(','));
      assert.ok(reasons.includes('Promoted'), reasons.join(','));
    } finally {
      await traffic.stop();
    }
    const failed = traffic.replies.filter((r) => r.status !== 200);
    assert.deepEqual(failed.slice(0, 5).map((r) => ({ status: r.status, at: new Date(r.at).toISOString(), body: r.body.slice(0, 80) })), [], `${failed.length} failed of ${traffic.replies.length}; events: ${events('healthy').map((e) => `${new Date(e.at).toISOString()} ${e.reason}: ${e.message.slice(0, 60)}`).join('\n')}${failed.length > 0 ? gatewayFailures(dataPath) : ''}`);
    assert.ok(traffic.replies.some((r) => r.version === '2' && r.variant === 'canary'), 'the canary took real traffic');
  });

  test('a canary with a raised error rate is rolled back within failureLimit; traffic returns to stable without a failed request', { timeout: 420_000 }, async () => {
    await deployVersion1('faulty');
    const traffic = load('faulty');
    let abortedAt: number;
    try {
      await setVersion('faulty', '2', 0.25);
      const md = await eventually('Stalled AnalysisFailed', get('faulty'), (m) => conditionOf(m, 'Stalled')?.status === 'True', 240_000, 500);
      abortedAt = traffic.replies.length;
      assert.equal(conditionOf(md, 'Stalled')?.reason, 'AnalysisFailed');
      const a = md?.status?.analysis;
      assert.equal(a?.phase, 'Failed');
      assert.equal(a?.failures, 2, 'rolled back exactly at failureLimit');
      const rate = a?.measurements?.find((m) => m.check === 'success-rate');
      assert.equal(rate?.verdict, 'Fail');
      assert.ok((rate?.value ?? 0) > 0.1 && (rate?.stableValue ?? 1) < 0.01, JSON.stringify(rate));
      assert.ok((a?.pValue ?? 1) <= 0.05, `p ${a?.pValue}`);
      assert.equal(md?.status?.canary?.phase, 'Aborted');
      assert.equal(md?.status?.stable?.version, '1');
      // Traffic back on stable: a long run of stable answers, then keep measuring for a while.
      await routed(url, (replies) => replies.every((r) => r.status === 200 && r.variant === 'stable'), { host: host('faulty'), probe: 50 });
      // The canary pods go (after scaleDownDelaySeconds) while requests flow, and requests go on after.
      await eventually('the canary pods to be gone', () => core.listNamespacedPod({ namespace, labelSelector: 'modelship.io/model-deployment=faulty,modelship.io/variant=canary' }), (pods) => pods.items.length === 0, 120_000, 500);
      await repliesAfter(traffic, 50);
    } finally {
      await traffic.stop();
    }
    assert.deepEqual(transportFailures(traffic.replies), [], 'no request failed in the gateway or the network');
    const errors = traffic.replies.filter((r) => r.status !== 200);
    assert.ok(errors.every((r) => r.status === 500 && r.variant === 'canary'), 'the only errors are the faulty model answering 500');
    const afterSwitch = traffic.replies.slice(abortedAt).filter((r) => r.variant === 'stable');
    assert.ok(afterSwitch.length > 100 && afterSwitch.every((r) => r.status === 200), `after the abort: ${JSON.stringify(countBy(traffic.replies.slice(abortedAt), (r) => `${r.status} ${r.variant}`))}`);
    const measuredFail = events('faulty').filter((e) => e.reason === 'AnalysisFailed' && e.message.startsWith('measurement'));
    assert.equal(measuredFail.length, 2, events('faulty').map((e) => `${new Date(e.at).toISOString()} ${e.reason}: ${e.message}`).join('\n'));
    const failed = events('faulty').find((e) => e.reason === 'AnalysisFailed');
    assert.match(failed?.message ?? '', /canary error rate/);
  });

  test('a canary that gets no traffic stays Inconclusive and does not advance; past inconclusiveLimit it pauses', { timeout: 300_000 }, async () => {
    await deployVersion1('quiet', { analysis: { ...ANALYSIS, inconclusiveLimit: 3 } });
    await setVersion('quiet', '2');
    const md = await eventually('3 measurements', get('quiet'), (m) => (m?.status?.analysis?.runs ?? 0) >= 3, 120_000, 1000);
    assert.equal(md?.status?.canary?.step, 0, 'no step advanced without evidence');
    assert.equal(md?.status?.canary?.weight, 20);
    assert.equal(md?.status?.analysis?.verdict, 'Inconclusive');
    assert.match(md?.status?.analysis?.measurements?.find((m) => m.check === 'success-rate')?.message ?? '', /needs 50 requests per variant/);
    const paused = await eventually('paused for a person', get('quiet'), (m) => m?.status?.canary?.phase === 'Paused', 60_000, 1000);
    assert.equal(paused?.status?.analysis?.phase, 'Inconclusive');
    assert.equal(paused?.status?.canary?.step, 0);
    await eventSeen('quiet', 'AnalysisPaused');
    assert.equal(conditionOf(paused, 'Stalled')?.status === 'True', false, 'paused, not stalled');
  });

  test('a failing validation stops the rollout before any traffic shift', { timeout: 300_000 }, async () => {
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'gate-samples' }, data: { 'samples.json': JSON.stringify([inferBody, inferBody]) } },
    });
    await deployVersion1('gate', { validation: { smoke: { samples: { configMap: 'gate-samples' } } } });
    const traffic = load('gate');
    let md: Md | undefined;
    try {
      await setVersion('gate', '2', 1);
      md = await eventually('Stalled ValidationFailed', get('gate'), (m) => conditionOf(m, 'Stalled')?.status === 'True', 120_000, 500);
      // The operator looks again (a forced resync, then the queue idle) and requests go on after its look.
      operator.controller.forceResync();
      await operator.controller.queue.idle();
      await repliesAfter(traffic, 100);
    } finally {
      await traffic.stop();
    }
    assert.equal(conditionOf(md, 'Stalled')?.reason, 'ValidationFailed');
    assert.match(conditionOf(md, 'Stalled')?.message ?? '', /HTTP 500/);
    assert.equal(md?.status?.analysis?.validation?.phase, 'Failed');
    assert.equal(md?.status?.analysis?.startedAt, undefined, 'analysis never started');
    assert.deepEqual(countBy(traffic.replies, (r) => `${r.status} ${r.variant} ${r.version}`), { [`200 stable 1`]: traffic.replies.length }, 'every request went to stable');
    assert.ok(!events('gate').some((e) => e.reason === 'StepAdvanced'), 'no step advanced');
  });
});

test('Prometheus stopped mid-analysis: reported and retried, no false rollback; the canary goes on when it is back', { timeout: 420_000 }, async () => {
  await deployVersion1('outage', { steps: [{ weight: 20 }, { weight: 50 }, { weight: 80 }] });
  const traffic = load('outage');
  try {
    await setVersion('outage', '2');
    await eventually('a first measurement', get('outage'), (m) => (m?.status?.analysis?.runs ?? 0) >= 1, 120_000, 500);
    await prometheus.stop();
    let md: Md | undefined;
    try {
      md = await eventually('two measurements that could not be taken', get('outage'), (m) => (m?.status?.analysis?.errors ?? 0) >= 2, 120_000, 500);
    } finally {
      await prometheus.start();
    }
    assert.equal(md?.status?.analysis?.verdict, 'Error');
    assert.equal(md?.status?.analysis?.failures ?? 0, 0, 'an outage is not a failure');
    assert.notEqual(md?.status?.canary?.phase, 'Aborted');
    assert.equal(conditionOf(md, 'Stalled')?.status === 'True', false);
    assert.match(md?.status?.analysis?.message ?? '', /unavailable|ECONNREFUSED/i);
    const unavailable = events('outage').filter((e) => e.reason === 'AnalysisUnavailable');
    assert.ok(unavailable.length >= 2 && unavailable.every((e) => e.type === 'Warning'), JSON.stringify(unavailable));
    const done = await eventually('promotion once Prometheus is back', get('outage'), (m) => m?.status?.stable?.version === '2' && m.status.canary === undefined, 300_000, 1000);
    assert.equal(done?.status?.analysis?.phase, 'Succeeded');
  } finally {
    await traffic.stop();
  }
  const statuses = countBy(traffic.replies, (r) => String(r.status));
  assert.deepEqual(statuses, { '200': traffic.replies.length }, Object.keys(statuses).length > 1 ? gatewayFailures(dataPath) : undefined);
  const counts = await inferCountsByVariant(dataPath, namespace);
  assert.ok((counts.canary ?? 0) > 0);
});
