// Size limits shared by the schemas, the CEL rules and the renderer.

/** Kubernetes names used as labels or Service names (DNS-1123 / DNS-1035 labels). */
export const DNS_LABEL_MAX = 63;

/**
 * Longest ModelDeployment name. Children are named `<name>` (the stable Service) and
 * `<name>-<suffix>`; suffixes get a budget of 63 - 42 = 21 characters, enough for `-stable`,
 * `-canary` and compound ones such as `-canary-validation` (18). It also keeps a future batch
 * CronJob `<name>-batch` (48) under the CronJob limit of 52.
 */
export const MAX_NAME_LENGTH = 42;

/** Longest child-name suffix (including its leading '-') that always fits in a DNS label. */
export const MAX_SUFFIX_LENGTH = DNS_LABEL_MAX - MAX_NAME_LENGTH;

// Bounds on lists, maps and strings. Besides catching mistakes, they let the API server's CEL
// cost estimator accept the x-kubernetes-validations rules.
export const MAX_SHORT_STRING = 253;
export const MAX_LONG_STRING = 4096;
export const MAX_ENV_VALUE = 32768;
export const MAX_URI_LENGTH = 2048;
export const MAX_IMAGE_LENGTH = 512;
export const MAX_ARGS = 128;
export const MAX_COMMAND = 32;
export const MAX_ENV = 128;
export const MAX_TOLERATIONS = 32;
export const MAX_MAP_ENTRIES = 32;
export const MAX_RESOURCES = 16;
export const MAX_METRICS = 16;
export const MAX_POLICIES = 8;
export const MAX_CONDITIONS = 16;
export const MAX_STATUS_ITEMS = 64;

// spec.rollout
export const MAX_ROLLOUT_STEPS = 20;
export const MAX_TRAFFIC_MATCHES = 8;
export const MAX_MATCH_HEADERS = 8;
export const MAX_TRAFFIC_HOSTS = 16;
export const MAX_HEADER_NAME = 256;
export const MAX_HEADER_VALUE = 1024;
/** status.history keeps this many revisions, newest first. */
export const MAX_HISTORY = 10;
