// Gateway API (gateway.networking.k8s.io/v1): the HTTPRoute fields modelship writes.
import type { RouterKind, RouterObjectOf } from '../provider.ts';

export const HTTP_ROUTE_KIND = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', plural: 'httproutes' } as const satisfies RouterKind;

export interface HTTPBackendRef {
  /** Set for a backend that is not a core Service, e.g. a TraefikService (group traefik.io). */
  group?: string;
  kind?: string;
  name: string;
  port?: number;
  weight?: number;
}

export interface HTTPHeaderMatch {
  type: 'Exact' | 'RegularExpression';
  name: string;
  value: string;
}

export interface HTTPRouteRule {
  matches?: { headers: HTTPHeaderMatch[] }[];
  filters?: { type: 'RequestMirror'; requestMirror: { backendRef: HTTPBackendRef; percent: number } }[];
  backendRefs: HTTPBackendRef[];
}

export interface HTTPRouteSpec {
  parentRefs: { group: 'gateway.networking.k8s.io'; kind: 'Gateway'; name: string; namespace?: string; sectionName?: string }[];
  hostnames?: string[];
  rules: HTTPRouteRule[];
}

export type HTTPRouteObject = RouterObjectOf<'gateway.networking.k8s.io/v1', 'HTTPRoute', HTTPRouteSpec>;
