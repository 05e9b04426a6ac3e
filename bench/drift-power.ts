// `npx node bench/drift-power.ts`: the drift verdict's false alarm rate with no drift and its power on a
// 0.2-standard-deviation shift of one feature out of 20, at 1,000 and 5,000 values per window, simulated
// through driftVerdict as in test/unit/drift/drift-simulation.test.ts, with more checks. Pure: no cluster.
// Writes bench/results/drift-power.json.
import { join } from 'node:path';
import { DEFAULT_DRIFT_SETTINGS } from '../src/drift/drift-verdict.ts';
import { simulateChecks } from '../test/unit/drift/drift-simulation.ts';
import { seededRandom } from '../test/unit/drift/random-data.ts';
import { load } from './machine.ts';
import { writeResult } from './result-file.ts';

const FEATURES = 20;
const scenarios = [
  { name: 'no drift, 1,000 values', samples: 1000, shift: 0, checks: 5000, seed: 51 },
  { name: 'no drift, 5,000 values', samples: 5000, shift: 0, checks: 1000, seed: 52 },
  { name: '0.2 sd shift, 1,000 values', samples: 1000, shift: 0.2, checks: 1000, seed: 53 },
  { name: '0.2 sd shift, 5,000 values', samples: 5000, shift: 0.2, checks: 500, seed: 54 },
];

const loadAtStart = load();
const results = scenarios.map(({ name, seed, checks, ...s }) => {
  const rates = simulateChecks(seededRandom(seed), { features: FEATURES, ...s }, checks);
  process.stdout.write(
    `${name}: Drift verdict ${(rates.driftRate * 100).toFixed(2)}%, shifted feature found ${(rates.shiftedFeatureFound * 100).toFixed(2)}%, ` +
      `an unshifted feature flagged ${(rates.otherFeatureFlagged * 100).toFixed(2)}% of ${checks} checks\n`,
  );
  return { name, ...s, ...rates };
});
const file = writeResult(
  {
    quick: false,
    command: 'npx node bench/drift-power.ts',
    resultsDir: join(import.meta.dirname, 'results'),
    loadAtStart,
    settings: { features: FEATURES, ...DEFAULT_DRIFT_SETTINGS },
  },
  'drift-power',
  { scenarios: results },
);
process.stdout.write(`wrote ${file}\n`);
