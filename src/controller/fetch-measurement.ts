// I/O: one measurement of a canary's analysis (docs/analysis.md): the planned PromQL queries sent to
// Prometheus, canary against stable. Planning and judging are pure (src/analysis); this file asks, and
// turns every failure (an unreadable Secret, a failed query) into an Error measurement rather than an
// exception, so an unreachable Prometheus never fails a reconcile. Which Prometheus, and with which
// credentials, is the platform's to say (src/analysis/prometheus-sources.ts): a source it does not know,
// an address or a Secret it does not allow is a Refused measurement (the canary stops, Stalled with the
// reason), decided before any Secret is read or any request sent.
import type { Logger } from 'pino';
import type { ModelDeploymentSpec } from '../api/index.ts';
import type { ApiClient, KubeObject } from '../kube/api-client.ts';
import type { Cidr } from '../outbound/index.ts';
import { evaluateRun, planQueries, refusedRun, type QueryResult } from '../analysis/index.ts';
import { createPrometheusClient, PrometheusQueryError, type PrometheusClient } from '../analysis/prometheus-client.ts';
import type { AnalysisRun, EvidenceRequest } from '../rollout/index.ts';
import { describeError } from './phases/describe-error.ts';
import { ANALYSIS_CREDENTIALS_LABEL } from '../api/constants.ts';
import type { RefusalReason } from '../api/analysis-status.ts';
import { chooseSource, type AnalysisSourceSettings, type PrometheusSource, type SecretKeyRef, type SourceChoice } from '../analysis/prometheus-sources.ts';

export interface MeasurementDeps {
  readonly client: ApiClient;
  /** The platform's sources and what a ModelDeployment may name itself (src/analysis/prometheus-sources.ts). */
  readonly analysisSources: AnalysisSourceSettings;
  /** Loopback and link-local ranges the queries may reach (--outbound-allow-cidrs). */
  readonly allowCidrs: readonly Cidr[];
  readonly now: () => Date;
  readonly log: Logger;
}

export type MeasurementRequest = Extract<EvidenceRequest, { kind: 'measurement' }>;

/** An Error measurement: nothing was learnt about the model; the machine retries soon. */
export function unavailable(request: MeasurementRequest, message: string): AnalysisRun {
  return { revision: request.revision, verdict: 'Error', measurements: [], pValue: request.pValue, message };
}

/** A Refused measurement: the Prometheus may not be asked; nothing was sent, the canary stops (Stalled with the reason). */
function refusedBySource(request: MeasurementRequest, refusal: RefusalReason, message: string): AnalysisRun {
  return { revision: request.revision, verdict: 'Refused', measurements: [], pValue: request.pValue, message, refusal };
}

type SecretObject = KubeObject & { data?: Record<string, string> };

function getSecret(client: ApiClient, namespace: string, name: string): Promise<SecretObject | undefined> {
  return client.get<SecretObject>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
}

function valueOf(secret: SecretObject | undefined, namespace: string, ref: SecretKeyRef): string {
  const value = secret?.data?.[ref.key];
  if (value === undefined) throw new Error(`Secret ${ref.name} key ${ref.key} was not found in namespace ${namespace}`);
  return Buffer.from(value, 'base64').toString('utf8');
}

export interface Credentials {
  bearerToken?: string;
  caPem?: string;
}

/**
 * The platform source's token and CA, from the operator's own namespace (a Role grants get on exactly
 * these names). A failure is the platform's to fix: the user is told which source, the log says more
 * (never a value).
 */
/** A client of the chosen source with its credentials; throws for an address that is not an http(s) URL. */
export function prometheusClientFor(choice: Exclude<SourceChoice, { kind: 'refused' }>, credentials: Credentials, allowCidrs: readonly Cidr[]): PrometheusClient {
  const address = choice.kind === 'platform' ? choice.source.address : choice.address;
  const insecureSkipVerify = choice.kind === 'platform' ? choice.source.insecureSkipVerify : choice.insecureSkipVerify;
  return createPrometheusClient({
    address,
    allowCidrs,
    ...(credentials.bearerToken !== undefined ? { bearerToken: credentials.bearerToken } : {}),
    ...(credentials.caPem !== undefined ? { caPem: credentials.caPem } : {}),
    ...(insecureSkipVerify === true ? { insecureSkipVerify: true } : {}),
  });
}

export async function platformCredentials(source: PrometheusSource, deps: MeasurementDeps): Promise<Credentials | string> {
  const namespace = deps.analysisSources.namespace;
  const out: Credentials = {};
  try {
    if (source.bearerTokenSecret) out.bearerToken = valueOf(await getSecret(deps.client, namespace, source.bearerTokenSecret.name), namespace, source.bearerTokenSecret);
    if (source.caSecret) out.caPem = valueOf(await getSecret(deps.client, namespace, source.caSecret.name), namespace, source.caSecret);
  } catch (err) {
    deps.log.warn({ source: source.name, namespace, reason: describeError(err).message }, 'analysis source credentials cannot be read');
    return `the analysis source ${source.name} cannot be used: its credentials cannot be read; ask the platform team`;
  }
  return out;
}

/**
 * A user address's token and CA, from the ModelDeployment's namespace: only reached when the platform
 * allows user Secrets (chooseSource), and then used only when the Secret carries the opt-in label.
 */
export async function userCredentials(
  choice: Extract<SourceChoice, { kind: 'user' }>,
  namespace: string,
  deps: MeasurementDeps,
): Promise<Credentials | { refusal: string } | string> {
  const out: Credentials = {};
  for (const [field, ref] of [
    ['bearerToken', choice.bearerTokenSecret],
    ['caPem', choice.caSecret],
  ] as const) {
    if (ref === undefined) continue;
    let secret: SecretObject | undefined;
    try {
      secret = await getSecret(deps.client, namespace, ref.name);
    } catch (err) {
      return describeError(err).message;
    }
    if (secret !== undefined && secret.metadata?.labels?.[ANALYSIS_CREDENTIALS_LABEL] !== 'true') {
      return { refusal: `Secret ${ref.name} is not labelled ${ANALYSIS_CREDENTIALS_LABEL}=true, so it is not sent to ${choice.address}; label it to allow that, or name a source with prometheus.source` };
    }
    try {
      out[field] = valueOf(secret, namespace, ref);
    } catch (err) {
      return describeError(err).message;
    }
  }
  return out;
}

export async function fetchMeasurement(
  target: { readonly namespace: string; readonly name: string; readonly spec: ModelDeploymentSpec },
  request: MeasurementRequest,
  deps: MeasurementDeps,
  signal?: AbortSignal,
): Promise<AnalysisRun> {
  const spec = target.spec.rollout?.analysis;
  if (spec === undefined) return unavailable(request, 'spec.rollout.analysis is gone');
  // Which Prometheus, decided before anything is read or sent.
  const choice = chooseSource(spec.prometheus, deps.analysisSources);
  if (choice.kind === 'refused') return refusedBySource(request, choice.reason, choice.message);
  const now = deps.now();
  const planned = planQueries(
    spec,
    target.spec.runtime.preset,
    { namespace: target.namespace, name: target.name, canaryRevision: request.revision, stableRevision: request.stableRevision },
    {
      sinceStartSeconds: Math.max(1, Math.round((now.getTime() - Date.parse(request.windowStartedAt)) / 1000)),
      intervalSeconds: Math.max(1, Math.round(request.intervalMs / 1000)),
    },
  );
  // A query that would read outside the namespace refuses the whole run; Prometheus is not asked.
  const refused = refusedRun(planned, request.pValue);
  if (refused !== undefined) return { revision: request.revision, ...refused };
  const credentials = choice.kind === 'platform' ? await platformCredentials(choice.source, deps) : await userCredentials(choice, target.namespace, deps);
  if (typeof credentials === 'string') return unavailable(request, credentials);
  if ('refusal' in credentials) return refusedBySource(request, 'SecretNotAllowed', credentials.refusal);
  let prometheus: PrometheusClient;
  try {
    prometheus = prometheusClientFor(choice, credentials, deps.allowCidrs);
  } catch (err) {
    return unavailable(request, describeError(err).message); // an address that is not an http(s) URL
  }
  const results = new Map<string, QueryResult>();
  try {
    await Promise.all(
      planned.map(async (q) => {
        if (q.query === undefined) {
          results.set(q.id, { error: q.error ?? 'refused' }); // refused: not reached, refusedRun answered above
          return;
        }
        try {
          results.set(q.id, q.by !== undefined ? { groups: await prometheus.queryGroups(q.query, q.by, now, signal) } : await prometheus.query(q.query, now, signal));
        } catch (err) {
          const text = err instanceof PrometheusQueryError ? `${err.message} in ${q.query}` : describeError(err).message;
          results.set(q.id, { error: text });
        }
      }),
    );
  } finally {
    await prometheus.close();
  }
  const evaluation = evaluateRun(spec, target.spec.runtime.preset, results, request.pValue, request.accuracyPValue ?? 1, request.look ?? 1);
  deps.log.info({ revision: request.revision, verdict: evaluation.verdict, pValue: evaluation.pValue, accuracyPValue: evaluation.accuracyPValue }, 'analysis measurement');
  return { revision: request.revision, ...evaluation };
}
