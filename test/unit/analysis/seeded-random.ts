// Seeded randomness for the simulations, so every run draws the same rollouts and results reproduce.

/** mulberry32: a small 32-bit PRNG, uniform on [0, 1); plenty for Monte Carlo at this scale. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Binomial(n, p) draw by counting Bernoulli trials: exact, and fast enough for n in the hundreds. */
export function binomial(random: () => number, n: number, p: number): number {
  let successes = 0;
  for (let i = 0; i < n; i++) if (random() < p) successes++;
  return successes;
}
