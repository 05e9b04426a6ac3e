// The traffic router of a rollout (docs/rollouts.md): an HTTPRoute (gateway-api), a
// VirtualService (istio) or an HTTPRoute to Traefik's own TraefikServices (traefik), named after
// the ModelDeployment. Cohort matches go first and always reach
// the canary; the rest is split by weight between the per-variant Services, and a share of it may
// be mirrored to the canary. The replicas provider has no router: pod counts are the split.
import type { TrafficMatch, TrafficSpec } from '../api/rollout-spec.ts';
import type {
  HTTPBackendRef,
  HTTPHeaderMatch,
  HTTPRouteObject,
  HTTPRouteRule,
  IstioDestination,
  IstioHTTPRoute,
  IstioStringMatch,
  TraefikServiceObject,
  VirtualServiceObject,
} from './child-objects.ts';
import { objectMeta } from './child-objects.ts';
import { serviceName, variantName } from './names.ts';
import { SERVICE_HTTP_PORT } from './ports.ts';

export interface RouterInput {
  name: string;
  namespace: string | undefined;
  labels: Record<string, string>;
  traffic: TrafficSpec;
  /** Whether a canary variant (and its Service) exists. */
  canary: boolean;
  weights: { stable: number; canary: number };
  mirrorPercent?: number;
  cohortMatch?: readonly TrafficMatch[];
}

/** A regular expression matching the text literally, in RE2 and Go syntax alike. */
export function escapeRegex(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '\\$&');
}

/** A Cookie header holding `name=value`, wherever it is in the list (full and partial matchers alike). */
export function cookieRegex(name: string, value: string): string {
  return `^(.*;\\s*)?${escapeRegex(name)}=${escapeRegex(value)}(;.*)?$`;
}

function sortedHeaders(headers: Record<string, string>): [string, string][] {
  return Object.keys(headers)
    .sort()
    .map((k) => [k, headers[k]!]);
}

function gatewayMatch(m: TrafficMatch): { headers: HTTPHeaderMatch[] } {
  if (m.cookie !== undefined) {
    return { headers: [{ type: 'RegularExpression', name: 'Cookie', value: cookieRegex(m.cookie.name, m.cookie.value) }] };
  }
  return { headers: sortedHeaders(m.headers ?? {}).map(([name, value]) => ({ type: 'Exact', name, value })) };
}

function istioMatch(m: TrafficMatch): { headers: Record<string, IstioStringMatch> } {
  // Istio wants header names in lower case.
  if (m.cookie !== undefined) return { headers: { cookie: { regex: cookieRegex(m.cookie.name, m.cookie.value) } } };
  const headers: Record<string, IstioStringMatch> = {};
  for (const [name, value] of sortedHeaders(m.headers ?? {})) headers[name.toLowerCase()] = { exact: value };
  return { headers };
}

function cohorts(input: RouterInput): readonly TrafficMatch[] {
  return input.canary && input.cohortMatch !== undefined ? input.cohortMatch : [];
}

export function httpRoute(input: RouterInput): HTTPRouteObject {
  const stable: HTTPBackendRef = { name: variantName(input.name, 'stable'), port: SERVICE_HTTP_PORT };
  const canary: HTTPBackendRef = { name: variantName(input.name, 'canary'), port: SERVICE_HTTP_PORT };
  const split: HTTPRouteRule = {
    backendRefs: input.canary
      ? [
          { ...stable, weight: input.weights.stable },
          { ...canary, weight: input.weights.canary },
        ]
      : [{ ...stable }],
  };
  if (input.canary && input.mirrorPercent !== undefined) {
    split.filters = [{ type: 'RequestMirror', requestMirror: { backendRef: { ...canary }, percent: input.mirrorPercent } }];
  }
  return routeTo(input, split);
}

/** The HTTPRoute `<name>`: the cohort rule to the canary Service first, then `split`. */
function routeTo(input: RouterInput, split: HTTPRouteRule): HTTPRouteObject {
  const gateway = input.traffic.gateway;
  if (gateway === undefined) throw new Error('an HTTPRoute needs spec.rollout.traffic.gateway');
  const canary: HTTPBackendRef = { name: variantName(input.name, 'canary'), port: SERVICE_HTTP_PORT };
  const rules: HTTPRouteRule[] = [];
  const matches = cohorts(input);
  if (matches.length > 0) rules.push({ matches: matches.map(gatewayMatch), backendRefs: [{ ...canary }] });
  rules.push(split);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: objectMeta(serviceName(input.name), input.namespace, input.labels),
    spec: {
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: gateway.name,
          ...(gateway.namespace !== undefined ? { namespace: gateway.namespace } : {}),
          ...(gateway.sectionName !== undefined ? { sectionName: gateway.sectionName } : {}),
        },
      ],
      ...(input.traffic.hosts !== undefined && input.traffic.hosts.length > 0 ? { hostnames: [...input.traffic.hosts] } : {}),
      rules,
    },
  };
}

/** The TraefikService of the weighted split between the variants: `<name>-split`. */
export function traefikSplitName(name: string): string {
  return `${serviceName(name)}-split`;
}

/**
 * The traefik provider (Traefik's kubernetesCRD provider, traefik.io/v1alpha1), which mirrors where
 * Traefik's Gateway API provider does not implement RequestMirror: a weighted TraefikService
 * `<name>-split` over the variants' Services; a TraefikService `<name>` that mirrors `<name>-split`
 * to the canary while mirroring, else a weighted one over `<name>-split` alone (so the route never
 * changes backend); and the HTTPRoute `<name>`, whose default rule goes to the TraefikService `<name>`.
 */
export function traefikRouter(input: RouterInput): [TraefikServiceObject, TraefikServiceObject, HTTPRouteObject] {
  const meta = (name: string) => objectMeta(name, input.namespace, input.labels);
  const stable = variantName(input.name, 'stable');
  const canary = variantName(input.name, 'canary');
  const splitName = traefikSplitName(input.name);
  const split: TraefikServiceObject = {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TraefikService',
    metadata: meta(splitName),
    spec: {
      weighted: {
        services: input.canary
          ? [
              { name: stable, port: SERVICE_HTTP_PORT, weight: input.weights.stable },
              { name: canary, port: SERVICE_HTTP_PORT, weight: input.weights.canary },
            ]
          : [{ name: stable, port: SERVICE_HTTP_PORT, weight: 100 }],
      },
    },
  };
  const front: TraefikServiceObject = {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TraefikService',
    metadata: meta(serviceName(input.name)),
    spec:
      input.canary && input.mirrorPercent !== undefined
        ? { mirroring: { name: splitName, kind: 'TraefikService', mirrors: [{ name: canary, port: SERVICE_HTTP_PORT, percent: input.mirrorPercent }] } }
        : { weighted: { services: [{ name: splitName, kind: 'TraefikService', weight: 1 }] } },
  };
  const route = routeTo(input, { backendRefs: [{ group: 'traefik.io', kind: 'TraefikService', name: serviceName(input.name) }] });
  return [split, front, route];
}

export function virtualService(input: RouterInput): VirtualServiceObject {
  const destination = (variant: 'stable' | 'canary'): IstioDestination => ({
    host: variantName(input.name, variant),
    port: { number: SERVICE_HTTP_PORT },
  });
  const http: IstioHTTPRoute[] = [];
  const matches = cohorts(input);
  if (matches.length > 0) http.push({ name: 'cohort', match: matches.map(istioMatch), route: [{ destination: destination('canary') }] });
  const split: IstioHTTPRoute = {
    name: 'split',
    route: input.canary
      ? [
          { destination: destination('stable'), weight: input.weights.stable },
          { destination: destination('canary'), weight: input.weights.canary },
        ]
      : [{ destination: destination('stable') }],
  };
  if (input.canary && input.mirrorPercent !== undefined) {
    split.mirror = destination('canary');
    split.mirrorPercentage = { value: input.mirrorPercent };
  }
  http.push(split);
  const gateway = input.traffic.gateway;
  const hosts = input.traffic.hosts !== undefined && input.traffic.hosts.length > 0 ? [...input.traffic.hosts] : [serviceName(input.name)];
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: objectMeta(serviceName(input.name), input.namespace, input.labels),
    spec: {
      hosts,
      // Bound to an Istio Gateway when one is named; 'mesh' keeps in-mesh callers routed too.
      ...(gateway !== undefined ? { gateways: [gateway.namespace !== undefined ? `${gateway.namespace}/${gateway.name}` : gateway.name, 'mesh'] } : {}),
      http,
    },
  };
}
