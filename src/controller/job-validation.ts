// PURE: the validation Job's result as the machine takes it, read from the Job in the informer cache
// (no I/O). Undefined while the cache has no such Job (the apply has not come back through the watch).
import type { V1Job } from '@kubernetes/client-node';
import type { ValidationObservation } from '../rollout/index.ts';
import { jobResult } from '../validation/index.ts';

export function jobValidation(job: V1Job | undefined, revision: number): ValidationObservation | undefined {
  if (job === undefined) return undefined;
  const result = jobResult(job);
  return { revision, method: 'job', phase: result.phase, message: result.message, job: job.metadata?.name ?? '' };
}
