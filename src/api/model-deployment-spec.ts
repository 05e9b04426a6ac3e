// spec: the whole desired state of one model deployment, with the rules that span its parts.
import { z } from 'zod';
import { DEFAULT_CPU_UTILIZATION, autoscalingSpecSchema, scalesOnCpu } from './autoscaling-spec.ts';
import { withCelRules } from './cel-rule.ts';
import { int32 } from './common.ts';
import { modelSpecSchema } from './model-spec.ts';
import { batchSpecSchema } from './batch-spec.ts';
import { AGENT_PORTS, agentPortsFreeCel } from './logging-spec.ts';
import { monitoringSpecSchema } from './monitoring-spec.ts';
import { rolloutSpecSchema } from './rollout-spec.ts';
import { PRESETS_WITHOUT_METRICS, PRESET_FORMATS, RUNTIME_PRESETS, presetServesFormat } from './runtime-presets.ts';
import { runtimeSpecSchema } from './runtime-spec.ts';
import { uriCredentialRules } from './uri-credentials.ts';

export const MODES = ['realtime', 'batch'] as const;
export type Mode = (typeof MODES)[number];

const specObject = z
  .strictObject({
    mode: z
      .enum(MODES)
      .default('realtime')
      .describe('realtime serves requests; batch scores stored data on a schedule or on demand (spec.batch, required then).'),
    model: modelSpecSchema,
    runtime: runtimeSpecSchema,
    replicas: int32()
      .min(0, { error: 'must be 0 or more' })
      .default(1)
      .describe('Number of model server pods; ignored while autoscaling is set, and in batch mode.'),
    autoscaling: autoscalingSpecSchema.optional(),
    rollout: rolloutSpecSchema.optional(),
    batch: batchSpecSchema.optional(),
    monitoring: monitoringSpecSchema.optional(),
  })
  .describe('Desired state of the model deployment.');

type SpecObject = z.output<typeof specObject>;

// CEL map literal of the preset/format table, e.g. {'mlserver': ['sklearn', ...], ...}.
const formatTableCel = `{${RUNTIME_PRESETS.filter((p) => p !== 'custom')
  .map((p) => `'${p}': [${PRESET_FORMATS[p].map((f) => `'${f}'`).join(', ')}]`)
  .join(', ')}}`;

function hasRequest(spec: SpecObject, resource: 'cpu' | 'memory'): boolean {
  const r = spec.runtime.resources;
  return r?.requests?.[resource] !== undefined || r?.limits?.[resource] !== undefined;
}

const hasRequestCel = (resource: string) =>
  `(has(self.runtime.resources) && ((has(self.runtime.resources.requests) && '${resource}' in self.runtime.resources.requests) || (has(self.runtime.resources.limits) && '${resource}' in self.runtime.resources.limits)))`;

export const modelDeploymentSpecSchema = withCelRules(specObject, [
  ...uriCredentialRules,
  {
    rule: "!has(self.mode) || self.mode != 'batch' || has(self.batch)",
    message: 'batch is required when mode is batch',
    fieldPath: '.batch',
    reason: 'FieldValueRequired',
    check: (s) => s.mode !== 'batch' || s.batch !== undefined,
  },
  {
    rule: "!has(self.batch) || (has(self.mode) && self.mode == 'batch')",
    message: 'batch is only read when mode is batch; set mode: batch',
    fieldPath: '.batch',
    reason: 'FieldValueForbidden',
    check: (s) => s.batch === undefined || s.mode === 'batch',
  },
  {
    rule: "!has(self.rollout) || !has(self.mode) || self.mode != 'batch'",
    message: 'rollout has no meaning in batch mode: each run scores with the model as spec.model names it when the run starts; remove rollout',
    fieldPath: '.rollout',
    reason: 'FieldValueForbidden',
    check: (s) => s.rollout === undefined || s.mode !== 'batch',
  },
  {
    rule: "!has(self.autoscaling) || !has(self.mode) || self.mode != 'batch'",
    message: 'autoscaling has no meaning in batch mode: batch.parallelism sets how many shards are scored at once; remove autoscaling',
    fieldPath: '.autoscaling',
    reason: 'FieldValueForbidden',
    check: (s) => s.autoscaling === undefined || s.mode !== 'batch',
  },
  {
    rule: "!has(self.monitoring) || !has(self.monitoring.logging) || !has(self.mode) || self.mode != 'batch'",
    message:
      'monitoring.logging records the requests a realtime model server answers; in batch mode every prediction is already written to batch.output: remove monitoring.logging, or set mode: realtime',
    fieldPath: '.monitoring.logging',
    reason: 'FieldValueForbidden',
    check: (s) => s.monitoring?.logging === undefined || s.mode !== 'batch',
  },
  {
    // A preset's server is told its port; a custom image listens where it listens, so it cannot be
    // moved behind the agent.
    rule: "!has(self.monitoring) || !has(self.monitoring.logging) || !has(self.runtime) || self.runtime.preset != 'custom'",
    message:
      'monitoring.logging needs a runtime preset other than custom: the logging agent takes the serving port and moves the model server to another one, which modelship can only tell the servers of its presets',
    fieldPath: '.monitoring.logging',
    reason: 'FieldValueForbidden',
    check: (s) => s.monitoring?.logging === undefined || s.runtime.preset !== 'custom',
  },
  {
    rule: `!has(self.monitoring) || !has(self.monitoring.logging) || !has(self.runtime) || !has(self.runtime.ports) || (${agentPortsFreeCel('self.runtime.ports')})`,
    message: `runtime.ports cannot use ${AGENT_PORTS.join(' or ')} while monitoring.logging is set: the logging agent in front of the model server moves the server to ${AGENT_PORTS[0]} and serves metrics on ${AGENT_PORTS[1]}; choose other ports`,
    fieldPath: '.runtime.ports',
    check: (s) =>
      s.monitoring?.logging === undefined || Object.values(s.runtime.ports ?? {}).every((p) => p === undefined || !AGENT_PORTS.includes(p)),
  },
  {
    // Guarded so a missing model or an unknown preset reports only its own schema error.
    rule: `!has(self.model) || !has(self.model.format) || !has(self.runtime) || !(self.runtime.preset in ${formatTableCel}) || self.model.format in ${formatTableCel}[self.runtime.preset]`,
    message: `model.format must be one that runtime.preset serves: ${RUNTIME_PRESETS.map((p) => `${p}: ${p === 'custom' ? 'any' : PRESET_FORMATS[p].join(', ')}`).join('; ')}`,
    messageFor: (s) =>
      `model format ${s.model.format} cannot be served by runtime preset ${s.runtime.preset}; it serves: ${PRESET_FORMATS[s.runtime.preset].join(', ')}`,
    fieldPath: '.model.format',
    check: (s) => presetServesFormat(s.runtime.preset, s.model.format),
  },
  {
    rule: `!has(self.autoscaling) || !has(self.runtime) || !(has(self.autoscaling.targetCPUUtilization) || (!has(self.autoscaling.targetMemoryUtilization) && (!has(self.autoscaling.metrics) || size(self.autoscaling.metrics) == 0))) || ${hasRequestCel('cpu')}`,
    message: `runtime.resources.requests.cpu is required to autoscale on CPU (targetCPUUtilization, or no target at all, which means ${DEFAULT_CPU_UTILIZATION}% CPU)`,
    fieldPath: '.runtime.resources',
    reason: 'FieldValueRequired',
    check: (s) => s.autoscaling === undefined || !scalesOnCpu(s.autoscaling) || hasRequest(s, 'cpu'),
  },
  {
    rule: `!has(self.autoscaling) || !has(self.runtime) || !has(self.autoscaling.targetMemoryUtilization) || ${hasRequestCel('memory')}`,
    message: 'runtime.resources.requests.memory is required to autoscale on memory (targetMemoryUtilization)',
    fieldPath: '.runtime.resources',
    reason: 'FieldValueRequired',
    check: (s) => s.autoscaling?.targetMemoryUtilization === undefined || hasRequest(s, 'memory'),
  },
  {
    // Without metrics and custom checks every analysis run is Inconclusive: the canary only pauses.
    rule: `!has(self.rollout) || !has(self.rollout.analysis) || !has(self.runtime) || !(self.runtime.preset in [${PRESETS_WITHOUT_METRICS.map((p) => `'${p}'`).join(', ')}]) || (has(self.rollout.analysis.metrics) && size(self.rollout.analysis.metrics) > 0) || (has(self.rollout.analysis.accuracy) && (!has(self.rollout.analysis.accuracy.enabled) || self.rollout.analysis.accuracy.enabled)) || (has(self.rollout.analysis.drift) && (!has(self.rollout.analysis.drift.enabled) || self.rollout.analysis.drift.enabled))`,
    message: `analysis needs metrics, accuracy or drift with runtime preset ${PRESETS_WITHOUT_METRICS.join(' or ')}: its server exports no Prometheus metrics, so the built-in successRate and latency checks cannot run and every measurement would be Inconclusive`,
    fieldPath: '.rollout.analysis',
    check: (s) =>
      s.rollout?.analysis === undefined ||
      !PRESETS_WITHOUT_METRICS.includes(s.runtime.preset) ||
      (s.rollout.analysis.metrics ?? []).length > 0 ||
      (s.rollout.analysis.accuracy !== undefined && s.rollout.analysis.accuracy.enabled !== false) ||
      (s.rollout.analysis.drift !== undefined && s.rollout.analysis.drift.enabled !== false),
  },
]);

export type ModelDeploymentSpec = z.output<typeof modelDeploymentSpecSchema>;
