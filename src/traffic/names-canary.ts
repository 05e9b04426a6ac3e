// PURE: whether a live router object still names the canary's Service anywhere (a weight entry, even
// at 0, a mirror, a cohort rule): a leaving canary's pods go only once none does (src/rollout/detach.ts).
import { httpRouteAccepted, type LiveHttpRoute } from './gateway-api/route-weight.ts';
import type { LiveTraefikService } from './traefik/traefik-weight.ts';
import type { LiveVirtualService } from './istio/virtual-service-weight.ts';

type NamedRef = { name?: string } | undefined;
type RouteRule = { backendRefs?: NamedRef[]; filters?: { requestMirror?: { backendRef?: NamedRef } }[] };
type MirroringSpec = { name?: string; mirrors?: NamedRef[] };

/**
 * The HTTPRoute's backends and mirrors name `service`; undefined until every parent accepted this
 * generation (a gateway may still serve an older one). No route names nothing: a router that was
 * never written (missing CRDs) does not keep an aborted canary's pods.
 */
export function httpRouteNamesService(route: LiveHttpRoute | undefined, service: string): boolean | undefined {
  if (!route) return false;
  if (!httpRouteAccepted(route)) return undefined;
  const rules = (route.spec?.rules ?? []) as RouteRule[];
  return rules.some((r) => (r.backendRefs ?? []).some((b) => b?.name === service) || (r.filters ?? []).some((f) => f.requestMirror?.backendRef?.name === service));
}

/** A TraefikService's weighted services, or its mirroring's main service and mirrors, name `service`. */
export function traefikServiceNamesService(ts: (LiveTraefikService & { spec?: { mirroring?: MirroringSpec } }) | undefined, service: string): boolean {
  const spec = ts?.spec;
  const weighted = (spec?.weighted?.services ?? []).some((s) => s.name === service);
  const mirroring = spec?.mirroring !== undefined && (spec.mirroring.name === service || (spec.mirroring.mirrors ?? []).some((m) => m?.name === service));
  return weighted || mirroring;
}

/** A VirtualService routes or mirrors to `service` (a short name or `<service>.<namespace>...`); none names nothing. */
export function virtualServiceNamesService(vs: LiveVirtualService | undefined, service: string): boolean {
  if (!vs) return false;
  const names = (host: string | undefined) => host !== undefined && host.split('.')[0] === service;
  const http = (vs.spec?.http ?? []) as { route?: { destination?: { host?: string } }[]; mirror?: { host?: string } }[];
  return http.some((r) => (r.route ?? []).some((d) => names(d.destination?.host)) || names(r.mirror?.host));
}
