// Simulated rollouts for the sequential test: traffic arrives in intervals, analysis looks after each
// one with the running always-valid p-value, and the first decisive verdict ends the rollout.
import { msprtProportions } from '../../../src/analysis/index.ts';
import type { ProportionOptions, ProportionVerdict } from '../../../src/analysis/index.ts';
import { binomial } from './seeded-random.ts';

export interface Scenario {
  stableRate: number;
  canaryRate: number;
  requestsPerInterval: number;
  intervals: number;
  options?: ProportionOptions;
}

export interface RolloutOutcome {
  /** First Fail or Pass, or Inconclusive if none came in time: what a rollout that stops would do. */
  firstVerdict: ProportionVerdict;
  /** Whether any look said Fail when analysis keeps looking through every interval (the worst case). */
  everFailed: boolean;
}

export function simulateRollout(random: () => number, scenario: Scenario): RolloutOutcome {
  let firstVerdict: ProportionVerdict = 'Inconclusive';
  let everFailed = false;
  const counts = { stableRequests: 0, stableErrors: 0, canaryRequests: 0, canaryErrors: 0 };
  let pValue = 1;
  for (let i = 0; i < scenario.intervals; i++) {
    counts.stableRequests += scenario.requestsPerInterval;
    counts.canaryRequests += scenario.requestsPerInterval;
    counts.stableErrors += binomial(random, scenario.requestsPerInterval, scenario.stableRate);
    counts.canaryErrors += binomial(random, scenario.requestsPerInterval, scenario.canaryRate);
    const result = msprtProportions(counts, scenario.options, pValue);
    pValue = result.pValue;
    if (firstVerdict === 'Inconclusive') firstVerdict = result.verdict;
    if (result.verdict === 'Fail') everFailed = true;
  }
  return { firstVerdict, everFailed };
}

export interface OutcomeRates {
  /** Share of rollouts whose first decisive verdict was each one. */
  first: Record<ProportionVerdict, number>;
  /** Share of rollouts with a Fail at any of the looks. */
  everFailed: number;
}

export function outcomeRates(random: () => number, scenario: Scenario, rollouts: number): OutcomeRates {
  const first: Record<ProportionVerdict, number> = { Pass: 0, Fail: 0, Inconclusive: 0 };
  let everFailed = 0;
  for (let r = 0; r < rollouts; r++) {
    const outcome = simulateRollout(random, scenario);
    first[outcome.firstVerdict]++;
    if (outcome.everFailed) everFailed++;
  }
  return {
    first: { Pass: first.Pass / rollouts, Fail: first.Fail / rollouts, Inconclusive: first.Inconclusive / rollouts },
    everFailed: everFailed / rollouts,
  };
}
