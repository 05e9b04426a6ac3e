// REST paths of the kinds the operator reads and writes. A fixed table instead of discovery:
// the operator only ever touches these kinds, and a table keeps path building pure.
import { ROUTER_KINDS } from '../traffic/registry.ts';

export interface ResourceKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const kinds: readonly ResourceKind[] = [
  { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', plural: 'modeldeployments', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  // Read one by name only (a Prometheus token or CA of spec.rollout.analysis): never listed or watched.
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true },
  { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true },
  // The traffic providers' router kinds (src/traffic).
  ...ROUTER_KINDS.map(({ apiVersion, kind, plural }) => ({ apiVersion, kind, plural, namespaced: true })),
];

export function resourceKind(apiVersion: string, kind: string): ResourceKind {
  const found = kinds.find((k) => k.apiVersion === apiVersion && k.kind === kind);
  if (!found) throw new Error(`modelship does not handle ${kind} (${apiVersion})`);
  return found;
}

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** /api/v1/namespaces/ns/pods/name, /apis/apps/v1/deployments (all namespaces), ... */
export function resourcePath(ref: ObjectRef): string {
  const k = resourceKind(ref.apiVersion, ref.kind);
  const group = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const ns = k.namespaced && ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : '';
  const sub = ref.name && ref.subresource ? `/${ref.subresource}` : '';
  return `${group}${ns}/${k.plural}${name}${sub}`;
}
