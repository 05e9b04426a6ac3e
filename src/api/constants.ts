// Identity of the ModelDeployment API: one place for the names the CRD, the client and the CLI share.
export const API_GROUP = 'modelship.io';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;
export const KIND = 'ModelDeployment';
export const LIST_KIND = 'ModelDeploymentList';
export const PLURAL = 'modeldeployments';
export const SINGULAR = 'modeldeployment';
export const SHORT_NAMES: readonly string[] = ['mdep'];
export const CATEGORIES: readonly string[] = ['ml', 'modelship'];
export const CRD_NAME = `${PLURAL}.${API_GROUP}`;

/**
 * The label a Secret of a ModelDeployment's namespace needs, with the value "true", before the operator
 * sends its value to a Prometheus address the ModelDeployment names (and only when the platform allows
 * that at all: --prometheus-user-secrets). docs/security.md.
 */
export const ANALYSIS_CREDENTIALS_LABEL = 'modelship.io/analysis-credentials';
