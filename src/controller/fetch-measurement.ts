// I/O: one measurement of a canary's analysis (docs/analysis.md): the planned PromQL queries sent to
// Prometheus, canary against stable. Planning and judging are pure (src/analysis); this file asks, and
// turns every failure (no Prometheus, an unreadable Secret, a failed query) into an Error measurement
// rather than an exception, so an unreachable Prometheus never fails a reconcile.
import type { Logger } from 'pino';
import type { ModelDeploymentSpec } from '../api/index.ts';
import type { ApiClient, KubeObject } from '../kube/api-client.ts';
import type { Cidr } from '../outbound/index.ts';
import { evaluateRun, planQueries, refusedRun, type QueryResult } from '../analysis/index.ts';
import { createPrometheusClient, PrometheusQueryError, type PrometheusClient } from '../analysis/prometheus-client.ts';
import type { AnalysisRun, EvidenceRequest } from '../rollout/index.ts';
import { describeError } from './phases/describe-error.ts';

export interface MeasurementDeps {
  readonly client: ApiClient;
  /** Default Prometheus (--prometheus-address). */
  readonly prometheusAddress?: string;
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

async function secretValue(client: ApiClient, namespace: string, ref: { name: string; key: string }): Promise<string> {
  const secret = await client.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace, name: ref.name });
  const value = secret?.data?.[ref.key];
  if (value === undefined) throw new Error(`Secret ${ref.name} key ${ref.key} was not found in namespace ${namespace}`);
  return Buffer.from(value, 'base64').toString('utf8');
}

export async function fetchMeasurement(
  target: { readonly namespace: string; readonly name: string; readonly spec: ModelDeploymentSpec },
  request: MeasurementRequest,
  deps: MeasurementDeps,
  signal?: AbortSignal,
): Promise<AnalysisRun> {
  const spec = target.spec.rollout?.analysis;
  if (spec === undefined) return unavailable(request, 'spec.rollout.analysis is gone');
  const address = spec.prometheus?.address ?? deps.prometheusAddress;
  if (address === undefined) {
    return unavailable(request, 'no Prometheus to ask: set spec.rollout.analysis.prometheus.address or the operator flag --prometheus-address');
  }
  let bearerToken: string | undefined;
  let caPem: string | undefined;
  try {
    if (spec.prometheus?.bearerTokenSecret) bearerToken = await secretValue(deps.client, target.namespace, spec.prometheus.bearerTokenSecret);
    if (spec.prometheus?.caSecret) caPem = await secretValue(deps.client, target.namespace, spec.prometheus.caSecret);
  } catch (err) {
    return unavailable(request, describeError(err).message);
  }
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
  let prometheus: PrometheusClient;
  try {
    prometheus = createPrometheusClient({
      address,
      allowCidrs: deps.allowCidrs,
      ...(bearerToken !== undefined ? { bearerToken } : {}),
      ...(caPem !== undefined ? { caPem } : {}),
      ...(spec.prometheus?.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
    });
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
          results.set(q.id, await prometheus.query(q.query, now, signal));
        } catch (err) {
          const text = err instanceof PrometheusQueryError ? `${err.message} in ${q.query}` : describeError(err).message;
          results.set(q.id, { error: text });
        }
      }),
    );
  } finally {
    await prometheus.close();
  }
  const evaluation = evaluateRun(spec, target.spec.runtime.preset, results, request.pValue);
  deps.log.info({ revision: request.revision, verdict: evaluation.verdict, pValue: evaluation.pValue }, 'analysis measurement');
  return { revision: request.revision, ...evaluation };
}
