// Which requests are logged: independent Bernoulli trials at the sample rate. Pure given its random source.

export type Random = () => number;

export function sampler(rate: number, random: Random = Math.random): () => boolean {
  if (rate >= 1) return () => true;
  if (rate <= 0) return () => false;
  return () => random() < rate;
}
