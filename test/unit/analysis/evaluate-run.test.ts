// One analysis run: the planned queries, each check's verdict from Prometheus' answers, how verdicts
// combine, the running p-value, and status-safe measurements (no NaN or Infinity, within limits).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analysisSpecSchema, measurementSchema, RUNTIME_PRESETS, VERDICTS } from '../../../src/api/index.ts';
import type { AnalysisSpec, Measurement, Verdict } from '../../../src/api/index.ts';
import { builtinQueries, evaluateRun, MAX_MEASUREMENT_QUERIES, planQueries, queryIds, refusedRun, runVerdict } from '../../../src/analysis/index.ts';
import { MAX_ANALYSIS_METRICS } from '../../../src/api/analysis-spec.ts';
import type { QueryResult } from '../../../src/analysis/index.ts';
import { seededRandom } from './seeded-random.ts';

const ids = { namespace: 'shop', name: 'iris', canaryRevision: 4, stableRevision: 3 };
const windows = { sinceStartSeconds: 600, intervalSeconds: 60 };

function spec(input: Record<string, unknown> = {}): AnalysisSpec {
  return analysisSpecSchema.parse(input);
}

/** A spec the API refuses now but may have stored before it did: the analysis must still cope. */
function storedBeforeTheRules(refused: Partial<AnalysisSpec>): AnalysisSpec {
  return { ...spec(), ...refused };
}

const nothingEnabled = (): Partial<AnalysisSpec> => ({ successRate: { enabled: false }, latency: { enabled: false } });

interface Traffic {
  stableRequests?: number | undefined;
  stableErrors?: number | undefined;
  canaryRequests?: number | undefined;
  canaryErrors?: number | undefined;
  stableLatency?: number | undefined;
  canaryLatency?: number | undefined;
  stableInterval?: number | undefined;
  canaryInterval?: number | undefined;
}

/** Answers for the built-in queries; plenty of identical traffic unless overridden. */
function results(t: Traffic = {}, extra: [string, QueryResult][] = []): Map<string, QueryResult> {
  const v = (key: keyof Traffic, fallback: number) => (key in t ? t[key] : fallback);
  return new Map<string, QueryResult>([
    [queryIds.requests('stable'), v('stableRequests', 20_000)],
    [queryIds.errors('stable'), v('stableErrors', 20)],
    [queryIds.requests('canary'), v('canaryRequests', 20_000)],
    [queryIds.errors('canary'), v('canaryErrors', 20)],
    [queryIds.latency('stable'), v('stableLatency', 0.1)],
    [queryIds.latency('canary'), v('canaryLatency', 0.1)],
    [queryIds.latencyRequests('stable'), v('stableInterval', 2000)],
    [queryIds.latencyRequests('canary'), v('canaryInterval', 2000)],
    ...extra,
  ]);
}

function check(measurements: readonly Measurement[], name: string): Measurement {
  const m = measurements.find((x) => x.check === name);
  assert.ok(m, `no measurement ${name} in ${JSON.stringify(measurements)}`);
  return m;
}

function assertStatusSafe(measurements: readonly Measurement[]): void {
  for (const m of measurements) {
    for (const key of ['value', 'stableValue', 'samples', 'stableSamples'] as const) {
      if (key in m) assert.ok(Number.isFinite(m[key]), `${m.check}.${key} = ${m[key]}`);
    }
    assert.deepEqual(JSON.parse(JSON.stringify(m)), m, 'survives JSON unchanged');
    measurementSchema.parse(m);
  }
}

describe('planQueries', () => {
  test('success-rate counts since the start, latency over the interval, both variants', () => {
    const plan = planQueries(spec(), 'mlserver', ids, windows);
    const byId = new Map(plan.map((q) => [q.id, q]));
    assert.deepEqual(
      plan.map((q) => q.id),
      [
        'success-rate:requests:stable',
        'success-rate:errors:stable',
        'success-rate:requests:canary',
        'success-rate:errors:canary',
        'latency:seconds:stable',
        'latency:requests:stable',
        'latency:seconds:canary',
        'latency:requests:canary',
      ],
    );
    const since = builtinQueries('mlserver', { namespace: 'shop', name: 'iris', variant: 'canary' }, 600, 0.95);
    const interval = builtinQueries('mlserver', { namespace: 'shop', name: 'iris', variant: 'canary' }, 60, 0.95);
    assert.equal(byId.get(queryIds.requests('canary'))?.query, since?.requests);
    assert.equal(byId.get(queryIds.errors('canary'))?.query, since?.errors);
    assert.equal(byId.get(queryIds.latency('canary'))?.query, interval?.latency);
    assert.equal(byId.get(queryIds.latencyRequests('canary'))?.query, interval?.requests);
    assert.ok(byId.get(queryIds.requests('stable'))?.query?.includes('variant="stable"'));
    assert.equal(byId.get(queryIds.requests('canary'))?.check, 'success-rate');
    assert.equal(byId.get(queryIds.latency('stable'))?.variant, 'stable');
  });

  test('a measurement is a fixed, small number of queries: at most MAX_MEASUREMENT_QUERIES (32), whatever the spec', () => {
    assert.equal(MAX_MEASUREMENT_QUERIES, 32);
    const metrics = Array.from({ length: MAX_ANALYSIS_METRICS }, (_, i) => ({ name: `m${i}`, query: `vector(${i})`, max: 1 }));
    const everything = spec({ successRate: { minimum: 0.9 }, latency: { maxMs: 1000 }, accuracy: {}, drift: {}, metrics });
    assert.throws(() => spec({ metrics: [...metrics, { name: 'one-more', query: 'vector(1)', max: 1 }] }), 'the API holds no more metrics');
    for (const preset of RUNTIME_PRESETS) {
      const plan = planQueries(everything, preset, ids, windows);
      assert.ok(plan.length <= MAX_MEASUREMENT_QUERIES, `${preset}: ${plan.length}`);
    }
    assert.equal(planQueries(everything, 'mlserver', ids, windows).length, MAX_MEASUREMENT_QUERIES, 'the bound is reached, not loose');
  });

  test('the latency quantile comes from the spec', () => {
    const plan = planQueries(spec({ latency: { quantile: 0.99 } }), 'custom', ids, windows);
    assert.ok(plan.find((q) => q.id === queryIds.latency('canary'))?.query?.startsWith('histogram_quantile(0.99, '));
  });

  test('disabled checks plan nothing; mlflow plans only custom metrics', () => {
    assert.deepEqual(planQueries(storedBeforeTheRules(nothingEnabled()), 'triton', ids, windows), []);
    assert.deepEqual(
      planQueries(spec({ latency: { enabled: false } }), 'triton', ids, windows).map((q) => q.check),
      ['success-rate', 'success-rate', 'success-rate', 'success-rate'],
    );
    assert.deepEqual(planQueries(spec(), 'mlflow', ids, windows), []);
  });

  test('custom metrics: rendered per variant with that variant revision and the interval, scoped to the namespace', () => {
    const s = spec({ metrics: [{ name: 'holdout', query: 'acc{v="{{variant}}",r="{{revision}}"}[{{interval}}]', min: 0.9 }] });
    const plan = planQueries(s, 'mlflow', ids, windows);
    assert.deepEqual(plan, [
      { id: 'metric:holdout:stable', check: 'holdout', variant: 'stable', query: 'acc{namespace="shop",v="stable",r="3"}[60s]' },
      { id: 'metric:holdout:canary', check: 'holdout', variant: 'canary', query: 'acc{namespace="shop",v="canary",r="4"}[60s]' },
    ]);
  });

  test('built-in queries already name the namespace: scoping leaves them as they are', () => {
    for (const preset of RUNTIME_PRESETS) {
      for (const q of planQueries(spec(), preset, ids, windows)) {
        assert.equal(q.refused, undefined, `${preset} ${q.id}`);
        assert.ok(q.query?.includes('namespace="shop"'), q.query);
      }
    }
  });

  test('a query naming another namespace is refused, and the run with it sends nothing', () => {
    const s = spec({ metrics: [{ name: 'secrets', query: 'count(kube_secret_info{namespace="kube-system"})', max: 1 }] });
    const plan = planQueries(s, 'mlserver', ids, windows);
    const refused = plan.filter((q) => q.check === 'secrets');
    assert.equal(refused.length, 2);
    for (const q of refused) {
      assert.equal(q.query, undefined);
      assert.match(q.refused ?? '', /namespace="kube-system".*namespace shop only/);
    }
    const run = refusedRun(plan, 0.3);
    assert.equal(run?.verdict, 'Refused');
    assert.equal(run?.pValue, 0.3);
    assert.deepEqual(
      run?.measurements.map((m) => [m.check, m.verdict]),
      [['secrets', 'Refused']],
    );
    assert.match(run?.message ?? '', /^secrets refused: /);
    assertStatusSafe(run?.measurements ?? []);
    assert.equal(refusedRun(planQueries(spec(), 'mlserver', ids, windows), 1), undefined, 'nothing refused: the run is sent');
  });

  test('a template that does not render is planned as an error, not a query', () => {
    const s = storedBeforeTheRules({ metrics: [{ name: 'holdout', query: 'acc{v="{{varient}}"}', min: 0.9 }] });
    const plan = planQueries(s, 'mlserver', ids, windows).filter((q) => q.check === 'holdout');
    assert.equal(plan.length, 2);
    for (const q of plan) {
      assert.equal(q.query, undefined);
      assert.match(q.error ?? '', /\{\{varient\}\}/);
    }
  });

  test('every planned id is what evaluateRun reads: answering the plan measures every check', () => {
    const s = spec({ successRate: { minimum: 0.9 }, latency: { maxMs: 1000 }, metrics: [{ name: 'holdout', query: 'vector(1)', max: 2 }] });
    for (const preset of RUNTIME_PRESETS) {
      const plan = planQueries(s, preset, ids, windows);
      assert.equal(new Set(plan.map((q) => q.id)).size, plan.length, `${preset}: ids are unique`);
      const answers = new Map<string, QueryResult>(plan.map((q) => [q.id, q.id.includes(':seconds:') ? 0.1 : 1000]));
      const run = evaluateRun(s, preset, answers, 1);
      assert.ok(run.measurements.length > 0, preset);
      for (const m of run.measurements) assert.notEqual(m.verdict, 'Error', `${preset} ${m.check}: ${m.message}`);
    }
  });
});

describe('runVerdict', () => {
  test('Refused beats Fail beats Error beats Inconclusive beats Pass; nothing is Inconclusive', () => {
    const cases: [Verdict[], Verdict][] = [
      [['Pass', 'Pass'], 'Pass'],
      [['Pass', 'Inconclusive'], 'Inconclusive'],
      [['Inconclusive', 'Error', 'Pass'], 'Error'],
      [['Error', 'Fail'], 'Fail'],
      [['Pass', 'Inconclusive', 'Fail', 'Error'], 'Fail'],
      [['Fail', 'Refused', 'Pass'], 'Refused'],
      [[], 'Inconclusive'],
    ];
    for (const [verdicts, expected] of cases) assert.equal(runVerdict(verdicts), expected, verdicts.join(','));
  });
});

describe('evaluateRun: success rate', () => {
  const latencyOff = spec({ latency: { enabled: false } });

  test('identical low error rates on plenty of traffic pass', () => {
    const run = evaluateRun(latencyOff, 'mlserver', results(), 1);
    assert.equal(run.verdict, 'Pass');
    const m = check(run.measurements, 'success-rate');
    assert.equal(m.verdict, 'Pass');
    assert.equal(m.samples, 20_000);
    assert.equal(m.stableSamples, 20_000);
    assert.equal(m.value, 0.001);
    assert.match(m.statistic ?? '', /^p=[0-9.e-]+ upper=[0-9.e-]+$/);
    assert.equal(m.threshold, 'upper <= 0.01; p > 0.05');
    assert.match(run.message, /^all 1 checks passed/);
  });

  test('a doubled error rate fails, with the evidence in words', () => {
    const run = evaluateRun(latencyOff, 'mlserver', results({ stableErrors: 200, canaryErrors: 400 }), 1);
    assert.equal(run.verdict, 'Fail');
    assert.ok(run.pValue <= 0.05, `p ${run.pValue}`);
    const m = check(run.measurements, 'success-rate');
    assert.equal(m.verdict, 'Fail');
    assert.equal(m.value, 0.02);
    assert.equal(m.stableValue, 0.01);
    assert.match(m.message ?? '', /^canary error rate 2\.0% vs stable 1\.0% over 20000 vs 20000 requests: always-valid p \S+ <= alpha 0\.05$/);
    assert.match(run.message, /^success-rate failed: canary error rate 2\.0%/);
  });

  test('a canary without traffic is Inconclusive, whatever stable does', () => {
    for (const canary of [0, undefined]) {
      const run = evaluateRun(spec(), 'mlserver', results({ canaryRequests: canary, canaryErrors: undefined, canaryInterval: canary, canaryLatency: undefined }), 1);
      assert.equal(run.verdict, 'Inconclusive');
      const m = check(run.measurements, 'success-rate');
      assert.equal(m.verdict, 'Inconclusive');
      assert.equal(m.samples, 0);
      assert.equal(m.value, undefined, 'no rate without requests');
      assert.match(m.message ?? '', /needs 100 requests per variant/);
      assert.equal(check(run.measurements, 'latency').verdict, 'Inconclusive');
      assert.equal(run.pValue, 1);
    }
  });

  test('below minRequests even a glaring difference is Inconclusive', () => {
    const s = spec({ latency: { enabled: false }, minRequests: 500 });
    const run = evaluateRun(s, 'mlserver', results({ canaryRequests: 400, canaryErrors: 200 }), 1);
    assert.equal(run.verdict, 'Inconclusive');
    assert.match(run.message, /needs 500 requests/);
  });

  test('alpha and tolerance come from the spec', () => {
    // 0.4% vs 0.1% on 20000 each: fails at alpha 0.05, not at a tiny alpha.
    const t = { stableErrors: 20, canaryErrors: 80 };
    assert.equal(evaluateRun(latencyOff, 'mlserver', results(t), 1).verdict, 'Fail');
    const strict = spec({ latency: { enabled: false }, successRate: { alpha: 1e-12, tolerance: 0.05 } });
    const run = evaluateRun(strict, 'mlserver', results(t), 1);
    assert.equal(run.verdict, 'Pass');
    assert.equal(check(run.measurements, 'success-rate').threshold, 'upper <= 0.05; p > 1e-12');
  });

  test('the absolute minimum fails a canary as bad as stable, once it has minRequests', () => {
    const s = spec({ latency: { enabled: false }, successRate: { minimum: 0.99 } });
    const bad = { stableErrors: 600, canaryErrors: 600 };
    const run = evaluateRun(s, 'mlserver', results(bad), 1);
    assert.equal(run.verdict, 'Fail');
    const m = check(run.measurements, 'success-rate');
    assert.match(m.message ?? '', /canary success rate 97% is below the minimum 99%/);
    assert.match(m.threshold ?? '', /success rate >= 0\.99/);
    assert.equal(evaluateRun(s, 'mlserver', results({ ...bad, canaryRequests: 99, canaryErrors: 3 }), 1).verdict, 'Inconclusive');
    assert.equal(evaluateRun(s, 'mlserver', results({ stableErrors: 100, canaryErrors: 100 }), 1).verdict, 'Pass');
  });

  test('the p-value is carried: a past Fail stays failed, and only this check moves it', () => {
    const run1 = evaluateRun(latencyOff, 'mlserver', results({ stableErrors: 200, canaryErrors: 400 }), 1);
    const run2 = evaluateRun(latencyOff, 'mlserver', results(), run1.pValue);
    assert.equal(run2.pValue, run1.pValue, 'the running p-value never rises');
    assert.equal(run2.verdict, 'Fail');

    const belowMinimum = evaluateRun(latencyOff, 'mlserver', results({ canaryRequests: 10 }), 0.3);
    assert.equal(belowMinimum.pValue, 0.3);
    const disabled = spec({ successRate: { enabled: false }, latency: { enabled: false }, metrics: [{ name: 'm', query: 'vector(1)', max: 2 }] });
    assert.equal(evaluateRun(disabled, 'mlserver', new Map([[queryIds.metric('m', 'canary'), 1]]), 0.3).pValue, 0.3);
    const errored = evaluateRun(latencyOff, 'mlserver', results({}, [[queryIds.errors('canary'), { error: 'timeout' }]]), 0.3);
    assert.equal(errored.pValue, 0.3);
    assert.equal(evaluateRun(disabled, 'mlserver', new Map(), Number.NaN).pValue, 1, 'garbage in is no evidence');
  });
});

describe('evaluateRun: errors', () => {
  test('a failed query makes its check Error, never Fail, and the run Error', () => {
    const down = { error: 'dial tcp 10.0.0.1:9090: connection refused' };
    const all = new Map<string, QueryResult>([...results().keys()].map((k) => [k, down]));
    const run = evaluateRun(spec({ successRate: { minimum: 0.99 }, latency: { maxMs: 1 } }), 'mlserver', all, 0.5);
    assert.equal(run.verdict, 'Error');
    assert.deepEqual(run.measurements.map((m) => m.verdict), ['Error', 'Error']);
    assert.equal(run.pValue, 0.5);
    const m = check(run.measurements, 'success-rate');
    assert.match(m.message ?? '', /connection refused/);
    assert.equal((m.message ?? '').match(/connection refused/g)?.length, 1, 'one line per distinct error');
    assert.match(run.message, /success-rate not measured: .*connection refused/);
  });

  test('one broken count spoils only its check', () => {
    const run = evaluateRun(spec(), 'mlserver', results({}, [[queryIds.errors('stable'), { error: 'bad_data: parse error' }]]), 1);
    assert.equal(check(run.measurements, 'success-rate').verdict, 'Error');
    assert.equal(check(run.measurements, 'latency').verdict, 'Pass');
    assert.equal(run.verdict, 'Error');
  });

  test('a query the controller did not run is an Error, not missing data', () => {
    const r = results();
    r.delete(queryIds.requests('canary'));
    const run = evaluateRun(spec({ latency: { enabled: false } }), 'mlserver', r, 1);
    assert.equal(run.verdict, 'Error');
    assert.match(run.message, /success-rate:requests:canary: not run/);
  });

  test('a NaN count is an Error, not a number of requests', () => {
    const run = evaluateRun(spec({ latency: { enabled: false } }), 'mlserver', results({ canaryRequests: Number.NaN }), 1);
    assert.equal(run.verdict, 'Error');
  });

  test('any Fail still fails the run when another check could not be measured', () => {
    const r = results({ canaryLatency: 0.5 }, [[queryIds.errors('canary'), { error: 'timeout' }]]);
    const run = evaluateRun(spec(), 'mlserver', r, 1);
    assert.equal(check(run.measurements, 'success-rate').verdict, 'Error');
    assert.equal(check(run.measurements, 'latency').verdict, 'Fail');
    assert.equal(run.verdict, 'Fail');
    assert.match(run.message, /^latency failed/);
  });
});

describe('evaluateRun: latency', () => {
  const errorRateOff = (latency: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    spec({ successRate: { enabled: false }, latency, ...extra });

  test('within the tolerance passes, twice as slow fails', () => {
    const pass = evaluateRun(errorRateOff(), 'mlserver', results({ canaryLatency: 0.115 }), 1);
    assert.equal(pass.verdict, 'Pass');
    const m = check(pass.measurements, 'latency');
    assert.equal(m.value, 0.115);
    assert.equal(m.stableValue, 0.1);
    assert.equal(m.samples, 2000);
    assert.equal(m.statistic, 'p95 ratio=1.15');
    assert.equal(m.threshold, 'p95 <= 1.2 x stable = 120 ms');
    assert.equal(m.message, 'canary p95 latency 115 ms vs stable 100 ms over 2000 vs 2000 requests: within 1.2x stable (120 ms)');

    const fail = evaluateRun(errorRateOff(), 'mlserver', results({ canaryLatency: 0.2 }), 1);
    assert.equal(fail.verdict, 'Fail');
    assert.match(fail.message, /latency failed: canary p95 latency 200 ms vs stable 100 ms .*above 1\.2x stable/);
  });

  test('quantile and tolerance come from the spec', () => {
    const run = evaluateRun(errorRateOff({ quantile: 0.99, tolerance: 1.5 }), 'custom', results({ canaryLatency: 0.2 }), 1);
    assert.equal(run.verdict, 'Pass');
    assert.equal(check(run.measurements, 'latency').threshold, 'p99 <= 2.5 x stable = 250 ms');
  });

  test('maxMs fails a canary over the ceiling even when stable is as slow', () => {
    const s = errorRateOff({ maxMs: 500 });
    const run = evaluateRun(s, 'mlserver', results({ stableLatency: 0.6, canaryLatency: 0.6 }), 1);
    assert.equal(run.verdict, 'Fail');
    assert.match(check(run.measurements, 'latency').message ?? '', /above the ceiling 500 ms/);
    assert.equal(evaluateRun(s, 'mlserver', results({ stableLatency: 0.4, canaryLatency: 0.45 }), 1).verdict, 'Pass');
    assert.equal(evaluateRun(s, 'mlserver', results({ stableLatency: 0.6, canaryLatency: 0.6, canaryInterval: 50 }), 1).verdict, 'Inconclusive');
  });

  test('a canary above the largest bucket fails, and +Inf is kept out of the measurement', () => {
    const run = evaluateRun(errorRateOff(), 'mlserver', results({ canaryLatency: Infinity }), 1);
    assert.equal(run.verdict, 'Fail');
    const m = check(run.measurements, 'latency');
    assert.equal('value' in m, false);
    assert.match(m.message ?? '', /\+Inf/);
    assertStatusSafe(run.measurements);
  });

  test('no latency number (an empty window) is Inconclusive', () => {
    for (const stableLatency of [undefined, Number.NaN]) {
      const run = evaluateRun(errorRateOff(), 'mlserver', results({ stableLatency }), 1);
      assert.equal(run.verdict, 'Inconclusive');
      assert.equal('stableValue' in check(run.measurements, 'latency'), false);
    }
  });

  test('too few requests in the interval is Inconclusive; minRequests is the floor', () => {
    const slow = { canaryLatency: 5, canaryInterval: 99 };
    assert.equal(evaluateRun(errorRateOff(), 'mlserver', results(slow), 1).verdict, 'Inconclusive');
    assert.equal(evaluateRun(errorRateOff({}, { minRequests: 50 }), 'mlserver', results(slow), 1).verdict, 'Fail');
  });

  test('servers without a histogram are compared on the mean, and the message says so', () => {
    for (const preset of ['triton', 'torchserve'] as const) {
      const run = evaluateRun(errorRateOff({ quantile: 0.99 }), preset, results({ canaryLatency: 0.11 }), 1);
      const m = check(run.measurements, 'latency');
      assert.equal(m.verdict, 'Pass');
      assert.equal(m.statistic, 'mean ratio=1.1');
      assert.match(m.message ?? '', /^canary mean latency 110 ms .*\(mean: the server exports no latency histogram\)/);
    }
  });
});

describe('evaluateRun: custom metrics', () => {
  const only = (metric: Record<string, unknown>) =>
    spec({ successRate: { enabled: false }, latency: { enabled: false }, metrics: [{ name: 'holdout', query: 'acc', ...metric }] });
  const answers = (canary: QueryResult, stable: QueryResult = 0.95) =>
    new Map<string, QueryResult>([
      [queryIds.metric('holdout', 'canary'), canary],
      [queryIds.metric('holdout', 'stable'), stable],
    ]);

  test('the canary value decides against min and max; stable is recorded beside it', () => {
    const s = only({ min: 0.9, max: 1 });
    const cases: [QueryResult, Verdict][] = [
      [0.93, 'Pass'],
      [0.9, 'Pass'],
      [1, 'Pass'],
      [0.89, 'Fail'],
      [1.01, 'Fail'],
      [-Infinity, 'Fail'],
      [undefined, 'Inconclusive'],
      [Number.NaN, 'Inconclusive'],
      [{ error: 'bad_data: 1:5: parse error' }, 'Error'],
    ];
    for (const [canary, expected] of cases) {
      const run = evaluateRun(s, 'mlserver', answers(canary), 1);
      assert.equal(run.verdict, expected, typeof canary === 'object' ? JSON.stringify(canary) : String(canary));
      const m = check(run.measurements, 'holdout');
      assert.equal(m.threshold, '0.9 <= value <= 1');
      assert.equal(m.stableValue, 0.95);
      assertStatusSafe(run.measurements);
    }
    assert.equal(check(evaluateRun(s, 'mlserver', answers(0.89), 1).measurements, 'holdout').message, 'canary holdout 0.89 is below the minimum 0.9 (stable 0.95)');
  });

  test('only min or only max', () => {
    assert.equal(evaluateRun(only({ min: 0.9 }), 'mlserver', answers(1e9), 1).verdict, 'Pass');
    assert.equal(evaluateRun(only({ max: 0.01 }), 'mlserver', answers(-1e9), 1).verdict, 'Pass');
    assert.equal(evaluateRun(only({ max: 0.01 }), 'mlserver', answers(Infinity), 1).verdict, 'Fail');
    assert.equal(check(evaluateRun(only({ max: 0.01 }), 'mlserver', answers(0), 1).measurements, 'holdout').threshold, 'value <= 0.01');
  });

  test('a stable query that fails does not change the canary verdict', () => {
    const run = evaluateRun(only({ min: 0.9 }), 'mlserver', answers(0.95, { error: 'timeout' }), 1);
    assert.equal(run.verdict, 'Pass');
    assert.match(check(run.measurements, 'holdout').message ?? '', /stable not measured: metric:holdout:stable: timeout/);
  });

  test('a metric may not take a built-in check name: the schema refuses it, naming the field', () => {
    const result = analysisSpecSchema.safeParse({ metrics: [{ name: 'latency', query: 'x', max: 1 }] });
    assert.equal(result.success, false);
    assert.match(result.error?.issues[0]?.message ?? '', /built-in checks/);
  });
});

describe('evaluateRun: nothing to measure', () => {
  test('every check disabled is Inconclusive, saying so', () => {
    const run = evaluateRun(storedBeforeTheRules(nothingEnabled()), 'mlserver', new Map(), 1);
    assert.deepEqual(run, { verdict: 'Inconclusive', measurements: [], pValue: 1, message: 'nothing to measure: the built-in checks are disabled and no metrics are set' });
  });

  test('mlflow without custom metrics: nothing to measure, because the server has no metrics', () => {
    const run = evaluateRun(spec(), 'mlflow', new Map(), 1);
    assert.equal(run.verdict, 'Inconclusive');
    assert.match(run.message, /^nothing to measure: the mlflow server exports no Prometheus metrics/);
  });

  test('mlflow with custom metrics measures them and notes the skipped built-ins', () => {
    const s = spec({ metrics: [{ name: 'holdout', query: 'acc', min: 0.9 }] });
    const run = evaluateRun(s, 'mlflow', new Map([[queryIds.metric('holdout', 'canary'), 0.95]]), 1);
    assert.equal(run.verdict, 'Pass');
    assert.match(run.message, /^all 1 checks passed \(holdout\) \(the mlflow server exports no Prometheus metrics/);
  });
});

describe('evaluateRun: measurements are always valid status', () => {
  test('random answers (NaN, infinities, negatives, no data, errors) never leak into status', () => {
    const random = seededRandom(20250101);
    const pick = (): QueryResult => {
      const options: QueryResult[] = [Number.NaN, Infinity, -Infinity, undefined, -3, 0, 0.5, 150, 1e6, { error: 'x'.repeat(3000) }];
      return options[Math.floor(random() * options.length)];
    };
    const s = spec({ successRate: { minimum: 0.9 }, latency: { maxMs: 100 }, metrics: [{ name: 'm', query: 'q', min: 0, max: 1 }] });
    for (let i = 0; i < 500; i++) {
      const preset = RUNTIME_PRESETS[i % RUNTIME_PRESETS.length]!;
      const answers = new Map(planQueries(s, preset, ids, windows).map((q) => [q.id, pick()]));
      const run = evaluateRun(s, preset, answers, random());
      assertStatusSafe(run.measurements);
      assert.ok(VERDICTS.includes(run.verdict));
      assert.ok(run.pValue >= 0 && run.pValue <= 1, `p ${run.pValue}`);
      assert.ok(run.message.length <= 1024);
    }
  });
});
