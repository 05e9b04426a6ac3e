// The validation Job of a canary revision: its name, labels, limits, environment and security.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelDeployment, ValidationJobSpec } from '../../../src/api/index.ts';
import { MAX_NAME_LENGTH } from '../../../src/api/limits.ts';
import {
  COMPONENT_VALIDATION,
  LABEL_COMPONENT,
  LABEL_MODEL_DEPLOYMENT,
  LABEL_VALIDATION_REVISION,
  isDns1123Label,
  renderValidationJob,
  serviceSelector,
  validationJobName,
  variantName,
  variantSelector,
} from '../../../src/render/index.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';
import { parsed } from './render-helpers.ts';

const md = (changes: Parameters<typeof withChanges>[1] = { 'metadata.namespace': 'risk' }): ModelDeployment => parsed(withChanges(validManifest(), changes));
const spec: ValidationJobSpec = {
  image: 'registry.example/acme/holdout:2',
  command: ['python', '-m', 'holdout'],
  args: ['--min-auc', '0.91'],
  env: [
    { name: 'THRESHOLD', value: '0.9' },
    { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'holdout', key: 'token' } } },
  ],
  timeoutSeconds: 300,
};

test('a Job <name>-validate-<revision> that runs the image once, bounded by timeoutSeconds', () => {
  const job = renderValidationJob(md(), 4, spec, 'fraud-canary', 'fraud-detector');
  assert.equal(job.apiVersion, 'batch/v1');
  assert.equal(job.kind, 'Job');
  assert.equal(job.metadata.name, 'fraud-validate-4');
  assert.equal(job.metadata.namespace, 'risk');
  assert.equal(job.spec?.backoffLimit, 0);
  assert.equal(job.spec?.activeDeadlineSeconds, 300);
  const pod = job.spec?.template.spec;
  assert.equal(pod?.restartPolicy, 'Never');
  assert.equal(pod?.automountServiceAccountToken, false);
  assert.equal(pod?.containers.length, 1);
  const container = pod?.containers[0];
  assert.equal(container?.image, 'registry.example/acme/holdout:2');
  assert.deepEqual(container?.command, ['python', '-m', 'holdout']);
  assert.deepEqual(container?.args, ['--min-auc', '0.91']);
  const bare = renderValidationJob(md(), 4, { image: 'registry.example/acme/holdout:2', timeoutSeconds: 600 }, 'fraud-canary', 'm').spec?.template.spec?.containers[0];
  assert.equal(bare?.command, undefined, 'no command: the image entrypoint');
  assert.equal(bare?.args, undefined);
});

test('MODEL_URL (the canary Service, port 80) and MODEL_NAME come first and cannot be overridden; the user env follows', () => {
  const withClash = { ...spec, env: [{ name: 'MODEL_URL', value: 'http://fraud-stable' }, ...(spec.env ?? []), { name: 'MODEL_NAME', value: 'x' }] };
  const env = renderValidationJob(md(), 4, withClash, 'fraud-canary', 'fraud-detector').spec?.template.spec?.containers[0]?.env;
  assert.deepEqual(env, [
    { name: 'MODEL_URL', value: 'http://fraud-canary.risk.svc' },
    { name: 'MODEL_NAME', value: 'fraud-detector' },
    { name: 'THRESHOLD', value: '0.9' },
    { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'holdout', key: 'token' } } },
  ]);
  const offline = renderValidationJob(md({}), 4, spec, 'fraud-canary', 'fraud-detector');
  assert.equal(offline.metadata.namespace, undefined);
  assert.equal(offline.spec?.template.spec?.containers[0]?.env?.[0]?.value, 'http://fraud-canary', 'without a namespace: the Job’s own');
});

test('labels: the ModelDeployment’s, component validation and the revision; no Service or variant selects the pods', () => {
  const m = md();
  const job = renderValidationJob(m, 12, spec, variantName('fraud', 'canary'), 'fraud-detector');
  const labels = job.metadata.labels;
  assert.equal(labels[LABEL_MODEL_DEPLOYMENT], 'fraud', 'the operator’s informers find it');
  assert.equal(labels[LABEL_COMPONENT], COMPONENT_VALIDATION);
  assert.equal(labels[LABEL_VALIDATION_REVISION], '12');
  const podLabels = job.spec?.template.metadata?.labels ?? {};
  assert.deepEqual(podLabels, labels);
  const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);
  assert.equal(selects(serviceSelector('fraud')), false, 'the stable Service never sends traffic to it');
  assert.equal(selects(variantSelector('fraud', 'canary')), false);
  assert.equal(selects(variantSelector('fraud', 'stable')), false);
});

test('the pod meets the Pod Security Standard "restricted"', () => {
  const pod = renderValidationJob(md(), 4, spec, 'fraud-canary', 'fraud-detector').spec?.template.spec;
  assert.equal(pod?.securityContext?.runAsNonRoot, true);
  assert.equal(pod?.securityContext?.seccompProfile?.type, 'RuntimeDefault');
  const sc = pod?.containers[0]?.securityContext;
  assert.equal(sc?.allowPrivilegeEscalation, false);
  assert.deepEqual(sc?.capabilities?.drop, ['ALL']);
  assert.equal(pod?.hostNetwork, undefined);
  assert.equal(pod?.volumes, undefined);
});

test('the longest name with the largest revision is still a DNS label', () => {
  const name = `m${'a'.repeat(MAX_NAME_LENGTH - 1)}`;
  const jobName = validationJobName(name, 2_147_483_647);
  assert.equal(jobName.length, MAX_NAME_LENGTH + '-validate-'.length + 10);
  assert.ok(jobName.length <= 63);
  assert.ok(isDns1123Label(jobName));
  assert.equal(renderValidationJob(md({ 'metadata.name': name }), 2_147_483_647, spec, `${name}-canary`, 'm').metadata.name, jobName);
});

test('pure: the same input gives equal Jobs that share nothing with the input or each other', () => {
  const m = md();
  const a = renderValidationJob(m, 4, spec, 'fraud-canary', 'fraud-detector');
  const b = renderValidationJob(m, 4, spec, 'fraud-canary', 'fraud-detector');
  assert.deepEqual(a, b);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  a.spec!.template.spec!.containers[0]!.args!.push('--changed');
  a.metadata.labels.extra = 'x';
  assert.deepEqual(b.spec?.template.spec?.containers[0]?.args, ['--min-auc', '0.91']);
  assert.deepEqual(spec.args, ['--min-auc', '0.91']);
  assert.equal(b.metadata.labels.extra, undefined);
});
