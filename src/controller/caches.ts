// The informer caches the controller reads instead of the API server.
import type { V1Deployment, V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/api-client.ts';
import type { KindCache } from '../kube/kind-cache.ts';
import type { ModelDeploymentStatus } from '../api/index.ts';

export type ModelDeploymentObject = KubeObject & { spec?: unknown; status?: ModelDeploymentStatus };

export interface Caches {
  readonly modelDeployments: KindCache<ModelDeploymentObject>;
  /** Owned kinds by `${apiVersion}/${kind}`, indexed by owner name. */
  readonly children: ReadonlyMap<string, KindCache<KubeObject>>;
  /** Model server pods, indexed by owner name. */
  readonly pods: KindCache<V1Pod & KubeObject>;
  /** EndpointSlices of the owned canary Services (a slice carries its Service's labels), indexed by owner name. */
  readonly endpointSlices?: KindCache<V1EndpointSlice & KubeObject>;
}

/**
 * Ready endpoints behind a Service, as routers and kube-proxy see them: a canary is only given weight
 * once its Service has them, or a gateway would answer 503 for its share in the meantime.
 * Undefined without an EndpointSlice cache (no gate).
 */
export function readyEndpoints(caches: Caches, namespace: string, owner: string, service: string): number | undefined {
  if (!caches.endpointSlices) return undefined;
  let ready = 0;
  for (const slice of caches.endpointSlices.byIndex(namespace, owner)) {
    if (slice.metadata?.labels?.['kubernetes.io/service-name'] !== service) continue;
    for (const e of slice.endpoints ?? []) if (e.conditions?.ready === true && e.conditions.terminating !== true) ready++;
  }
  return ready;
}

export function childCacheKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

export function liveDeployment(caches: Caches, namespace: string, name: string): V1Deployment | undefined {
  return caches.children.get(childCacheKey('apps/v1', 'Deployment'))?.get(namespace, name) as V1Deployment | undefined;
}
