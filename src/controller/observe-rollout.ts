// PURE: what the rollout state machine needs to know about the live objects: which revision each
// variant's Deployment runs and whether it is rolled out, and which canary weight the router applies.
import type { V1Deployment } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/api-client.ts';
import { LABEL_REVISION } from '../render/index.ts';
import { capacityOf, effectiveWeight, type RolloutObservations, type VariantObservation } from '../rollout/index.ts';
import type { ModelDeploymentSpec, ModelDeploymentStatus } from '../api/index.ts';

export function observeVariant(live: V1Deployment | undefined): VariantObservation | undefined {
  if (!live) return undefined;
  const want = live.spec?.replicas ?? 1;
  const s = live.status ?? {};
  const revision = Number(live.spec?.template?.metadata?.labels?.[LABEL_REVISION]);
  const current = (s.observedGeneration ?? 0) >= (live.metadata?.generation ?? 0);
  return {
    ...(Number.isInteger(revision) && revision > 0 ? { revision } : {}),
    ready: (s.readyReplicas ?? 0) > 0,
    // kubectl rollout status: the controller saw this spec, every replica is updated and ready, no old ones left.
    updatedReady: current && (s.updatedReplicas ?? 0) === want && (s.readyReplicas ?? 0) === want && (s.replicas ?? 0) === want,
  };
}

interface BackendRef {
  name?: string;
  weight?: number;
}

/** Percent of the default (weighted) rule's traffic that goes to the canary Service. */
function canaryShare(refs: BackendRef[] | undefined, canaryService: string): number {
  const total = (refs ?? []).reduce((n, r) => n + (r.weight ?? 1), 0);
  const canary = (refs ?? []).filter((r) => r.name === canaryService).reduce((n, r) => n + (r.weight ?? 1), 0);
  return total > 0 ? Math.round((100 * canary) / total) : 0;
}

type HttpRoute = KubeObject & {
  spec?: { rules?: { matches?: unknown[]; backendRefs?: BackendRef[] }[] };
  status?: { parents?: { conditions?: { type: string; status: string; observedGeneration?: number }[] }[] };
};

type VirtualService = KubeObject & { spec?: { http?: { match?: unknown[]; route?: { destination?: { host?: string }; weight?: number }[] }[] } };

/** The gateway's own word: every parent accepted this generation of the route. */
export function httpRouteAccepted(route: HttpRoute | undefined): boolean {
  if (!route) return false;
  const parents = route.status?.parents ?? [];
  const generation = route.metadata?.generation;
  return (
    parents.length > 0 &&
    parents.every((p) => p.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True' && (c.observedGeneration === undefined || c.observedGeneration === generation)))
  );
}

/** Weights count only once every parent accepted this generation of the route. */
export function httpRouteCanaryWeight(route: HttpRoute | undefined, canaryService: string): number | undefined {
  if (!route || !httpRouteAccepted(route)) return undefined;
  const weighted = (route.spec?.rules ?? []).filter((r) => !r.matches?.length || (r.backendRefs?.length ?? 0) > 1).at(-1);
  return canaryShare(weighted?.backendRefs, canaryService);
}

/** VirtualServices carry no status without istiod: the applied weights are what Istio would program. */
export function virtualServiceCanaryWeight(vs: VirtualService | undefined, canaryHost: string): number | undefined {
  if (!vs) return undefined;
  const weighted = (vs.spec?.http ?? []).filter((r) => !r.match?.length).at(-1);
  const refs = (weighted?.route ?? []).map((r) => ({ name: r.destination?.host?.split('.')[0] ?? '', weight: r.weight ?? (weighted?.route?.length === 1 ? 100 : 0) }));
  return canaryShare(refs, canaryHost.split('.')[0] ?? canaryHost);
}

type TraefikService = KubeObject & { spec?: { weighted?: { services?: BackendRef[] } } };

/**
 * The traefik provider: the canary's share of the weighted TraefikService `<name>-split` (0 without
 * a canary entry), once the HTTPRoute that leads to it is accepted. TraefikServices carry no
 * status: the applied weights are what Traefik programs.
 */
export function traefikCanaryWeight(route: HttpRoute | undefined, split: TraefikService | undefined, canaryService: string): number | undefined {
  if (!route || !split || !httpRouteAccepted(route)) return undefined;
  return canaryShare(split.spec?.weighted?.services, canaryService);
}

export interface RolloutLiveObjects {
  readonly stable: V1Deployment | undefined;
  readonly canary: V1Deployment | undefined;
  readonly httpRoute: HttpRoute | undefined;
  readonly virtualService: VirtualService | undefined;
  /** The traefik provider's weighted TraefikService `<name>-split`. */
  readonly traefikSplit?: TraefikService | undefined;
  readonly canaryService: string;
  /** Ready endpoints of the canary Service; undefined when not observed. */
  readonly canaryEndpoints?: number | undefined;
}

export function observeRollout(spec: ModelDeploymentSpec, previous: ModelDeploymentStatus | undefined, live: RolloutLiveObjects): RolloutObservations {
  const stable = observeVariant(live.stable) ?? { ready: false, updatedReady: false };
  const observedCanary = observeVariant(live.canary);
  // Rolled out means reachable too: every canary replica is behind its Service before weight moves to it.
  const canary =
    observedCanary && live.canaryEndpoints !== undefined && live.canaryEndpoints < (live.canary?.spec?.replicas ?? 1)
      ? { ...observedCanary, updatedReady: false }
      : observedCanary;
  const provider = spec.rollout?.traffic?.provider ?? 'replicas';
  let routerWeight: number | undefined;
  if (provider === 'gateway-api') routerWeight = live.httpRoute ? httpRouteCanaryWeight(live.httpRoute, live.canaryService) : undefined;
  else if (provider === 'traefik') routerWeight = traefikCanaryWeight(live.httpRoute, live.traefikSplit, live.canaryService);
  else if (provider === 'istio') routerWeight = virtualServiceCanaryWeight(live.virtualService, live.canaryService);
  else {
    // No router: the split is the replica ratio, in force once both Deployments are rolled out at their planned size.
    const weight = previous?.canary?.weight ?? 0;
    const settled = stable.updatedReady && (canary === undefined || canary.updatedReady);
    routerWeight = settled ? effectiveWeight(provider, capacityOf(spec), weight) : undefined;
  }
  return { stable, ...(canary ? { canary } : {}), ...(routerWeight !== undefined ? { routerWeight } : {}) };
}
