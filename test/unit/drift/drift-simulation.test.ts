// The drift verdict's statistical quality on seeded simulations (20 normal features per check): the false
// alarm rate with no drift stays at or under alpha per check, and a 0.2-standard-deviation shift of one
// feature is found. bench/drift-power.ts records the same figures with more checks in bench/results.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulateChecks } from './drift-simulation.ts';
import { seededRandom } from './random-data.ts';

const ALPHA = 0.05;
const margin = (checks: number) => 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / checks);

test('no drift: a check raises a false alarm at most alpha of the time (20 features, 1,000 values each)', () => {
  const checks = 400;
  const rates = simulateChecks(seededRandom(101), { features: 20, samples: 1000, shift: 0 }, checks);
  console.log(`no drift, 1,000 values, ${checks} checks: false alarm rate ${rates.driftRate}`);
  assert.ok(rates.driftRate <= ALPHA + margin(checks), `false alarm rate ${rates.driftRate}`);
});

test('a 0.2 sd shift of one feature out of 20 is found, and named', () => {
  const at1000 = simulateChecks(seededRandom(102), { features: 20, samples: 1000, shift: 0.2 }, 100);
  const at5000 = simulateChecks(seededRandom(103), { features: 20, samples: 5000, shift: 0.2 }, 15);
  console.log(`0.2 sd shift: found in ${at1000.shiftedFeatureFound} of checks at 1,000 values, ${at5000.shiftedFeatureFound} at 5,000`);
  assert.ok(at1000.shiftedFeatureFound >= 0.7, `power at 1,000: ${at1000.shiftedFeatureFound}`);
  assert.equal(at5000.shiftedFeatureFound, 1, `power at 5,000: ${at5000.shiftedFeatureFound}`);
});
