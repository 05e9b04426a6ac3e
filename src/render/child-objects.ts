// The kinds of objects a ModelDeployment owns, typed with the client's models; the traffic
// routers' are their providers' (src/traffic).
import type {
  V1ConfigMap,
  V1Deployment,
  V1Job,
  V1ObjectMeta,
  V1PodDisruptionBudget,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { RouterObject } from '../traffic/registry.ts';

/** Metadata render always sets. */
export type ChildMeta = V1ObjectMeta & { name: string; labels: Record<string, string> };

type Owned<T, ApiVersion extends string, Kind extends string> = Omit<T, 'apiVersion' | 'kind' | 'metadata'> & {
  apiVersion: ApiVersion;
  kind: Kind;
  metadata: ChildMeta;
};

export type ConfigMapObject = Owned<V1ConfigMap, 'v1', 'ConfigMap'>;
export type DeploymentObject = Owned<V1Deployment, 'apps/v1', 'Deployment'>;
export type ServiceObject = Owned<V1Service, 'v1', 'Service'>;
export type HorizontalPodAutoscalerObject = Owned<V2HorizontalPodAutoscaler, 'autoscaling/v2', 'HorizontalPodAutoscaler'>;
export type JobObject = Owned<V1Job, 'batch/v1', 'Job'>;
export type PodDisruptionBudgetObject = Owned<V1PodDisruptionBudget, 'policy/v1', 'PodDisruptionBudget'>;

export type ChildObject =
  | ConfigMapObject
  | DeploymentObject
  | ServiceObject
  | HorizontalPodAutoscalerObject
  | PodDisruptionBudgetObject
  | RouterObject
  | JobObject;

export function objectMeta(name: string, namespace: string | undefined, labels: Record<string, string>): ChildMeta {
  return { name, ...(namespace !== undefined ? { namespace } : {}), labels };
}
