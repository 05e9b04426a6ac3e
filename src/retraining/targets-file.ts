// PURE: the platform's retraining targets (--retraining-targets, Helm `retrainingTargets`): the Airflow
// deployments and webhooks a ModelDeployment may name. Their addresses and credentials are the
// platform's; credentials are Secrets in the operator's own namespace, as for model registries
// (src/registry/mlflow.ts), so an author can neither point a trigger at an address of their choosing
// nor read the keys.
import { z } from 'zod';
import { loadSettingsYaml, settingsIssues } from '../platform-settings-file.ts';
import { DNS1123_LABEL } from '../api/patterns.ts';
import type { SecretKeyRef } from '../analysis/prometheus-sources.ts';

export interface AirflowConnection {
  readonly name: string;
  readonly address: string;
  /** Keys username and password: exchanged for a JWT at POST /auth/token. */
  readonly basicAuthSecret?: { readonly name: string };
  readonly bearerTokenSecret?: SecretKeyRef;
  readonly default?: boolean;
}

export interface WebhookEndpoint {
  readonly name: string;
  readonly url: string;
  /** The HMAC-SHA256 key the deliveries are signed with. */
  readonly hmacSecret: SecretKeyRef;
}

export interface RetrainingTargets {
  readonly airflow: readonly AirflowConnection[];
  readonly webhooks: readonly WebhookEndpoint[];
}

export const NO_RETRAINING_TARGETS: RetrainingTargets = { airflow: [], webhooks: [] };

const HTTP_URL = /^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const name = z.string().max(63).regex(DNS1123_LABEL, { error: 'must be a name of lower-case letters, digits and -' });
const url = (example: string) =>
  z.string().max(2048).regex(HTTP_URL, { error: `must be an http:// or https:// URL without user, query or fragment, e.g. ${example}` });
const secretName = z.string().max(253).regex(SECRET_NAME, { error: 'must be a Secret name' });
const secretKeyRef = z.strictObject({
  name: secretName,
  key: z.string().min(1).max(253).regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a key of letters, digits, '-', '_' or '.'" }),
});

const fileSchema = z.strictObject({
  airflow: z
    .array(
      z.strictObject({
        name,
        address: url('http://airflow-api-server.airflow:8080'),
        basicAuthSecret: z.strictObject({ name: secretName }).optional(),
        bearerTokenSecret: secretKeyRef.optional(),
        default: z.boolean().optional(),
      }),
    )
    .default([]),
  webhooks: z
    .array(z.strictObject({ name, url: url('https://ci.example/hooks/retrain'), hmacSecret: secretKeyRef }))
    .default([]),
});

export type TargetsResult = { ok: true; targets: RetrainingTargets } | { ok: false; errors: string[] };

/** The targets file: `{airflow: [...], webhooks: [...]}`, checked: known fields, unique names, one default Airflow at most, one kind of credentials. */
export function parseRetrainingTargets(text: string, file: string): TargetsResult {
  const yaml = loadSettingsYaml(text, file, {});
  if (!yaml.ok) return yaml;
  const parsed = fileSchema.safeParse(yaml.doc);
  if (!parsed.success) return { ok: false, errors: settingsIssues(parsed.error.issues, file) };
  const { airflow, webhooks } = parsed.data;
  const errors: string[] = [];
  const unique = (kind: string, names: string[]) => {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) errors.push(`${file}: two ${kind} are named ${n}`);
      seen.add(n);
    }
  };
  unique('airflow connections', airflow.map((a) => a.name));
  unique('webhooks', webhooks.map((w) => w.name));
  for (const a of airflow) {
    if (a.basicAuthSecret !== undefined && a.bearerTokenSecret !== undefined) {
      errors.push(`${file}: airflow ${a.name} has both basicAuthSecret and bearerTokenSecret: keep one`);
    }
  }
  const defaults = airflow.filter((a) => a.default === true).map((a) => a.name);
  if (defaults.length > 1) errors.push(`${file}: only one airflow connection may be the default, not ${defaults.join(' and ')}`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, targets: { airflow, webhooks } };
}

export type Choice<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** The Airflow a spec names, or the platform's default. */
export function chooseAirflow(connection: string | undefined, targets: RetrainingTargets): Choice<AirflowConnection> {
  const known =
    targets.airflow.length === 0
      ? 'the platform configured no Airflow (--retraining-targets)'
      : `the platform's Airflow connections are ${targets.airflow.map((a) => `${a.name}${a.default === true ? ' (default)' : ''}`).join(', ')}`;
  if (connection !== undefined) {
    const a = targets.airflow.find((x) => x.name === connection);
    return a !== undefined ? { ok: true, value: a } : { ok: false, message: `there is no Airflow connection named ${connection}: ${known}` };
  }
  const d = targets.airflow.find((x) => x.default === true);
  return d !== undefined ? { ok: true, value: d } : { ok: false, message: `retraining.airflow.connection is not set and there is no default: ${known}` };
}

export function chooseWebhook(endpoint: string, targets: RetrainingTargets): Choice<WebhookEndpoint> {
  const w = targets.webhooks.find((x) => x.name === endpoint);
  if (w !== undefined) return { ok: true, value: w };
  const known = targets.webhooks.length === 0 ? 'the platform configured no webhooks (--retraining-targets)' : `the platform's webhooks are ${targets.webhooks.map((x) => x.name).join(', ')}`;
  return { ok: false, message: `there is no webhook named ${endpoint}: ${known}` };
}
