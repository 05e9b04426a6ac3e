// The retraining metrics: each send counted once by its result (sent, duplicate, failed) under bounded
// labels; the gauges follow status.retraining.lastTrigger (its time with reason and target, its state as
// one series per state), export nothing without a trigger, and forget a ModelDeployment gone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetrics, retrainingSendMetrics, setRetrainingGauges } from '../../../src/observability/metrics.ts';
import { retrainingGaugeValues } from '../../../src/observability/retraining-gauges.ts';
import { SEND_RESULTS, sendResultLabel } from '../../../src/retraining/send-metrics.ts';

void test('a send result maps to sent, duplicate or failed', () => {
  assert.equal(sendResultLabel({ ok: true, runId: 'r', duplicate: false }), 'sent');
  assert.equal(sendResultLabel({ ok: true, runId: 'r', duplicate: true }), 'duplicate');
  assert.equal(sendResultLabel({ ok: false, message: 'Airflow cannot be reached' }), 'failed');
  assert.deepEqual([...SEND_RESULTS], ['sent', 'duplicate', 'failed']);
});

void test('sends are counted per ModelDeployment, reason, target and result', async () => {
  const m = createMetrics();
  const count = retrainingSendMetrics(m);
  const labels = { model_namespace: 'shop', model_deployment: 'iris', reason: 'Drift', target: 'airflow' } as const;
  count.sent(labels, 'failed');
  count.sent(labels, 'failed');
  count.sent(labels, 'sent');
  count.sent({ ...labels, reason: 'Schedule', target: 'job' }, 'duplicate');
  const text = await m.registry.metrics();
  for (const line of [
    '# TYPE modelship_retraining_sends_total counter',
    'modelship_retraining_sends_total{model_namespace="shop",model_deployment="iris",reason="Drift",target="airflow",result="failed"} 2',
    'modelship_retraining_sends_total{model_namespace="shop",model_deployment="iris",reason="Drift",target="airflow",result="sent"} 1',
    'modelship_retraining_sends_total{model_namespace="shop",model_deployment="iris",reason="Schedule",target="job",result="duplicate"} 1',
  ]) {
    assert.ok(text.includes(line), `missing ${line}\n${text}`);
  }
});

void test('retraining gauges follow status.retraining and forget what is gone', async () => {
  const m = createMetrics();
  const iris = {
    metadata: { namespace: 'shop', name: 'iris' },
    status: { retraining: { lastTrigger: { id: 'rt-1', reason: 'Drift' as const, target: 'airflow' as const, time: '2026-12-04T11:00:00Z', state: 'Sent' as const } } },
  };
  const none = { metadata: { namespace: 'risk', name: 'fraud' }, status: {} };
  setRetrainingGauges(m, retrainingGaugeValues([iris, none, { metadata: { name: 'no-namespace' }, status: iris.status }]));
  let text = await m.registry.metrics();
  const seconds = Date.parse('2026-12-04T11:00:00Z') / 1000;
  assert.ok(text.includes(`modelship_retraining_last_trigger_timestamp_seconds{model_namespace="shop",model_deployment="iris",reason="Drift",target="airflow"} ${seconds}`), text);
  assert.ok(text.includes('modelship_retraining_last_trigger_state{model_namespace="shop",model_deployment="iris",state="Sent"} 1'), text);
  for (const state of ['Pending', 'Running', 'Succeeded', 'Failed']) {
    assert.ok(text.includes(`modelship_retraining_last_trigger_state{model_namespace="shop",model_deployment="iris",state="${state}"} 0`), state);
  }
  assert.ok(!text.includes('model_deployment="fraud"'), 'no trigger, no series');
  assert.ok(!text.includes('no-namespace'));

  setRetrainingGauges(m, retrainingGaugeValues([{ ...iris, metadata: { namespace: 'shop', name: 'iris-2' }, status: { retraining: { lastTrigger: { ...iris.status.retraining.lastTrigger, state: 'Failed' as const } } } }]));
  text = await m.registry.metrics();
  assert.ok(text.includes('modelship_retraining_last_trigger_state{model_namespace="shop",model_deployment="iris-2",state="Failed"} 1'), text);
  assert.ok(!text.includes('model_deployment="iris"'), 'a ModelDeployment gone leaves no series');
});

void test('a trigger without a time, reason or target exports its state only', () => {
  const values = retrainingGaugeValues([{ metadata: { namespace: 'shop', name: 'iris' }, status: { retraining: { lastTrigger: { state: 'Pending' as const, time: 'not a time', reason: 'Drift' as const, target: 'job' as const } } } }]);
  assert.deepEqual(values.lastTriggerTimes, []);
  assert.equal(values.states.filter((s) => s.value === 1).map((s) => s.labels.state).join(), 'Pending');
});
