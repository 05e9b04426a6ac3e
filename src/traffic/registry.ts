// Every traffic provider, one line each. Adding one is a folder implementing Provider and a line here
// (plus its name in the API's TRAFFIC_PROVIDERS, which the CRD validates).
import type { TrafficProvider } from '../api/rollout-spec.ts';
import { gatewayApi } from './gateway-api/index.ts';
import { istio } from './istio/index.ts';
import { crdName, type Provider, type RouterKind } from './provider.ts';
import { replicas } from './replicas/index.ts';
import { traefik } from './traefik/index.ts';

export const PROVIDERS = {
  replicas,
  'gateway-api': gatewayApi,
  istio,
  traefik,
} as const satisfies { readonly [P in TrafficProvider]: Provider };

type ObjectOf<P> = P extends Provider<infer O> ? O : never;

/** Every router object any provider renders. */
export type RouterObject = ObjectOf<(typeof PROVIDERS)[TrafficProvider]>;

export function trafficProvider(name: TrafficProvider): Provider<RouterObject> {
  return PROVIDERS[name];
}

export interface ProvidedKind extends RouterKind {
  /** The CRD that serves the kind, which a cluster may lack. */
  readonly crd: string;
  /** The first provider (in registry order) that renders it. */
  readonly provider: TrafficProvider;
}

const providers: readonly Provider<RouterObject>[] = Object.values(PROVIDERS);

/** Every router kind once, in registry order: the order of missing-CRD checks. */
export const ROUTER_KINDS: readonly ProvidedKind[] = providers
  .flatMap((p) => p.kinds.map((k) => ({ apiVersion: k.apiVersion, kind: k.kind, plural: k.plural, crd: crdName(k), provider: p.name })))
  .filter((k, i, all) => all.findIndex((o) => sameKind(o, k)) === i);

/**
 * Every router kind once, in the order render returns them (each provider's own order kept, e.g.
 * traefik's TraefikServices before the HTTPRoute that leads to them): the order of pruning.
 */
export const RENDERED_ROUTER_KINDS: readonly RouterKind[] = providers.reduce<RouterKind[]>((merged, p) => {
  p.kinds.forEach((k, i) => {
    if (merged.some((m) => sameKind(m, k))) return;
    const next = merged.findIndex((m) => p.kinds.slice(i + 1).some((later) => sameKind(later, m)));
    merged.splice(next === -1 ? merged.length : next, 0, k);
  });
  return merged;
}, []);

function sameKind(a: RouterKind, b: RouterKind): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind;
}
