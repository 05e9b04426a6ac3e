// PURE: where canary analysis may send its queries (docs/security.md). The platform names
// its Prometheus endpoints in a sources file (--prometheus-sources, Helm analysis.sources): an address
// and, optionally, a bearer token and a CA from Secrets in the operator's own namespace. A ModelDeployment
// picks one by name (spec.rollout.analysis.prometheus.source) or gets the default. An address of the
// user's own (prometheus.address) is refused unless the platform allows it by pattern
// (--prometheus-user-addresses), and then credentials from the user's namespace are refused unless the
// platform turns them on (--prometheus-user-secrets) and the Secret opts in with a label.
//
// Decided so because the operator can read more than the ModelDeployment's author: a Secret it reads on a
// user's say-so and sends to an address the user chose is a confused deputy. The file is read once at
// start-up; a change takes a restart (the chart rolls the pod when the ConfigMap changes).
import { z } from 'zod';
import { loadSettingsYaml, settingsIssues } from '../platform-settings-file.ts';
import { DNS1123_LABEL } from '../api/patterns.ts';

export { ANALYSIS_CREDENTIALS_LABEL } from '../api/constants.ts';

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface PrometheusSource {
  readonly name: string;
  readonly address: string;
  readonly bearerTokenSecret?: SecretKeyRef;
  readonly caSecret?: SecretKeyRef;
  readonly insecureSkipVerify?: boolean;
  readonly default?: boolean;
}

/** scheme://host[:port]; the host may start with `*.` (any host under it, at any depth). */
export interface AddressPattern {
  readonly text: string;
  readonly scheme: 'http' | 'https';
  /** Lower-case; without the `*.` of a wildcard. */
  readonly host: string;
  readonly wildcard: boolean;
  /** '' for the scheme's default port, as URL.port gives it. */
  readonly port: string;
}

export interface AnalysisSourceSettings {
  /** The platform's sources, in file order. */
  readonly sources: readonly PrometheusSource[];
  /** Where the platform sources' Secrets are: the operator's own namespace. */
  readonly namespace: string;
  /** User addresses allowed; empty: none (the default). */
  readonly userAddresses: readonly AddressPattern[];
  /** Secrets of the ModelDeployment's namespace may be sent to a user address (still only with the label). */
  readonly userSecrets: boolean;
}

export const noAnalysisSources = (namespace: string): AnalysisSourceSettings => ({ sources: [], namespace, userAddresses: [], userSecrets: false });

// ---- the sources file -------------------------------------------------------------------------

const HTTP_URL = /^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/;

const secretRef = z.strictObject({
  name: z.string().max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'must be a Secret name' }),
  key: z.string().min(1).max(253).regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a key of letters, digits, '-', '_' or '.'" }),
});

const sourceSchema = z.strictObject({
  name: z.string().max(63).regex(DNS1123_LABEL, { error: 'must be a name of lower-case letters, digits and -' }),
  address: z.string().max(2048).regex(HTTP_URL, { error: 'must be an http:// or https:// URL without user, query or fragment, e.g. http://prometheus.monitoring:9090' }),
  bearerTokenSecret: secretRef.optional(),
  caSecret: secretRef.optional(),
  insecureSkipVerify: z.boolean().optional(),
  default: z.boolean().optional(),
});

const fileSchema = z.strictObject({ sources: z.array(sourceSchema).default([]) });

export type SourcesResult = { ok: true; sources: PrometheusSource[] } | { ok: false; errors: string[] };

/** The sources file (YAML `sources: [...]`), checked: known fields only, unique names, at most one default. */
export function parsePrometheusSources(text: string, file: string): SourcesResult {
  const yaml = loadSettingsYaml(text, file, {});
  if (!yaml.ok) return yaml;
  const parsed = fileSchema.safeParse(yaml.doc);
  if (!parsed.success) return { ok: false, errors: settingsIssues(parsed.error.issues, file) };
  const sources = parsed.data.sources;
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.name)) errors.push(`${file}: two sources are named ${s.name}`);
    seen.add(s.name);
  }
  const defaults = sources.filter((s) => s.default === true).map((s) => s.name);
  if (defaults.length > 1) errors.push(`${file}: only one source may be the default, not ${defaults.join(' and ')}`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, sources };
}

// ---- user address patterns --------------------------------------------------------------------

const DEFAULT_PORT = { http: '80', https: '443' } as const;
const PATTERN = /^(https?):\/\/(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:(\d{1,5}))?\/?$/;

/** `http://prometheus.monitoring:9090`, `https://*.prometheus.example.com`; undefined when it is not one. */
export function parseAddressPattern(text: string): AddressPattern | undefined {
  const m = PATTERN.exec(text.trim().toLowerCase());
  if (m === null) return undefined;
  const scheme = m[1] as 'http' | 'https';
  const port = m[8] ?? '';
  if (port !== '' && Number(port) > 65535) return undefined;
  return { text: text.trim(), scheme, host: m[3]!, wildcard: m[2] !== undefined, port: port === DEFAULT_PORT[scheme] ? '' : port };
}

/** Whether the URL's scheme, host and port are the pattern's (any path). A URL with a user part never matches. */
export function addressAllowed(address: string, patterns: readonly AddressPattern[]): boolean {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  const scheme = url.protocol.slice(0, -1);
  const host = url.hostname.toLowerCase();
  return patterns.some((p) => p.scheme === scheme && p.port === url.port && (p.wildcard ? host.endsWith(`.${p.host}`) : host === p.host));
}

// ---- choosing the source of one ModelDeployment --------------------------------------------------

/** What spec.rollout.analysis.prometheus may say (src/api/analysis-spec.ts). */
export interface PrometheusChoiceSpec {
  readonly source?: string | undefined;
  readonly address?: string | undefined;
  readonly bearerTokenSecret?: SecretKeyRef | undefined;
  readonly caSecret?: SecretKeyRef | undefined;
  readonly insecureSkipVerify?: boolean | undefined;
}

export type SourceRefusal = 'UnknownAnalysisSource' | 'AddressNotAllowed' | 'SecretNotAllowed';

export type SourceChoice =
  /** A platform source: its Secrets are read from settings.namespace. */
  | { readonly kind: 'platform'; readonly source: PrometheusSource }
  /** A user address the platform allows; Secrets (if any) from the ModelDeployment's namespace, only with the label. */
  | { readonly kind: 'user'; readonly address: string; readonly bearerTokenSecret?: SecretKeyRef; readonly caSecret?: SecretKeyRef; readonly insecureSkipVerify?: boolean }
  | { readonly kind: 'refused'; readonly reason: SourceRefusal; readonly message: string };

function known(settings: AnalysisSourceSettings): string {
  if (settings.sources.length === 0) return 'the platform configured no analysis sources';
  const dflt = settings.sources.find((s) => s.default === true);
  return `the platform's sources are ${settings.sources.map((s) => s.name).join(', ')}${dflt !== undefined ? ` (default ${dflt.name})` : ''}`;
}

export function chooseSource(spec: PrometheusChoiceSpec | undefined, settings: AnalysisSourceSettings): SourceChoice {
  if (spec?.source !== undefined) {
    const source = settings.sources.find((s) => s.name === spec.source);
    if (source !== undefined) return { kind: 'platform', source };
    return { kind: 'refused', reason: 'UnknownAnalysisSource', message: `there is no analysis source named ${spec.source}: ${known(settings)}` };
  }
  if (spec?.address !== undefined) {
    if (settings.userAddresses.length === 0) {
      return {
        kind: 'refused',
        reason: 'AddressNotAllowed',
        message: `the platform does not allow a Prometheus address in the ModelDeployment: name a source with prometheus.source instead (${known(settings)})`,
      };
    }
    if (!addressAllowed(spec.address, settings.userAddresses)) {
      return {
        kind: 'refused',
        reason: 'AddressNotAllowed',
        message: `the platform does not allow the Prometheus address ${spec.address}; allowed: ${settings.userAddresses.map((p) => p.text).join(', ')}`,
      };
    }
    const secret = spec.bearerTokenSecret ?? spec.caSecret;
    if (secret !== undefined && !settings.userSecrets) {
      return {
        kind: 'refused',
        reason: 'SecretNotAllowed',
        message: `the platform does not send Secrets of the namespace to a Prometheus address of the ModelDeployment (Secret ${secret.name} was not read): name a source with prometheus.source instead (${known(settings)})`,
      };
    }
    return {
      kind: 'user',
      address: spec.address,
      ...(spec.bearerTokenSecret !== undefined ? { bearerTokenSecret: spec.bearerTokenSecret } : {}),
      ...(spec.caSecret !== undefined ? { caSecret: spec.caSecret } : {}),
      ...(spec.insecureSkipVerify === true ? { insecureSkipVerify: true } : {}),
    };
  }
  const dflt = settings.sources.find((s) => s.default === true);
  if (dflt !== undefined) return { kind: 'platform', source: dflt };
  return { kind: 'refused', reason: 'UnknownAnalysisSource', message: `no Prometheus to ask: the ModelDeployment names no source and there is no default; ${known(settings)}` };
}

// ---- the settings from the flags and the file ----------------------------------------------------

export interface AnalysisSourceInputs {
  /** --prometheus-sources and the file's text, read by main.ts. */
  readonly file?: { readonly path: string; readonly text: string };
  /** --prometheus-address: shorthand for a source named "default", the default, without credentials. */
  readonly prometheusAddress?: string;
  readonly namespace: string;
  readonly userAddresses: readonly AddressPattern[];
  readonly userSecrets: boolean;
}

export type AnalysisSettingsResult = { ok: true; settings: AnalysisSourceSettings } | { ok: false; errors: string[] };

export function analysisSourceSettings(inputs: AnalysisSourceInputs): AnalysisSettingsResult {
  let sources: PrometheusSource[] = [];
  if (inputs.file !== undefined) {
    const parsed = parsePrometheusSources(inputs.file.text, inputs.file.path);
    if (!parsed.ok) return parsed;
    sources = parsed.sources;
  }
  if (inputs.prometheusAddress !== undefined) {
    const clash = sources.find((s) => s.default === true || s.name === 'default');
    if (clash !== undefined) {
      return { ok: false, errors: [`--prometheus-address and the source ${clash.name} of ${inputs.file?.path ?? '--prometheus-sources'} are both a default: keep one (the shorthand is a source named default)`] };
    }
    sources = [...sources, { name: 'default', address: inputs.prometheusAddress, default: true }];
  }
  return { ok: true, settings: { sources, namespace: inputs.namespace, userAddresses: inputs.userAddresses, userSecrets: inputs.userSecrets } };
}
