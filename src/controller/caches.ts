// The informer caches the controller reads instead of the API server.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
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
}

export function childCacheKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

export function liveDeployment(caches: Caches, namespace: string, name: string): V1Deployment | undefined {
  return caches.children.get(childCacheKey('apps/v1', 'Deployment'))?.get(namespace, name) as V1Deployment | undefined;
}
