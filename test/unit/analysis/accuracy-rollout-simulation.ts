// Simulated rollouts for the accuracy check as the operator runs it: labels arrive each interval for
// predictions of both revisions, and every look goes through evaluateRun (queries' answers in, verdict
// and running accuracy p-value out), an accuracy-only analysis, until the last interval.
import { evaluateRun, queryIds } from '../../../src/analysis/index.ts';
import type { QueryResult } from '../../../src/analysis/index.ts';
import { analysisSpecSchema } from '../../../src/api/index.ts';
import type { Verdict } from '../../../src/api/index.ts';
import { binomial } from './seeded-random.ts';

export interface AccuracyScenario {
  stableAccuracy: number;
  canaryAccuracy: number;
  /** Labelled predictions per variant per interval. */
  labelsPerInterval: number;
  intervals: number;
  /** spec.rollout.analysis.accuracy. */
  accuracy?: { alpha?: number; tolerance?: number; minLabels?: number };
}

export interface AccuracyOutcomeRates {
  /** Share of rollouts whose first decisive verdict (Pass or Fail; else Inconclusive) was each one. */
  first: Record<'Pass' | 'Fail' | 'Inconclusive', number>;
  /** Share of rollouts with a Fail at any look: the false-verdict rate when both revisions are equal. */
  everFailed: number;
}

function simulate(random: () => number, scenario: AccuracyScenario): { first: 'Pass' | 'Fail' | 'Inconclusive'; everFailed: boolean } {
  const spec = analysisSpecSchema.parse({ successRate: { enabled: false }, latency: { enabled: false }, accuracy: scenario.accuracy ?? {} });
  const n = scenario.labelsPerInterval;
  let stableLabels = 0;
  let stableIncorrect = 0;
  let canaryLabels = 0;
  let canaryIncorrect = 0;
  let accuracyPValue = 1;
  let first: 'Pass' | 'Fail' | 'Inconclusive' = 'Inconclusive';
  let everFailed = false;
  for (let i = 0; i < scenario.intervals; i++) {
    stableLabels += n;
    canaryLabels += n;
    stableIncorrect += binomial(random, n, 1 - scenario.stableAccuracy);
    canaryIncorrect += binomial(random, n, 1 - scenario.canaryAccuracy);
    const results = new Map<string, QueryResult>([
      [queryIds.labels('stable'), stableLabels],
      [queryIds.incorrectLabels('stable'), stableIncorrect],
      [queryIds.labels('canary'), canaryLabels],
      [queryIds.incorrectLabels('canary'), canaryIncorrect],
    ]);
    const run = evaluateRun(spec, 'mlserver', results, 1, accuracyPValue);
    accuracyPValue = run.accuracyPValue ?? accuracyPValue;
    const verdict: Verdict = run.verdict;
    if (first === 'Inconclusive' && (verdict === 'Pass' || verdict === 'Fail')) first = verdict;
    if (verdict === 'Fail') everFailed = true;
  }
  return { first, everFailed };
}

export function accuracyOutcomeRates(random: () => number, scenario: AccuracyScenario, rollouts: number): AccuracyOutcomeRates {
  const first = { Pass: 0, Fail: 0, Inconclusive: 0 };
  let everFailed = 0;
  for (let r = 0; r < rollouts; r++) {
    const outcome = simulate(random, scenario);
    first[outcome.first]++;
    if (outcome.everFailed) everFailed++;
  }
  return {
    first: { Pass: first.Pass / rollouts, Fail: first.Fail / rollouts, Inconclusive: first.Inconclusive / rollouts },
    everFailed: everFailed / rollouts,
  };
}
