// One reconcile of a batch ModelDeployment (spec.mode: batch): the I/O around reconcileBatch
// (src/batch/reconcile-batch.ts). The rollout machine has nothing to do here. The desired children are
// only the ConfigMap run pods mount (if the preset has one); every other child, such as the serving
// objects of a ModelDeployment that was realtime before, is pruned as any child no longer wanted,
// except the run Jobs, which the batch plan creates and deletes itself. Then the plan's deletes and
// its create, then status (one write, only if it changed) and Events, as for realtime.
import type { Logger } from 'pino';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { BATCH_RUN_REQUESTED_ANNOTATION } from '../api/batch-annotations.ts';
import type { ModelDeployment, ModelDeploymentSpec, ModelDeploymentStatus } from '../api/index.ts';
import { LABEL_BATCH_RUN } from '../batch/labels.ts';
import { reconcileBatch, type BatchPlan } from '../batch/reconcile-batch.ts';
import type { KubeObject } from '../kube/api-client.ts';
import { isConflict } from '../kube/api-error.ts';
import { renderModelDeployment } from '../render/index.ts';
import { removeCondition, setCondition } from '../status/conditions.ts';
import { computeStatus } from '../status/compute-status.ts';
import { asReason } from '../status/foreign-reason.ts';
import type { ApplyError, Observations } from '../status/observations.ts';
import { childCacheKey } from './caches.ts';
import { endQuietly } from './namespace-ending.ts';
import { isControlledBy } from './owner-reference.ts';
import { apply } from './phases/apply.ts';
import { describeError } from './phases/describe-error.ts';
import { emitEvents } from './phases/emit-events.ts';
import type { Target } from './phases/load.ts';
import { prune } from './phases/prune.ts';
import { metaTime } from './phases/report.ts';
import { requeue } from './phases/requeue.ts';
import { writeStatus } from './phases/write-status.ts';
import { STALE_CACHE_RETRY_MS, type ReconcileDeps, type ReconcileOutcome } from './reconcile-deps.ts';
import { withRegistryStatus } from './registry-status.ts';

const JOB = { apiVersion: 'batch/v1', kind: 'Job' } as const;

/** A scheduled time is acted on once it has passed: look a little after it, never just before. */
const SCHEDULE_SLACK_MS = 500;

const isRunJob = (obj: KubeObject): boolean => obj.kind === 'Job' && obj.metadata?.labels?.[LABEL_BATCH_RUN] !== undefined;

export async function reconcileBatchMode(
  target: Target,
  spec: ModelDeploymentSpec,
  deps: ReconcileDeps,
  log: Logger,
  yieldWorker: () => void,
): Promise<ReconcileOutcome> {
  const { namespace, name, uid, md: object } = target;
  deps.evidence.forget(target.key);
  const parsed = target.parsed.ok ? target.parsed.value : undefined;
  if (parsed === undefined || spec.batch === undefined) throw new Error(`${target.key}: batch reconcile of a spec without spec.batch`);
  const md: ModelDeployment = { ...parsed, spec, metadata: { ...parsed.metadata, namespace, uid } };
  const now = deps.now();

  const rendered = renderModelDeployment(md, deps.renderConfig);
  const renderError = rendered.ok ? undefined : { code: rendered.error.code, field: rendered.error.field, message: rendered.error.message };
  const desired = rendered.ok ? rendered.objects : [];
  const applied = await apply(target, desired, deps, log);
  if (applied.namespaceEnding !== undefined) return endQuietly(log, applied.namespaceEnding);
  const pruned = renderError ? undefined : await prune(target, desired, deps, log, isRunJob);
  const errors: ApplyError[] = [...applied.errors, ...(pruned?.errors ?? [])];
  const changed = [...applied.changed, ...(pruned?.changed ?? [])];

  const jobs = (deps.caches.children.get(childCacheKey(JOB.apiVersion, JOB.kind))?.byIndex(namespace, name) ?? []).filter(
    (j) => isRunJob(j) && isControlledBy(j, uid),
  ) as V1Job[];
  const pods = deps.caches.pods.byIndex(namespace, name).filter((p) => p.metadata?.labels?.[LABEL_BATCH_RUN] !== undefined) as V1Pod[];
  const created = (object.metadata as { creationTimestamp?: string } | undefined)?.creationTimestamp;
  const plan: BatchPlan | undefined = renderError
    ? undefined
    : reconcileBatch({
        md,
        batch: spec.batch,
        config: deps.renderConfig,
        previous: object.status?.batch,
        requested: object.metadata?.annotations?.[BATCH_RUN_REQUESTED_ANNOTATION],
        createdAt: created !== undefined ? new Date(created) : undefined,
        jobs,
        pods,
        now,
        runnerImage: deps.renderConfig.fetcherImage,
      });

  let batch = object.status?.batch;
  if (plan !== undefined) {
    for (const run of plan.delete) {
      try {
        await deps.client.delete({ ...JOB, namespace, name: run });
        changed.push(`Job/${run} (deleted)`);
        log.info({ run }, 'batch run deleted');
      } catch (err) {
        const { message, code } = describeError(err);
        errors.push({ kind: 'Job', name: run, message: `could not delete: ${message}`, ...(code !== undefined ? { code } : {}) });
      }
    }
    const failed = plan.create !== undefined ? await createRun(plan.create.job, uid, deps, log) : undefined;
    if (failed !== undefined) errors.push(failed);
    else if (plan.create !== undefined) changed.push(`Job/${plan.create.job.metadata?.name ?? ''} (created)`);
    // A run that was not created is not handled: the next attempt acts on the same time or request.
    batch = failed === undefined ? plan.status : withoutHandled(plan.status, object.status?.batch);
  }

  const next = withRegistryStatus(
    batchModeStatus(target, renderError, errors, plan, batch, metaTime(now)),
    object.status?.model,
    target.registry,
    target.generation,
    metaTime(now),
    object.status?.history,
  );
  const write = await writeStatus(target, next, deps, log, yieldWorker);
  if (write === 'conflict') return { requeueAfterMs: STALE_CACHE_RETRY_MS };
  if (write === 'gone') return {};
  emitEvents(deps.events, target.eventTarget, { write, previous: object.status, next, decision: undefined, changed });
  if (write === 'written') for (const e of plan?.events ?? []) deps.events.emit(target.eventTarget, e.type, e.reason, e.message);
  const scheduled = plan?.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs + SCHEDULE_SLACK_MS } : {};
  const outcome = requeue(errors, renderError !== undefined, undefined);
  const after = Math.min(outcome.requeueAfterMs ?? Infinity, scheduled.requeueAfterMs ?? Infinity);
  return Number.isFinite(after) ? { requeueAfterMs: after } : {};
}

/**
 * Creates a run's Job. A name that exists is this run already (created by a reconcile whose status
 * write was lost): success. One held by an object this ModelDeployment does not control is an error.
 */
async function createRun(job: KubeObject & { apiVersion: string; kind: string }, uid: string, deps: ReconcileDeps, log: Logger): Promise<ApplyError | undefined> {
  const ref = { ...JOB, namespace: job.metadata?.namespace, name: job.metadata?.name };
  try {
    await deps.client.create({ ...JOB, namespace: ref.namespace }, job);
    log.info({ run: ref.name }, 'batch run created');
    deps.onApply?.('Job', true);
    return undefined;
  } catch (err) {
    if (isConflict(err)) {
      const existing = await deps.client.get(ref).catch(() => undefined);
      if (existing !== undefined && isControlledBy(existing, uid)) return undefined;
      return { kind: 'Job', name: ref.name ?? '', message: `the name of run ${ref.name ?? ''} is taken by a Job this ModelDeployment does not control`, code: 409 };
    }
    const { message, code } = describeError(err);
    return { kind: 'Job', name: ref.name ?? '', message, ...(code !== undefined ? { code } : {}) };
  }
}

function withoutHandled(next: NonNullable<BatchPlan['status']>, previous: ModelDeploymentStatus['batch']): NonNullable<BatchPlan['status']> {
  const { lastScheduleTime: _t, lastHandledRunRequest: _r, ...rest } = next;
  return {
    ...rest,
    ...(previous?.lastScheduleTime !== undefined ? { lastScheduleTime: previous.lastScheduleTime } : {}),
    ...(previous?.lastHandledRunRequest !== undefined ? { lastHandledRunRequest: previous.lastHandledRunRequest } : {}),
  };
}

/**
 * PURE: the status of a batch ModelDeployment: Ready, Reconciling and Stalled as for realtime (set up,
 * applies and render), without the serving fields; LastRunSucceeded from the newest finished run (a
 * failed run does not make the ModelDeployment unready); status.batch from the plan.
 */
export function batchModeStatus(
  target: Target,
  renderError: Observations['renderError'],
  errors: readonly ApplyError[],
  plan: BatchPlan | undefined,
  batch: ModelDeploymentStatus['batch'],
  now: string,
): ModelDeploymentStatus {
  const observations: Observations = {
    generation: target.generation,
    ...(renderError ? { renderError } : {}),
    applyErrors: [...errors],
    deployments: [],
    pods: [],
    serviceUrl: '',
  };
  const served = computeStatus(target.md.status, observations, now);
  const { url: _url, replicas: _replicas, readyReplicas: _ready, trafficSummary: _traffic, ...rest } = served;
  let conditions = removeCondition(served.conditions, 'Serving');
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') {
    const schedule = target.spec?.batch?.schedule;
    const when = schedule !== undefined ? `on schedule "${schedule}"${target.spec?.batch?.suspend ? ' (suspended)' : ''} and on demand` : 'on demand';
    conditions = setCondition(conditions, { type: 'Ready', status: 'True', reason: 'Succeeded', message: `batch runs start ${when}`, observedGeneration: target.generation }, now);
  }
  const condition = plan?.condition;
  if (condition !== undefined) {
    const reason = condition.status === 'True' ? ('RunSucceeded' as const) : asReason(condition.reason, 'RunFailed');
    conditions = setCondition(conditions, { type: 'LastRunSucceeded', status: condition.status, reason, message: condition.message, observedGeneration: target.generation }, now);
  } else if (plan !== undefined) {
    conditions = removeCondition(conditions, 'LastRunSucceeded');
  }
  return { ...rest, conditions, ...(batch !== undefined ? { batch } : {}) };
}
