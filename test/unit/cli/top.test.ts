// `modelship top`: its arguments, its rows from Prometheus's answers and the table it prints (pure), and
// its queries evaluated by Prometheus's own engine (promtool test rules) over agent-shaped series.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dump } from 'js-yaml';
import { parseArgs } from '../../../src/cli/args.ts';
import { formatTop, topRows } from '../../../src/cli/format-top.ts';
import { parseVector } from '../../../src/cli/prometheus-vector.ts';
import { TOP_COLUMNS, topQueries } from '../../../src/cli/top-queries.ts';
import { toolsDir } from '../../support/helm-chart.ts';
import { promtool } from '../../support/promtool.ts';

const key = (md: string, variant: string, revision: string, ns = 'shop') => ({ namespace: ns, model_deployment: md, variant, revision });

test('top parses -n, -A and --prometheus, and refuses what it cannot use', () => {
  assert.deepEqual(parseArgs(['top', '-n', 'shop', '--prometheus', 'http://localhost:9090']), {
    ok: true,
    args: { command: { verb: 'top', allNamespaces: false, prometheus: 'http://localhost:9090' }, namespace: 'shop', output: 'text' },
  });
  assert.deepEqual(parseArgs(['top', '-A']), { ok: true, args: { command: { verb: 'top', allNamespaces: true }, output: 'text' } });
  for (const argv of [['top', 'iris'], ['top', '--prometheus', 'localhost:9090'], ['top', '--prometheus', 'http://p:9090/?x=1'], ['top', '--prometheus']]) {
    assert.equal(parseArgs(argv).ok, false, argv.join(' '));
  }
});

test('rows join the four answers by ModelDeployment, variant and revision; missing or NaN values are "-"', () => {
  const rows = topRows({
    requestRate: [
      { labels: key('iris', 'canary', '4'), value: 2.5 },
      { labels: key('iris', 'stable', '3'), value: 120.4 },
      { labels: key('fraud', 'stable', '1'), value: 0 },
    ],
    errorRate: [
      { labels: key('iris', 'stable', '3'), value: 0.0123 },
      { labels: key('iris', 'canary', '4'), value: 0 },
      { labels: key('fraud', 'stable', '1'), value: NaN },
    ],
    p95: [{ labels: key('iris', 'stable', '3'), value: 0.0425 }],
    accuracy: [{ labels: key('iris', 'stable', '3'), value: 0.9 }],
  });
  assert.deepEqual(rows.map((r) => `${r.modelDeployment}/${r.revision}`), ['fraud/1', 'iris/3', 'iris/4']);
  assert.equal(
    formatTop(rows, false),
    [
      'NAME    VARIANT   REVISION   REQ/S   ERRORS   P95      ACCURACY(1h)',
      'fraud   stable    1          0       -        -        -',
      'iris    stable    3          120     1.23%    42.5ms   90%',
      'iris    canary    4          2.5     0%       -        -',
      '',
    ].join('\n'),
  );
  assert.ok(formatTop(rows, true).startsWith('NAMESPACE   NAME '));
  assert.match(formatTop([], false), /No model traffic found/);
});

test('an answer is a vector, or Prometheus says why not', () => {
  const body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { revision: '3' }, value: [1, '0.5'] }, { metric: {}, value: [1, 'NaN'] }, { metric: {}, value: [1, '+Inf'] }] } });
  const samples = parseVector(body);
  assert.deepEqual(samples[0], { labels: { revision: '3' }, value: 0.5 });
  assert.ok(Number.isNaN(samples[1]?.value));
  assert.equal(samples[2]?.value, Infinity);
  assert.throws(() => parseVector(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' })), /query failed \(bad_data\): parse error/);
  assert.throws(() => parseVector('<html>'), /not JSON/);
  assert.throws(() => parseVector(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } })), /not an instant vector/);
});

test('the queries give each revision its numbers on real data (promtool test rules)', async () => {
  const tools = await toolsDir();
  const dir = mkdtempSync(join(tmpdir(), 'modelship-top-'));
  const labels = (k: Record<string, string>, extra: Record<string, string>) =>
    `{${Object.entries({ ...k, pod: 'p', job: 'model-pods', ...extra })
      .map(([n, v]) => `${n}="${v}"`)
      .join(',')}}`;
  const stable = key('iris', 'stable', '3');
  const canary = key('iris', 'canary', '4');
  const other = key('fraud', 'stable', '1', 'risk');
  const input_series = [
    // iris stable: 60 requests a minute (1/s), 6 of them 503; all under 0.1 s.
    { series: `modelship_inference_requests_total${labels(stable, { code: '200' })}`, values: '0+54x70' },
    { series: `modelship_inference_requests_total${labels(stable, { code: '503' })}`, values: '0+6x70' },
    { series: `modelship_inference_request_duration_seconds_bucket${labels(stable, { le: '0.1' })}`, values: '0+60x70' },
    { series: `modelship_inference_request_duration_seconds_bucket${labels(stable, { le: '+Inf' })}`, values: '0+60x70' },
    // iris canary: 30 a minute, none failed, all between 0.1 and 0.5 s.
    { series: `modelship_inference_requests_total${labels(canary, { code: '200' })}`, values: '0+30x70' },
    { series: `modelship_inference_request_duration_seconds_bucket${labels(canary, { le: '0.1' })}`, values: '0x70' },
    { series: `modelship_inference_request_duration_seconds_bucket${labels(canary, { le: '0.5' })}`, values: '0+30x70' },
    { series: `modelship_inference_request_duration_seconds_bucket${labels(canary, { le: '+Inf' })}`, values: '0+30x70' },
    // Labels, received by the stable pod: canary predictions 3 of 4 correct, stable 9 of 10.
    { series: `modelship_inference_labels_total${labels(stable, { prediction_variant: 'canary', prediction_revision: '4', result: 'correct' })}`, values: '0+3x70' },
    { series: `modelship_inference_labels_total${labels(stable, { prediction_variant: 'canary', prediction_revision: '4', result: 'incorrect' })}`, values: '0+1x70' },
    { series: `modelship_inference_labels_total${labels(stable, { prediction_variant: 'stable', prediction_revision: '3', result: 'correct' })}`, values: '0+9x70' },
    { series: `modelship_inference_labels_total${labels(stable, { prediction_variant: 'stable', prediction_revision: '3', result: 'incorrect' })}`, values: '0+1x70' },
    // Another namespace's model.
    { series: `modelship_inference_requests_total${labels(other, { code: '200' })}`, values: '0+600x70' },
  ];
  const sample = (k: Record<string, string>, value: number) => ({ labels: `{${Object.entries(k).map(([n, v]) => `${n}="${v}"`).join(',')}}`, value });
  const q = topQueries('shop');
  const expected = {
    requestRate: [sample(stable, 1), sample(canary, 0.5)],
    errorRate: [sample(stable, 0.1), sample(canary, 0)],
    p95: [sample(stable, 0.095), sample(canary, 0.48)],
    accuracy: [sample(stable, 0.9), sample(canary, 0.75)],
  };
  const tests = {
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series,
        promql_expr_test: [
          ...TOP_COLUMNS.map((c) => ({ expr: q[c], eval_time: '65m', exp_samples: expected[c] })),
          { expr: topQueries(undefined).requestRate, eval_time: '65m', exp_samples: [sample(stable, 1), sample(canary, 0.5), sample(other, 10)] },
        ],
      },
    ],
  };
  const file = join(dir, 'top.test.yaml');
  writeFileSync(file, dump(tests, { lineWidth: -1 }));
  const r = await promtool(tools, ['test', 'rules', file]);
  assert.equal(r.code, 0, r.output);
});
