// The chart's alerts, checked by Prometheus's own promtool: the rules parse, and each alert fires (and
// stays quiet) on synthetic series shaped like the operator's metrics, as scraped through the chart's
// ServiceMonitor (job <fullname>-metrics, namespace of the release).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dump } from 'js-yaml';
import { findObject, renderChart, toolsDir } from '../../support/helm-chart.ts';
import { runTool } from '../../support/run-tool.ts';

const tools = await toolsDir();
const dir = mkdtempSync(join(tmpdir(), 'modelship-rules-'));

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

// The per-model group has its own test (model-alerts.test.ts).
const objects = await renderChart(tools, ['--namespace', 'modelship-system', '--set', 'prometheusRule.enabled=true', '--set', 'prometheusRule.models.enabled=false']);
const spec = findObject(objects, 'PrometheusRule')?.spec as { groups: { name: string; rules: Rule[] }[] };
const rules = spec.groups.flatMap((g) => g.rules);
const rulesFile = join(dir, 'rules.yaml');
writeFileSync(rulesFile, dump({ groups: spec.groups }));

/** promtool from the test tools (built with Prometheus from test/cluster/go/prometheus). */
async function promtool(args: string[]): Promise<{ code: number; output: string }> {
  const r = await runTool(tools, 'promtool', args);
  return { code: r.code, output: r.stdout + r.stderr };
}

const target = 'job="modelship-metrics",namespace="modelship-system",pod="modelship-0"';
const retrainingState = (name: string, state: string) => `modelship_retraining_last_trigger_state{model_namespace="shop",model_deployment="${name}",state="${state}",${target}}`;
const gauge = (condition: string, status: string) => `modelship_model_deployments{condition="${condition}",status="${status}",${target}}`;

/** An alert as promtool reports it: the rule's labels and its annotations with $value filled in. */
function firing(alert: string, value: string): { exp_labels: Record<string, string>; exp_annotations: Record<string, string> } {
  const rule = rules.find((r) => r.alert === alert);
  assert.ok(rule, alert);
  const annotations = Object.fromEntries(
    Object.entries(rule.annotations).map(([k, v]) => [k, v.replace(/\{\{ \$value \| humanize \}\}|\{\{ \$value \}\}/g, value)]),
  );
  return { exp_labels: rule.labels, exp_annotations: annotations };
}

/** A per-ModelDeployment alert as promtool reports it: its labels fill the description. */
function modelFiring(alert: string, labels: Record<string, string>): { exp_labels: Record<string, string>; exp_annotations: Record<string, string> } {
  const rule = rules.find((r) => r.alert === alert);
  assert.ok(rule, alert);
  const fill = (v: string) => Object.entries(labels).reduce((text, [k, value]) => text.replaceAll(`{{ $labels.${k} }}`, value), v);
  const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, fill(v)]));
  return { exp_labels: { ...rule.labels, ...labels }, exp_annotations: annotations };
}

const driftFiring = (namespace: string, name: string) => modelFiring('ModelshipDriftDetected', { model_namespace: namespace, model_deployment: name });

void test('the rules parse (promtool check rules)', async () => {
  const r = await promtool(['check', 'rules', rulesFile]);
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /SUCCESS: 7 rules found/);
  assert.deepEqual(rules.map((x) => x.alert), [
    'ModelshipOperatorDown',
    'ModelshipReconcileErrors',
    'ModelshipModelDeploymentsStalled',
    'ModelshipRolloutFailed',
    'ModelshipModelDeploymentNotServing',
    'ModelshipDriftDetected',
    'ModelshipRetrainingFailed',
  ]);
});

void test('each alert fires on its signal and not before (promtool test rules)', async () => {
  const tests = {
    rule_files: [rulesFile],
    evaluation_interval: '1m',
    tests: [
      {
        // A ModelDeployment turns Stalled at minute 20 (its canary failed): RolloutFailed at once, for 10
        // minutes; Stalled after 15 minutes of it.
        interval: '1m',
        input_series: [
          { series: gauge('Ready', 'True'), values: '3x45' },
          // `_xN` is N missing samples: the series starts at minute N.
          { series: gauge('Stalled', 'True'), values: '_x20 1x25' },
        ],
        alert_rule_test: [
          { eval_time: '19m', alertname: 'ModelshipRolloutFailed', exp_alerts: [] },
          { eval_time: '21m', alertname: 'ModelshipRolloutFailed', exp_alerts: [firing('ModelshipRolloutFailed', '1')] },
          { eval_time: '31m', alertname: 'ModelshipRolloutFailed', exp_alerts: [] },
          { eval_time: '30m', alertname: 'ModelshipModelDeploymentsStalled', exp_alerts: [] },
          { eval_time: '36m', alertname: 'ModelshipModelDeploymentsStalled', exp_alerts: [firing('ModelshipModelDeploymentsStalled', '1')] },
        ],
      },
      {
        // The operator (re)starts at minute 20 with a ModelDeployment already Stalled: no "new" failure.
        interval: '1m',
        input_series: [
          { series: gauge('Ready', 'False'), values: '_x20 1x20' },
          { series: gauge('Stalled', 'True'), values: '_x20 1x20' },
        ],
        alert_rule_test: [
          { eval_time: '21m', alertname: 'ModelshipRolloutFailed', exp_alerts: [] },
          { eval_time: '25m', alertname: 'ModelshipRolloutFailed', exp_alerts: [] },
        ],
      },
      {
        // One reconcile error a minute from minute 10 on: the alert after 15 minutes of it.
        interval: '1m',
        input_series: [{ series: `controller_runtime_reconcile_errors_total{controller="modeldeployment",${target}}`, values: '0x10 1+1x30' }],
        alert_rule_test: [
          { eval_time: '20m', alertname: 'ModelshipReconcileErrors', exp_alerts: [] },
          { eval_time: '30m', alertname: 'ModelshipReconcileErrors', exp_alerts: [firing('ModelshipReconcileErrors', '16.67m')] },
        ],
      },
      {
        // The only replica stops answering scrapes at minute 10.
        interval: '1m',
        input_series: [{ series: `up{${target}}`, values: '1x10 0x20' }],
        alert_rule_test: [
          { eval_time: '9m', alertname: 'ModelshipOperatorDown', exp_alerts: [] },
          { eval_time: '13m', alertname: 'ModelshipOperatorDown', exp_alerts: [] },
          { eval_time: '17m', alertname: 'ModelshipOperatorDown', exp_alerts: [firing('ModelshipOperatorDown', '1')] },
        ],
      },
      {
        // No ready replica behind a ModelDeployment's Service from minute 5.
        interval: '1m',
        input_series: [{ series: gauge('Serving', 'False'), values: '_x5 1x15' }],
        alert_rule_test: [
          { eval_time: '8m', alertname: 'ModelshipModelDeploymentNotServing', exp_alerts: [] },
          { eval_time: '11m', alertname: 'ModelshipModelDeploymentNotServing', exp_alerts: [firing('ModelshipModelDeploymentNotServing', '1')] },
        ],
      },
      {
        // A drift check finds drift at minute 5 (two replicas export the gauge); the next one, at minute
        // 15, finds none.
        interval: '1m',
        input_series: [
          { series: `modelship_drift_check_verdict{model_namespace="shop",model_deployment="iris",verdict="Drift",${target}}`, values: '0x4 1x10 0x5' },
          { series: `modelship_drift_check_verdict{model_namespace="shop",model_deployment="iris",verdict="Drift",${target.replace('modelship-0', 'modelship-1')}}`, values: '0x4 1x10 0x5' },
          { series: `modelship_drift_check_verdict{model_namespace="shop",model_deployment="iris",verdict="NoDrift",${target}}`, values: '1x4 0x10 1x5' },
        ],
        alert_rule_test: [
          { eval_time: '4m', alertname: 'ModelshipDriftDetected', exp_alerts: [] },
          { eval_time: '6m', alertname: 'ModelshipDriftDetected', exp_alerts: [driftFiring('shop', 'iris')] },
          { eval_time: '16m', alertname: 'ModelshipDriftDetected', exp_alerts: [] },
        ],
      },
      {
        // Retraining: shop/iris's trigger is Pending from minute 2 (its sends fail) and accepted (Sent) at
        // minute 30; shop/fraud's run fails at minute 5 and a new trigger is Sent at minute 40. A Pending
        // of a few minutes is quiet.
        interval: '1m',
        input_series: [
          { series: retrainingState('iris', 'Pending'), values: '0x1 1x27 0x20' },
          { series: retrainingState('iris', 'Sent'), values: '1x1 0x27 1x20' },
          { series: retrainingState('fraud', 'Pending'), values: '0x1 1x2 0x44' },
          { series: retrainingState('fraud', 'Failed'), values: '0x4 1x34 0x8' },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'ModelshipRetrainingFailed', exp_alerts: [] },
          { eval_time: '18m', alertname: 'ModelshipRetrainingFailed', exp_alerts: [modelFiring('ModelshipRetrainingFailed', { model_namespace: 'shop', model_deployment: 'iris', state: 'Pending' })] },
          {
            eval_time: '25m',
            alertname: 'ModelshipRetrainingFailed',
            exp_alerts: [
              modelFiring('ModelshipRetrainingFailed', { model_namespace: 'shop', model_deployment: 'fraud', state: 'Failed' }),
              modelFiring('ModelshipRetrainingFailed', { model_namespace: 'shop', model_deployment: 'iris', state: 'Pending' }),
            ],
          },
          { eval_time: '45m', alertname: 'ModelshipRetrainingFailed', exp_alerts: [] },
        ],
      },
    ],
  };
  const testFile = join(dir, 'rules.test.yaml');
  writeFileSync(testFile, dump(tests, { lineWidth: -1 }));
  const r = await promtool(['test', 'rules', testFile]);
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /SUCCESS/);
});
