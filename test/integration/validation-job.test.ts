// A validation Job as renderValidationJob writes it, run by the real Job controller: admitted under
// the Pod Security Standard "restricted", and read back by jobResult as Passed, Failed (exit 1) or
// timed out. (kwok simulates the kubelet: Job pods exit 0, or 1 for an image on fails.invalid/,
// and an image on unpullable.invalid/ never starts; see test/cluster/kwok/stages.yaml.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchV1Api, CoreV1Api, type V1Job } from '@kubernetes/client-node';
import { parseModelDeployment, formatFieldErrors } from '../../src/api/index.ts';
import type { ModelDeployment, ValidationJobSpec } from '../../src/api/index.ts';
import { renderValidationJob, variantName } from '../../src/render/index.ts';
import { jobResult } from '../../src/validation/index.ts';
import type { JobResult } from '../../src/validation/index.ts';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';

const cluster = await sharedCluster();
const kc = cluster.kubeConfig();
const namespace = await testNamespace(kc, 'validation-job');
const batch = kc.makeApiClient(BatchV1Api);
const core = kc.makeApiClient(CoreV1Api);
// Pods the rendered template makes must be admitted where "restricted" is enforced.
await core.patchNamespace({
  name: namespace,
  body: [{ op: 'add', path: '/metadata/labels/pod-security.kubernetes.io~1enforce', value: 'restricted' }],
});

function modelDeployment(name: string): ModelDeployment {
  const result = parseModelDeployment({
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name, namespace },
    spec: {
      model: { name: 'fraud-detector', version: '8', uri: 's3://models/fraud/8', format: 'sklearn' },
      runtime: { preset: 'mlserver' },
      replicas: 1,
    },
  });
  if (!result.ok) throw new Error(formatFieldErrors(result.errors));
  return result.value;
}

async function runJob(name: string, revision: number, spec: ValidationJobSpec, until: (r: JobResult) => boolean): Promise<{ job: V1Job; result: JobResult }> {
  const md = modelDeployment(name);
  const body = renderValidationJob(md, revision, spec, variantName(name, 'canary'), md.spec.model.name);
  await batch.createNamespacedJob({ namespace, body });
  const job = await eventually(
    `Job ${body.metadata.name} to finish`,
    () => batch.readNamespacedJob({ namespace, name: body.metadata.name }),
    (j) => until(jobResult(j)),
    90_000,
  );
  return { job, result: jobResult(job) };
}

const finished = (r: JobResult) => r.phase !== 'Running';

test('a validation Job whose container exits 0 is Passed', async () => {
  const { job, result } = await runJob('passes', 3, { image: 'registry.example/acme/holdout:1', args: ['--min-auc', '0.9'], timeoutSeconds: 60 }, finished);
  assert.equal(job.metadata?.name, 'passes-validate-3');
  assert.deepEqual(result, { phase: 'Passed', message: 'validation Job passes-validate-3 succeeded; see kubectl logs job/passes-validate-3' });
  assert.equal(job.status?.succeeded, 1);
  // ...and "restricted" is really enforced here: a pod without the security contexts is refused.
  await assert.rejects(
    core.createNamespacedPod({ namespace, dryRun: 'All', body: { metadata: { name: 'lax' }, spec: { containers: [{ name: 'c', image: 'registry.example/x:1' }] } } }),
    /violates PodSecurity/,
  );
});

test('a validation Job whose container exits 1 is Failed, at once (backoffLimit 0)', async () => {
  const { job, result } = await runJob('fails', 4, { image: 'fails.invalid/acme/holdout:1', timeoutSeconds: 60 }, finished);
  assert.deepEqual(result, { phase: 'Failed', message: 'validation Job fails-validate-4 exited non-zero; see kubectl logs job/fails-validate-4' });
  assert.equal(job.status?.failed, 1, 'one pod, no retry');
  const pods = await core.listNamespacedPod({ namespace, labelSelector: 'job-name=fails-validate-4' });
  const state = pods.items[0]?.status;
  assert.equal(state?.phase, 'Failed');
  assert.equal(state?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
});

test('a validation Job that does not finish within timeoutSeconds is Failed as timed out', async () => {
  const { result } = await runJob('slow', 5, { image: 'unpullable.invalid/acme/holdout:1', timeoutSeconds: 2 }, finished);
  assert.deepEqual(result, { phase: 'Failed', message: 'validation Job slow-validate-5 timed out after 2s; see kubectl logs job/slow-validate-5' });
});
