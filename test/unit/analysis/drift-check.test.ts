// The built-in drift check: its grouped queries per variant, the 2×k table built from the agent's counts
// (categories, histogram bins, the cap's __other__, pooled sparse cells), the alpha spent per look, and the
// verdicts and measurements evaluateRun gives for them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  PREDICTION_VALUE_METRIC as AGENT_VALUE_METRIC,
  PREDICTIONS_METRIC as AGENT_PREDICTIONS_METRIC,
} from '../../../src/agent/metrics.ts';
import { OTHER } from '../../../src/agent/prediction-counter.ts';
import {
  driftLookAlpha,
  driftQueries,
  driftTable,
  evaluateRun,
  judgeDrift,
  OTHER_CATEGORY,
  planQueries,
  POOLED_CELL,
  PREDICTION_VALUE_METRIC,
  PREDICTIONS_METRIC,
  queryIds,
} from '../../../src/analysis/index.ts';
import type { QueryResult } from '../../../src/analysis/index.ts';
import { analysisSpecSchema, parseModelDeployment } from '../../../src/api/index.ts';
import type { AnalysisSpec, Measurement } from '../../../src/api/index.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';

const ids = { namespace: 'shop', name: 'iris', canaryRevision: 4, stableRevision: 3 };
const windows = { sinceStartSeconds: 600, intervalSeconds: 60 };
const spec = (input: Record<string, unknown>): AnalysisSpec => analysisSpecSchema.parse(input);
const driftOnly = (drift: Record<string, unknown> = {}) => spec({ successRate: { enabled: false }, latency: { enabled: false }, drift });
const groups = (entries: Record<string, number>): QueryResult => ({ groups: new Map(Object.entries(entries)) });

function results(stable: Record<string, number>, canary: Record<string, number>, buckets: { stable?: Record<string, number>; canary?: Record<string, number> } = {}): Map<string, QueryResult> {
  return new Map<string, QueryResult>([
    [queryIds.driftCategories('stable'), groups(stable)],
    [queryIds.driftCategories('canary'), groups(canary)],
    [queryIds.driftBuckets('stable'), buckets.stable ? groups(buckets.stable) : undefined],
    [queryIds.driftBuckets('canary'), buckets.canary ? groups(buckets.canary) : undefined],
  ]);
}

function drift(measurements: readonly Measurement[]): Measurement {
  const m = measurements.find((x) => x.check === 'drift');
  assert.ok(m, 'a drift measurement');
  return m;
}

test('the metric names are the agent’s', () => {
  assert.equal(PREDICTIONS_METRIC, AGENT_PREDICTIONS_METRIC);
  assert.equal(PREDICTION_VALUE_METRIC, AGENT_VALUE_METRIC);
});

test('queries: grouped by value and by bucket, per variant, since the analysis started, confined to the namespace', () => {
  const q = driftQueries({ namespace: 'shop', name: 'iris', variant: 'canary' }, 600);
  assert.equal(q.categories, 'sum by (value) (increase(modelship_inference_predictions_total{namespace="shop",model_deployment="iris",variant="canary"}[600s]))');
  assert.equal(q.buckets, 'sum by (le) (increase(modelship_inference_prediction_value_bucket{namespace="shop",model_deployment="iris",variant="canary"}[600s]))');
  assert.deepEqual(planQueries(spec({ drift: { enabled: false } }), 'mlserver', ids, windows).filter((q) => q.check === 'drift'), []);
  const planned = planQueries(driftOnly(), 'mlflow', ids, windows);
  assert.deepEqual(
    planned.map((p) => [p.id, p.variant, p.by]),
    [
      ['drift:categories:stable', 'stable', 'value'],
      ['drift:buckets:stable', 'stable', 'le'],
      ['drift:categories:canary', 'canary', 'value'],
      ['drift:buckets:canary', 'canary', 'le'],
    ],
    'also for a server without metrics: the agent counts',
  );
  assert.ok(planned.every((p) => p.query?.includes('namespace="shop"') && p.query.includes('[600s]')));
});

test('spec: defaults, and the rules name the field', () => {
  assert.deepEqual(driftOnly().drift, { enabled: true, minSamples: 200 });
  const refused = (drift: Record<string, unknown>) => {
    const r = analysisSpecSchema.safeParse({ drift });
    assert.equal(r.success, false, JSON.stringify(drift));
    return r.error?.issues.map((i) => i.message).join('; ') ?? '';
  };
  assert.match(refused({ alpha: 0 }), /drift\.alpha must be between 0 and 1/);
  assert.match(refused({ effectSize: { threshold: 0.9 } }), /effectSize\.threshold must be above 0 and at most 0\.83/);
  assert.match(refused({ effectSize: { measure: 'psi' } }), /jensenShannon/);
  assert.match(refused({ minSamples: 5 }), /at least 10/);
  // drift alone is something to check, even where the server exports no metrics.
  assert.ok(analysisSpecSchema.safeParse({ successRate: { enabled: false }, latency: { enabled: false }, drift: {} }).success);
  assert.equal(analysisSpecSchema.safeParse({ successRate: { enabled: false }, latency: { enabled: false }, drift: { enabled: false } }).success, false);
  const mlflow = parseModelDeployment(withChanges(validManifest(), { 'spec.runtime.preset': 'mlflow', 'spec.model.format': 'mlflow', 'spec.rollout': { strategy: 'canary', steps: [{ weight: 10 }], analysis: { drift: {} } } }));
  assert.ok(mlflow.ok, JSON.stringify(mlflow));
  // A metric named drift (valid before the check existed) stays valid until the check is on.
  const named = { metrics: [{ name: 'drift', query: 'vector(1)', max: 1 }] };
  assert.ok(analysisSpecSchema.safeParse(named).success);
  assert.ok(analysisSpecSchema.safeParse({ ...named, drift: { enabled: false } }).success);
  const clash = analysisSpecSchema.safeParse({ ...named, drift: {} });
  assert.equal(clash.success, false);
  assert.match(clash.error?.issues[0]?.message ?? '', /a metric named drift clashes with the built-in drift check/);
});

test('alpha is spent over the looks: alpha/(k(k+1)), never more than alpha in total', () => {
  assert.equal(driftLookAlpha(0.01, 1), 0.005);
  assert.equal(driftLookAlpha(0.01, 2), 0.01 / 6);
  assert.equal(driftLookAlpha(0.01, 0), 0.005, 'a missing look is the first');
  let total = 0;
  for (let k = 1; k <= 100_000; k++) total += driftLookAlpha(0.01, k);
  assert.ok(total < 0.01 && total > 0.0099, String(total));
});

test('table: categories and histogram bins side by side; __other__ absorbs one-sided categories; sparse cells pooled', () => {
  const t = driftTable(
    { categories: new Map([['0', 500], ['1', 480]]), buckets: new Map([['0.5', 100], ['1.0', 300], ['+Inf', 300]]) },
    { categories: new Map([['0', 400], ['1', 420], ['7', 3]]), buckets: new Map([['0.5', 0], ['1.0', 250], ['+Inf', 260]]) },
  );
  // "7" (3) and (1, +Inf] (10 on the canary side only) expect fewer than 5 on the smaller side: pooled.
  assert.deepEqual(t.cells, ['0', '1', '(-Inf, 0.5]', '(0.5, 1]', POOLED_CELL]);
  assert.deepEqual(t.stable, [500, 480, 100, 200, 0]);
  assert.deepEqual(t.canary, [400, 420, 0, 250, 13]);
  const capped = driftTable(
    { categories: new Map([['a', 300], ['b', 300], [OTHER, 50]]), buckets: new Map() },
    { categories: new Map([['a', 300], ['c', 40]]), buckets: new Map() },
  );
  assert.equal(OTHER_CATEGORY, OTHER);
  assert.deepEqual(capped.cells, ['__other__', 'a']);
  assert.deepEqual([capped.stable, capped.canary], [[350, 300], [40, 300]]);
});

test('judge: Fail needs significance at the look’s alpha AND the effect size; too few is Inconclusive', () => {
  const settings = { alpha: 0.01, minSamples: 200, threshold: 0.1 };
  const table = (s: number[], c: number[]) => ({ cells: s.map((_, i) => String(i)), stable: s, canary: c });
  assert.equal(judgeDrift(table([100, 99], [300, 300]), settings, 1).verdict, 'Inconclusive');
  const shifted = table([5000, 3000, 2000], [300, 300, 400]);
  const r = judgeDrift(shifted, settings, 1);
  assert.equal(r.verdict, 'Fail');
  assert.ok((r.jensenShannon ?? 0) > 0.1 && (r.pValue ?? 1) < 1e-10);
  assert.equal(judgeDrift(shifted, { ...settings, threshold: 0.5 }, 1).verdict, 'Pass', 'significant but below the effect size');
  // Significant at the first look's 0.005, not at the 40th's 6e-6.
  const marginal = table([2000, 2000], [1090, 910]);
  const first = judgeDrift(marginal, { ...settings, threshold: 0.01 }, 1);
  assert.ok((first.pValue ?? 1) < 0.005 && (first.pValue ?? 0) > 6e-6, String(first.pValue));
  assert.equal(first.verdict, 'Fail');
  assert.equal(judgeDrift(marginal, { ...settings, threshold: 0.01 }, 40).verdict, 'Pass');
});

test('evaluateRun: a shifted canary fails with the cells that moved; an equal one passes; the measurement holds the evidence', () => {
  const s = driftOnly();
  const failed = evaluateRun(s, 'mlserver', results({ setosa: 3000, versicolor: 3000, virginica: 3000 }, { setosa: 600, versicolor: 100, virginica: 300 }), 1, 1, 3);
  assert.equal(failed.verdict, 'Fail');
  const m = drift(failed.measurements);
  assert.equal(m.verdict, 'Fail');
  assert.equal(m.samples, 1000);
  assert.equal(m.stableSamples, 9000);
  assert.ok(m.value !== undefined && m.value > 0.1, String(m.value));
  assert.match(m.statistic ?? '', /^chi2=\d+ dof=2 p=[\d.e-]+ js=0\.\d+$/);
  assert.equal(m.threshold, 'p <= 0.00083 (alpha 0.01 at look 3); js >= 0.1; 200 predictions per variant');
  assert.match(m.message ?? '', /^canary predictions are distributed differently from stable's over 1000 vs 9000 predictions: .* most changed \(canary vs stable\): "setosa" 60% vs 33\.33%, "versicolor" 10% vs 33\.33%/);

  const passed = evaluateRun(s, 'mlserver', results({ setosa: 3000, versicolor: 3000, virginica: 3000 }, { setosa: 340, versicolor: 330, virginica: 330 }), 1, 1, 3);
  assert.equal(passed.verdict, 'Pass');
  assert.match(drift(passed.measurements).message ?? '', /^no significant difference between canary and stable predictions over 1000 vs 9000 predictions: p [\d.]+ > 0\.00083/);

  const reals = evaluateRun(s, 'mlserver', results({}, {}, { stable: { '0.5': 900, '+Inf': 1000 }, canary: { '0.5': 20, '+Inf': 1000 } }), 1, 1, 1);
  assert.equal(drift(reals.measurements).verdict, 'Fail', 'real-valued predictions compare by bin');
});

test('evaluateRun: few or no predictions are Inconclusive, a failed query Error, never Fail', () => {
  const s = driftOnly({ minSamples: 500 });
  const few = drift(evaluateRun(s, 'mlserver', results({ a: 5000 }, { b: 400 }), 1).measurements);
  assert.equal(few.verdict, 'Inconclusive');
  assert.equal(few.message, 'needs 500 predictions per variant before deciding (canary 400, stable 5000)');
  const none = drift(evaluateRun(s, 'mlserver', results({}, {}), 1).measurements);
  assert.equal(none.verdict, 'Inconclusive');
  assert.match(none.message ?? '', /^no predictions counted for either variant/);
  const broken = results({ a: 5000 }, { b: 5000 });
  broken.set(queryIds.driftBuckets('canary'), { error: 'Prometheus at http://p is unavailable: timeout' });
  const error = evaluateRun(s, 'mlserver', broken, 1);
  assert.equal(error.verdict, 'Error');
  assert.equal(drift(error.measurements).message, 'drift:buckets:canary: Prometheus at http://p is unavailable: timeout');
  const scalar = results({ a: 5000 }, { b: 5000 });
  scalar.set(queryIds.driftCategories('stable'), 12);
  assert.equal(drift(evaluateRun(s, 'mlserver', scalar, 1).measurements).verdict, 'Error', 'one number where groups were planned');
  const nan = results({ a: 5000 }, { b: Number.NaN });
  assert.equal(drift(evaluateRun(s, 'mlserver', nan, 1).measurements).verdict, 'Error');
});
