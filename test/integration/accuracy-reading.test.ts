// The accuracy reading behind retraining.on.accuracyBelow (src/retraining/read-accuracy.ts) asked of a real
// Prometheus (3.x) serving modelship_inference_labels_total as the agent exports it: the stable revision's
// accuracy over the last hour is what the counters say, other revisions, ModelDeployments and namespaces
// are not counted, too few labels give no reading, and no Prometheus to ask is said so. Needs no control
// plane, only the built Prometheus.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pino from 'pino';
import { noAnalysisSources } from '../../src/analysis/prometheus-sources.ts';
import type { ModelDeploymentSpec } from '../../src/api/index.ts';
import type { ApiClient } from '../../src/kube/api-client.ts';
import { accuracySlot } from '../../src/retraining/accuracy-reading.ts';
import { readAccuracy } from '../../src/retraining/read-accuracy.ts';
import { startLabelsPrometheus } from '../support/labels-prometheus.ts';
import { testPrometheusCidrs } from '../support/outbound-allow.ts';

const prometheus = await startLabelsPrometheus([
  { namespace: 'shop', model: 'iris', revision: 3, correct: 0.6, incorrect: 0.4 },
  // Another revision, ModelDeployment and namespace of the same names: never counted with iris' revision 3.
  { namespace: 'shop', model: 'iris', revision: 4, correct: 0, incorrect: 1 },
  { namespace: 'shop', model: 'wine', revision: 3, correct: 1, incorrect: 0 },
  { namespace: 'other', model: 'iris', revision: 3, correct: 0, incorrect: 1 },
  // 0.02 labels per second: 72 in the hour, below the minimum of 100.
  { namespace: 'shop', model: 'rare', revision: 1, correct: 0.01, incorrect: 0.01 },
]);
after(() => prometheus.stop());

// No Secret is read: the default source has no credentials.
const client = {} as ApiClient;
const deps = {
  client,
  log: pino({ level: 'silent' }),
  allowCidrs: testPrometheusCidrs,
  now: () => new Date(),
  analysisSources: { ...noAnalysisSources('modelship-system'), sources: [{ name: 'default', address: prometheus.address, default: true }] },
};
const spec = {} as ModelDeploymentSpec;
const slot = accuracySlot(new Date());

void test('the reading is the stable revision’s accuracy over the last hour, at the slot’s time', async () => {
  const r = await readAccuracy({ namespace: 'shop', name: 'iris', revision: 3, spec }, slot, deps);
  assert.equal(r.kind, 'reading', JSON.stringify(r));
  if (r.kind !== 'reading') return;
  assert.ok(Math.abs(r.value - 0.6) < 0.005, `accuracy ${r.value}`);
  assert.ok(Math.abs(r.labels - 3600) < 0.02 * 3600, `labels ${r.labels}`);
  assert.equal(r.time.getTime(), slot.getTime());
  const wine = await readAccuracy({ namespace: 'shop', name: 'wine', revision: 3, spec }, slot, deps);
  assert.equal(wine.kind === 'reading' ? wine.value : wine.kind, 1);
});

void test('too few labels in the hour, or none, give no reading', async () => {
  const rare = await readAccuracy({ namespace: 'shop', name: 'rare', revision: 1, spec }, slot, deps);
  assert.equal(rare.kind, 'too-few', JSON.stringify(rare));
  assert.ok(rare.kind === 'too-few' && rare.labels > 50 && rare.labels < 100, JSON.stringify(rare));
  const none = await readAccuracy({ namespace: 'shop', name: 'iris', revision: 9, spec }, slot, deps);
  assert.deepEqual(none, { kind: 'too-few', labels: 0, time: slot });
});

void test('no Prometheus to ask, or one that does not answer, is an unavailable reading with the reason', async () => {
  const r = await readAccuracy({ namespace: 'shop', name: 'iris', revision: 3, spec }, slot, { ...deps, analysisSources: noAnalysisSources('modelship-system') });
  assert.equal(r.kind, 'unavailable');
  assert.match(r.kind === 'unavailable' ? r.message : '', /no Prometheus to ask/);
  const down = await readAccuracy({ namespace: 'shop', name: 'iris', revision: 3, spec }, slot, {
    ...deps,
    analysisSources: { ...noAnalysisSources('modelship-system'), sources: [{ name: 'default', address: 'http://127.0.0.1:9', default: true }] },
  });
  assert.equal(down.kind, 'unavailable', JSON.stringify(down));
});
