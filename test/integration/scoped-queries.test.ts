// Analysis queries read their own namespace only: a real Prometheus scrapes model pods of two namespaces
// and the operator's measurement (src/controller/fetch-measurement.ts) of a ModelDeployment in the first
// sees nothing of the second, whether its custom query names no namespace (scoped to its own) or names
// the other one (refused, nothing sent: the measurement is Refused with no value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { formatFieldErrors, parseModelDeployment } from '../../src/api/index.ts';
import type { ModelDeploymentSpec } from '../../src/api/index.ts';
import { createPrometheusClient } from '../../src/analysis/prometheus-client.ts';
import { noAnalysisSources } from '../../src/analysis/prometheus-sources.ts';
import { fetchMeasurement, type MeasurementRequest } from '../../src/controller/fetch-measurement.ts';
import { ApiClient } from '../../src/kube/api-client.ts';
import { validManifest, withChanges, type Json } from '../fixtures/manifests.ts';
import { connectionOf } from '../support/connection.ts';
import { chartServiceAccount } from '../support/chart-service-account.ts';
import { createObjects, dataPathCluster, sendMany, variantObjects, waitVariantReady } from '../support/data-path.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';
import { testPrometheusCidrs } from '../support/outbound-allow.ts';

const cluster = await dataPathCluster({ prometheus: true });
const prometheus = cluster.dataPath.prometheus;
assert.ok(prometheus, 'the data path runs Prometheus');
const kc = cluster.kubeConfig();
const ours = await testNamespace(kc, 'scoped-ours');
const theirs = await testNamespace(kc, 'scoped-theirs');
const model = 'iris';
const sent = { [ours]: 3, [theirs]: 40 };

await createObjects(kc, [ours, theirs].flatMap((namespace) => variantObjects({ namespace, model, variant: 'canary', version: '2' })));
for (const namespace of [ours, theirs]) {
  await waitVariantReady(kc, cluster.dataPath, namespace, model, 'canary');
  const pod = await eventually(
    `${namespace} pod served`,
    () => Promise.resolve([...cluster.dataPath.simulator.served().values()].find((p) => p.namespace === namespace)),
    (p) => p !== undefined,
    30_000,
  );
  const replies = await sendMany(`http://${pod!.ip}:8080`, sent[namespace] ?? 0);
  assert.ok(replies.every((r) => r.status === 200));
}
// Ground truth, asked directly: Prometheus holds both namespaces' counters.
const direct = createPrometheusClient({ address: prometheus.url, timeoutMs: 5000, allowCidrs: testPrometheusCidrs });
for (const namespace of [ours, theirs]) {
  const q = `sum(model_infer_request_success_total{namespace="${namespace}"})`;
  await eventually(`${q} scraped`, () => direct.query(q), (v) => v === sent[namespace], 60_000, 250);
}
await direct.close();

function specWith(metrics: Json[]): ModelDeploymentSpec {
  const analysis = { successRate: { enabled: false }, latency: { enabled: false }, metrics };
  const rollout = { strategy: 'canary', steps: [{ weight: 10 }], traffic: { provider: 'gateway-api', gateway: { name: 'gw', namespace: 'gateways' } }, analysis };
  const r = parseModelDeployment(withChanges(validManifest(model), { 'spec.rollout': rollout }));
  if (!r.ok) throw new Error(formatFieldErrors(r.errors));
  return r.value.spec;
}

// The operator's side runs with the chart's rights.
const operatorClient = new ApiClient(connectionOf(await chartServiceAccount(cluster)), { qps: 10, burst: 30, userAgent: 'modelship-test' });
const request: MeasurementRequest = { kind: 'measurement', revision: 2, stableRevision: 1, windowStartedAt: new Date(Date.now() - 60_000).toISOString(), intervalMs: 60_000, pValue: 1 };
const measure = (metrics: Json[]) =>
  fetchMeasurement({ namespace: ours, name: model, spec: specWith(metrics) }, request, {
    client: operatorClient,
    analysisSources: { ...noAnalysisSources('modelship-system'), sources: [{ name: 'test', address: prometheus.url, default: true }] },
    allowCidrs: testPrometheusCidrs,
    now: () => new Date(),
    log: pino({ level: 'silent' }),
  });

test('a query without a namespace reads only the ModelDeployment namespace', async () => {
  const run = await measure([
    { name: 'successes', query: 'sum(model_infer_request_success_total)', max: 1e9 },
    { name: 'by-name', query: 'sum({__name__=~"model_infer_request_success_total"})', max: 1e9 },
    { name: 'series', query: 'count(model_infer_request_success_total) + count(up{job="modelship-pods"})', max: 1e9 },
  ]);
  const value = (check: string) => run.measurements.find((m) => m.check === check)?.value;
  assert.equal(run.verdict, 'Pass', run.message);
  assert.equal(value('successes'), sent[ours], `only ${ours}'s requests, not ${theirs}'s (${run.message})`);
  assert.equal(value('by-name'), sent[ours]);
  assert.equal(value('series'), 2, 'one series and one target, both of this namespace');
});

test('a query naming another namespace is refused: nothing of it in the measurement', async () => {
  for (const query of [
    `sum(model_infer_request_success_total{namespace="${theirs}"})`,
    'sum(model_infer_request_success_total{namespace=~".+"})',
    `sum(model_infer_request_success_total) + sum(up{namespace!="${ours}"})`,
  ]) {
    const run = await measure([{ name: 'other', query, max: 1e9 }]);
    assert.equal(run.verdict, 'Refused', `${query}: ${run.message}`);
    assert.deepEqual(
      run.measurements.map((m) => [m.check, m.verdict, m.value]),
      [['other', 'Refused', undefined]],
    );
    assert.doesNotMatch(run.message, new RegExp(`\\b${sent[theirs]}\\b`), 'no value of the other namespace');
    assert.match(run.message, /namespace .*only/);
  }
});
