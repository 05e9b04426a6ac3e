// Phase observe: what the rollout machine needs to know, from the caches (the variants' Deployments,
// the provider's router, the canary's endpoints) and over the network (validation results and analysis
// measurements from the canary pods and Prometheus; failures become evidence, never exceptions).
import type { Logger } from 'pino';
import type { V1Job } from '@kubernetes/client-node';
import type { ModelDeploymentSpec } from '../../api/index.ts';
import { variantName } from '../../render/index.ts';
import type { RolloutObservations } from '../../rollout/index.ts';
import { childCacheKey, liveDeployment, readyEndpoints } from '../caches.ts';
import { gatherEvidence } from '../gather-evidence.ts';
import { observeRollout } from '../observe-rollout.ts';
import type { ReconcileDeps } from '../reconcile-deps.ts';
import type { Target } from './load.ts';

export async function observe(
  target: Target,
  spec: ModelDeploymentSpec,
  deps: Pick<ReconcileDeps, 'caches' | 'client' | 'prometheusAddress'>,
  log: Logger,
  now: Date,
): Promise<RolloutObservations> {
  const { namespace, name, md } = target;
  const childCache = (apiVersion: string, kind: string) => deps.caches.children.get(childCacheKey(apiVersion, kind));
  const observed = observeRollout(spec, md.status, {
    name,
    stable: liveDeployment(deps.caches, namespace, variantName(name, 'stable')),
    canary: liveDeployment(deps.caches, namespace, variantName(name, 'canary')),
    router: (kind, objName) => childCache(kind.apiVersion, kind.kind)?.get(namespace, objName),
    canaryService: variantName(name, 'canary'),
    canaryEndpoints: readyEndpoints(deps.caches, namespace, name, variantName(name, 'canary')),
  });
  const evidence = await gatherEvidence(
    {
      namespace,
      name,
      spec,
      status: md.status,
      canaryRolledOut: observed.canary !== undefined && observed.canary.revision === md.status?.canary?.revision && observed.canary.updatedReady,
      pods: deps.caches.pods.byIndex(namespace, name),
      job: (jobName) => childCache('batch/v1', 'Job')?.get(namespace, jobName) as V1Job | undefined,
      now,
    },
    { client: deps.client, log, ...(deps.prometheusAddress !== undefined ? { prometheusAddress: deps.prometheusAddress } : {}) },
  );
  return { ...observed, ...evidence };
}
