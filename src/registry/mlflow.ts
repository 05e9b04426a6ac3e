// PURE: models from a model registry (MLflow). A ModelDeployment names a model as
// `models:/<name>@<alias>` or `models:/<name>/<version>` and, optionally, a registry by name
// (spec.model.registry); the platform names its registries in a file (--model-registries, Helm
// `registries`): an address and, optionally, credentials from Secrets in the operator's own namespace,
// as for Prometheus sources (src/analysis/prometheus-sources.ts). An author never gives an address.
//
// The operator resolves the URI to an immutable version and its artifact location (the version's
// `source`, or, when that is not fetchable as it is, e.g. MLflow 3's `models:/m-<id>` of a logged model,
// what `model-versions/get-download-uri` answers), and serves that: the resolved version is the model
// version the rollout machine sees, so a moved alias is a new version and starts the configured rollout.
import { z } from 'zod';
import { loadSettingsYaml, settingsIssues } from '../platform-settings-file.ts';
import { DNS1123_LABEL } from '../api/patterns.ts';
import type { SecretKeyRef } from '../analysis/prometheus-sources.ts';

export interface ModelRegistry {
  readonly name: string;
  readonly type: 'mlflow';
  readonly address: string;
  readonly bearerTokenSecret?: SecretKeyRef;
  /** A Secret with the keys `username` and `password` (HTTP basic authentication). */
  readonly basicAuthSecret?: { readonly name: string };
  readonly default?: boolean;
}

// ---- the registries file ------------------------------------------------------------------------

const HTTP_URL = /^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const registrySchema = z.strictObject({
  name: z.string().max(63).regex(DNS1123_LABEL, { error: 'must be a name of lower-case letters, digits and -' }),
  type: z.literal('mlflow', { error: 'must be mlflow (the only registry type supported)' }),
  address: z.string().max(2048).regex(HTTP_URL, { error: 'must be an http:// or https:// URL without user, query or fragment, e.g. http://mlflow.mlflow:5000' }),
  bearerTokenSecret: z
    .strictObject({
      name: z.string().max(253).regex(SECRET_NAME, { error: 'must be a Secret name' }),
      key: z.string().min(1).max(253).regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a key of letters, digits, '-', '_' or '.'" }),
    })
    .optional(),
  basicAuthSecret: z.strictObject({ name: z.string().max(253).regex(SECRET_NAME, { error: 'must be a Secret name' }) }).optional(),
  default: z.boolean().optional(),
});

export type RegistriesResult = { ok: true; registries: ModelRegistry[] } | { ok: false; errors: string[] };

/** The registries file: a YAML list (or `registries: [...]`), checked: known fields, unique names, one default at most, one kind of credentials. */
export function parseModelRegistries(text: string, file: string): RegistriesResult {
  const yaml = loadSettingsYaml(text, file, []);
  if (!yaml.ok) return yaml;
  let doc = yaml.doc;
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc) && 'registries' in doc) doc = doc.registries;
  const parsed = z.array(registrySchema).safeParse(doc ?? []);
  if (!parsed.success) return { ok: false, errors: settingsIssues(parsed.error.issues, file) };
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const r of parsed.data) {
    if (seen.has(r.name)) errors.push(`${file}: two registries are named ${r.name}`);
    seen.add(r.name);
    if (r.bearerTokenSecret !== undefined && r.basicAuthSecret !== undefined) errors.push(`${file}: registry ${r.name} has both bearerTokenSecret and basicAuthSecret: keep one`);
  }
  const defaults = parsed.data.filter((r) => r.default === true).map((r) => r.name);
  if (defaults.length > 1) errors.push(`${file}: only one registry may be the default, not ${defaults.join(' and ')}`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, registries: parsed.data };
}

// ---- models:/ URIs --------------------------------------------------------------------------------

/** A registered model name: MLflow allows more, modelship takes these (no '/', '@' or whitespace). */
export const REGISTRY_MODEL_URI = /^models:\/[A-Za-z0-9][-A-Za-z0-9_.]{0,127}(@[A-Za-z0-9][-A-Za-z0-9_]{0,127}|\/[1-9][0-9]{0,9})$/;

export type RegistryModelRef =
  | { readonly name: string; readonly alias: string; readonly version?: undefined }
  | { readonly name: string; readonly version: string; readonly alias?: undefined };

export function isRegistryUri(uri: string): boolean {
  return uri.startsWith('models:/');
}

/** `models:/iris@champion` or `models:/iris/3`; undefined when it is neither. */
export function parseRegistryUri(uri: string): RegistryModelRef | undefined {
  if (!REGISTRY_MODEL_URI.test(uri)) return undefined;
  const rest = uri.slice('models:/'.length);
  const at = rest.indexOf('@');
  if (at >= 0) return { name: rest.slice(0, at), alias: rest.slice(at + 1) };
  const slash = rest.indexOf('/');
  return { name: rest.slice(0, slash), version: rest.slice(slash + 1) };
}

// ---- choosing the registry ----------------------------------------------------------------------

export type RegistryChoice = { readonly ok: true; readonly registry: ModelRegistry } | { readonly ok: false; readonly message: string };

export function chooseRegistry(name: string | undefined, registries: readonly ModelRegistry[]): RegistryChoice {
  const known =
    registries.length === 0
      ? 'the platform configured no model registries (--model-registries)'
      : `the platform's registries are ${registries.map((r) => `${r.name}${r.default === true ? ' (default)' : ''}`).join(', ')}`;
  if (name !== undefined) {
    const registry = registries.find((r) => r.name === name);
    return registry !== undefined ? { ok: true, registry } : { ok: false, message: `there is no model registry named ${name}: ${known}` };
  }
  const dflt = registries.find((r) => r.default === true);
  return dflt !== undefined ? { ok: true, registry: dflt } : { ok: false, message: `spec.model.registry names no registry and there is no default: ${known}` };
}

// ---- the MLflow REST API (2.0) --------------------------------------------------------------------

/** The GET request that answers a reference: an alias (registered-models/alias) or a version (model-versions/get). */
export function resolveRequestUrl(address: string, ref: RegistryModelRef): URL {
  const base = address.endsWith('/') ? address : `${address}/`;
  if (ref.alias !== undefined) {
    const url = new URL('api/2.0/mlflow/registered-models/alias', base);
    url.searchParams.set('name', ref.name);
    url.searchParams.set('alias', ref.alias);
    return url;
  }
  const url = new URL('api/2.0/mlflow/model-versions/get', base);
  url.searchParams.set('name', ref.name);
  url.searchParams.set('version', ref.version);
  return url;
}

export type ResolutionFailure = 'RegistryUnavailable' | 'AliasNotFound' | 'ModelVersionNotFound' | 'UnsupportedModelSource' | 'UnknownModelRegistry';

export type ParsedAnswer =
  | { readonly ok: true; readonly version: string; readonly source: string }
  | {
      readonly ok: false;
      readonly reason: ResolutionFailure;
      readonly message: string;
      /**
       * The version exists but its `source` is not fetchable as it is (MLflow 3's `models:/m-<id>` of a
       * logged model, `runs:/`, ...): its artifact location may be, so ask get-download-uri
       * (downloadUriRequestUrl, parseDownloadUriAnswer). Without that ask, the failure stands.
       */
      readonly askDownloadUri?: { readonly version: string; readonly source: string };
    };

const modelVersionSchema = z.object({
  model_version: z.object({
    name: z.string(),
    version: z.string().regex(/^[1-9][0-9]{0,9}$/),
    source: z.string().max(2048),
    status: z.string().optional(),
  }),
});

const errorSchema = z.object({ error_code: z.string().optional(), message: z.string().optional() });

/** The source URIs modelship's fetcher reads; MLflow's own schemes (mlflow-artifacts:, runs:, models:) are refused. */
export function servableSource(source: string): boolean {
  return /^(s3|gs):\/\/[^/\s]+(\/\S*)?$/.test(source) || /^https:\/\/[^/\s]+(\/\S*)?$/.test(source);
}

/** MLflow's answer to resolveRequestUrl's request, as a version and its artifact location, or why not. */
export function parseResolveAnswer(ref: RegistryModelRef, status: number, body: string): ParsedAnswer {
  const what = ref.alias !== undefined ? `alias ${ref.alias} of model ${ref.name}` : `version ${ref.version} of model ${ref.name}`;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const error = errorSchema.safeParse(json).data;
  // MLflow 3.17 answers a missing model or version 404 RESOURCE_DOES_NOT_EXIST, but a missing alias
  // 400 INVALID_PARAMETER_VALUE "Registered model alias <alias> not found." (read to classify, never reported).
  const missingAlias = ref.alias !== undefined && status === 400 && error?.error_code === 'INVALID_PARAMETER_VALUE' && /\balias\b.*\bnot found\b/i.test(error.message ?? '');
  if (status === 404 || missingAlias || (status === 400 && error?.error_code === 'RESOURCE_DOES_NOT_EXIST')) {
    return ref.alias !== undefined
      ? { ok: false, reason: 'AliasNotFound', message: `the registry has no ${what}` }
      : { ok: false, reason: 'ModelVersionNotFound', message: `the registry has no ${what}` };
  }
  if (status !== 200) return { ok: false, reason: 'RegistryUnavailable', message: `the registry answered HTTP ${status} when asked for the ${what}` };
  const parsed = modelVersionSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'RegistryUnavailable', message: `the registry's answer for the ${what} is not a model version` };
  const mv = parsed.data.model_version;
  if (mv.status !== undefined && mv.status !== 'READY') {
    return { ok: false, reason: 'ModelVersionNotFound', message: `version ${mv.version} of model ${ref.name} is ${mv.status}, not READY` };
  }
  if (!servableSource(mv.source)) {
    return { ...unsupportedSource(ref.name, mv.version, mv.source), askDownloadUri: { version: mv.version, source: mv.source } };
  }
  return { ok: true, version: mv.version, source: mv.source };
}

function unsupportedSource(name: string, version: string, location: string): { ok: false; reason: 'UnsupportedModelSource'; message: string } {
  return {
    ok: false,
    reason: 'UnsupportedModelSource',
    message: `version ${version} of model ${name} is stored at ${location.slice(0, 200)}: modelship fetches s3://, gs:// and https:// sources only (register the version with such a source)`,
  };
}

/**
 * The artifact location of a version whose source is not fetchable: `model-versions/get-download-uri`,
 * which answers the version's storage location (for MLflow 3's `models:/m-<id>` sources, the logged
 * model's artifact location, e.g. s3://bucket/1/models/m-<id>/artifacts), else its source.
 */
export function downloadUriRequestUrl(address: string, name: string, version: string): URL {
  const base = address.endsWith('/') ? address : `${address}/`;
  const url = new URL('api/2.0/mlflow/model-versions/get-download-uri', base);
  url.searchParams.set('name', name);
  url.searchParams.set('version', version);
  return url;
}

const downloadUriSchema = z.object({ artifact_uri: z.string().min(1).max(2048) });

/** MLflow's answer to downloadUriRequestUrl's request: the version with its fetchable artifact location, or why not. */
export function parseDownloadUriAnswer(name: string, version: string, source: string, status: number, body: string): ParsedAnswer {
  const what = `the artifact location of version ${version} of model ${name}`;
  if (status === 404) return { ok: false, reason: 'ModelVersionNotFound', message: `the registry has no version ${version} of model ${name}` };
  if (status !== 200) return { ok: false, reason: 'RegistryUnavailable', message: `the registry answered HTTP ${status} when asked for ${what}` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const parsed = downloadUriSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'RegistryUnavailable', message: `the registry's answer for ${what} has no artifact_uri` };
  const uri = parsed.data.artifact_uri;
  if (!servableSource(uri)) return unsupportedSource(name, version, uri === source ? source : `${uri} (source ${source.slice(0, 200)})`);
  return { ok: true, version, source: uri };
}

// ---- a resolution applied to the spec -------------------------------------------------------------

export interface Resolution {
  /** spec.model.uri that was resolved. */
  readonly uri: string;
  readonly registry: string;
  readonly version: string;
  readonly source: string;
  readonly resolvedAt: string;
}

/**
 * spec.model as served: the resolved version and artifact location in place of the registry's URI, and
 * no registry (it named where to resolve; the result is a plain model, valid as a history snapshot).
 */
export function resolvedModel<M extends { version: string; uri: string; registry?: string | undefined }>(model: M, resolution: Resolution): Omit<M, 'registry'> {
  const { registry: _registry, ...rest } = model;
  return { ...rest, version: resolution.version, uri: resolution.source };
}
