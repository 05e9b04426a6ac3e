// A real Prometheus on the data path finds the model-server pods by their prometheus.io annotations, labels
// them namespace / model_deployment / variant / revision (test/cluster/prometheus.ts, the scrape job the docs
// give users) and scrapes the simulator's counters; the operator's client (src/analysis/prometheus-client.ts)
// reads them back as one number, no data, or one of its two errors, through a hung and a stopped Prometheus.
import { after, test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { createPrometheusClient, PrometheusQueryError, PrometheusUnavailableError } from '../../src/analysis/prometheus-client.ts';
import { createObjects, dataPathCluster, inferCountsByVariant, sendMany, variantObjects, waitVariantReady } from '../support/data-path.ts';
import { testNamespace } from '../support/namespaces.ts';
import { testPrometheusCidrs } from '../support/outbound-allow.ts';
import { eventually } from '../support/wait.ts';

const cluster = await dataPathCluster({ prometheus: true });
const { dataPath } = cluster;
const prometheus = dataPath.prometheus;
assert.ok(prometheus, 'the data path runs Prometheus');
const kc = cluster.kubeConfig();
const namespace = await testNamespace(kc, 'prom-scrape');
const model = 'iris';
const client = createPrometheusClient({ address: prometheus.url, timeoutMs: 2000, allowCidrs: testPrometheusCidrs });
after(() => client.close());

type Template = { spec: { template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> } } } };
const podTemplate = (objects: KubernetesObject[]) => (objects.find((o) => o.kind === 'Deployment') as unknown as Template).spec.template.metadata;
const canaryObjects = variantObjects({ namespace, model, variant: 'canary', version: '2' });
podTemplate(canaryObjects).labels['modelship.io/revision'] = '2';
// Served by the simulator like the others, but without the annotations: never a target.
const unscrapedObjects = variantObjects({ namespace, model: 'unscraped', variant: 'stable', version: '1' });
delete podTemplate(unscrapedObjects).annotations;
await createObjects(kc, [...variantObjects({ namespace, model, variant: 'stable', version: '1', replicas: 2 }), ...canaryObjects, ...unscrapedObjects]);

for (const [m, variant] of [[model, 'stable'], [model, 'canary'], ['unscraped', 'stable']] as const) await waitVariantReady(kc, dataPath, namespace, m, variant);
const podsOf = (variant: string) =>
  [...dataPath.simulator.served().values()].filter((p) => p.namespace === namespace && p.labels['modelship.io/model-deployment'] === model && p.labels['modelship.io/variant'] === variant);
const selector = (variant: string) => `{namespace="${namespace}",model_deployment="${model}",variant="${variant}"}`;
const successes = (variant: string) => `sum(model_infer_request_success_total${selector(variant)})`;
const queryUntil = (promql: string, holds: (v: number | undefined) => boolean, time?: Date) =>
  eventually(`${promql} as expected`, () => client.query(promql, time), holds, 30_000, 250);
/** Sends `perPod` inference requests straight to each pod of a variant. */
const sendToPods = async (variant: string, perPod: number) => {
  for (const pod of podsOf(variant)) {
    const replies = await sendMany(`http://${pod.ip}:8080`, perPod);
    assert.ok(replies.every((r) => r.status === 200), `${pod.key}: ${JSON.stringify(replies.find((r) => r.status !== 200))}`);
  }
};

test('annotated pods become targets with the namespace, pod, model_deployment, variant and revision labels', async () => {
  const ours = async () => (await prometheus.targets()).filter((t) => t.labels.namespace === namespace);
  const targets = await eventually('three targets up', ours, (ts) => ts.length === 3 && ts.every((t) => t.health === 'up'), 30_000);
  for (const t of targets) {
    const pod = [...dataPath.simulator.served().values()].find((p) => p.namespace === namespace && p.name === t.labels.pod);
    assert.ok(pod, `target ${JSON.stringify(t.labels)} is a served pod`);
    const variant = pod.labels['modelship.io/variant'] ?? '';
    assert.deepEqual(t.labels, {
      job: 'modelship-pods',
      instance: `${pod.ip}:8082`,
      namespace,
      pod: pod.name,
      model_deployment: model,
      variant,
      ...(variant === 'canary' ? { revision: '2' } : {}),
    });
    assert.equal(t.scrapeUrl, `http://${pod.ip}:8082/metrics`);
  }
  assert.equal(podsOf('stable').length, 2);
  assert.ok([...dataPath.simulator.served().values()].some((p) => p.namespace === namespace && p.name.startsWith('unscraped-')), 'the unannotated pod is served');
  assert.deepEqual((await ours()).filter((t) => t.labels.pod?.startsWith('unscraped-')), [], 'and is not a target');
});

test('the raw counters sum to exactly what was sent; increase() over 1m is close to it', async () => {
  // One request first, scraped, so that increase() has a sample before the measured ones (a series' first
  // sample is never counted as an increase).
  await sendToPods('stable', 1);
  await sendToPods('canary', 1);
  await queryUntil(successes('stable'), (v) => v === 2);
  await queryUntil(successes('canary'), (v) => v === 1);

  await sendToPods('stable', 30);
  await sendToPods('canary', 25);
  assert.deepEqual(await inferCountsByVariant(dataPath, namespace), { stable: 62, canary: 26 }, 'what the simulator counted');
  assert.equal(await queryUntil(successes('stable'), (v) => v === 62), 62);
  assert.equal(await queryUntil(successes('canary'), (v) => v === 26), 26);
  assert.equal(await client.query(`scalar(${successes('canary')})`), 26, 'a scalar result');

  // increase() extrapolates towards the window's ends by up to about one scrape interval: with ten or more
  // samples behind each series that stays well under 25% on top of the true increase.
  await queryUntil(`min(count_over_time(model_infer_request_success_total{namespace="${namespace}"}[1m]))`, (v) => v !== undefined && v >= 10);
  for (const [variant, sent] of [['stable', 60], ['canary', 25]] as const) {
    const increase = await client.query(`sum(increase(model_infer_request_success_total${selector(variant)}[1m]))`);
    assert.ok(increase !== undefined && increase >= sent && increase <= sent * 1.25, `${variant}: increase ${increase} for ${sent} requests sent`);
  }
});

test('no matching series is undefined; several series and bad PromQL are query errors', async () => {
  assert.equal(await client.query(`sum(model_infer_request_success_total{namespace="${namespace}",model_deployment="nope"})`), undefined);
  assert.equal(await client.query(`model_infer_request_success_total{namespace="${namespace}",model_deployment="nope"}`), undefined);

  await assert.rejects(client.query(`model_infer_request_success_total${selector('stable')}`), (err: unknown) => {
    assert.ok(err instanceof PrometheusQueryError, String(err));
    assert.equal(err.errorType, 'multiple_series');
    assert.match(err.message, /returned 2/);
    assert.match(err.message, /sum\(/);
    return true;
  });
  const bad = 'sum(rate(model_infer_request_success_total[1m]';
  await assert.rejects(client.query(bad), (err: unknown) => {
    assert.ok(err instanceof PrometheusQueryError, String(err));
    assert.equal(err.errorType, 'bad_data');
    assert.match(err.message, /parse error/);
    assert.equal(err.query, bad);
    return true;
  });
});

test('a Prometheus that accepts but never answers is unavailable after the timeout', async () => {
  const pid = prometheus.process.pid;
  process.kill(pid, 'SIGSTOP');
  try {
    // The signal is asynchronous: wait until the kernel reports the process stopped (state T).
    await eventually('Prometheus stopped', () => Promise.resolve(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]), (state) => state === 'T', 5000, 20);
    const quick = createPrometheusClient({ address: prometheus.url, timeoutMs: 300, allowCidrs: testPrometheusCidrs });
    const started = Date.now();
    await assert.rejects(quick.query('vector(1)'), (err: unknown) => {
      assert.ok(err instanceof PrometheusUnavailableError, String(err));
      assert.match(err.message, /no answer within 300 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 2000, `gave up after ${Date.now() - started} ms`);
    await quick.close();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  assert.equal(await client.query('vector(1)'), 1);
});

test('a stopped Prometheus is unavailable; started again on the same port it answers, earlier data kept', async () => {
  const before = new Date();
  assert.equal(await client.query(successes('canary'), before), 26);
  await prometheus.stop();
  await assert.rejects(client.query(successes('canary')), (err: unknown) => {
    assert.ok(err instanceof PrometheusUnavailableError, String(err));
    assert.equal(err.status, undefined);
    assert.match(err.message, new RegExp(`Prometheus at ${prometheus.url} is unavailable: .*ECONNREFUSED`));
    return true;
  });
  // Requests during the outage are counted by the pods and scraped once it is back.
  await sendToPods('canary', 5);

  await prometheus.start();
  assert.ok(prometheus.process.running);
  assert.equal(await queryUntil(successes('canary'), (v) => v === 31), 31);
  assert.equal(await client.query(successes('canary'), before), 26, 'the value before the outage, from the same data folder');
});
