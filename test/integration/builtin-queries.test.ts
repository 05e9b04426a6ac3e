// The operator's built-in PromQL (src/analysis/builtin-queries.ts) for every preset with metrics, asked of the
// data path's real Prometheus (3.x) scraping the pod simulator, which serves each model server's own metric
// names: requests, errors and latency of one variant come back as what the pods counted. This covers what
// changed under the queries in Prometheus 3: `le` values normalised to floats ("1" scraped as "1.0",
// TensorFlow Serving's microsecond bounds "5000" as "5000.0"), left-open range selectors, and the selector
// through __name__ for TensorFlow Serving's names with a leading colon.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { RuntimePresetName } from '../../src/api/runtime-presets.ts';
import { builtinQueries } from '../../src/analysis/builtin-queries.ts';
import { createPrometheusClient } from '../../src/analysis/prometheus-client.ts';
import { createObjects, dataPathCluster, sendMany, variantObjects, waitVariantReady } from '../support/data-path.ts';
import { testNamespace } from '../support/namespaces.ts';
import { testPrometheusCidrs } from '../support/outbound-allow.ts';
import { eventually } from '../support/wait.ts';

const cluster = await dataPathCluster({ prometheus: true });
const { dataPath } = cluster;
const prometheus = dataPath.prometheus;
assert.ok(prometheus, 'the data path runs Prometheus');
const kc = cluster.kubeConfig();
const namespace = await testNamespace(kc, 'builtin-queries');
const client = createPrometheusClient({ address: prometheus.url, timeoutMs: 5000, allowCidrs: testPrometheusCidrs });
after(() => client.close());

// The simulator picks the preset from the image, as a real cluster would run that server.
const presets: readonly { preset: RuntimePresetName; image: string }[] = [
  { preset: 'mlserver', image: 'docker.io/seldonio/mlserver:1.7.1' },
  { preset: 'triton', image: 'nvcr.io/nvidia/tritonserver:25.01-py3' },
  { preset: 'torchserve', image: 'docker.io/pytorch/torchserve:0.12.0-cpu' },
  { preset: 'tensorflow-serving', image: 'docker.io/tensorflow/serving:2.18.0' },
  { preset: 'custom', image: 'registry.example/scorer:1' },
];
const model = (preset: string) => `q-${preset}`;
// stable: no added latency (the first bucket, <= 5 ms), no errors; canary: 60 ms (the 0.05-0.1 s bucket) and
// one request in five fails.
const canaryLatencyMs = 60;
const objects: KubernetesObject[] = presets.flatMap(({ preset, image }) => [
  ...variantObjects({ namespace, model: model(preset), variant: 'stable', version: '1', image }),
  ...variantObjects({ namespace, model: model(preset), variant: 'canary', version: '2', image, env: { SIMULATED_LATENCY_MS: String(canaryLatencyMs), SIMULATED_ERROR_RATE: '0.2' } }),
]);
await createObjects(kc, objects);
for (const { preset } of presets) {
  for (const variant of ['stable', 'canary']) await waitVariantReady(kc, dataPath, namespace, model(preset), variant);
}
const pods = () => [...dataPath.simulator.served().values()].filter((p) => p.namespace === namespace);
await eventually('every pod served', () => Promise.resolve(pods()), (ps) => ps.length === presets.length * 2, 30_000);
const podOf = (preset: string, variant: string) => {
  const pod = pods().find((p) => p.labels['modelship.io/model-deployment'] === model(preset) && p.labels['modelship.io/variant'] === variant);
  assert.ok(pod, `${model(preset)} ${variant} pod`);
  return pod;
};
const counted = async () => new Map((await dataPath.simulator.stats()).filter((s) => s.key.startsWith(`${namespace}/`)).map((s) => [s.key, s]));

/** Resolves once every target of the namespace was scraped after `time` (ms). */
const scrapedAfter = (time: number) =>
  eventually(
    'a scrape of every pod',
    async () => [await client.query(`count(up{namespace="${namespace}"} == 1)`), await client.query(`min(timestamp(up{namespace="${namespace}"}))`)],
    ([up, oldest]) => up === presets.length * 2 && oldest !== undefined && oldest * 1000 > time,
    60_000,
    250,
  );

test('requests, errors and latency of each preset, per variant, are what the pods counted', { timeout: 300_000 }, async () => {
  // Every series exists and is scraped before the measured requests (a series' first sample is never an
  // increase): one request per stable pod, and canary requests until one failed (TF Serving's error series
  // appears with the first error).
  for (const { preset } of presets) {
    const stable = podOf(preset, 'stable');
    assert.equal((await sendMany(`http://${stable.ip}:8080`, 1))[0]?.status, 200);
    const canary = podOf(preset, 'canary');
    await eventually(`a failed request on ${canary.key}`, async () => {
      await sendMany(`http://${canary.ip}:8080`, 5);
      return (await counted()).get(canary.key)?.inferFailures ?? 0;
    }, (failures) => failures > 0, 30_000, 0);
  }
  await scrapedAfter(Date.now());
  // The window opens now, so every sample in it holds the requests above; it is whole seconds (rounded
  // down below), so a scrape more than a second later is one inside it before the measured requests.
  const opens = Date.now();
  await scrapedAfter(opens + 1000);
  const countedBefore = await counted();
  for (const { preset } of presets) {
    for (const variant of ['stable', 'canary']) {
      const pod = podOf(preset, variant);
      const replies = await sendMany(`http://${pod.ip}:8080`, 80);
      assert.equal(replies.filter((r) => r.status !== 200 && r.status !== 500).length, 0, JSON.stringify(replies.find((r) => r.status !== 200 && r.status !== 500)));
    }
  }
  const countedAfter = await counted();
  // Ten seconds of scrapes after the last request: increase() extrapolates by at most about one scrape
  // interval, so over a window of 15 s or more it stays within 25% above the true increase.
  await scrapedAfter(Math.max(Date.now() + 10_000, opens + 15_000));
  const at = new Date();
  const windowSeconds = Math.floor((at.getTime() - opens) / 1000);
  assert.ok(windowSeconds >= 15, `window ${windowSeconds} s`);

  for (const { preset } of presets) {
    for (const variant of ['stable', 'canary'] as const) {
      const key = podOf(preset, variant).key;
      const sent = (countedAfter.get(key)?.infer ?? 0) - (countedBefore.get(key)?.infer ?? 0);
      const failed = (countedAfter.get(key)?.inferFailures ?? 0) - (countedBefore.get(key)?.inferFailures ?? 0);
      assert.equal(sent, 80, `${key}: the simulator counted what was sent`);
      const queries = builtinQueries(preset, { namespace, name: model(preset), variant }, windowSeconds, 0.95);
      assert.ok(queries, preset);
      const what = `${preset} ${variant}`;
      const requests = await client.query(queries.requests, at);
      const errors = await client.query(queries.errors, at);
      const latency = await client.query(queries.latency, at);
      assert.ok(requests !== undefined && requests >= sent - 1e-9 && requests <= sent * 1.25, `${what}: requests ${requests} for ${sent} sent (${queries.requests})`);
      if (variant === 'stable') {
        assert.equal(failed, 0);
        assert.equal(errors, 0, `${what}: errors (${queries.errors})`);
      } else {
        assert.ok(failed > 0 && failed < sent, `${key}: ${failed} of ${sent} failed`);
        assert.ok(errors !== undefined && errors >= failed - 1e-9 && errors <= failed * 1.25, `${what}: errors ${errors} for ${failed} failed (${queries.errors})`);
      }
      // p95 of a histogram (bucket-interpolated) or the mean (Triton, TorchServe), in seconds.
      const [low, high] = variant === 'stable' ? [0, 0.005] : [0.05, 0.1];
      assert.ok(latency !== undefined && latency > low - 1e-9 && latency <= high + 1e-9, `${what}: ${queries.latencyKind} latency ${latency} s, expected in (${low}, ${high}] (${queries.latency})`);
    }
  }
});
