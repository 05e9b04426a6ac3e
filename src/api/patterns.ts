// Regular expressions the API server evaluates too (as OpenAPI `pattern` or in CEL), so they must
// stay within RE2: no lookaround, no backreferences.

/** DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** DNS-1035 label: a DNS-1123 label that starts with a letter, as Service names must. */
export const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** DNS-1123 subdomain: dot-separated DNS-1123 labels (Secret, ServiceAccount names). */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label value: alphanumerics, '-', '_' and '.', starting and ending alphanumeric. */
export const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A Kubernetes resource quantity without a sign (500m, 1Gi, 2, 1.5, 1e3). */
export const QUANTITY =
  /^(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

/** An environment variable name as the kubelet accepts it. */
export const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Where a model lives: s3://bucket/key, gs://bucket/key, https://host/path, pvc://claim[/path]
 * (the claim is a DNS-1123 subdomain) or oci://registry/repository[:tag|@digest].
 */
export const MODEL_URI =
  /^((s3|gs):\/\/[^/\s]+(\/\S*)?|https:\/\/[^/\s]+(\/\S*)?|pvc:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(\/\S*)?|oci:\/\/[^/\s]+\/\S+|models:\/[A-Za-z0-9][-A-Za-z0-9_.]{0,127}(@[A-Za-z0-9][-A-Za-z0-9_]{0,127}|\/[1-9][0-9]{0,9}))$/;

/**
 * Where batch data lives: s3://bucket[/prefix-or-key] or pvc://claim[/path], the s3:// and pvc://
 * forms of MODEL_URI.
 */
export const DATA_URI = /^(s3:\/\/[^/\s]+(\/\S*)?|pvc:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(\/\S*)?)$/;

/** An IANA time zone name: UTC, Europe/Berlin, America/Argentina/Buenos_Aires, Etc/GMT+5. */
export const TIME_ZONE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** A container image reference: no whitespace. The registry checks the rest. */
export const IMAGE = /^\S+$/;

/**
 * A label key (qualified name): an optional DNS-1123 subdomain prefix and '/', then up to 63
 * alphanumerics, '-', '_' and '.', starting and ending alphanumeric. The prefix's 253 characters are
 * checked apart.
 */
export const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A label value, or empty as Kubernetes allows in node selectors and tolerations. */
export const LABEL_VALUE_OR_EMPTY = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
