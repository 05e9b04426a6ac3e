// Seeded randomness for the simulations, so every run draws the same rollouts and results reproduce: the
// product's generator (the drift Jobs' samples use it), and draws built on it.
export { seededRandom } from '../../../src/drift-job/seeded-random.ts';

/** Binomial(n, p) draw by counting Bernoulli trials: exact, and fast enough for n in the hundreds. */
export function binomial(random: () => number, n: number, p: number): number {
  let successes = 0;
  for (let i = 0; i < n; i++) if (random() < p) successes++;
  return successes;
}
