// The ModelDeployment API: schemas, inferred types, validation and identity.
export * from './constants.ts';
export * from './limits.ts';
export * from './runtime-presets.ts';
export { modelDeploymentSchema, objectMetaSchema } from './model-deployment.ts';
export type { ModelDeployment, ModelDeploymentInput } from './model-deployment.ts';
export { modelDeploymentSpecSchema, MODES } from './model-deployment-spec.ts';
export type { ModelDeploymentSpec, Mode } from './model-deployment-spec.ts';
export { modelSpecSchema } from './model-spec.ts';
export type { ModelSpec } from './model-spec.ts';
export { runtimeSpecSchema } from './runtime-spec.ts';
export type { RuntimeSpec } from './runtime-spec.ts';
export { autoscalingSpecSchema, scalesOnCpu, DEFAULT_CPU_UTILIZATION } from './autoscaling-spec.ts';
export type { AutoscalingSpec } from './autoscaling-spec.ts';
export {
  rolloutSpecSchema,
  rolloutStepSchema,
  trafficSpecSchema,
  trafficMatchSchema,
  trafficOf,
  ROLLOUT_STRATEGIES,
  TRAFFIC_PROVIDERS,
  ROUTER_PROVIDERS,
  GATEWAY_PROVIDERS,
  DEFAULT_SCALE_DOWN_DELAY_SECONDS,
} from './rollout-spec.ts';
export type { RolloutSpec, RolloutStep, RolloutStrategy, TrafficMatch, TrafficProvider, TrafficSpec } from './rollout-spec.ts';
export {
  CANARY_PHASES,
  HISTORY_OUTCOMES,
  ROLLOUT_REQUESTS,
  TEMPLATE_HASH_LENGTH,
  canaryStatusSchema,
  historyEntrySchema,
  rolloutStateSchema,
  stableStatusSchema,
  trafficStatusSchema,
} from './rollout-status.ts';
export type {
  CanaryPhase,
  CanaryStatus,
  HistoryEntry,
  HistoryOutcome,
  RolloutRequestKind,
  RolloutState,
  StableStatus,
  TrafficStatus,
} from './rollout-status.ts';
export * from './rollout-annotations.ts';
export { durationMs } from './duration.ts';
export { modelDeploymentStatusSchema } from './status.ts';
export type { ModelDeploymentStatus } from './status.ts';
export { conditionSchema, CONDITION_STATUSES } from './condition.ts';
export type { Condition, ConditionStatus } from './condition.ts';
export type { EnvVar } from './env-var.ts';
export type { Resources } from './resources.ts';
export type { Toleration } from './toleration.ts';
export type { PortsSpec } from './ports-spec.ts';
export { quantityString } from './quantity.ts';
export type { Quantity } from './quantity.ts';
export { parseModelDeployment, formatFieldErrors } from './parse.ts';
export type { FieldError, ParseResult } from './parse.ts';
export * from './analysis-spec.ts';
export * from './analysis-status.ts';
export * from './batch-spec.ts';
export * from './batch-status.ts';
export * from './batch-annotations.ts';
export { CRON_MACROS, CRON_SCHEDULE } from './cron-schedule.ts';
export * from './runner-resources.ts';
export { AGENT_METRICS_PORT, AGENT_UPSTREAM_PORT, DEFAULT_FLUSH_INTERVAL, DEFAULT_LABEL_LOOKBACK, loggingSpecSchema } from './logging-spec.ts';
export type { LoggingSpec } from './logging-spec.ts';
export { monitoringSpecSchema } from './monitoring-spec.ts';
export type { MonitoringSpec } from './monitoring-spec.ts';
export * from './retraining-spec.ts';
export * from './retraining-status.ts';
