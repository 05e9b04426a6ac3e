// Monte Carlo check of the accuracy check as a rollout uses it: 100 labelled predictions per revision
// per interval, a look after each of 20 intervals with the running always-valid p-value, through
// evaluateRun. Seeded, so reproducible; bench/accuracy-aa.ts records the same figures in bench/results.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracyOutcomeRates } from './accuracy-rollout-simulation.ts';
import type { AccuracyScenario } from './accuracy-rollout-simulation.ts';
import { seededRandom } from './seeded-random.ts';

const ROLLOUTS = 1000;
const ALPHA = 0.05;
const labels = { labelsPerInterval: 100, intervals: 20 } satisfies Partial<AccuracyScenario>;
const MONTE_CARLO_MARGIN = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / ROLLOUTS);

test('A/A rollouts (90% vs 90% accurate): false Fail rate stays at or under alpha across 20 looks', () => {
  for (const [seed, accuracy] of [[31, 0.9], [32, 0.7], [33, 0.98]] as const) {
    const rates = accuracyOutcomeRates(seededRandom(seed), { stableAccuracy: accuracy, canaryAccuracy: accuracy, ...labels }, ROLLOUTS);
    console.log(`A/A accuracy ${accuracy}, ${ROLLOUTS} rollouts x 20 looks: Fail at any look ${rates.everFailed}; first verdict Pass ${rates.first.Pass}, Inconclusive ${rates.first.Inconclusive}`);
    assert.ok(rates.everFailed <= ALPHA + MONTE_CARLO_MARGIN, `accuracy ${accuracy}: false Fail rate ${rates.everFailed}`);
  }
});

test('power: a canary 5 points less accurate (90% -> 85%) is caught', () => {
  const rates = accuracyOutcomeRates(seededRandom(34), { stableAccuracy: 0.9, canaryAccuracy: 0.85, ...labels }, ROLLOUTS);
  console.log(`accuracy 90% vs 85%, ${ROLLOUTS} rollouts x 20 looks: Fail at any look ${rates.everFailed}; wrongly passed ${rates.first.Pass}`);
  assert.ok(rates.everFailed > 0.5, `power ${rates.everFailed}`);
  assert.ok(rates.first.Pass <= ALPHA + MONTE_CARLO_MARGIN, `false Pass rate ${rates.first.Pass}`);
});
