// Drift detection's statistics: reference profiles, the tests, effect sizes and the verdict of a check.
export * from './benjamini-hochberg.ts';
export * from './categorical-profile.ts';
export * from './chi-squared.ts';
export * from './distribution-distance.ts';
export * from './drift-verdict.ts';
export * from './incomplete-gamma.ts';
export * from './kolmogorov-distribution.ts';
export * from './ks-two-sample.ts';
export * from './numeric-profile.ts';
export * from './reservoir-sample.ts';
