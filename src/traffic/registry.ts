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
} as const satisfies { readonly [P in TrafficProvider]: Provider<never> | Provider };

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

/** Every router kind once, in registry order. */
export const ROUTER_KINDS: readonly ProvidedKind[] = Object.values(PROVIDERS).flatMap((p: Provider<RouterObject>) =>
  p.kinds.map((k) => ({ apiVersion: k.apiVersion, kind: k.kind, plural: k.plural, crd: crdName(k), provider: p.name })),
).filter((k, i, all) => all.findIndex((o) => o.apiVersion === k.apiVersion && o.kind === k.kind) === i);
