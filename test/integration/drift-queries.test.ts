// The drift check's PromQL (src/analysis/drift-queries.ts) asked of a real Prometheus (3.x): series shaped as
// the inference agent exports them (modelship_inference_predictions_total by output and value, the
// modelship_inference_prediction_value histogram), with the scrape's target labels, for two revisions of two
// ModelDeployments, written as TSDB blocks by promtool and served by Prometheus. The grouped queries return
// each variant's counts over the window, and the check fails the canary whose predictions shifted while it
// passes the one whose predictions match stable's. Needs no control plane, only the built Prometheus.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PREDICTION_VALUE_BUCKETS, PREDICTION_VALUE_METRIC, PREDICTIONS_METRIC } from '../../src/agent/metrics.ts';
import { BUCKET_LABEL, CATEGORY_LABEL, driftQueries, evaluateRun, planQueries, queryIds } from '../../src/analysis/index.ts';
import type { QueryResult } from '../../src/analysis/index.ts';
import { createPrometheusClient } from '../../src/analysis/prometheus-client.ts';
import { analysisSpecSchema } from '../../src/api/index.ts';
import { testPrometheusCidrs } from '../support/outbound-allow.ts';
import { startPrometheusOnSeries } from '../support/prometheus-on-series.ts';

const namespace = 'shop';
const STEP = 15;
const SPAN = 70 * 60;

/** Predictions per second of one variant: categories by value, and real values per histogram bin (index into the buckets, last is +Inf). */
interface Rates {
  categories: Record<string, number>;
  bins: Record<number, number>;
}

const iris = { setosa: 0.9, versicolor: 0.6, virginica: 0.5 };
// stable: probabilities mostly in (0.9, 0.95]; the shifted canary's squashed towards (0.5, 0.6].
const bin = (le: number) => PREDICTION_VALUE_BUCKETS.indexOf(le);
const deployments: Record<string, { stable: Rates; canary: Rates }> = {
  equal: {
    stable: { categories: iris, bins: { [bin(0.95)]: 1.5, [bin(0.99)]: 0.5 } },
    canary: { categories: { setosa: 0.18, versicolor: 0.12, virginica: 0.1 }, bins: { [bin(0.95)]: 0.3, [bin(0.99)]: 0.1 } },
  },
  shifted: {
    stable: { categories: iris, bins: { [bin(0.95)]: 1.5, [bin(0.99)]: 0.5 } },
    canary: { categories: { setosa: 0.36, versicolor: 0.02, virginica: 0.02 }, bins: { [bin(0.6)]: 0.3, [bin(0.95)]: 0.1 } },
  },
};

/** OpenMetrics text: counters growing at a steady rate, one sample every 15 s for the last 70 minutes. */
function openMetrics(nowSeconds: number): string {
  const start = nowSeconds - SPAN;
  const lines: string[] = [`# TYPE ${PREDICTIONS_METRIC.replace(/_total$/, '')} counter`];
  const target = (md: string, variant: string) => `namespace="${namespace}",model_deployment="${md}",variant="${variant}",revision="${variant === 'stable' ? 3 : 4}",pod="${md}-${variant}-a"`;
  for (let t = start; t <= nowSeconds; t += STEP) {
    for (const [md, variants] of Object.entries(deployments)) {
      for (const [variant, rates] of Object.entries(variants)) {
        for (const [value, perSecond] of Object.entries(rates.categories)) {
          lines.push(`${PREDICTIONS_METRIC}{${target(md, variant)},output="class",value="${value}"} ${perSecond * (t - start)} ${t}`);
        }
      }
    }
  }
  lines.push(`# TYPE ${PREDICTION_VALUE_METRIC} histogram`);
  for (let t = start; t <= nowSeconds; t += STEP) {
    for (const [md, variants] of Object.entries(deployments)) {
      for (const [variant, rates] of Object.entries(variants)) {
        let cumulative = 0;
        for (let i = 0; i <= PREDICTION_VALUE_BUCKETS.length; i++) {
          cumulative += rates.bins[i] ?? 0;
          const le = i < PREDICTION_VALUE_BUCKETS.length ? String(PREDICTION_VALUE_BUCKETS[i]) : '+Inf';
          lines.push(`${PREDICTION_VALUE_METRIC}_bucket{${target(md, variant)},output="proba",le="${le}"} ${cumulative * (t - start)} ${t}`);
        }
      }
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

const now = Math.floor(Date.now() / 1000);
const prometheus = await startPrometheusOnSeries(openMetrics(now));
after(() => prometheus.stop());
const { address } = prometheus;
const client = createPrometheusClient({ address, timeoutMs: 5000, allowCidrs: testPrometheusCidrs });
after(() => client.close());

const windowSeconds = 600;
const at = new Date(now * 1000);

void test('the grouped queries return each variant’s counts over the window, by value and by bucket', async () => {
  for (const [md, variants] of Object.entries(deployments)) {
    for (const variant of ['stable', 'canary'] as const) {
      const q = driftQueries({ namespace, name: md, variant }, windowSeconds);
      const rates = variants[variant];
      const categories = await client.queryGroups(q.categories, CATEGORY_LABEL, at);
      assert.deepEqual([...categories.keys()].sort(), Object.keys(rates.categories).sort(), `${md} ${variant} values`);
      for (const [value, perSecond] of Object.entries(rates.categories)) {
        const got = categories.get(value) ?? 0;
        assert.ok(Math.abs(got - perSecond * windowSeconds) <= 0.02 * perSecond * windowSeconds, `${md} ${variant} ${value}: ${got} for ${perSecond * windowSeconds}`);
      }
      const buckets = await client.queryGroups(q.buckets, BUCKET_LABEL, at);
      assert.equal(buckets.size, PREDICTION_VALUE_BUCKETS.length + 1, `${md} ${variant}: every bucket`);
      const total = Object.values(rates.bins).reduce((a, b) => a + b, 0) * windowSeconds;
      const inf = buckets.get('+Inf') ?? 0;
      assert.ok(Math.abs(inf - total) <= 0.02 * total, `${md} ${variant} +Inf: ${inf} for ${total}`);
    }
  }
  const none = await client.queryGroups(driftQueries({ namespace, name: 'absent', variant: 'canary' }, windowSeconds).categories, CATEGORY_LABEL, at);
  assert.equal(none.size, 0, 'no series: nothing counted');
});

void test('the drift check fails the shifted canary and passes the equal one, on what Prometheus answers', async () => {
  const spec = analysisSpecSchema.parse({ successRate: { enabled: false }, latency: { enabled: false }, drift: {} });
  const verdicts: Record<string, string> = {};
  for (const md of Object.keys(deployments)) {
    const planned = planQueries(spec, 'mlserver', { namespace, name: md, canaryRevision: 4, stableRevision: 3 }, { sinceStartSeconds: windowSeconds, intervalSeconds: 60 });
    assert.deepEqual(planned.map((p) => p.id).sort(), [queryIds.driftBuckets('canary'), queryIds.driftBuckets('stable'), queryIds.driftCategories('canary'), queryIds.driftCategories('stable')].sort());
    const results = new Map<string, QueryResult>();
    for (const p of planned) {
      assert.ok(p.query !== undefined && p.by !== undefined, p.id);
      results.set(p.id, { groups: await client.queryGroups(p.query, p.by, at) });
    }
    const run = evaluateRun(spec, 'mlserver', results, 1, 1, 10);
    const m = run.measurements.find((x) => x.check === 'drift');
    assert.ok(m, md);
    verdicts[md] = `${m.verdict}: ${m.message ?? ''}`;
    assert.ok((m.samples ?? 0) >= 200 && (m.stableSamples ?? 0) >= 200, `${md}: ${m.samples} vs ${m.stableSamples}`);
  }
  assert.match(verdicts.equal ?? '', /^Pass: no significant difference/);
  assert.match(verdicts.shifted ?? '', /^Fail: canary predictions are distributed differently from stable's/);
});
