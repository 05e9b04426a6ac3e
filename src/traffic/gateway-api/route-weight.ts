// PURE: the canary weight a live HTTPRoute applies, once the gateway accepted it.
import type { KubeObject } from '../../kube/api-client.ts';
import { canaryShare, type WeightedRef } from '../canary-share.ts';

export type LiveHttpRoute = KubeObject & {
  spec?: { rules?: { matches?: unknown[]; backendRefs?: WeightedRef[] }[] };
  status?: { parents?: { conditions?: { type: string; status: string; observedGeneration?: number }[] }[] };
};

/** The gateway's own word: every parent accepted this generation of the route. */
export function httpRouteAccepted(route: LiveHttpRoute | undefined): boolean {
  if (!route) return false;
  const parents = route.status?.parents ?? [];
  const generation = route.metadata?.generation;
  return (
    parents.length > 0 &&
    parents.every((p) => p.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True' && (c.observedGeneration === undefined || c.observedGeneration === generation)))
  );
}

/** Weights count only once every parent accepted this generation of the route. */
export function httpRouteCanaryWeight(route: LiveHttpRoute | undefined, canaryService: string): number | undefined {
  if (!route || !httpRouteAccepted(route)) return undefined;
  const weighted = (route.spec?.rules ?? []).filter((r) => !r.matches?.length || (r.backendRefs?.length ?? 0) > 1).at(-1);
  return canaryShare(weighted?.backendRefs, canaryService);
}
