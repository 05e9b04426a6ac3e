// Seeded samples for the drift tests and the simulation, so every run draws the same data.
import { seededRandom } from '../analysis/seeded-random.ts';

export { seededRandom };

/** Standard normal draws by Box–Muller. */
export function normalSample(random: () => number, n: number, mean = 0, sd = 1): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    out.push(mean + sd * r * Math.cos(2 * Math.PI * v));
    if (out.length < n) out.push(mean + sd * r * Math.sin(2 * Math.PI * v));
  }
  return out;
}

/** Integers in [0, k): a sample full of ties. */
export function integerSample(random: () => number, n: number, k: number): number[] {
  return Array.from({ length: n }, () => Math.floor(random() * k));
}
