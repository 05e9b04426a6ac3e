// Validation of a canary before it takes traffic: the built-in smoke check (pure parsing and
// judging, one I/O function) and the reading of a validation Job's outcome. The Job itself is
// rendered by src/render/validation-job.ts.
export * from './smoke-samples.ts';
export * from './smoke-response.ts';
export * from './smoke-request.ts';
export * from './smoke-summary.ts';
export * from './smoke-plan.ts';
export * from './smoke-check.ts';
export * from './job-result.ts';
