import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Job, V1JobCondition } from '@kubernetes/client-node';
import { jobResult } from '../../../src/validation/index.ts';

/** activeDeadlineSeconds null: none set. */
const job = (conditions: V1JobCondition[] | undefined, activeDeadlineSeconds: number | null = 600): V1Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'fraud-validate-4' },
  spec: { template: {}, ...(activeDeadlineSeconds !== null ? { activeDeadlineSeconds } : {}) },
  ...(conditions !== undefined ? { status: { conditions } } : {}),
});
const cond = (type: string, reason?: string, status = 'True', message?: string): V1JobCondition => ({
  type,
  status,
  ...(reason !== undefined ? { reason } : {}),
  ...(message !== undefined ? { message } : {}),
});
const logs = 'see kubectl logs job/fraud-validate-4';

test('a Job without a finished condition is Running', () => {
  assert.deepEqual(jobResult(job(undefined)), { phase: 'Running', message: 'validation Job fraud-validate-4 is running; follow it with kubectl logs job/fraud-validate-4 -f' });
  assert.equal(jobResult(job([cond('Suspended', 'JobSuspended'), cond('Failed', 'BackoffLimitExceeded', 'False')])).phase, 'Running');
});

test('Complete (or SuccessCriteriaMet before it) is Passed', () => {
  assert.deepEqual(jobResult(job([cond('Complete', 'CompletionsReached')])), { phase: 'Passed', message: `validation Job fraud-validate-4 succeeded; ${logs}` });
  assert.equal(jobResult(job([cond('SuccessCriteriaMet', 'CompletionsReached')])).phase, 'Passed');
});

test('Failed (or FailureTarget before it) is Failed, saying why', () => {
  assert.deepEqual(jobResult(job([cond('Failed', 'BackoffLimitExceeded', 'True', 'Job has reached the specified backoff limit')])), {
    phase: 'Failed',
    message: `validation Job fraud-validate-4 exited non-zero; ${logs}`,
  });
  assert.deepEqual(jobResult(job([cond('FailureTarget', 'DeadlineExceeded')], 120)), {
    phase: 'Failed',
    message: `validation Job fraud-validate-4 timed out after 120s; ${logs}`,
  });
  assert.equal(jobResult(job([cond('Failed', 'DeadlineExceeded')], null)).message, `validation Job fraud-validate-4 timed out; ${logs}`);
  assert.equal(
    jobResult(job([cond('Failed', 'PodFailurePolicy', 'True', 'Container validate for pod x failed with exit code 2')])).message,
    `validation Job fraud-validate-4 failed: PodFailurePolicy: Container validate for pod x failed with exit code 2; ${logs}`,
  );
  assert.equal(jobResult(job([cond('Failed')])).message, `validation Job fraud-validate-4 failed: no reason given; ${logs}`);
});

test('a failure wins over a success condition', () => {
  assert.equal(jobResult(job([cond('SuccessCriteriaMet'), cond('FailureTarget', 'BackoffLimitExceeded')])).phase, 'Failed');
});
