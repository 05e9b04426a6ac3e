// PURE: the KServe side of the peer benchmark. The same model as workload.ts as an InferenceService in
// RawDeployment mode, written as KServe's defaulting webhook would leave it (the webhook is not run):
// KServe then renders a Deployment, a Service and an HPA, all named <name>-predictor.
import { readyForGeneration, type ParentKind, type Placement } from './workload.ts';

export const ISVC_API = '/apis/serving.kserve.io/v1beta1';
export const ISVC_PLURAL = 'inferenceservices';
export const ISVC_SELECTOR = 'serving.kserve.io/inferenceservice';
export const KSERVE_NAMESPACE = 'kserve';
export const KSERVE_RUNTIME = 'kserve-mlserver';

export const ISVC_CHILD_KINDS = [
  { kind: 'Deployment', path: '/apis/apps/v1/deployments' },
  { kind: 'Service', path: '/api/v1/services' },
  { kind: 'HorizontalPodAutoscaler', path: '/apis/autoscaling/v2/horizontalpodautoscalers' },
] as const;

export function inferenceService(p: Placement, version = '1'): Record<string, unknown> {
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      annotations: { 'serving.kserve.io/deploymentMode': 'RawDeployment', 'serving.kserve.io/autoscalerClass': 'hpa' },
    },
    spec: {
      predictor: {
        minReplicas: 1,
        maxReplicas: 3,
        scaleMetric: 'cpu',
        scaleTarget: 70,
        automountServiceAccountToken: false,
        model: {
          modelFormat: { name: 'sklearn' },
          runtime: KSERVE_RUNTIME,
          protocolVersion: 'v2',
          storageUri: `s3://models/${p.name}/${version}`,
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        },
      },
    },
  };
}

const predictorKeys = (list: readonly Placement[]) => list.map((p) => `${p.namespace}/${p.name}-predictor`);

export const inferenceServiceKind: ParentKind = {
  collection: (namespace) => `${ISVC_API}/namespaces/${namespace}/${ISVC_PLURAL}`,
  listPath: `${ISVC_API}/${ISVC_PLURAL}`,
  manifest: inferenceService,
  children: (list) => new Map(ISVC_CHILD_KINDS.map((c) => [c.path, predictorKeys(list)])),
  childSelector: ISVC_SELECTOR,
  deployments: predictorKeys,
  ready: readyForGeneration,
};

/**
 * The inferenceservice-config ConfigMap from KServe's own config/configmap, with RawDeployment as the
 * default mode and no Ingress or Istio VirtualService (nothing here serves them; modelship creates
 * no ingress either).
 */
export function kserveConfigMapData(original: Readonly<Record<string, string>>): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(original)) if (!k.startsWith('_')) data[k] = v;
  const ingress = JSON.parse(data.ingress ?? '{}') as Record<string, unknown>;
  data.ingress = JSON.stringify({ ...ingress, disableIngressCreation: true, disableIstioVirtualHost: true });
  data.deploy = JSON.stringify({ defaultDeploymentMode: 'RawDeployment' });
  return data;
}
