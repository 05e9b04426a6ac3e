// The kinds of objects a ModelDeployment owns, typed with the client's models.
import type {
  V1ConfigMap,
  V1Deployment,
  V1Job,
  V1ObjectMeta,
  V1PodDisruptionBudget,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';

type Owned<T, ApiVersion extends string, Kind extends string> = Omit<T, 'apiVersion' | 'kind' | 'metadata'> & {
  apiVersion: ApiVersion;
  kind: Kind;
  metadata: V1ObjectMeta & { name: string; labels: Record<string, string> };
};

export type ConfigMapObject = Owned<V1ConfigMap, 'v1', 'ConfigMap'>;
export type DeploymentObject = Owned<V1Deployment, 'apps/v1', 'Deployment'>;
export type ServiceObject = Owned<V1Service, 'v1', 'Service'>;
export type HorizontalPodAutoscalerObject = Owned<V2HorizontalPodAutoscaler, 'autoscaling/v2', 'HorizontalPodAutoscaler'>;
export type JobObject = Owned<V1Job, 'batch/v1', 'Job'>;
export type PodDisruptionBudgetObject = Owned<V1PodDisruptionBudget, 'policy/v1', 'PodDisruptionBudget'>;

// Gateway API (gateway.networking.k8s.io/v1), the fields modelship writes.
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

// Istio (networking.istio.io/v1), the fields modelship writes.
export interface IstioDestination {
  host: string;
  port: { number: number };
}

export interface IstioStringMatch {
  exact?: string;
  regex?: string;
}

export interface IstioHTTPRoute {
  name: string;
  match?: { headers: Record<string, IstioStringMatch> }[];
  route: { destination: IstioDestination; weight?: number }[];
  mirror?: IstioDestination;
  mirrorPercentage?: { value: number };
}

export interface VirtualServiceSpec {
  hosts: string[];
  gateways?: string[];
  http: IstioHTTPRoute[];
}

// Traefik (traefik.io/v1alpha1), the fields modelship writes: a TraefikService is either a weighted
// round robin over services or a mirroring of one service to others.
export interface TraefikServiceRef {
  name: string;
  /** Service (the default: a core Service) or TraefikService. */
  kind?: 'Service' | 'TraefikService';
  port?: number;
  weight?: number;
}

export interface TraefikMirror {
  name: string;
  port: number;
  percent: number;
}

export type TraefikServiceSpec =
  | { weighted: { services: TraefikServiceRef[] } }
  | { mirroring: TraefikServiceRef & { mirrors: TraefikMirror[] } };

type Custom<ApiVersion extends string, Kind extends string, Spec> = {
  apiVersion: ApiVersion;
  kind: Kind;
  metadata: V1ObjectMeta & { name: string; labels: Record<string, string> };
  spec: Spec;
};

export type HTTPRouteObject = Custom<'gateway.networking.k8s.io/v1', 'HTTPRoute', HTTPRouteSpec>;
export type VirtualServiceObject = Custom<'networking.istio.io/v1', 'VirtualService', VirtualServiceSpec>;
export type TraefikServiceObject = Custom<'traefik.io/v1alpha1', 'TraefikService', TraefikServiceSpec>;

export type ChildObject =
  | ConfigMapObject
  | DeploymentObject
  | ServiceObject
  | HorizontalPodAutoscalerObject
  | PodDisruptionBudgetObject
  | HTTPRouteObject
  | VirtualServiceObject
  | TraefikServiceObject
  | JobObject;

/**
 * Every kind render can produce, in the order it returns them (for watches, RBAC and pruning). The
 * routers are here so that switching provider prunes the old one.
 */
export const CHILD_KINDS = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'traefik.io/v1alpha1', kind: 'TraefikService' },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' },
  { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService' },
  { apiVersion: 'batch/v1', kind: 'Job' },
] as const;

/**
 * Child kinds whose CRDs a cluster may not have (Gateway API, Istio, Traefik), with the CRD that serves
 * each: a missing one is not an error until a ModelDeployment uses its provider, which is then
 * Stalled (TrafficProviderMissing) naming the CRD.
 */
export const OPTIONAL_CHILD_KINDS = [
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', crd: 'httproutes.gateway.networking.k8s.io', provider: 'gateway-api' },
  { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', crd: 'virtualservices.networking.istio.io', provider: 'istio' },
  { apiVersion: 'traefik.io/v1alpha1', kind: 'TraefikService', crd: 'traefikservices.traefik.io', provider: 'traefik' },
] as const;

export function objectMeta(name: string, namespace: string | undefined, labels: Record<string, string>): ChildObject['metadata'] {
  return { name, ...(namespace !== undefined ? { namespace } : {}), labels };
}
