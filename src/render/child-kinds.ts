// The kinds a ModelDeployment may own: the workload's and every traffic provider's.
import { RENDERED_ROUTER_KINDS, ROUTER_KINDS } from '../traffic/registry.ts';

export interface ChildKind {
  readonly apiVersion: string;
  readonly kind: string;
}

/**
 * Every kind render can produce, in the order it returns them (for watches, RBAC and pruning). The
 * routers of every provider are here so that switching provider prunes the old one.
 */
export const CHILD_KINDS: readonly ChildKind[] = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  ...RENDERED_ROUTER_KINDS.map(({ apiVersion, kind }) => ({ apiVersion, kind })),
  { apiVersion: 'batch/v1', kind: 'Job' },
];

/**
 * Child kinds whose CRDs a cluster may not have (Gateway API, Istio, Traefik), with the CRD that serves
 * each: a missing one is not an error until a ModelDeployment uses its provider, which is then
 * Stalled (TrafficProviderMissing) naming the CRD.
 */
export const OPTIONAL_CHILD_KINDS = ROUTER_KINDS.map(({ apiVersion, kind, crd, provider }) => ({ apiVersion, kind, crd, provider }));
