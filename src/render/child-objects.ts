// The kinds of objects a ModelDeployment owns, typed with the client's models.
import type {
  V1ConfigMap,
  V1Deployment,
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
export type PodDisruptionBudgetObject = Owned<V1PodDisruptionBudget, 'policy/v1', 'PodDisruptionBudget'>;

export type ChildObject =
  | ConfigMapObject
  | DeploymentObject
  | ServiceObject
  | HorizontalPodAutoscalerObject
  | PodDisruptionBudgetObject;

/** Every kind render can produce, in the order it returns them (for watches, RBAC and pruning). */
export const CHILD_KINDS = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
] as const;

export function objectMeta(name: string, namespace: string | undefined, labels: Record<string, string>): ChildObject['metadata'] {
  return { name, ...(namespace !== undefined ? { namespace } : {}), labels };
}
