// Pure statistics of comparative canary analysis: no I/O, no clock, no randomness.
export * from './msprt-proportions.ts';
export * from './latency-comparison.ts';
export { logNormalCdf, normalCdf } from './normal-cdf.ts';
export * from './promql-syntax.ts';
export * from './builtin-queries.ts';
export * from './render-query.ts';
export * from './query-ids.ts';
export * from './query-result.ts';
export * from './analysis-checks.ts';
export * from './evaluate-run.ts';
export * from './accuracy-queries.ts';
export * from './accuracy-check.ts';
export * from './drift-queries.ts';
export * from './drift-table.ts';
export * from './drift-check.ts';
