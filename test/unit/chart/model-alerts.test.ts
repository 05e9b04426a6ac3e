// The chart's per-model alerts (prometheusRule.models), checked by Prometheus's own promtool: each fires
// on its signal and stays quiet before it, on synthetic series shaped like the inference agent's metrics
// as the model pods' scrape labels them (namespace, pod, model_deployment, variant, revision).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dump } from 'js-yaml';
import { findObject, renderChart, toolsDir } from '../../support/helm-chart.ts';
import { expectedAlert, promtool } from '../../support/promtool.ts';
import type { AlertRule } from '../../support/promtool.ts';

const tools = await toolsDir();
const dir = mkdtempSync(join(tmpdir(), 'modelship-model-rules-'));

const objects = await renderChart(tools, ['--namespace', 'modelship-system', '--set', 'prometheusRule.enabled=true']);
const spec = findObject(objects, 'PrometheusRule')?.spec as { groups: { name: string; rules: AlertRule[] }[] };
const group = spec.groups.find((g) => g.name === 'modelship-models');
assert.ok(group, 'the modelship-models group is rendered by default with prometheusRule.enabled');
const rulesFile = join(dir, 'rules.yaml');
writeFileSync(rulesFile, dump({ groups: [group] }));

function rule(alert: string): AlertRule {
  const r = group?.rules.find((x) => x.alert === alert);
  assert.ok(r, alert);
  return r;
}

const key = (revision: string, variant = 'stable') => ({ namespace: 'shop', model_deployment: 'iris', variant, revision });
/** A series as the model pods' scrape labels it. */
const series = (metric: string, labels: Record<string, string>, revision = '3', variant = 'stable') =>
  `${metric}{${Object.entries({ ...key(revision, variant), pod: `iris-${revision}-a`, job: 'model-pods', ...labels })
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

async function runPromtool(name: string, tests: unknown): Promise<void> {
  const testFile = join(dir, `${name}.test.yaml`);
  writeFileSync(testFile, dump(tests, { lineWidth: -1 }));
  const r = await promtool(tools, ['test', 'rules', testFile]);
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /SUCCESS/);
}

void test('the per-model rules parse and can be turned off', async () => {
  const r = await promtool(tools, ['check', 'rules', rulesFile]);
  assert.equal(r.code, 0, r.output);
  assert.deepEqual(
    group.rules.map((x) => x.alert),
    ['ModelshipModelLatencyHigh', 'ModelshipModelErrorRateHigh', 'ModelshipModelAccuracyDrop', 'ModelshipAgentLogDrops', 'ModelshipModelNoTraffic'],
  );
  const off = await renderChart(tools, ['--set', 'prometheusRule.enabled=true', '--set', 'prometheusRule.models.enabled=false']);
  const offSpec = findObject(off, 'PrometheusRule')?.spec as { groups: { name: string }[] };
  assert.deepEqual(offSpec.groups.map((g) => g.name), ['modelship']);
});

void test('latency, errors, log drops and no traffic fire on their signal and not before (promtool test rules)', async () => {
  const bucket = (le: string, values: string) => ({ series: series('modelship_inference_request_duration_seconds_bucket', { le }), values });
  await runPromtool('per-minute', {
    rule_files: [rulesFile],
    evaluation_interval: '1m',
    tests: [
      {
        // 10 requests a minute, all under 0.5 s until minute 20, then all between 1 and 2.5 s.
        interval: '1m',
        input_series: [bucket('0.5', '0+10x20 200x40'), bucket('1', '0+10x20 200x40'), bucket('2.5', '0+10x60'), bucket('+Inf', '0+10x60')],
        alert_rule_test: [
          { eval_time: '19m', alertname: 'ModelshipModelLatencyHigh', exp_alerts: [] },
          { eval_time: '28m', alertname: 'ModelshipModelLatencyHigh', exp_alerts: [] },
          { eval_time: '40m', alertname: 'ModelshipModelLatencyHigh', exp_alerts: [expectedAlert(rule('ModelshipModelLatencyHigh'), key('3'), '2.425s')] },
        ],
      },
      {
        // 100 answers a minute with 200; from minute 20 also 10 a minute with 503.
        interval: '1m',
        input_series: [
          { series: series('modelship_inference_requests_total', { code: '200' }), values: '0+100x60' },
          { series: series('modelship_inference_requests_total', { code: '503' }), values: '0x20 10+10x39' },
        ],
        alert_rule_test: [
          { eval_time: '19m', alertname: 'ModelshipModelErrorRateHigh', exp_alerts: [] },
          { eval_time: '28m', alertname: 'ModelshipModelErrorRateHigh', exp_alerts: [] },
          { eval_time: '40m', alertname: 'ModelshipModelErrorRateHigh', exp_alerts: [expectedAlert(rule('ModelshipModelErrorRateHigh'), key('3'), '9.091%')] },
        ],
      },
      {
        // The agent writes 10 records a minute; from minute 20 it also drops one a minute.
        interval: '1m',
        input_series: [
          { series: series('modelship_agent_log_records_total', { outcome: 'written' }), values: '0+10x50' },
          { series: series('modelship_agent_log_records_total', { outcome: 'dropped' }), values: '0x20 1+1x30' },
        ],
        alert_rule_test: [
          { eval_time: '19m', alertname: 'ModelshipAgentLogDrops', exp_alerts: [] },
          { eval_time: '28m', alertname: 'ModelshipAgentLogDrops', exp_alerts: [] },
          { eval_time: '35m', alertname: 'ModelshipAgentLogDrops', exp_alerts: [expectedAlert(rule('ModelshipAgentLogDrops'), key('3'), '16.67m')] },
        ],
      },
      {
        // Revision 3 serves 10 requests a minute until minute 20, then none, its pod still up; revision 4
        // (canary) is up but never gets a request; revision 5 gets none either, but its pod is down.
        interval: '1m',
        input_series: [
          { series: series('modelship_inference_request_duration_seconds_count', {}), values: '0+10x20 200x70' },
          { series: series('up', {}), values: '1x90' },
          { series: series('modelship_inference_request_duration_seconds_count', {}, '4', 'canary'), values: '0x90' },
          { series: series('up', {}, '4', 'canary'), values: '1x90' },
          { series: series('modelship_inference_request_duration_seconds_count', {}, '5', 'canary'), values: '0x90' },
          { series: series('up', {}, '5', 'canary'), values: '0x90' },
        ],
        alert_rule_test: [
          { eval_time: '20m', alertname: 'ModelshipModelNoTraffic', exp_alerts: [] },
          { eval_time: '50m', alertname: 'ModelshipModelNoTraffic', exp_alerts: [expectedAlert(rule('ModelshipModelNoTraffic'), key('4', 'canary'))] },
          {
            eval_time: '60m',
            alertname: 'ModelshipModelNoTraffic',
            exp_alerts: [expectedAlert(rule('ModelshipModelNoTraffic'), key('3')), expectedAlert(rule('ModelshipModelNoTraffic'), key('4', 'canary'))],
          },
        ],
      },
    ],
  });
});

void test("accuracy drop: a revision's last hour against the model's 7 days, only with enough labels (promtool test rules)", async () => {
  const labelsOf = (revision: string, variant: string, result: string) =>
    series('modelship_inference_labels_total', { prediction_variant: variant, prediction_revision: revision, prediction_version: revision, result });
  // Every 10 minutes: revision 3 gets 60 labels, 90% correct, until hour 144 (day 6), then 70% correct.
  // Revision 4 (canary) gets one incorrect label every 10 minutes: 6 an hour, under the 100 needed.
  const steps = 6 * 24 * 6;
  await runPromtool('accuracy', {
    rule_files: [rulesFile],
    evaluation_interval: '5m',
    tests: [
      {
        interval: '10m',
        input_series: [
          { series: labelsOf('3', 'stable', 'correct'), values: `0+54x${steps} ${54 * steps + 42}+42x30` },
          { series: labelsOf('3', 'stable', 'incorrect'), values: `0+6x${steps} ${6 * steps + 18}+18x30` },
          { series: labelsOf('4', 'canary', 'correct'), values: `0x${steps + 30}` },
          { series: labelsOf('4', 'canary', 'incorrect'), values: `0+1x${steps + 30}` },
        ],
        alert_rule_test: [
          { eval_time: '143h', alertname: 'ModelshipModelAccuracyDrop', exp_alerts: [] },
          { eval_time: '144h10m', alertname: 'ModelshipModelAccuracyDrop', exp_alerts: [] },
          {
            eval_time: '146h',
            alertname: 'ModelshipModelAccuracyDrop',
            exp_alerts: [
              expectedAlert(
                rule('ModelshipModelAccuracyDrop'),
                { namespace: 'shop', model_deployment: 'iris', prediction_variant: 'stable', prediction_revision: '3' },
                '70%',
              ),
            ],
          },
        ],
      },
    ],
  });
});
