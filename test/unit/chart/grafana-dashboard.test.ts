// The chart's Grafana dashboard: shipped in a ConfigMap the Grafana sidecar picks up, and every query in
// it (each panel's targets and the variables' label_values) evaluated by Prometheus's own engine
// (promtool test rules, promql_expr_test) over series shaped like the inference agent's, two revisions of
// one ModelDeployment beside another model: each must return one series per revision, none empty.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dump } from 'js-yaml';
import { findObject, renderChart, toolsDir } from '../../support/helm-chart.ts';
import { promtool } from '../../support/promtool.ts';

const tools = await toolsDir();
const dir = mkdtempSync(join(tmpdir(), 'modelship-dashboard-'));

interface Target {
  expr: string;
  refId: string;
}
interface Panel {
  title: string;
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query?: { query: string } | string;
}
interface Annotation {
  name: string;
  builtIn?: number;
  expr?: string;
  target?: { expr: string };
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  annotations: { list: Annotation[] };
  templating: { list: Variable[] };
}

const objects = await renderChart(tools, ['--namespace', 'monitoring', '--set', 'grafanaDashboard.enabled=true', '--set', 'grafanaDashboard.annotations.grafana_folder=ML']);
const configMap = findObject(objects, 'ConfigMap', 'modelship-dashboard') as { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; data: Record<string, string> } | undefined;
assert.ok(configMap, 'the dashboard ConfigMap is rendered');
const dashboard = JSON.parse(configMap.data['modelship-models.json'] ?? '') as Dashboard;
const renderedWithout = await renderChart(tools, ['--namespace', 'monitoring']);

/** What Grafana sends for a chosen namespace and ModelDeployment; $__rate_interval at a 1m scrape is at least 4 scrapes. */
function substitute(expr: string): string {
  const out = expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', 'shop').replaceAll('$model_deployment', 'iris');
  assert.doesNotMatch(out, /\$/, `a variable left in ${out}`);
  return out;
}

/** Grafana's label_values(selector, label) as the PromQL that lists the same values. */
function variableQuery(v: Variable): string {
  const text = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
  const m = /^label_values\((.+), (\w+)\)$/.exec(text);
  assert.ok(m, `${v.name}: ${text}`);
  return `count by (${m[2]}) (${m[1]})`;
}

const key = (ns: string, md: string, variant: string, revision: string) => `namespace="${ns}",model_deployment="${md}",variant="${variant}",revision="${revision}",pod="${md}-${revision}-a",job="model-pods"`;
const REVISIONS = [
  ['shop', 'iris', 'stable', '3'],
  ['shop', 'iris', 'canary', '4'],
  ['risk', 'fraud', 'stable', '1'],
] as const;

function agentSeries(): { series: string; values: string }[] {
  const out: { series: string; values: string }[] = [];
  for (const [ns, md, variant, revision] of REVISIONS) {
    const k = key(ns, md, variant, revision);
    out.push({ series: `modelship_inference_requests_total{${k},code="200"}`, values: '0+100x30' });
    out.push({ series: `modelship_inference_requests_total{${k},code="503"}`, values: '0+2x30' });
    for (const [le, perMinute] of [['0.05', 40], ['0.1', 80], ['0.25', 100], ['+Inf', 102]] as const) {
      out.push({ series: `modelship_inference_request_duration_seconds_bucket{${k},le="${le}"}`, values: `0+${perMinute}x30` });
    }
    out.push({ series: `modelship_inference_request_duration_seconds_count{${k}}`, values: '0+102x30' });
    out.push({ series: `modelship_agent_log_records_total{${k},outcome="written"}`, values: '0+100x30' });
    out.push({ series: `modelship_agent_log_records_total{${k},outcome="dropped"}`, values: '0+2x30' });
    // Labels for this revision's predictions, received by the stable pod of the model.
    const receiver = REVISIONS.find(([n, m, v]) => n === ns && m === md && v === 'stable')!;
    const pk = `${key(ns, md, receiver[2], receiver[3])},prediction_variant="${variant}",prediction_revision="${revision}",prediction_version="${revision}"`;
    out.push({ series: `modelship_inference_labels_total{${pk},result="correct"}`, values: '0+9x30' });
    out.push({ series: `modelship_inference_labels_total{${pk},result="incorrect"}`, values: '0+1x30' });
  }
  return out;
}

void test('the dashboard ships in a ConfigMap the Grafana sidecar loads, with namespace and ModelDeployment variables', () => {
  assert.equal(configMap.metadata.labels.grafana_dashboard, '1');
  assert.equal(configMap.metadata.annotations?.grafana_folder, 'ML');
  assert.equal(dashboard.uid, 'modelship-models');
  const vars = dashboard.templating.list.filter((v) => v.type === 'query').map((v) => v.name);
  assert.deepEqual(vars, ['namespace', 'model_deployment']);
  assert.deepEqual(
    dashboard.panels.map((p) => p.title),
    ['Traffic', 'Error rate', 'Latency p50 / p95 / p99', 'Accuracy (1h)', 'Labels per second', 'Log records dropped'],
  );
  assert.equal(findObject(renderedWithout, 'ConfigMap', 'modelship-dashboard'), undefined, 'off by default');
});

void test('every panel query returns one non-empty series per revision of the chosen model, on real data (promtool)', async () => {
  const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ name: `${p.title} ${t.refId}`, expr: substitute(t.expr), series: 2 })));
  // The namespace variable lists both namespaces with models; the ModelDeployment one, the chosen namespace's.
  const listed: Record<string, number> = { namespace: 2, model_deployment: 1 };
  const variables = dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => ({ name: v.name, expr: substitute(variableQuery(v)), series: listed[v.name] ?? 0 }));
  const queries = [...targets, ...variables];
  assert.equal(targets.length, 8, 'three latency quantiles and one query for each other panel');
  const tests = {
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: agentSeries(),
        // A query that returns nothing, or NaN where a number belongs, counts fewer series than expected.
        promql_expr_test: queries.map((q) => ({ expr: `count((${q.expr}) >= 0)`, eval_time: '30m', exp_samples: [{ labels: '{}', value: q.series }] })),
      },
    ],
  };
  const testFile = join(dir, 'dashboard.test.yaml');
  writeFileSync(testFile, dump(tests, { lineWidth: -1 }));
  const r = await promtool(tools, ['test', 'rules', testFile]);
  assert.equal(r.code, 0, `${queries.map((q) => `${q.name}: ${q.expr}`).join('\n')}\n${r.output}`);
  assert.match(r.output, /SUCCESS/);
});

/** The operator's rollout gauges as two replicas export them (the second restarted at minute 12): iris
 * walks weight 10 (step 0) at minute 10, a pause step (step 1) at 15, weight 50 (step 2) at 20; fraud
 * in another namespace has no canary. */
function operatorSeries(): { series: string; values: string }[] {
  const minutes = Array.from({ length: 31 }, (_, m) => m);
  const weight = (m: number) => (m < 10 ? 0 : m < 20 ? 10 : 50);
  const step = (m: number) => (m < 10 ? -1 : m < 15 ? 0 : m < 20 ? 1 : 2);
  const out: { series: string; values: string }[] = [];
  for (const pod of ['modelship-a', 'modelship-b']) {
    const from = pod === 'modelship-a' ? 0 : 12;
    const values = (f: (m: number) => number) => minutes.map((m) => (m < from ? '_' : String(f(m)))).join(' ');
    const k = (ns: string, md: string) => `model_namespace="${ns}",model_deployment="${md}",namespace="modelship-system",pod="${pod}",job="modelship-metrics"`;
    out.push({ series: `modelship_rollout_canary_weight{${k('shop', 'iris')}}`, values: values(weight) });
    out.push({ series: `modelship_rollout_step{${k('shop', 'iris')}}`, values: values(step) });
    out.push({ series: `modelship_rollout_canary_weight{${k('risk', 'fraud')}}`, values: values(() => 0) });
    out.push({ series: `modelship_rollout_step{${k('risk', 'fraud')}}`, values: values(() => -1) });
  }
  return out;
}

void test('the rollout-step annotation marks each change of the canary weight or step of the chosen model, and nothing else (promtool)', async () => {
  const annotations = dashboard.annotations.list.filter((a) => a.builtIn !== 1);
  assert.deepEqual(annotations.map((a) => a.name), ['Rollout steps']);
  const a = annotations[0]!;
  assert.equal(a.expr, a.target?.expr, 'the legacy and the current field say the same');
  const expr = substitute(a.expr ?? '');
  const iris = '{model_namespace="shop",model_deployment="iris"}';
  // [eval minute, the value (changes in the window: weight + step), or none]
  const expected: [number, number | undefined][] = [[5, undefined], [9, undefined], [11, 2], [13, 2], [16, 1], [21, 2], [27, undefined], [30, undefined]];
  const tests = {
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: operatorSeries(),
        promql_expr_test: expected.map(([m, v]) => ({ expr, eval_time: `${m}m`, exp_samples: v === undefined ? [] : [{ labels: iris, value: v }] })),
      },
    ],
  };
  const testFile = join(dir, 'annotation.test.yaml');
  writeFileSync(testFile, dump(tests, { lineWidth: -1 }));
  const r = await promtool(tools, ['test', 'rules', testFile]);
  assert.equal(r.code, 0, `${expr}\n${r.output}`);
  assert.match(r.output, /SUCCESS/);
  // The same query for the model without a canary is empty at every minute.
  const fraud = expr.replaceAll('model_namespace="shop",model_deployment="iris"', 'model_namespace="risk",model_deployment="fraud"');
  assert.notEqual(fraud, expr);
  const none = { evaluation_interval: '1m', tests: [{ interval: '1m', input_series: operatorSeries(), promql_expr_test: [5, 11, 16, 21, 30].map((m) => ({ expr: fraud, eval_time: `${m}m`, exp_samples: [] })) }] };
  writeFileSync(testFile, dump(none, { lineWidth: -1 }));
  const r2 = await promtool(tools, ['test', 'rules', testFile]);
  assert.equal(r2.code, 0, `${fraud}\n${r2.output}`);
});
