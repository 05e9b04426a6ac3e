// Seeded simulated rollouts for the drift check as the operator runs it: each interval both variants add
// predictions (canary at a tenth of the traffic), every look goes through evaluateRun with the cumulative
// counts and the look's number, until the last interval. Equal distributions must fail at most alpha of the
// rollouts over the whole rollout (the alpha spent per look: drift-check.ts); testing every look at alpha
// would fail far more. A real shift must be caught. The figures printed are the ones in docs/analysis.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PREDICTION_VALUE_BUCKETS } from '../../../src/agent/metrics.ts';
import { evaluateRun, queryIds } from '../../../src/analysis/index.ts';
import type { QueryResult } from '../../../src/analysis/index.ts';
import { analysisSpecSchema } from '../../../src/api/index.ts';
import { seededRandom } from './seeded-random.ts';

interface Scenario {
  /** Draws one prediction: a category, or a real value. */
  stable: (random: () => number) => string | number;
  canary: (random: () => number) => string | number;
  stablePerInterval: number;
  canaryPerInterval: number;
  intervals: number;
  drift: { alpha?: number; minSamples?: number; effectSize?: { threshold: number } };
  /** Test every look at alpha itself (what the spending avoids). */
  unadjusted?: boolean;
}

/** What the agent's counters hold: categories by value, reals in the histogram's buckets (cumulative as scraped). */
class Counts {
  readonly categories = new Map<string, number>();
  readonly bins = new Array<number>(PREDICTION_VALUE_BUCKETS.length + 1).fill(0);
  add(p: string | number): void {
    if (typeof p === 'string') {
      this.categories.set(p, (this.categories.get(p) ?? 0) + 1);
      return;
    }
    let i = 0;
    while (i < PREDICTION_VALUE_BUCKETS.length && p > PREDICTION_VALUE_BUCKETS[i]!) i++;
    this.bins[i]!++;
  }
  groups(kind: 'categories' | 'buckets'): QueryResult {
    if (kind === 'categories') return { groups: new Map(this.categories) };
    const les = [...PREDICTION_VALUE_BUCKETS.map(String), '+Inf'];
    let cumulative = 0;
    return { groups: new Map(les.map((le, i) => [le, (cumulative += this.bins[i]!)] as const)) };
  }
}

/** The share of rollouts with a Fail at any look, and the mean look of the first Fail among those. */
function failRate(seed: number, scenario: Scenario, rollouts: number): { everFailed: number; meanFirstFailLook: number } {
  const random = seededRandom(seed);
  const spec = analysisSpecSchema.parse({ successRate: { enabled: false }, latency: { enabled: false }, drift: scenario.drift });
  let failed = 0;
  let lookSum = 0;
  for (let r = 0; r < rollouts; r++) {
    const stable = new Counts();
    const canary = new Counts();
    for (let look = 1; look <= scenario.intervals; look++) {
      for (let i = 0; i < scenario.stablePerInterval; i++) stable.add(scenario.stable(random));
      for (let i = 0; i < scenario.canaryPerInterval; i++) canary.add(scenario.canary(random));
      const results = new Map<string, QueryResult>([
        [queryIds.driftCategories('stable'), stable.groups('categories')],
        [queryIds.driftBuckets('stable'), stable.groups('buckets')],
        [queryIds.driftCategories('canary'), canary.groups('categories')],
        [queryIds.driftBuckets('canary'), canary.groups('buckets')],
      ]);
      // Look 1 spends alpha/2: alpha * 2 there is alpha itself at every look.
      const run = scenario.unadjusted ? evaluateRun({ ...spec, drift: { ...spec.drift!, alpha: 2 * (spec.drift!.alpha ?? 0.01) } }, 'mlserver', results, 1, 1, 1) : evaluateRun(spec, 'mlserver', results, 1, 1, look);
      if (run.verdict === 'Fail') {
        failed++;
        lookSum += look;
        break;
      }
    }
  }
  return { everFailed: failed / rollouts, meanFirstFailLook: failed > 0 ? lookSum / failed : NaN };
}

const categorical = (p: readonly number[], names: readonly string[]) => (random: () => number) => {
  let u = random();
  for (let i = 0; i < p.length; i++) {
    u -= p[i]!;
    if (u < 0) return names[i]!;
  }
  return names.at(-1)!;
};
const classes = ['setosa', 'versicolor', 'virginica', 'unknown'];
const iris = categorical([0.45, 0.3, 0.2, 0.05], classes);
// A confident classifier's top probability: most mass near 1.
const probability = (random: () => number) => 1 - random() ** 3 * 0.6;

test('equal distributions: a Fail in at most alpha of whole rollouts; unadjusted looks fail far more', () => {
  // alpha 0.05 and an effect size too small to matter, so the p-value alone decides; 60 looks (an hour at 1m).
  const base = { stablePerInterval: 450, canaryPerInterval: 50, intervals: 60, drift: { alpha: 0.05, minSamples: 200, effectSize: { threshold: 0.001 } } } as const;
  const rollouts = 300;
  const classesEqual = failRate(1, { ...base, stable: iris, canary: iris }, rollouts);
  const realsEqual = failRate(2, { ...base, stable: probability, canary: probability }, rollouts);
  const naive = failRate(3, { ...base, stable: iris, canary: iris, unadjusted: true }, rollouts);
  console.log(`drift simulation, equal distributions, alpha 0.05, 60 looks, ${rollouts} rollouts: classes ${classesEqual.everFailed}, probabilities ${realsEqual.everFailed}, unadjusted looks ${naive.everFailed}`);
  assert.ok(classesEqual.everFailed <= 0.05, `classes: ${classesEqual.everFailed}`);
  assert.ok(realsEqual.everFailed <= 0.05, `probabilities: ${realsEqual.everFailed}`);
  assert.ok(naive.everFailed > 0.1, `testing every look at alpha fails healthy canaries often: ${naive.everFailed}`);
});

test('a real shift is caught within the rollout; the default effect size spares a negligible one', () => {
  const base = { stablePerInterval: 450, canaryPerInterval: 50, intervals: 60, drift: {} } as const;
  const rollouts = 100;
  // Broken preprocessing: the canary answers "setosa" much more often (JS distance about 0.2).
  const shifted = failRate(4, { ...base, stable: iris, canary: categorical([0.7, 0.15, 0.1, 0.05], classes) }, rollouts);
  // Probabilities squashed towards 0.5 (a scaler fitted on other data).
  const squashed = failRate(5, { ...base, stable: probability, canary: (r) => 0.5 + (probability(r) - 0.5) * 0.5 }, rollouts);
  // A shift of two points on one class: real, but below the default threshold 0.1.
  const small = failRate(6, { ...base, stable: iris, canary: categorical([0.47, 0.28, 0.2, 0.05], classes) }, rollouts);
  console.log(
    `drift simulation, defaults (alpha 0.01, minSamples 200, js 0.1), 60 looks at 450/50 per look, ${rollouts} rollouts: class shift power ${shifted.everFailed} (first Fail at look ${shifted.meanFirstFailLook.toFixed(1)}), squashed probabilities ${squashed.everFailed} (look ${squashed.meanFirstFailLook.toFixed(1)}), two-point shift ${small.everFailed}`,
  );
  assert.ok(shifted.everFailed >= 0.95, `class shift: ${shifted.everFailed}`);
  assert.ok(squashed.everFailed >= 0.95, `squashed probabilities: ${squashed.everFailed}`);
  assert.ok(small.everFailed <= 0.05, `a negligible shift: ${small.everFailed}`);
});
