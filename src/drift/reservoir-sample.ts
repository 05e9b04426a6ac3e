// A uniform sample of at most `size` values from a sequence of any length in one pass (Vitter's
// algorithm R), so a profile keeps a bounded raw sample for the KS test however large the data.

export function reservoirSample(values: Iterable<number>, size: number, random: () => number): number[] {
  const sample: number[] = [];
  let seen = 0;
  for (const v of values) {
    seen++;
    if (sample.length < size) sample.push(v);
    else {
      const j = Math.floor(random() * seen);
      if (j < size) sample[j] = v;
    }
  }
  return sample;
}
