// Prometheus metrics under controller-runtime's names and labels, so the dashboards and alerts written
// for Go operators (kube-prometheus, the Operator SDK's) work for modelship unchanged. Each
// createMetrics() call gets its own Registry: tests and several managers in one process don't collide.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkQueueMetrics } from '../kube/work-queue.ts';
import type { RetrainingSendMetrics, SendLabels, SendResultLabel } from '../retraining/send-metrics.ts';
import type { DriftGaugeValues } from './drift-gauges.ts';
import type { RetrainingGaugeValues } from './retraining-gauges.ts';
import type { RolloutGaugeValue } from './rollout-gauges.ts';

/** The `result` label of controller_runtime_reconcile_total. */
export type ReconcileResult = 'success' | 'error' | 'requeue' | 'requeue_after';
export const RECONCILE_RESULTS: readonly ReconcileResult[] = ['success', 'error', 'requeue', 'requeue_after'];

/** controller-runtime's buckets for controller_runtime_reconcile_time_seconds (pkg/internal/controller/metrics). */
export const RECONCILE_TIME_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0,
  2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** client-go's workqueue buckets: prometheus.ExponentialBuckets(10e-9, 10, 12), 10 ns to 1000 s. */
export const WORKQUEUE_BUCKETS: readonly number[] = Array.from({ length: 12 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1)));

/** client-go's rest_client_request_duration_seconds buckets (k8s.io/component-base). */
export const REST_CLIENT_BUCKETS: readonly number[] = [0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0];

export interface Metrics {
  registry: Registry;
  reconcileTotal: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller'>;
  reconcileTime: Histogram<'controller'>;
  activeWorkers: Gauge<'controller'>;
  maxConcurrentReconciles: Gauge<'controller'>;
  workqueueDepth: Gauge<'name'>;
  workqueueAdds: Counter<'name'>;
  workqueueQueueDuration: Histogram<'name'>;
  workqueueWorkDuration: Histogram<'name'>;
  workqueueRetries: Counter<'name'>;
  workqueueUnfinishedWork: Gauge<'name'>;
  workqueueLongestRunningProcessor: Gauge<'name'>;
  restClientRequests: Counter<'code' | 'method' | 'host'>;
  restClientRequestDuration: Histogram<'verb' | 'host'>;
  leaderElectionMasterStatus: Gauge<'name'>;
  /** ModelDeployments per condition type and status, e.g. {condition="Ready",status="False"}. */
  modelDeployments: Gauge<'condition' | 'status'>;
  /** Children whose apply was skipped because their managed fields already matched. */
  applySkipped: Counter<'kind'>;
  /** Server-side applies sent, by child kind. */
  applyTotal: Counter<'kind'>;
  /** Evidence fetches (smoke checks, measurements) waiting for a slot (--evidence-concurrency). */
  evidenceWaiting: Gauge;
  /** Evidence fetches running. */
  evidenceInFlight: Gauge;
  /** status.canary.weight per ModelDeployment (0 without a canary). */
  rolloutCanaryWeight: Gauge<'model_namespace' | 'model_deployment'>;
  /** status.canary.step per ModelDeployment (-1 without a canary). */
  rolloutStep: Gauge<'model_namespace' | 'model_deployment'>;
  driftCheckVerdict: Gauge<'model_namespace' | 'model_deployment' | 'verdict'>;
  driftFeatureEffectSize: Gauge<'model_namespace' | 'model_deployment' | 'feature'>;
  driftFeaturePValue: Gauge<'model_namespace' | 'model_deployment' | 'feature'>;
  /** Retraining trigger sends by result (src/retraining/send-metrics.ts). */
  retrainingSends: Counter<keyof SendLabels | 'result'>;
  /** status.retraining.lastTrigger.time in Unix seconds. */
  retrainingLastTriggerTime: Gauge<'model_namespace' | 'model_deployment' | 'reason' | 'target'>;
  /** status.retraining.lastTrigger.state: 1 for the series of that state, 0 for the others. */
  retrainingLastTriggerState: Gauge<'model_namespace' | 'model_deployment' | 'state'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    reconcileTotal: new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    }),
    reconcileErrors: new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    }),
    reconcileTime: new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: [...RECONCILE_TIME_BUCKETS],
      registers,
    }),
    activeWorkers: new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    }),
    maxConcurrentReconciles: new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    }),
    workqueueDepth: new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers }),
    workqueueAdds: new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers,
    }),
    workqueueQueueDuration: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'],
      buckets: [...WORKQUEUE_BUCKETS],
      registers,
    }),
    workqueueWorkDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: ['name'],
      buckets: [...WORKQUEUE_BUCKETS],
      registers,
    }),
    workqueueRetries: new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers,
    }),
    workqueueUnfinishedWork: new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help:
        "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. " +
        'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      labelNames: ['name'],
      registers,
    }),
    workqueueLongestRunningProcessor: new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name'],
      registers,
    }),
    restClientRequests: new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of HTTP requests, partitioned by status code, method, and host.',
      labelNames: ['code', 'method', 'host'],
      registers,
    }),
    restClientRequestDuration: new Histogram({
      name: 'rest_client_request_duration_seconds',
      help: 'Request latency in seconds. Broken down by verb, and host.',
      labelNames: ['verb', 'host'],
      buckets: [...REST_CLIENT_BUCKETS],
      registers,
    }),
    leaderElectionMasterStatus: new Gauge({
      name: 'leader_election_master_status',
      help:
        'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. ' +
        "'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'],
      registers,
    }),
    modelDeployments: new Gauge({
      name: 'modelship_model_deployments',
      help: 'ModelDeployments by condition type and status.',
      labelNames: ['condition', 'status'],
      registers,
    }),
    applySkipped: new Counter({
      name: 'modelship_apply_skipped_total',
      help: 'Children not applied because their fields managed by modelship already matched, by kind.',
      labelNames: ['kind'],
      registers,
    }),
    applyTotal: new Counter({
      name: 'modelship_apply_total',
      help: 'Server-side apply requests sent for children, by kind.',
      labelNames: ['kind'],
      registers,
    }),
    evidenceWaiting: new Gauge({
      name: 'modelship_evidence_fetches_waiting',
      help: 'Smoke checks and analysis measurements waiting for a slot (--evidence-concurrency).',
      registers,
    }),
    evidenceInFlight: new Gauge({
      name: 'modelship_evidence_fetches_in_flight',
      help: 'Smoke checks and analysis measurements running.',
      registers,
    }),
    rolloutCanaryWeight: new Gauge({
      name: 'modelship_rollout_canary_weight',
      help: 'Percent of traffic the canary is asked to take (status.canary.weight), 0 without a canary.',
      labelNames: ['model_namespace', 'model_deployment'],
      registers,
    }),
    rolloutStep: new Gauge({
      name: 'modelship_rollout_step',
      help: 'Index of the canary\'s current step in spec.rollout.steps (status.canary.step), -1 without a canary.',
      labelNames: ['model_namespace', 'model_deployment'],
      registers,
    }),
    driftCheckVerdict: new Gauge({
      name: 'modelship_drift_check_verdict',
      help: 'The verdict of the last drift check (status.drift.lastCheck.verdict): 1 for the series of that verdict, 0 for the others.',
      labelNames: ['model_namespace', 'model_deployment', 'verdict'],
      registers,
    }),
    driftFeatureEffectSize: new Gauge({
      name: 'modelship_drift_feature_effect_size',
      help: 'Effect size (PSI or Jensen-Shannon distance) of a feature in the last drift check (status.drift.features).',
      labelNames: ['model_namespace', 'model_deployment', 'feature'],
      registers,
    }),
    driftFeaturePValue: new Gauge({
      name: 'modelship_drift_feature_p_value',
      help: 'p-value of the test of a feature in the last drift check (status.drift.features).',
      labelNames: ['model_namespace', 'model_deployment', 'feature'],
      registers,
    }),
    retrainingSends: new Counter({
      name: 'modelship_retraining_sends_total',
      help: 'Retraining trigger sends by result: sent (a new run accepted), duplicate (the target already had the trigger id), failed (sent again after a backoff).',
      labelNames: ['model_namespace', 'model_deployment', 'reason', 'target', 'result'],
      registers,
    }),
    retrainingLastTriggerTime: new Gauge({
      name: 'modelship_retraining_last_trigger_timestamp_seconds',
      help: 'When the last retraining trigger was decided (status.retraining.lastTrigger.time), Unix seconds.',
      labelNames: ['model_namespace', 'model_deployment', 'reason', 'target'],
      registers,
    }),
    retrainingLastTriggerState: new Gauge({
      name: 'modelship_retraining_last_trigger_state',
      help: 'The state of the last retraining trigger (status.retraining.lastTrigger.state): 1 for the series of that state, 0 for the others.',
      labelNames: ['model_namespace', 'model_deployment', 'state'],
      registers,
    }),
  };
}

/**
 * What controller-runtime does when a controller starts: publish its worker limit and create every
 * reconcile_total series at 0, so rate() and absent() work before the first reconcile.
 */
export function initControllerMetrics(metrics: Metrics, controller: string, maxConcurrentReconciles: number): void {
  metrics.maxConcurrentReconciles.set({ controller }, maxConcurrentReconciles);
  metrics.activeWorkers.set({ controller }, 0);
  metrics.reconcileErrors.inc({ controller }, 0);
  for (const result of RECONCILE_RESULTS) metrics.reconcileTotal.inc({ controller, result }, 0);
}

/** Sets the rollout gauges to exactly these ModelDeployments (a deleted one's series go away). */
export function setRolloutGauges(metrics: Metrics, values: readonly RolloutGaugeValue[]): void {
  metrics.rolloutCanaryWeight.reset();
  metrics.rolloutStep.reset();
  for (const v of values) {
    metrics.rolloutCanaryWeight.set(v.labels, v.weight);
    metrics.rolloutStep.set(v.labels, v.step);
  }
}

/** Sets the drift gauges to exactly these ModelDeployments and features (others' series go away). */
export function setDriftGauges(metrics: Metrics, values: DriftGaugeValues): void {
  metrics.driftCheckVerdict.reset();
  metrics.driftFeatureEffectSize.reset();
  metrics.driftFeaturePValue.reset();
  for (const v of values.verdicts) metrics.driftCheckVerdict.set(v.labels, v.value);
  for (const f of values.features) {
    if (f.effectSize !== undefined) metrics.driftFeatureEffectSize.set(f.labels, f.effectSize);
    if (f.pValue !== undefined) metrics.driftFeaturePValue.set(f.labels, f.pValue);
  }
}

/** Sets the retraining gauges to exactly these ModelDeployments' last triggers (others' series go away). */
export function setRetrainingGauges(metrics: Metrics, values: RetrainingGaugeValues): void {
  metrics.retrainingLastTriggerTime.reset();
  metrics.retrainingLastTriggerState.reset();
  for (const t of values.lastTriggerTimes) metrics.retrainingLastTriggerTime.set(t.labels, t.seconds);
  for (const s of values.states) metrics.retrainingLastTriggerState.set(s.labels, s.value);
}

/** The Retrainer's counting of sends into these metrics. */
export function retrainingSendMetrics(metrics: Metrics): RetrainingSendMetrics {
  return { sent: (labels: SendLabels, result: SendResultLabel) => metrics.retrainingSends.inc({ ...labels, result }) };
}

export type { WorkQueueMetrics };

export function workQueueMetrics(metrics: Metrics, name: string): WorkQueueMetrics {
  const labels = { name };
  // Like client-go, create the series at zero when the queue is made.
  metrics.workqueueDepth.set(labels, 0);
  metrics.workqueueAdds.inc(labels, 0);
  metrics.workqueueRetries.inc(labels, 0);
  metrics.workqueueUnfinishedWork.set(labels, 0);
  metrics.workqueueLongestRunningProcessor.set(labels, 0);
  return {
    depth: (n) => metrics.workqueueDepth.set(labels, n),
    added: () => metrics.workqueueAdds.inc(labels),
    queueLatencySeconds: (s) => metrics.workqueueQueueDuration.observe(labels, s),
    workDurationSeconds: (s) => metrics.workqueueWorkDuration.observe(labels, s),
    retried: () => metrics.workqueueRetries.inc(labels),
    unfinishedWorkSeconds: (s) => metrics.workqueueUnfinishedWork.set(labels, s),
    longestRunningProcessorSeconds: (s) => metrics.workqueueLongestRunningProcessor.set(labels, s),
  };
}
