// PURE: the validation's phase and message from its Job, read from the Job controller's
// conditions. FailureTarget and SuccessCriteriaMet (Kubernetes >= 1.31) come before Failed and
// Complete, while the controller waits for the pods to terminate: the outcome is known by then.
import type { V1Job, V1JobCondition } from '@kubernetes/client-node';
import type { ValidationPhase } from '../api/analysis-status.ts';

export interface JobResult {
  readonly phase: ValidationPhase;
  readonly message: string;
}

function condition(job: V1Job, ...types: string[]): V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => types.includes(c.type) && c.status === 'True');
}

function whyFailed(job: V1Job, failed: V1JobCondition): string {
  switch (failed.reason) {
    case 'DeadlineExceeded': {
      const deadline = job.spec?.activeDeadlineSeconds;
      return deadline === undefined ? 'timed out' : `timed out after ${deadline}s`;
    }
    case 'BackoffLimitExceeded':
      return 'exited non-zero';
    default:
      return `failed: ${[failed.reason, failed.message].filter((s) => s !== undefined && s !== '').join(': ') || 'no reason given'}`;
  }
}

export function jobResult(job: V1Job): JobResult {
  const name = job.metadata?.name ?? '';
  const logs = `kubectl logs job/${name}`;
  const failed = condition(job, 'Failed', 'FailureTarget');
  if (failed !== undefined) return { phase: 'Failed', message: `validation Job ${name} ${whyFailed(job, failed)}; see ${logs}` };
  if (condition(job, 'Complete', 'SuccessCriteriaMet') !== undefined) {
    return { phase: 'Passed', message: `validation Job ${name} succeeded; see ${logs}` };
  }
  return { phase: 'Running', message: `validation Job ${name} is running; follow it with ${logs} -f` };
}
