// spec.autoscaling: a HorizontalPodAutoscaler (autoscaling/v2) for the model server.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import { int32, listMap } from './common.ts';
import { MAX_METRICS, MAX_POLICIES, MAX_SHORT_STRING } from './limits.ts';
import { quantitySchema } from './quantity.ts';

const utilization = (what: string) =>
  int32()
    .min(1, { error: 'must be a percentage of at least 1' })
    .max(1000, { error: 'must be at most 1000 (percent of the request)' })
    .describe(`Target average ${what} use, in percent of the container's ${what} request.`);

const podsMetricSchema = z
  .strictObject({
    name: z.string().min(1).max(MAX_SHORT_STRING).describe('Per-pod metric name, served by a custom metrics adapter.'),
    averageValue: quantitySchema.describe('Target average value per pod, e.g. 100 or 500m.'),
  })
  .describe('A per-pod custom metric (HPA type Pods).');

const scalingPolicySchema = z.strictObject({
  type: z.enum(['Pods', 'Percent']).describe('Pods or Percent.'),
  value: int32().min(1).describe('Pods or percent allowed to change in one period.'),
  periodSeconds: int32().min(1).max(1800).describe('Length of the period, 1 to 1800 seconds.'),
});

const scalingRulesSchema = z.strictObject({
  stabilizationWindowSeconds: int32().min(0).max(3600).optional().describe('Look-back window, 0 to 3600 seconds.'),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional().describe('Max, Min or Disabled.'),
  policies: z.array(scalingPolicySchema).max(MAX_POLICIES).optional(),
});

const behaviorSchema = z
  .strictObject({ scaleUp: scalingRulesSchema.optional(), scaleDown: scalingRulesSchema.optional() })
  .describe('HPA scaling behavior, passed through as written.');

export const autoscalingSpecSchema = withCelRules(
  z
    .strictObject({
      minReplicas: int32().min(1, { error: 'must be at least 1' }).default(1).describe('Fewest replicas.'),
      maxReplicas: int32().min(1, { error: 'must be at least 1' }).describe('Most replicas.'),
      targetCPUUtilization: utilization('CPU').optional(),
      targetMemoryUtilization: utilization('memory').optional(),
      metrics: listMap(podsMetricSchema, 'name', MAX_METRICS).optional(),
      behavior: behaviorSchema.optional(),
    })
    .describe('Scale the model server with a HorizontalPodAutoscaler; replicas is then ignored. Without any target, 80% CPU.'),
  [
    {
      rule: '!has(self.minReplicas) || !has(self.maxReplicas) || self.maxReplicas >= self.minReplicas',
      message: 'maxReplicas must be greater than or equal to minReplicas',
      messageFor: (a) => `maxReplicas (${a.maxReplicas}) must be greater than or equal to minReplicas (${a.minReplicas})`,
      fieldPath: '.maxReplicas',
      check: (a) => a.maxReplicas >= a.minReplicas,
    },
  ],
);

export type AutoscalingSpec = z.output<typeof autoscalingSpecSchema>;

/** Whether the HPA scales on CPU: explicitly, or by default when no target is set. */
export function scalesOnCpu(a: AutoscalingSpec): boolean {
  return (
    a.targetCPUUtilization !== undefined ||
    (a.targetMemoryUtilization === undefined && (a.metrics === undefined || a.metrics.length === 0))
  );
}

/** The CPU target used when autoscaling names no target at all (the HPA's own default). */
export const DEFAULT_CPU_UTILIZATION = 80;
