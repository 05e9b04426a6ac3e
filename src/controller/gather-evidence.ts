// The I/O of validation and analysis (docs/analysis.md), run before the rollout machine decides:
// the built-in smoke check against the canary pods, the validation Job's state, and one measurement
// from Prometheus when one is due. What to do with the results is the machine's business (pure);
// this file only fetches them, and turns every failure into evidence (a Failed validation, an Error
// measurement) rather than an exception, so an unreachable Prometheus never fails a reconcile.
import type { Logger } from 'pino';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { ModelDeploymentSpec, ModelDeploymentStatus } from '../api/index.ts';
import type { ApiClient, KubeObject } from '../kube/api-client.ts';
import { evaluateRun, planQueries, type QueryResult } from '../analysis/index.ts';
import { createPrometheusClient, PrometheusQueryError } from '../analysis/prometheus-client.ts';
import { COMPONENT_MODEL_SERVER, LABEL_COMPONENT, LABEL_REVISION, LABEL_VARIANT, validationJobName } from '../render/index.ts';
import { analysisActive, analysisDue, intervalMs, smokeCheckDue, type AnalysisRun, type ValidationObservation } from '../rollout/index.ts';
import { jobResult, parseSmokeSamples, runSmokeCheck, type SmokeTarget } from '../validation/index.ts';
import { ApiError } from '../kube/api-error.ts';
import { errorMessage } from '../errors.ts';

export interface EvidenceInput {
  readonly namespace: string;
  readonly name: string;
  readonly spec: ModelDeploymentSpec;
  readonly status: ModelDeploymentStatus | undefined;
  /** The canary Deployment runs its revision, rolled out (all replicas updated and ready). */
  readonly canaryRolledOut: boolean;
  /** The ModelDeployment's pods (informer cache). */
  readonly pods: readonly V1Pod[];
  /** The validation Job, when one exists (informer cache). */
  readonly job: (name: string) => V1Job | undefined;
  readonly now: Date;
}

export interface EvidenceDeps {
  readonly client: ApiClient;
  /** Default Prometheus (--prometheus-address). */
  readonly prometheusAddress?: string;
  readonly log: Logger;
}

export interface Evidence {
  validation?: ValidationObservation;
  analysisRun?: AnalysisRun;
}

export async function gatherEvidence(input: EvidenceInput, deps: EvidenceDeps): Promise<Evidence> {
  const out: Evidence = {};
  const validation = (await smokeValidation(input, deps)) ?? jobValidation(input);
  if (validation !== undefined) out.validation = validation;
  const run = await measure(input, deps);
  if (run !== undefined) out.analysisRun = run;
  return out;
}

function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.serverMessage;
  return errorMessage(err);
}

// ---- validation ---------------------------------------------------------------------------------

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The canary revision's ready model-server pods, at their `http` container port. */
export function canaryTargets(pods: readonly V1Pod[], revision: number): SmokeTarget[] {
  const targets: SmokeTarget[] = [];
  for (const pod of pods) {
    const labels = pod.metadata?.labels ?? {};
    if (labels[LABEL_VARIANT] !== 'canary' || labels[LABEL_REVISION] !== String(revision) || labels[LABEL_COMPONENT] !== COMPONENT_MODEL_SERVER) continue;
    if (!isReady(pod) || !pod.status?.podIP || pod.metadata?.deletionTimestamp) continue;
    const port = pod.spec?.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === 'http')?.containerPort;
    if (port !== undefined) targets.push({ pod: pod.metadata?.name ?? '', ip: pod.status.podIP, port });
  }
  return targets.sort((a, b) => a.pod.localeCompare(b.pod));
}

async function smokeValidation(input: EvidenceInput, deps: EvidenceDeps): Promise<ValidationObservation | undefined> {
  const revision = smokeCheckDue(input.spec, input.status, input.canaryRolledOut);
  const smoke = input.spec.rollout?.validation?.smoke;
  if (revision === undefined || smoke === undefined) return undefined;
  const failed = (message: string): ValidationObservation => ({ revision, method: 'smoke', phase: 'Failed', message });
  let data: Record<string, string> | undefined;
  try {
    const cm = await deps.client.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: input.namespace, name: smoke.samples.configMap });
    if (cm === undefined) return failed(`ConfigMap ${smoke.samples.configMap} (spec.rollout.validation.smoke.samples) was not found in namespace ${input.namespace}`);
    data = cm.data;
  } catch (err) {
    // Not the model's fault (RBAC, API server hiccup): try again at the next reconcile.
    deps.log.warn({ err }, 'could not read the smoke-check samples');
    return undefined;
  }
  const samples = parseSmokeSamples({ configMap: smoke.samples.configMap, key: smoke.samples.key }, data?.[smoke.samples.key]);
  if (!samples.ok) return failed(samples.message);
  const targets = canaryTargets(input.pods, revision);
  if (targets.length === 0) return undefined; // the cache has not caught up with the rolled-out canary yet
  const result = await runSmokeCheck({
    targets,
    samples: samples.samples,
    protocol: smoke.protocol,
    ...(smoke.path !== undefined ? { path: smoke.path } : {}),
    modelName: input.spec.model.name,
    maxLatencyMs: smoke.maxLatencyMs,
  });
  deps.log.info({ revision, passed: result.passed, requests: result.requests, failures: result.failures }, 'smoke check');
  return { revision, method: 'smoke', phase: result.passed ? 'Passed' : 'Failed', message: result.message };
}

function jobValidation(input: EvidenceInput): ValidationObservation | undefined {
  const c = input.status?.canary;
  const v = input.status?.analysis?.validation;
  if (input.spec.rollout?.validation?.job === undefined || c === undefined || v === undefined || v.revision !== c.revision || v.method !== 'job') return undefined;
  if (v.phase !== 'Running') return undefined;
  const name = validationJobName(input.name, c.revision);
  const job = input.job(name);
  if (job === undefined) return undefined;
  const result = jobResult(job);
  return { revision: c.revision, method: 'job', phase: result.phase, message: result.message, job: name };
}

// ---- analysis -----------------------------------------------------------------------------------

async function secretValue(client: ApiClient, namespace: string, ref: { name: string; key: string }): Promise<string> {
  const secret = await client.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace, name: ref.name });
  const value = secret?.data?.[ref.key];
  if (value === undefined) throw new Error(`Secret ${ref.name} key ${ref.key} was not found in namespace ${namespace}`);
  return Buffer.from(value, 'base64').toString('utf8');
}

async function measure(input: EvidenceInput, deps: EvidenceDeps): Promise<AnalysisRun | undefined> {
  const spec = input.spec.rollout?.analysis;
  const a = analysisActive(input.spec, input.status);
  const c = input.status?.canary;
  if (spec === undefined || a === undefined || c === undefined || !analysisDue(input.spec, input.status, input.now)) return undefined;
  const revision = c.revision;
  const pValue = a.pValue ?? 1;
  const unavailable = (message: string): AnalysisRun => ({ revision, verdict: 'Error', measurements: [], pValue, message });
  const address = spec.prometheus?.address ?? deps.prometheusAddress;
  if (address === undefined) {
    return unavailable('no Prometheus to ask: set spec.rollout.analysis.prometheus.address or the operator flag --prometheus-address');
  }
  let bearerToken: string | undefined;
  let caPem: string | undefined;
  try {
    if (spec.prometheus?.bearerTokenSecret) bearerToken = await secretValue(deps.client, input.namespace, spec.prometheus.bearerTokenSecret);
    if (spec.prometheus?.caSecret) caPem = await secretValue(deps.client, input.namespace, spec.prometheus.caSecret);
  } catch (err) {
    return unavailable(errorText(err));
  }
  const planned = planQueries(spec, input.spec.runtime.preset, { namespace: input.namespace, name: input.name, canaryRevision: revision, stableRevision: input.status?.stable?.revision ?? 0 }, {
    sinceStartSeconds: Math.max(1, Math.round((input.now.getTime() - Date.parse(a.startedAt!)) / 1000)),
    intervalSeconds: Math.max(1, Math.round(intervalMs(spec) / 1000)),
  });
  const prometheus = createPrometheusClient({
    address,
    ...(bearerToken !== undefined ? { bearerToken } : {}),
    ...(caPem !== undefined ? { caPem } : {}),
    ...(spec.prometheus?.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
  });
  const results = new Map<string, QueryResult>();
  try {
    await Promise.all(
      planned.map(async (q) => {
        if (q.query === undefined) {
          results.set(q.id, { error: q.error });
          return;
        }
        try {
          results.set(q.id, await prometheus.query(q.query, input.now));
        } catch (err) {
          const text = err instanceof PrometheusQueryError ? `${err.message} in ${q.query}` : errorText(err);
          results.set(q.id, { error: text });
        }
      }),
    );
  } finally {
    await prometheus.close();
  }
  const evaluation = evaluateRun(spec, input.spec.runtime.preset, results, pValue);
  deps.log.info({ revision, verdict: evaluation.verdict, pValue: evaluation.pValue }, 'analysis measurement');
  return { revision, ...evaluation };
}
