// `npx node bench/accuracy-aa.ts`: the accuracy check's A/A false-verdict rate (and its power on a
// 5-point drop), simulated through the operator's own evaluateRun as in
// test/unit/analysis/accuracy-simulation.test.ts, with more rollouts. Pure: no cluster, no lock.
// Writes bench/results/accuracy-aa.json.
import { join } from 'node:path';
import { accuracyOutcomeRates } from '../test/unit/analysis/accuracy-rollout-simulation.ts';
import { seededRandom } from '../test/unit/analysis/seeded-random.ts';
import { load } from './machine.ts';
import { writeResult } from './result-file.ts';

const ROLLOUTS = 10_000;
const labels = { labelsPerInterval: 100, intervals: 20 };
const scenarios = [
  { name: 'A/A 70%', stableAccuracy: 0.7, canaryAccuracy: 0.7, seed: 41 },
  { name: 'A/A 90%', stableAccuracy: 0.9, canaryAccuracy: 0.9, seed: 42 },
  { name: 'A/A 98%', stableAccuracy: 0.98, canaryAccuracy: 0.98, seed: 43 },
  { name: 'power 90% -> 85%', stableAccuracy: 0.9, canaryAccuracy: 0.85, seed: 44 },
];

const loadAtStart = load();
const results = scenarios.map(({ name, seed, ...s }) => ({ name, ...s, ...accuracyOutcomeRates(seededRandom(seed), { ...s, ...labels }, ROLLOUTS) }));
const aa = results.filter((r) => r.stableAccuracy === r.canaryAccuracy);
const falseFail = aa.reduce((sum, r) => sum + r.everFailed, 0) / aa.length;
for (const r of results) {
  process.stdout.write(`${r.name}: Fail at any look ${(r.everFailed * 100).toFixed(2)}%, first Pass ${(r.first.Pass * 100).toFixed(2)}%, Inconclusive ${(r.first.Inconclusive * 100).toFixed(2)}%\n`);
}
process.stdout.write(`A/A false Fail over ${aa.length} accuracy levels: ${(falseFail * 100).toFixed(2)}% (alpha 5%)\n`);
const file = writeResult(
  {
    quick: false,
    command: 'npx node bench/accuracy-aa.ts',
    resultsDir: join(import.meta.dirname, 'results'),
    loadAtStart,
    settings: { rollouts: ROLLOUTS, ...labels, alpha: 0.05, tolerance: 0.01, minLabels: 100 },
  },
  'accuracy-aa',
  { aaFalseFailRate: falseFail, scenarios: results },
);
process.stdout.write(`wrote ${file}\n`);
