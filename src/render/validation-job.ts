// The validation Job of one canary revision (spec.rollout.validation.job): the user's image, run once
// (src/render/user-job.ts) against the canary Service before any traffic reaches the canary; it must
// exit 0. The pods are labelled with their own component,
// so neither the stable Service nor a variant's selector ever picks them up.
import type { V1EnvVar } from '@kubernetes/client-node';
import type { ValidationJobSpec } from '../api/analysis-spec.ts';
import type { ModelDeployment } from '../api/model-deployment.ts';
import { objectMeta } from './child-objects.ts';
import type { JobObject } from './child-objects.ts';
import { LABEL_COMPONENT, commonLabels } from './labels.ts';
import { childName } from './names.ts';
import { userJobSpec } from './user-job.ts';

export type { JobObject } from './child-objects.ts';

/** The canary revision a validation Job checks. */
export const LABEL_VALIDATION_REVISION = 'modelship.io/validation-revision';
export const COMPONENT_VALIDATION = 'validation';
export const VALIDATION_CONTAINER = 'validate';
/** Always set in the Job's environment; the user's env cannot redirect the check elsewhere. */
export const MODEL_URL_ENV = 'MODEL_URL';
export const MODEL_NAME_ENV = 'MODEL_NAME';

/**
 * `<name>-validate-<revision>`: a new Job per revision, since a Job's template is immutable. The
 * suffix is at most 10 + 10 digits of an int32 = 20 characters, within MAX_SUFFIX_LENGTH.
 */
export function validationJobName(modelDeploymentName: string, revision: number): string {
  return childName(modelDeploymentName, `validate-${revision}`);
}

/** The canary Service's in-cluster URL (its HTTP port is 80); short when rendered without a namespace. */
function canaryUrl(canaryServiceName: string, namespace: string | undefined): string {
  return namespace === undefined ? `http://${canaryServiceName}` : `http://${canaryServiceName}.${namespace}.svc`;
}

export function renderValidationJob(
  md: ModelDeployment,
  revision: number,
  job: ValidationJobSpec,
  canaryServiceName: string,
  modelName: string,
): JobObject {
  const { name, namespace } = md.metadata;
  const labels = { ...commonLabels(md), [LABEL_COMPONENT]: COMPONENT_VALIDATION, [LABEL_VALIDATION_REVISION]: String(revision) };
  const fixed: V1EnvVar[] = [
    { name: MODEL_URL_ENV, value: canaryUrl(canaryServiceName, namespace) },
    { name: MODEL_NAME_ENV, value: modelName },
  ];
  return structuredClone({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: objectMeta(validationJobName(name, revision), namespace, labels),
    spec: userJobSpec(labels, VALIDATION_CONTAINER, job, fixed),
  });
}
