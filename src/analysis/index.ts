// Pure statistics of comparative canary analysis: no I/O, no clock, no randomness.
export * from './msprt-proportions.ts';
export * from './latency-comparison.ts';
export { logNormalCdf, normalCdf } from './normal-cdf.ts';
