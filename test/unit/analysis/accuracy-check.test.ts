// The built-in accuracy check: its queries select labels by the revision that served the prediction,
// its verdicts follow the sequential test on labelled predictions, and its running p-value is its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracyQueries, evaluateRun, planQueries, queryIds } from '../../../src/analysis/index.ts';
import type { QueryResult } from '../../../src/analysis/index.ts';
import { analysisSpecSchema } from '../../../src/api/index.ts';
import type { AnalysisSpec, Measurement } from '../../../src/api/index.ts';

const ids = { namespace: 'shop', name: 'iris', canaryRevision: 4, stableRevision: 3 };
const windows = { sinceStartSeconds: 600, intervalSeconds: 60 };
const spec = (input: Record<string, unknown>): AnalysisSpec => analysisSpecSchema.parse(input);

interface Labels {
  stableLabels: number;
  stableIncorrect: number;
  canaryLabels: number;
  canaryIncorrect: number;
}

/** Equal, healthy error rates on 20k requests each, steady latency, and the given labels. */
function results(l: Labels): Map<string, QueryResult> {
  return new Map<string, QueryResult>([
    [queryIds.requests('stable'), 20_000],
    [queryIds.errors('stable'), 20],
    [queryIds.requests('canary'), 20_000],
    [queryIds.errors('canary'), 20],
    [queryIds.latency('stable'), 0.1],
    [queryIds.latency('canary'), 0.1],
    [queryIds.latencyRequests('stable'), 2000],
    [queryIds.latencyRequests('canary'), 2000],
    [queryIds.labels('stable'), l.stableLabels],
    [queryIds.incorrectLabels('stable'), l.stableIncorrect],
    [queryIds.labels('canary'), l.canaryLabels],
    [queryIds.incorrectLabels('canary'), l.canaryIncorrect],
  ]);
}

function accuracyOf(measurements: readonly Measurement[]): Measurement {
  const m = measurements.find((x) => x.check === 'accuracy');
  assert.ok(m, JSON.stringify(measurements));
  return m;
}

test('the queries count labels by prediction_revision, summed over every pod of the ModelDeployment', () => {
  const q = accuracyQueries({ namespace: 'shop', name: 'iris', revision: 4 }, 600);
  assert.equal(q.labels, 'sum(increase(modelship_inference_labels_total{namespace="shop",model_deployment="iris",prediction_revision="4"}[600s])) or vector(0)');
  assert.equal(
    q.incorrect,
    'sum(increase(modelship_inference_labels_total{namespace="shop",model_deployment="iris",prediction_revision="4",result="incorrect"}[600s])) or vector(0)',
  );
});

test('planned only when set: the canary revision and the stable revision, over the window since the analysis started', () => {
  assert.equal(planQueries(spec({}), 'mlserver', ids, windows).filter((q) => q.check === 'accuracy').length, 0);
  assert.equal(planQueries(spec({ accuracy: { enabled: false } }), 'mlserver', ids, windows).filter((q) => q.check === 'accuracy').length, 0);
  const planned = planQueries(spec({ accuracy: {} }), 'mlserver', ids, windows).filter((q) => q.check === 'accuracy');
  assert.deepEqual(
    planned.map((q) => [q.id, q.variant]),
    [
      ['accuracy:labels:stable', 'stable'],
      ['accuracy:incorrect:stable', 'stable'],
      ['accuracy:labels:canary', 'canary'],
      ['accuracy:incorrect:canary', 'canary'],
    ],
  );
  assert.match(planned[0]?.query ?? '', /prediction_revision="3"\}\[600s\]/);
  assert.match(planned[2]?.query ?? '', /prediction_revision="4"\}\[600s\]/);
});

test('on a server without metrics (mlflow) the accuracy check still runs: labels come from the agent', () => {
  const s = spec({ successRate: { enabled: false }, latency: { enabled: false }, accuracy: {} });
  assert.deepEqual(
    planQueries(s, 'mlflow', ids, windows).map((q) => q.check),
    ['accuracy', 'accuracy', 'accuracy', 'accuracy'],
  );
  const run = evaluateRun(s, 'mlflow', results({ stableLabels: 2000, stableIncorrect: 200, canaryLabels: 2000, canaryIncorrect: 200 }), 1, 1);
  assert.deepEqual(run.measurements.map((m) => m.check), ['accuracy']);
});

test('rolled back: canary accuracy clearly lower at an equal error rate fails the run', () => {
  const run = evaluateRun(spec({ accuracy: {} }), 'mlserver', results({ stableLabels: 2000, stableIncorrect: 200, canaryLabels: 2000, canaryIncorrect: 400 }), 1, 1);
  assert.equal(run.verdict, 'Fail');
  assert.equal(run.measurements.find((m) => m.check === 'success-rate')?.verdict, 'Pass');
  const m = accuracyOf(run.measurements);
  assert.equal(m.verdict, 'Fail');
  assert.equal(m.value, 0.8);
  assert.equal(m.stableValue, 0.9);
  assert.equal(m.samples, 2000);
  assert.match(m.message ?? '', /^canary accuracy 80% vs stable 90% over 2000 vs 2000 labels: canary accuracy lower: always-valid p .* <= alpha 0\.05$/);
  assert.ok(run.accuracyPValue !== undefined && run.accuracyPValue <= 0.05, String(run.accuracyPValue));
  // The error-rate test's p-value is not moved by the accuracy evidence.
  assert.ok(run.pValue > 0.05);
});

test('promoted: equal accuracy on many labels passes within the tolerance', () => {
  const run = evaluateRun(spec({ accuracy: { tolerance: 0.02 } }), 'mlserver', results({ stableLabels: 20_000, stableIncorrect: 2000, canaryLabels: 20_000, canaryIncorrect: 2000 }), 1, 1);
  const m = accuracyOf(run.measurements);
  assert.equal(m.verdict, 'Pass', m.message);
  assert.equal(run.verdict, 'Pass');
  assert.equal(run.accuracyPValue, 1);
});

test('continues: equal accuracy on a moderate number of labels is neither a Fail nor yet a Pass', () => {
  const run = evaluateRun(spec({ accuracy: {} }), 'mlserver', results({ stableLabels: 500, stableIncorrect: 50, canaryLabels: 500, canaryIncorrect: 50 }), 1, 1);
  const m = accuracyOf(run.measurements);
  assert.equal(m.verdict, 'Inconclusive');
  assert.match(m.message ?? '', /not decided yet/);
});

test('inconclusive below minLabels however lopsided the labels, and the running p-value is untouched', () => {
  const few = results({ stableLabels: 99, stableIncorrect: 0, canaryLabels: 99, canaryIncorrect: 99 });
  const run = evaluateRun(spec({ accuracy: {} }), 'mlserver', few, 1, 0.3);
  const m = accuracyOf(run.measurements);
  assert.equal(m.verdict, 'Inconclusive');
  assert.equal(run.verdict, 'Inconclusive');
  assert.equal(run.accuracyPValue, 0.3);
  assert.match(m.message ?? '', /needs 100 labelled predictions per variant before deciding/);
  // A lower minimum lets the same evidence into the test: a bound is computed and the p-value moves.
  const tested = evaluateRun(spec({ accuracy: { minLabels: 50 } }), 'mlserver', few, 1, 1);
  assert.match(accuracyOf(tested.measurements).statistic ?? '', /drop-upper=/);
  assert.ok((tested.accuracyPValue ?? 1) < 1);
});

test('no labels at all: inconclusive, with no values reported', () => {
  const run = evaluateRun(spec({ accuracy: {} }), 'mlserver', results({ stableLabels: 0, stableIncorrect: 0, canaryLabels: 0, canaryIncorrect: 0 }), 1, 1);
  const m = accuracyOf(run.measurements);
  assert.equal(m.verdict, 'Inconclusive');
  assert.equal(m.value, undefined);
  assert.match(m.message ?? '', /^canary accuracy n\/a vs stable n\/a over 0 vs 0 labels/);
});

test('the running accuracy p-value carries over: a small previous one fails the canary on equal data', () => {
  const run = evaluateRun(spec({ accuracy: {} }), 'mlserver', results({ stableLabels: 500, stableIncorrect: 50, canaryLabels: 500, canaryIncorrect: 50 }), 1, 0.01);
  assert.equal(accuracyOf(run.measurements).verdict, 'Fail');
  assert.equal(run.accuracyPValue, 0.01);
});

test('a failed query is an Error, never a Fail, and the p-value stays', () => {
  const r = results({ stableLabels: 2000, stableIncorrect: 200, canaryLabels: 2000, canaryIncorrect: 400 });
  r.set(queryIds.labels('canary'), { error: 'connection failed (ECONNREFUSED)' });
  const run = evaluateRun(spec({ accuracy: {} }), 'mlserver', r, 1, 0.5);
  assert.equal(accuracyOf(run.measurements).verdict, 'Error');
  assert.equal(run.verdict, 'Error');
  assert.equal(run.accuracyPValue, 0.5);
});

test('without the accuracy check the run reports no accuracy p-value', () => {
  const run = evaluateRun(spec({}), 'mlserver', results({ stableLabels: 0, stableIncorrect: 0, canaryLabels: 0, canaryIncorrect: 0 }), 1, 1);
  assert.equal(run.accuracyPValue, undefined);
  assert.equal(run.measurements.some((m) => m.check === 'accuracy'), false);
});
