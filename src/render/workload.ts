// The objects of one variant of the model server: ConfigMap (when the preset needs files),
// Deployment, HorizontalPodAutoscaler and PodDisruptionBudget.
import type { V2MetricSpec } from '@kubernetes/client-node';
import type { AutoscalingSpec } from '../api/autoscaling-spec.ts';
import { DEFAULT_CPU_UTILIZATION, scalesOnCpu } from '../api/autoscaling-spec.ts';
import { quantityString } from '../api/quantity.ts';
import type {
  ConfigMapObject,
  DeploymentObject,
  HorizontalPodAutoscalerObject,
  PodDisruptionBudgetObject,
} from './child-objects.ts';
import { objectMeta } from './child-objects.ts';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';

export interface WorkloadMeta {
  name: string;
  namespace: string | undefined;
  labels: Record<string, string>;
  selector: Record<string, string>;
}

export function configMap(meta: WorkloadMeta, files: Record<string, string>): ConfigMapObject {
  const data: Record<string, string> = {};
  for (const key of Object.keys(files).sort()) data[key] = files[key]!;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: objectMeta(meta.name, meta.namespace, meta.labels), data };
}

/** With autoscaling, replicas is left out so the HPA alone owns it (no fight on every apply). */
export function deployment(meta: WorkloadMeta, replicas: number | undefined, template: V1PodTemplateSpec): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: objectMeta(meta.name, meta.namespace, meta.labels),
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      revisionHistoryLimit: 5,
      selector: { matchLabels: meta.selector },
      // Never below the wanted capacity while a new model version rolls out.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template,
    },
  };
}

function hpaMetrics(a: AutoscalingSpec): V2MetricSpec[] {
  const metrics: V2MetricSpec[] = [];
  if (scalesOnCpu(a)) {
    const averageUtilization = a.targetCPUUtilization ?? DEFAULT_CPU_UTILIZATION;
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });
  }
  if (a.targetMemoryUtilization !== undefined) {
    metrics.push({
      type: 'Resource',
      resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: a.targetMemoryUtilization } },
    });
  }
  for (const m of a.metrics ?? []) {
    metrics.push({
      type: 'Pods',
      pods: { metric: { name: m.name }, target: { type: 'AverageValue', averageValue: quantityString(m.averageValue) } },
    });
  }
  return metrics;
}

export function horizontalPodAutoscaler(meta: WorkloadMeta, a: AutoscalingSpec): HorizontalPodAutoscalerObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: objectMeta(meta.name, meta.namespace, meta.labels),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: meta.name },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: hpaMetrics(a),
      ...(a.behavior !== undefined ? { behavior: structuredClone(a.behavior) } : {}),
    },
  };
}

/**
 * maxUnavailable 1: a node drain evicts one model server at a time, and never blocks on a lone
 * replica. Unhealthy pods may always be evicted, so a crash-looping server cannot stall a drain.
 */
export function podDisruptionBudget(meta: WorkloadMeta): PodDisruptionBudgetObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: objectMeta(meta.name, meta.namespace, meta.labels),
    spec: { maxUnavailable: 1, selector: { matchLabels: meta.selector }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
  };
}
