// Names of the objects a ModelDeployment owns. The Service keeps the ModelDeployment's own name,
// so clients have one URL whatever is rolling out; everything tied to one variant of the model
// server (Deployment, HPA, PDB, ConfigMap) is `<name>-<variant>`: `fraud-stable`, later
// `fraud-canary`. Kinds differ, so one name per variant is enough. The CRD limits names to
// MAX_NAME_LENGTH, leaving MAX_SUFFIX_LENGTH characters for suffixes.
import { DNS_LABEL_MAX, MAX_NAME_LENGTH, MAX_SUFFIX_LENGTH } from '../api/limits.ts';
import { DNS1035_LABEL, DNS1123_LABEL } from '../api/patterns.ts';

export const VARIANTS = ['stable', 'canary'] as const;
export type Variant = (typeof VARIANTS)[number];

/** The stable Service: the ModelDeployment's own name. */
export function serviceName(modelDeploymentName: string): string {
  return modelDeploymentName;
}

/** Deployment, HPA, PDB and ConfigMap of one variant. */
export function variantName(modelDeploymentName: string, variant: Variant): string {
  return childName(modelDeploymentName, variant);
}

/** `<name>-<suffix>`; suffixes stay within MAX_SUFFIX_LENGTH so the result is a DNS label. */
export function childName(modelDeploymentName: string, suffix: string): string {
  if (suffix.length + 1 > MAX_SUFFIX_LENGTH) throw new Error(`child name suffix too long: ${suffix}`);
  return `${modelDeploymentName}-${suffix}`;
}

/** In-cluster URL of the stable Service. */
export function serviceUrl(modelDeploymentName: string, namespace: string, clusterDomain = 'cluster.local'): string {
  return `http://${serviceName(modelDeploymentName)}.${namespace}.svc.${clusterDomain}`;
}

/** Whether a ModelDeployment name leaves room for every child name (what the CRD's CEL rules check). */
export function isValidModelDeploymentName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && DNS1035_LABEL.test(name);
}

export function isDns1123Label(name: string): boolean {
  return name.length > 0 && name.length <= DNS_LABEL_MAX && DNS1123_LABEL.test(name);
}
