// PURE: the objects the benchmarks create. One model shape everywhere (an MLServer scikit-learn model
// with CPU autoscaling between 1 and 3 pods), so modelship renders a Deployment, a Service, an HPA and a
// PodDisruptionBudget, and KServe (RawDeployment) a Deployment, a Service and an HPA for the same model.
import type { KubeObject } from '../src/kube/api-client.ts';
import { LABEL_MODEL_DEPLOYMENT } from '../src/render/index.ts';

export const MD_API = '/apis/modelship.io/v1alpha1';
export const MD_PLURAL = 'modeldeployments';

/**
 * What a benchmark ModelDeployment owns, as the operator renders it: the stable Deployment, the
 * Service and the stable variant's Service, the HPA and the PodDisruptionBudget.
 */
export const CHILD_KINDS = [
  { kind: 'Deployment', path: '/apis/apps/v1/deployments', suffix: '-stable' },
  { kind: 'Service', path: '/api/v1/services', suffix: '' },
  { kind: 'Service', path: '/api/v1/services', suffix: '-stable' },
  { kind: 'HorizontalPodAutoscaler', path: '/apis/autoscaling/v2/horizontalpodautoscalers', suffix: '-stable' },
  { kind: 'PodDisruptionBudget', path: '/apis/policy/v1/poddisruptionbudgets', suffix: '-stable' },
] as const;

export const CHILD_SELECTOR = LABEL_MODEL_DEPLOYMENT;

export function modelName(i: number): string {
  return `m-${String(i).padStart(4, '0')}`;
}

export interface Placement {
  readonly namespace: string;
  readonly name: string;
}

/** `count` models spread over namespaces of `perNamespace` each: prefix-0, prefix-1, ... */
export function placements(prefix: string, count: number, perNamespace = 100): Placement[] {
  return Array.from({ length: count }, (_, i) => ({ namespace: `${prefix}-${Math.floor(i / perNamespace)}`, name: modelName(i) }));
}

export function namespacesOf(list: readonly Placement[]): string[] {
  return [...new Set(list.map((p) => p.namespace))];
}

export function modelSpec(name: string, version: string): Record<string, unknown> {
  return {
    model: { name, version, uri: `s3://models/${name}/${version}`, format: 'sklearn' },
    runtime: { preset: 'mlserver', resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } } },
    autoscaling: { minReplicas: 1, maxReplicas: 3, targetCPUUtilization: 70 },
  };
}

export function modelDeployment(p: Placement, version = '1', labels?: Readonly<Record<string, string>>): Record<string, unknown> {
  return { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', metadata: { name: p.name, namespace: p.namespace, ...(labels ? { labels } : {}) }, spec: modelSpec(p.name, version) };
}

/** A canary with the replicas provider: 4 pods, first step 25%, then a pause for promotion. */
export function canaryModelDeployment(p: Placement, version: string): Record<string, unknown> {
  return {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name: p.name, namespace: p.namespace },
    spec: {
      model: { name: p.name, version, uri: `s3://models/${p.name}/${version}`, format: 'sklearn' },
      runtime: { preset: 'mlserver', resources: { requests: { cpu: '100m', memory: '128Mi' } } },
      replicas: 4,
      rollout: { strategy: 'canary', steps: [{ weight: 25 }, { pause: {} }], scaleDownDelaySeconds: 0 },
    },
  };
}

/** "namespace/name" of every child of every model, by collection path. */
export function childKeysByPath(list: readonly Placement[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of CHILD_KINDS) {
    const keys = out.get(c.path) ?? [];
    keys.push(...list.map((p) => `${p.namespace}/${p.name}${c.suffix}`));
    out.set(c.path, keys);
  }
  return out;
}

export function keysOf(list: readonly Placement[]): string[] {
  return list.map((p) => `${p.namespace}/${p.name}`);
}

interface Conditioned {
  metadata?: { generation?: number };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

/** Ready=True for the object's current generation (a ModelDeployment or an InferenceService). */
export function readyForGeneration(obj: Conditioned): boolean {
  const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && (obj.status?.observedGeneration === undefined || obj.status.observedGeneration === obj.metadata?.generation);
}

interface DeploymentState {
  metadata?: { generation?: number; labels?: Record<string, string> };
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number };
}

/** Every pod of the Deployment's current template is ready and no old one is left. */
export function rolledOut(obj: DeploymentState): boolean {
  const want = obj.spec?.replicas ?? 1;
  const s = obj.status;
  return s?.observedGeneration === obj.metadata?.generation && s?.updatedReplicas === want && s?.replicas === want && (s?.readyReplicas ?? 0) >= want;
}

export const VERSION_LABEL = 'app.kubernetes.io/version';

/** Children a change of spec.model.version rewrites: the stable Deployment, HPA and PodDisruptionBudget. */
export function versionedChildKeysByPath(list: readonly Placement[]): Map<string, string[]> {
  const versioned = new Set(['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']);
  const out = new Map<string, string[]>();
  for (const c of CHILD_KINDS.filter((k) => versioned.has(k.kind))) out.set(c.path, list.map((p) => `${p.namespace}/${p.name}${c.suffix}`));
  return out;
}

/** A kind of parent object the convergence benchmarks create: what to send, what to wait for. */
export interface ParentKind {
  /** Collection path in a namespace, for POST. */
  collection(namespace: string): string;
  /** Cluster-wide collection path, watched. */
  readonly listPath: string;
  manifest(p: Placement, version: string): Record<string, unknown>;
  /** Children's keys by collection path. */
  children(list: readonly Placement[]): Map<string, string[]>;
  readonly childSelector: string;
  /** Keys of the Deployments serving each parent. */
  deployments(list: readonly Placement[]): string[];
  ready(obj: KubeObject): boolean;
}

export const modelDeploymentKind: ParentKind = {
  collection: (namespace) => `${MD_API}/namespaces/${namespace}/${MD_PLURAL}`,
  listPath: `${MD_API}/${MD_PLURAL}`,
  manifest: modelDeployment,
  children: childKeysByPath,
  childSelector: CHILD_SELECTOR,
  deployments: (list) => list.map((p) => `${p.namespace}/${p.name}-stable`),
  ready: readyForGeneration,
};

/** ModelDeployments created with labels of their own, e.g. a sharding key (the label survives spec changes: merge patches of the spec only). */
export function labelledModelDeploymentKind(labels: (p: Placement) => Readonly<Record<string, string>>): ParentKind {
  return { ...modelDeploymentKind, manifest: (p, version) => modelDeployment(p, version, labels(p)) };
}
