// Monte Carlo check of the sequential test as a rollout uses it: 200 requests per variant per interval,
// a look after each of 20 intervals with the running always-valid p-value. Seeded, so reproducible.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outcomeRates } from './rollout-simulation.ts';
import type { Scenario } from './rollout-simulation.ts';
import { seededRandom } from './seeded-random.ts';

const ROLLOUTS = 2000;
const ALPHA = 0.05;
const traffic = { requestsPerInterval: 200, intervals: 20, options: { alpha: ALPHA } } satisfies Partial<Scenario>;

/** Three binomial standard errors of a rate estimated from ROLLOUTS draws at the bound. */
const MONTE_CARLO_MARGIN = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / ROLLOUTS);

test('A/A rollouts (1% vs 1%): false Fail rate stays at or under alpha across 20 looks', () => {
  const rates = outcomeRates(seededRandom(20250601), { stableRate: 0.01, canaryRate: 0.01, ...traffic }, ROLLOUTS);
  console.log(
    `A/A 1% vs 1%, ${ROLLOUTS} rollouts x 20 looks: Fail at any look ${rates.everFailed}; ` +
      `first verdict Pass ${rates.first.Pass}, Fail ${rates.first.Fail}, Inconclusive ${rates.first.Inconclusive}`,
  );
  assert.ok(rates.everFailed <= ALPHA + MONTE_CARLO_MARGIN, `false Fail rate ${rates.everFailed}`);
});

test('A/A rollouts at other base rates also stay at or under alpha', () => {
  for (const [seed, rate] of [[7, 0.001], [8, 0.05]] as const) {
    const rates = outcomeRates(seededRandom(seed), { stableRate: rate, canaryRate: rate, ...traffic }, 1000);
    console.log(`A/A ${rate * 100}% vs ${rate * 100}%, 1000 rollouts x 20 looks: Fail at any look ${rates.everFailed}`);
    assert.ok(rates.everFailed <= ALPHA + 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / 1000), `rate ${rate}: ${rates.everFailed}`);
  }
});

test('power: a doubled error rate (1% vs 2%) is caught', () => {
  const rates = outcomeRates(seededRandom(20250602), { stableRate: 0.01, canaryRate: 0.02, ...traffic }, ROLLOUTS);
  console.log(
    `1% vs 2%, ${ROLLOUTS} rollouts x 20 looks: power (Fail at any look) ${rates.everFailed}; ` +
      `first verdict Fail ${rates.first.Fail}, Pass ${rates.first.Pass}, Inconclusive ${rates.first.Inconclusive}`,
  );
  assert.ok(rates.everFailed > 0.5, `power ${rates.everFailed}`);
  // At a difference equal to the Pass tolerance, a Pass is itself a false verdict: bounded by alpha too.
  assert.ok(rates.first.Pass <= ALPHA + MONTE_CARLO_MARGIN, `false Pass rate ${rates.first.Pass}`);
});
