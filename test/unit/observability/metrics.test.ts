import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetrics, initControllerMetrics, setRolloutGauges, workQueueMetrics } from '../../../src/observability/metrics.ts';
import { rolloutGaugeValues } from '../../../src/observability/rollout-gauges.ts';
import type { WorkQueueMetrics } from '../../../src/observability/metrics.ts';
import type { WorkQueueMetrics as QueueSideHooks } from '../../../src/kube/work-queue.ts';

/** `# TYPE name kind` lines of an exposition, as a map. */
function types(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

void test('every metric is exposed under controller-runtime\'s name and type, plus process metrics', async () => {
  const metrics = createMetrics();
  const exposed = types(await metrics.registry.metrics());
  const expected: Record<string, string> = {
    controller_runtime_reconcile_total: 'counter',
    controller_runtime_reconcile_errors_total: 'counter',
    controller_runtime_reconcile_time_seconds: 'histogram',
    controller_runtime_active_workers: 'gauge',
    controller_runtime_max_concurrent_reconciles: 'gauge',
    workqueue_depth: 'gauge',
    workqueue_adds_total: 'counter',
    workqueue_queue_duration_seconds: 'histogram',
    workqueue_work_duration_seconds: 'histogram',
    workqueue_retries_total: 'counter',
    workqueue_unfinished_work_seconds: 'gauge',
    workqueue_longest_running_processor_seconds: 'gauge',
    rest_client_requests_total: 'counter',
    rest_client_request_duration_seconds: 'histogram',
    leader_election_master_status: 'gauge',
    modelship_model_deployments: 'gauge',
    modelship_apply_skipped_total: 'counter',
    modelship_apply_total: 'counter',
    modelship_evidence_fetches_waiting: 'gauge',
    modelship_evidence_fetches_in_flight: 'gauge',
    modelship_rollout_canary_weight: 'gauge',
    modelship_rollout_step: 'gauge',
    modelship_retraining_sends_total: 'counter',
    modelship_retraining_last_trigger_timestamp_seconds: 'gauge',
    modelship_retraining_last_trigger_state: 'gauge',
    process_resident_memory_bytes: 'gauge',
    process_cpu_seconds_total: 'counter',
    nodejs_eventloop_lag_seconds: 'gauge',
  };
  for (const [name, type] of Object.entries(expected)) assert.equal(exposed.get(name), type, name);
});

void test('labels: controller and result, name, code/method/host, verb/host, condition/status, kind', async () => {
  const m = createMetrics();
  initControllerMetrics(m, 'modeldeployment', 4);
  m.reconcileTotal.inc({ controller: 'modeldeployment', result: 'success' });
  m.reconcileTime.observe({ controller: 'modeldeployment' }, 0.2);
  m.restClientRequests.inc({ code: '200', method: 'PATCH', host: '10.96.0.1:443' });
  m.restClientRequestDuration.observe({ verb: 'PATCH', host: '10.96.0.1:443' }, 0.01);
  m.leaderElectionMasterStatus.set({ name: 'modelship-leader' }, 1);
  m.modelDeployments.set({ condition: 'Ready', status: 'True' }, 3);
  m.applyTotal.inc({ kind: 'Deployment' });
  m.applySkipped.inc({ kind: 'Service' });
  m.evidenceWaiting.set(2);
  m.evidenceInFlight.set(16);
  const text = await m.registry.metrics();
  for (const line of [
    'controller_runtime_reconcile_total{controller="modeldeployment",result="success"} 1',
    'controller_runtime_reconcile_total{controller="modeldeployment",result="error"} 0',
    'controller_runtime_reconcile_total{controller="modeldeployment",result="requeue"} 0',
    'controller_runtime_reconcile_total{controller="modeldeployment",result="requeue_after"} 0',
    'controller_runtime_reconcile_errors_total{controller="modeldeployment"} 0',
    'controller_runtime_max_concurrent_reconciles{controller="modeldeployment"} 4',
    'controller_runtime_active_workers{controller="modeldeployment"} 0',
    'controller_runtime_reconcile_time_seconds_bucket{le="0.25",controller="modeldeployment"} 1',
    'controller_runtime_reconcile_time_seconds_bucket{le="60",controller="modeldeployment"} 1',
    'rest_client_requests_total{code="200",method="PATCH",host="10.96.0.1:443"} 1',
    'rest_client_request_duration_seconds_count{verb="PATCH",host="10.96.0.1:443"} 1',
    'leader_election_master_status{name="modelship-leader"} 1',
    'modelship_model_deployments{condition="Ready",status="True"} 3',
    'modelship_apply_total{kind="Deployment"} 1',
    'modelship_apply_skipped_total{kind="Service"} 1',
    'modelship_evidence_fetches_waiting 2',
    'modelship_evidence_fetches_in_flight 16',
  ]) {
    assert.ok(text.includes(line), `missing ${line}`);
  }
});

void test('workQueueMetrics feeds the workqueue_* metrics of one queue', async () => {
  const m = createMetrics();
  const hooks: WorkQueueMetrics = workQueueMetrics(m, 'modeldeployment');
  const asQueueSees: QueueSideHooks = hooks; // same shape as the work queue's interface
  asQueueSees.added();
  asQueueSees.added();
  asQueueSees.depth(2);
  asQueueSees.queueLatencySeconds(0.001);
  asQueueSees.workDurationSeconds(0.5);
  asQueueSees.retried();
  asQueueSees.unfinishedWorkSeconds?.(1.5);
  asQueueSees.longestRunningProcessorSeconds?.(1.25);
  const text = await m.registry.metrics();
  for (const line of [
    'workqueue_adds_total{name="modeldeployment"} 2',
    'workqueue_depth{name="modeldeployment"} 2',
    'workqueue_queue_duration_seconds_bucket{le="0.001",name="modeldeployment"} 1',
    'workqueue_queue_duration_seconds_count{name="modeldeployment"} 1',
    'workqueue_work_duration_seconds_bucket{le="1",name="modeldeployment"} 1',
    'workqueue_work_duration_seconds_bucket{le="0.1",name="modeldeployment"} 0',
    'workqueue_retries_total{name="modeldeployment"} 1',
    'workqueue_unfinished_work_seconds{name="modeldeployment"} 1.5',
    'workqueue_longest_running_processor_seconds{name="modeldeployment"} 1.25',
  ]) {
    assert.ok(text.includes(line), `missing ${line}`);
  }
});

void test('each createMetrics() has its own registry', async () => {
  const a = createMetrics();
  const b = createMetrics();
  a.applyTotal.inc({ kind: 'Deployment' });
  assert.ok(!(await b.registry.metrics()).includes('modelship_apply_total{kind="Deployment"} 1'));
  assert.match(a.registry.contentType, /^text\/plain/);
});

void test('rollout gauges: the canary weight and step, -1 and 0 without a canary; a deleted ModelDeployment leaves no series', async () => {
  const m = createMetrics();
  const md = (namespace: string, name: string, canary?: { weight: number; step: number }) => ({ metadata: { namespace, name }, status: canary !== undefined ? { canary } : {} });
  setRolloutGauges(m, rolloutGaugeValues([md('shop', 'iris', { weight: 25, step: 2 }), md('risk', 'fraud'), { metadata: { name: 'no-namespace' } }, { status: {} }]));
  let text = await m.registry.metrics();
  for (const line of [
    'modelship_rollout_canary_weight{model_namespace="shop",model_deployment="iris"} 25',
    'modelship_rollout_step{model_namespace="shop",model_deployment="iris"} 2',
    'modelship_rollout_canary_weight{model_namespace="risk",model_deployment="fraud"} 0',
    'modelship_rollout_step{model_namespace="risk",model_deployment="fraud"} -1',
  ]) {
    assert.ok(text.includes(line), `missing ${line}`);
  }
  assert.equal(text.match(/^modelship_rollout_step\{/gm)?.length, 2, 'objects without a name or namespace are skipped');
  setRolloutGauges(m, rolloutGaugeValues([md('shop', 'iris', { weight: 50, step: 3 })]));
  text = await m.registry.metrics();
  assert.ok(text.includes('modelship_rollout_canary_weight{model_namespace="shop",model_deployment="iris"} 50'));
  assert.ok(text.includes('modelship_rollout_step{model_namespace="shop",model_deployment="iris"} 3'));
  assert.ok(!text.includes('model_deployment="fraud"'), 'a deleted ModelDeployment leaves no series');
});
