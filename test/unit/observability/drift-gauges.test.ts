// The drift gauges: the last check's verdict as one series per verdict, each listed feature's effect size
// and p-value; ModelDeployments without a verdict (none yet, or a failed check only) export nothing,
// and a ModelDeployment gone leaves no series.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetrics, setDriftGauges } from '../../../src/observability/metrics.ts';
import { driftGaugeValues } from '../../../src/observability/drift-gauges.ts';

void test('drift gauges follow status.drift and forget what is gone', async () => {
  const m = createMetrics();
  const iris = {
    metadata: { namespace: 'shop', name: 'iris' },
    status: {
      drift: {
        lastCheck: { verdict: 'Drift' as const },
        features: [
          { name: 'petal_length', effectSize: 0.73, pValue: 1.2e-30 },
          { name: 'sepal_width', effectSize: 0.001 },
        ],
      },
    },
  };
  const failedOnly = { metadata: { namespace: 'risk', name: 'fraud' }, status: { drift: { lastCheck: { reason: 'StorageUnavailable' } } } };
  setDriftGauges(m, driftGaugeValues([iris, failedOnly, { metadata: { name: 'no-namespace' } }]));
  let text = await m.registry.metrics();
  for (const line of [
    'modelship_drift_check_verdict{model_namespace="shop",model_deployment="iris",verdict="Drift"} 1',
    'modelship_drift_check_verdict{model_namespace="shop",model_deployment="iris",verdict="NoDrift"} 0',
    'modelship_drift_check_verdict{model_namespace="shop",model_deployment="iris",verdict="Inconclusive"} 0',
    'modelship_drift_feature_effect_size{model_namespace="shop",model_deployment="iris",feature="petal_length"} 0.73',
    'modelship_drift_feature_p_value{model_namespace="shop",model_deployment="iris",feature="petal_length"} 1.2e-30',
    'modelship_drift_feature_effect_size{model_namespace="shop",model_deployment="iris",feature="sepal_width"} 0.001',
  ]) {
    assert.ok(text.includes(line), `missing ${line}\n${text}`);
  }
  assert.ok(!text.includes('feature="sepal_width"} ') || !/p_value\{[^}]*sepal_width/.test(text), 'no p-value series without a p-value');
  assert.ok(!text.includes('model_deployment="fraud"'), 'no verdict, no series');
  setDriftGauges(m, driftGaugeValues([{ ...iris, status: { drift: { lastCheck: { verdict: 'NoDrift' as const } } } }]));
  text = await m.registry.metrics();
  assert.ok(text.includes('modelship_drift_check_verdict{model_namespace="shop",model_deployment="iris",verdict="NoDrift"} 1'));
  assert.ok(!text.includes('feature="petal_length"'), 'features of an older check go away');
});
