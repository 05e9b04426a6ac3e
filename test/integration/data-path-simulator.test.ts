// The pod simulator answers as each runtime preset's model server would: its metric names, its inference
// and health paths, and the latency and error rate the pod's env asks for; pods that go lose their address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { SERVING_ANNOTATION } from '../cluster/kwok-stages.ts';
import type { SimulatedPod } from '../cluster/pod-simulator.ts';
import { binomialRange, countBy, createObjects, dataPathCluster, send, sendMany, variantObjects } from '../support/data-path.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';

const cluster = await dataPathCluster();
const { dataPath } = cluster;
const kc = cluster.kubeConfig();
const namespace = await testNamespace(kc, 'dp-sim');

const presets = [
  { model: 'mlserver', image: 'docker.io/seldonio/mlserver:1.7.1', http: 8080, metrics: 8082, path: '/metrics', series: 'model_infer_request_success_total{model="m",version="3"} 1' },
  { model: 'triton', image: 'nvcr.io/nvidia/tritonserver:25.01-py3', http: 8000, metrics: 8002, path: '/metrics', series: 'nv_inference_request_success{model="m",version="3"} 1' },
  { model: 'torchserve', image: 'docker.io/pytorch/torchserve:0.12.0-cpu', http: 8080, metrics: 8082, path: '/metrics', series: 'ts_inference_requests_total{model_name="m",model_version="3",hostname="torchserve-stable-' },
  { model: 'tfserving', image: 'docker.io/tensorflow/serving:2.18.0', http: 8501, metrics: 8501, path: '/monitoring/prometheus/metrics', series: ':tensorflow:serving:request_count{model_name="m",status="OK"} 1' },
  { model: 'custom', image: 'registry.example/acme/scorer:1', http: 8080, metrics: 9090, path: '/metrics', series: 'http_requests_total{code="200",model="m"} 1' },
  { model: 'mlflow', image: 'ghcr.io/mlflow/mlflow:v2.22.0', http: 8080, metrics: 8080, path: '/metrics', series: undefined },
] as const;

await createObjects(kc, [
  ...presets.flatMap((p) =>
    variantObjects({
      namespace,
      model: p.model,
      variant: 'stable',
      version: '3',
      image: p.image,
      ports: p.http === p.metrics ? [{ name: 'http', containerPort: p.http }] : [{ name: 'http', containerPort: p.http }, { name: 'metrics', containerPort: p.metrics }],
    }),
  ),
  ...variantObjects({ namespace, model: 'slow', variant: 'stable', version: '1', env: { SIMULATED_LATENCY_MS: '300' } }),
  ...variantObjects({ namespace, model: 'broken', variant: 'stable', version: '1', env: { SIMULATED_ERROR_RATE: '1' } }),
  ...variantObjects({ namespace, model: 'flaky', variant: 'canary', version: '1', env: { SIMULATED_ERROR_RATE: '0.3' } }),
]);

const podOf = (model: string): Promise<SimulatedPod> =>
  eventually(
    `a pod of ${model} served`,
    () => Promise.resolve([...dataPath.simulator.served().values()].find((p) => p.namespace === namespace && p.labels['modelship.io/model-deployment'] === model)),
    (p) => p !== undefined,
    60_000,
  ) as Promise<SimulatedPod>;

test("each preset's server answers its own inference and health paths and exposes its own metric names", async () => {
  for (const preset of presets) {
    const pod = await podOf(preset.model);
    const base = `http://${pod.ip}:${preset.http}`;
    const infer = await send(base, { path: '/v2/models/m/infer' });
    assert.equal(infer.status, 200, `${preset.model}: ${infer.body}`);
    assert.equal((JSON.parse(infer.body) as { model_version: string }).model_version, '3');
    const metrics = await send(`http://${pod.ip}:${preset.metrics}`, { method: 'GET', path: preset.path });
    if (preset.series === undefined) {
      assert.equal(metrics.status, 404, `${preset.model} has no Prometheus metrics`);
    } else {
      assert.equal(metrics.status, 200, preset.model);
      assert.ok(metrics.body.includes(preset.series), `${preset.model} /metrics has ${preset.series}:\n${metrics.body}`);
    }
  }
  const tf = await podOf('tfserving');
  assert.equal((await send(`http://${tf.ip}:8501`, { path: '/v1/models/m:predict', body: { instances: [[1], [2]] } })).body, '{"predictions":[0,1]}');
  assert.equal((await send(`http://${tf.ip}:8501`, { method: 'GET', path: '/v1/models/m' })).status, 200);
  const ts = await podOf('torchserve');
  assert.equal((await send(`http://${ts.ip}:8080`, { path: '/predictions/m' })).status, 200);
  assert.equal((await send(`http://${ts.ip}:8080`, { method: 'GET', path: '/ping' })).status, 200);
  const mlflow = await podOf('mlflow');
  assert.equal((await send(`http://${mlflow.ip}:8080`, { path: '/invocations', body: { dataframe_split: { columns: ['a'], data: [[1]] } } })).body, '{"predictions":[0]}');
  assert.equal((await send(`http://${mlflow.ip}:8080`, { method: 'GET', path: '/nowhere' })).status, 404);
});

test('latency and error rate come from the pod env', async () => {
  const slow = await podOf('slow');
  const started = Date.now();
  assert.equal((await send(`http://${slow.ip}:8080`)).status, 200);
  assert.ok(Date.now() - started >= 300, `a request took ${Date.now() - started} ms, at least SIMULATED_LATENCY_MS=300`);
  assert.equal((await send(`http://${slow.ip}:8080`, { method: 'GET', path: '/v2/health/ready' })).status, 200, 'health answers without the latency');

  const broken = await podOf('broken');
  const failed = await sendMany(`http://${broken.ip}:8080`, 20);
  assert.deepEqual(countBy(failed, (r) => String(r.status)), { 500: 20 });
  assert.equal(failed[0]?.variant, 'stable', 'a failure still names the variant');
  const metrics = await send(`http://${broken.ip}:8082`, { method: 'GET', path: '/metrics' });
  assert.ok(metrics.body.includes('model_infer_request_failure_total{model="x",version="1"} 20'), metrics.body);

  const flaky = await podOf('flaky');
  const n = 1000;
  const replies = await sendMany(`http://${flaky.ip}:8080`, n);
  const errors = replies.filter((r) => r.status === 500).length;
  const { low, high } = binomialRange(n, 0.3, 4);
  assert.ok(errors >= low && errors <= high, `${errors} of ${n} failed at SIMULATED_ERROR_RATE=0.3, expected ${low}..${high}`);
  const stats = (await dataPath.simulator.stats()).find((s) => s.uid === flaky.uid);
  assert.equal(stats?.infer, n);
  assert.equal(stats?.inferFailures, errors);
  assert.equal(stats?.variant, 'canary');
});

test('a pod that goes away loses its address; its counters stay readable', async () => {
  const pod = await podOf('mlserver');
  assert.ok((await dataPath.network.addresses()).includes(pod.ip));
  await kc.makeApiClient(AppsV1Api).patchNamespacedDeploymentScale({ namespace, name: 'mlserver-stable', body: [{ op: 'replace', path: '/spec/replicas', value: 0 }] });
  await eventually('the pod to stop being served', () => Promise.resolve(dataPath.simulator.served().has(pod.key)), (served) => !served, 60_000);
  assert.equal((await dataPath.network.addresses()).includes(pod.ip), false, `${pod.ip} is gone from the pod network`);
  const stats = (await dataPath.simulator.stats()).find((s) => s.uid === pod.uid);
  assert.ok(stats && stats.infer >= 1, 'its counters outlive it');
});

test('a model-server pod is Ready only once it answers, as a readiness probe would make it', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  await createObjects(kc, variantObjects({ namespace, model: 'fresh', variant: 'stable', version: '1', replicas: 3 }));
  const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  const checked = new Set<string>();
  const deadline = Date.now() + 60_000;
  // Each pod is asked the moment it is first seen Ready: it must answer then, not a moment later.
  while (checked.size < 3) {
    assert.ok(Date.now() < deadline, `only ${checked.size} of 3 pods became Ready`);
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'modelship.io/model-deployment=fresh' })).items;
    for (const pod of pods.filter((p) => isReady(p) && !checked.has(p.metadata?.name ?? ''))) {
      checked.add(pod.metadata?.name ?? '');
      const reply = await send(`http://${pod.status?.podIP}:8080`, { timeoutMs: 2000 });
      assert.equal(reply.status, 200, `${pod.metadata?.name} is Ready and answers at once (${reply.status} ${reply.body})`);
      assert.equal(pod.metadata?.annotations?.[SERVING_ANNOTATION], 'true', 'the simulator marked it served before it became Ready');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
});
