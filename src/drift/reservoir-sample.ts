// A uniform sample of at most `size` values from a sequence of any length in one pass (Vitter's
// algorithm R), so a profile keeps a bounded raw sample for the KS test however large the data.
// `Reservoir` takes the values one at a time (a stream read in pieces); `reservoirSample` a whole iterable.

export class Reservoir {
  readonly size: number;
  readonly sample: number[] = [];
  seen = 0;
  readonly #random: () => number;

  constructor(size: number, random: () => number) {
    this.size = size;
    this.#random = random;
  }

  add(v: number): void {
    this.seen++;
    if (this.sample.length < this.size) this.sample.push(v);
    else {
      const j = Math.floor(this.#random() * this.seen);
      if (j < this.size) this.sample[j] = v;
    }
  }
}

export function reservoirSample(values: Iterable<number>, size: number, random: () => number): number[] {
  const reservoir = new Reservoir(size, random);
  for (const v of values) reservoir.add(v);
  return reservoir.sample;
}
