// PURE: the canary weight the traefik provider's live objects apply.
import { canaryShare, type WeightedRef } from '../canary-share.ts';
import type { KubeObject } from '../../kube/api-client.ts';
import { httpRouteAccepted, type LiveHttpRoute } from '../gateway-api/route-weight.ts';

export type LiveTraefikService = KubeObject & { spec?: { weighted?: { services?: WeightedRef[] } } };

/**
 * The canary's share of the weighted TraefikService `<name>-split` (0 without a canary entry), once
 * the HTTPRoute that leads to it is accepted. TraefikServices carry no status: the applied weights
 * are what Traefik programs.
 */
export function traefikCanaryWeight(route: LiveHttpRoute | undefined, split: LiveTraefikService | undefined, canaryService: string): number | undefined {
  if (!route || !split || !httpRouteAccepted(route)) return undefined;
  return canaryShare(split.spec?.weighted?.services, canaryService);
}
