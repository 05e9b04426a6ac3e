// The built-in smoke check against simulated MLServer pods on the real data path: the operator's
// requests go straight to pod IPs (as from an operator outside the cluster), every sample to every
// pod; the pod env makes the server fail (SIMULATED_ERROR_RATE) or slow (SIMULATED_LATENCY_MS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { freePort } from '../cluster/free-port.ts';
import { createObjects, dataPathCluster, variantObjects } from '../support/data-path.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';
import { parseSmokeSamples, runSmokeCheck } from '../../src/validation/index.ts';
import { parseCidr } from '../../src/outbound/index.ts';
import type { JsonObject, SmokeTarget } from '../../src/validation/index.ts';

const cluster = await dataPathCluster();
const { dataPath } = cluster;
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const namespace = await testNamespace(kc, 'smoke');

await createObjects(kc, [
  ...variantObjects({ namespace, model: 'healthy', variant: 'canary', version: '8', replicas: 2 }),
  ...variantObjects({ namespace, model: 'broken', variant: 'canary', version: '8', env: { SIMULATED_ERROR_RATE: '1' } }),
  ...variantObjects({ namespace, model: 'slow', variant: 'canary', version: '8', env: { SIMULATED_LATENCY_MS: '300' } }),
]);

// Samples as a person would put them in a ConfigMap: OIP v2 requests of one and two rows.
const parsed = parseSmokeSamples(
  { configMap: 'fraud-samples', key: 'samples.json' },
  JSON.stringify([
    { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [[5.1, 3.5, 1.4, 0.2]] }] },
    { inputs: [{ name: 'input-0', shape: [2, 4], datatype: 'FP32', data: [[6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]] }] },
    { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [[4.9, 3.0, 1.4, 0.2]] }] },
  ]),
);
if (!parsed.ok) throw new Error(parsed.message);
const samples: JsonObject[] = parsed.samples;

/** The ready pods of a variant as the controller would pass them: name, status.podIP, the http port. */
async function targetsOf(model: string, replicas = 1): Promise<SmokeTarget[]> {
  const pods = await eventually(
    `${replicas} ready pods of ${model} with an IP`,
    async () => (await core.listNamespacedPod({ namespace, labelSelector: `modelship.io/model-deployment=${model}` })).items,
    (items) =>
      items.length === replicas &&
      items.every((p) => p.status?.podIP !== undefined && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
  );
  for (const p of pods) await dataPath.simulator.waitServed(namespace, p.metadata?.name ?? '');
  return pods.map((p) => ({ pod: p.metadata?.name ?? '', ip: p.status?.podIP ?? '', port: 8080 }));
}

const inferCount = async (pod: string) => (await dataPath.simulator.stats()).find((s) => s.key === `${namespace}/${pod}`)?.infer ?? 0;

test('healthy MLServer pods pass: every sample reaches every pod', async () => {
  const targets = await targetsOf('healthy', 2);
  const result = await runSmokeCheck({ targets, samples, protocol: 'v2', modelName: 'fraud-detector', maxLatencyMs: 2000 });
  assert.equal(result.passed, true, result.message);
  assert.equal(result.requests, 6);
  assert.equal(result.failures, 0);
  assert.match(result.message, /^6 requests to 2 pods passed; slowest \d+ ms$/);
  for (const t of targets) assert.equal(await inferCount(t.pod), 3, `${t.pod} answered each sample once`);
});

test('a cancelled smoke check sends no more samples and is not a pass', async () => {
  const targets = await targetsOf('healthy', 2);
  const before = await Promise.all(targets.map((t) => inferCount(t.pod)));
  const result = await runSmokeCheck({ targets, samples, protocol: 'v2', modelName: 'fraud-detector', maxLatencyMs: 2000, signal: AbortSignal.abort() });
  assert.equal(result.passed, false, result.message);
  assert.equal(result.requests, 0);
  assert.deepEqual(await Promise.all(targets.map((t) => inferCount(t.pod))), before, 'no sample reached a pod');
});

test('protocol json posts to the path given and accepts any JSON answer; a wrong path fails with its status', async () => {
  const targets = await targetsOf('healthy', 2);
  const ok = await runSmokeCheck({ targets, samples, protocol: 'json', path: '/invocations', modelName: 'fraud-detector', maxLatencyMs: 2000 });
  assert.equal(ok.passed, true, ok.message);
  const wrong = await runSmokeCheck({ targets, samples, protocol: 'json', path: '/nowhere', modelName: 'fraud-detector', maxLatencyMs: 2000 });
  assert.equal(wrong.passed, false);
  assert.equal(wrong.failures, 6);
  assert.match(wrong.message, new RegExp(`^6 of 6 requests to 2 pods failed; first: pod ${targets[0]!.pod} sample 0: HTTP 404`));
});

test('pods answering 500 fail the check, and the message names the pod, the sample and the status (not the body)', async () => {
  const targets = await targetsOf('broken');
  const result = await runSmokeCheck({ targets, samples, protocol: 'v2', modelName: 'fraud-detector', maxLatencyMs: 2000 });
  assert.equal(result.passed, false);
  assert.equal(result.requests, 3);
  assert.equal(result.failures, 3);
  assert.match(result.message, new RegExp(`^3 of 3 requests to 1 pod failed; first: pod ${targets[0]!.pod} sample 0: HTTP 500$`));
  assert.doesNotMatch(result.message, /simulated failure/, 'the body is not quoted');
});

test('pods slower than maxLatencyMs fail the check on latency; slower than the timeout, on no response', async () => {
  const targets = await targetsOf('slow');
  const late = await runSmokeCheck({ targets, samples, protocol: 'v2', modelName: 'fraud-detector', maxLatencyMs: 100 });
  assert.equal(late.passed, false);
  assert.equal(late.failures, 3);
  assert.match(late.message, new RegExp(`first: pod ${targets[0]!.pod} sample 0: answered in \\d+ ms, over maxLatencyMs 100$`));
  const timedOut = await runSmokeCheck({ targets, samples, protocol: 'v2', modelName: 'fraud-detector', maxLatencyMs: 50, timeoutMs: 100 });
  assert.equal(timedOut.failures, 3);
  assert.match(timedOut.message, /sample 0: no answer within 100 ms$/);
  const inTime = await runSmokeCheck({ targets, samples, protocol: 'v2', modelName: 'fraud-detector', maxLatencyMs: 2000 });
  assert.equal(inTime.passed, true, inTime.message);
});

test('a pod that refuses connections fails with the network error; no pods at all is a failure too', async () => {
  const port = await freePort();
  const target = { pod: 'gone', ip: '127.0.0.1', port };
  const refused = await runSmokeCheck({ targets: [target], samples, protocol: 'v2', modelName: 'm', maxLatencyMs: 2000, allowCidrs: [parseCidr('127.0.0.1')!] });
  assert.equal(refused.passed, false);
  assert.match(refused.message, /pod gone sample 0: connection failed \(ECONNREFUSED\)$/);
  // Not allowlisted, a loopback "pod" address is not even connected to.
  const loopback = await runSmokeCheck({ targets: [target], samples, protocol: 'v2', modelName: 'm', maxLatencyMs: 2000 });
  assert.match(loopback.message, /pod gone sample 0: address 127\.0\.0\.1 refused/);
  const none = await runSmokeCheck({ targets: [], samples, protocol: 'v2', modelName: 'm', maxLatencyMs: 2000 });
  assert.deepEqual(none, { passed: false, message: 'no ready canary pods to send the samples to', requests: 0, failures: 0 });
});
