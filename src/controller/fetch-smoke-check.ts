// I/O: the built-in smoke check of a canary revision (docs/analysis.md): its samples from a ConfigMap,
// sent to the revision's ready pods. Judging the answers is pure (src/validation); this file fetches,
// and turns the model's failures into a Failed validation. Failures that are not the model's (the API
// server cannot be read, the cache has no ready pod yet) are no evidence: undefined, asked again later.
import type { Logger } from 'pino';
import type { V1Pod } from '@kubernetes/client-node';
import type { ModelDeploymentSpec } from '../api/index.ts';
import type { ApiClient, KubeObject } from '../kube/api-client.ts';
import type { Cidr } from '../outbound/index.ts';
import type { ValidationObservation } from '../rollout/index.ts';
import { parseSmokeSamples, runSmokeCheck } from '../validation/index.ts';
import { canaryTargets } from './canary-targets.ts';

export interface SmokeCheckDeps {
  readonly client: ApiClient;
  /** The ModelDeployment's pods (informer cache). */
  readonly pods: () => readonly V1Pod[];
  /** Loopback and link-local ranges the requests may reach (--outbound-allow-cidrs). */
  readonly allowCidrs: readonly Cidr[];
  readonly log: Logger;
}

export async function fetchSmokeCheck(
  target: { readonly namespace: string; readonly spec: ModelDeploymentSpec },
  revision: number,
  deps: SmokeCheckDeps,
  signal?: AbortSignal,
): Promise<ValidationObservation | undefined> {
  const smoke = target.spec.rollout?.validation?.smoke;
  if (smoke === undefined) return undefined;
  const failed = (message: string): ValidationObservation => ({ revision, method: 'smoke', phase: 'Failed', message });
  let data: Record<string, string> | undefined;
  try {
    const cm = await deps.client.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: target.namespace, name: smoke.samples.configMap });
    if (cm === undefined) return failed(`ConfigMap ${smoke.samples.configMap} (spec.rollout.validation.smoke.samples) was not found in namespace ${target.namespace}`);
    data = cm.data;
  } catch (err) {
    deps.log.warn({ err }, 'could not read the smoke-check samples');
    return undefined;
  }
  const samples = parseSmokeSamples({ configMap: smoke.samples.configMap, key: smoke.samples.key }, data?.[smoke.samples.key]);
  if (!samples.ok) return failed(samples.message);
  const targets = canaryTargets(deps.pods(), revision);
  if (targets.length === 0) return undefined; // the cache has not caught up with the rolled-out canary yet
  const result = await runSmokeCheck({
    targets,
    samples: samples.samples,
    protocol: smoke.protocol,
    ...(smoke.path !== undefined ? { path: smoke.path } : {}),
    modelName: target.spec.model.name,
    maxLatencyMs: smoke.maxLatencyMs,
    allowCidrs: deps.allowCidrs,
    ...(signal ? { signal } : {}),
  });
  deps.log.info({ revision, passed: result.passed, requests: result.requests, failures: result.failures }, 'smoke check');
  return { revision, method: 'smoke', phase: result.passed ? 'Passed' : 'Failed', message: result.message };
}
