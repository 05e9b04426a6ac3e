// Labels on everything modelship creates: the app.kubernetes.io conventions plus modelship's own.
// The operator's informers select children by LABEL_MODEL_DEPLOYMENT.
import type { ModelDeployment } from '../api/model-deployment.ts';
import { DNS_LABEL_MAX } from '../api/limits.ts';
import { LABEL_VALUE } from '../api/patterns.ts';
import type { Variant } from './names.ts';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_VERSION = 'app.kubernetes.io/version';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_MODEL_DEPLOYMENT = 'modelship.io/model-deployment';
export const LABEL_VARIANT = 'modelship.io/variant';
/** The revision (status.stable / status.canary) a variant's objects and pods run. */
export const LABEL_REVISION = 'modelship.io/revision';

export const MANAGED_BY = 'modelship';
export const PART_OF = 'modelship';
export const COMPONENT_MODEL_SERVER = 'model-server';

/** Labels of objects shared by all variants (the stable Service). */
export function commonLabels(md: ModelDeployment): Record<string, string> {
  return {
    [LABEL_NAME]: md.spec.model.name,
    [LABEL_INSTANCE]: md.metadata.name,
    [LABEL_COMPONENT]: COMPONENT_MODEL_SERVER,
    [LABEL_PART_OF]: PART_OF,
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_MODEL_DEPLOYMENT]: md.metadata.name,
  };
}

/**
 * Labels of one variant's objects and pods: the common ones plus model version and variant, and the
 * revision when rendering for a rollout plan.
 */
export function variantLabels(md: ModelDeployment, variant: Variant, revision?: number): Record<string, string> {
  return {
    ...commonLabels(md),
    [LABEL_VERSION]: md.spec.model.version,
    [LABEL_VARIANT]: variant,
    ...(revision !== undefined ? { [LABEL_REVISION]: String(revision) } : {}),
  };
}

/** Selector of one variant's pods (Deployment, PDB). Immutable on a Deployment: never add to it. */
export function variantSelector(modelDeploymentName: string, variant: Variant): Record<string, string> {
  return { [LABEL_MODEL_DEPLOYMENT]: modelDeploymentName, [LABEL_VARIANT]: variant };
}

/** Selector of the stable Service: every serving pod of the ModelDeployment, whatever its variant. */
export function serviceSelector(modelDeploymentName: string): Record<string, string> {
  return { [LABEL_MODEL_DEPLOYMENT]: modelDeploymentName, [LABEL_COMPONENT]: COMPONENT_MODEL_SERVER };
}

export function isValidLabelValue(value: string): boolean {
  return value === '' || (value.length <= DNS_LABEL_MAX && LABEL_VALUE.test(value));
}
