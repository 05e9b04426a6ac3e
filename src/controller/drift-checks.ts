// One reconcile of drift detection (spec.monitoring.drift) inside a realtime reconcile: the I/O around
// reconcileDrift (src/drift-checks/reconcile-drift.ts). Its Jobs are created and deleted here, never
// applied or pruned with the serving children; its failures are logged and retried, never applied
// errors: a drift Job that cannot be created must not make a serving model Stalled.
import type { Logger } from 'pino';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { ModelDeploymentStatus } from '../api/index.ts';
import type { StableModel } from '../drift-checks/drift-jobs.ts';
import { LABEL_DRIFT_JOB } from '../drift-checks/labels.ts';
import { DRIFT_CONDITION, reconcileDrift, type DriftEvent } from '../drift-checks/reconcile-drift.ts';
import type { KubeObject } from '../kube/api-client.ts';
import { isConflict } from '../kube/api-error.ts';
import type { JobObject } from '../render/child-objects.ts';
import type { RolloutDecision } from '../rollout/index.ts';
import { findCondition, removeCondition, setCondition } from '../status/conditions.ts';
import { childCacheKey } from './caches.ts';
import { isControlledBy } from './owner-reference.ts';
import { describeError } from './phases/describe-error.ts';
import type { Target } from './phases/load.ts';
import type { ReconcileDeps } from './reconcile-deps.ts';

const JOB = { apiVersion: 'batch/v1', kind: 'Job' } as const;
/** A scheduled time is acted on once it has passed: look a little after it, never just before. */
const SCHEDULE_SLACK_MS = 500;
/** After a failed create or delete: look again this soon. */
const RETRY_MS = 30_000;

export const isDriftJob = (obj: KubeObject): boolean => obj.kind === 'Job' && obj.metadata?.labels?.[LABEL_DRIFT_JOB] !== undefined;

export interface DriftChecks {
  /** The status with status.drift and DriftDetected as found (both removed when drift is not set). */
  readonly status: ModelDeploymentStatus;
  /** Emitted only with the status write that records them. */
  readonly events: readonly DriftEvent[];
  readonly requeueAfterMs?: number;
}

/** PURE: the stable revision that serves, if any: the plan's stable variant once a replica is ready. */
export function servingStable(decision: RolloutDecision | undefined, status: ModelDeploymentStatus): StableModel | undefined {
  if (decision === undefined || (status.readyReplicas ?? 0) === 0) return undefined;
  return { version: decision.plan.stable.version, model: decision.plan.stable.model };
}

export async function driftChecks(
  target: Target,
  decision: RolloutDecision | undefined,
  next: ModelDeploymentStatus,
  deps: ReconcileDeps,
  log: Logger,
): Promise<DriftChecks> {
  const { namespace, name, uid, generation } = target;
  const previous = target.md.status;
  const monitoring = target.spec?.monitoring;
  const drift = monitoring?.drift;
  const logging = monitoring?.logging;
  const parsed = target.parsed.ok ? target.parsed.value : undefined;
  if (drift === undefined || logging === undefined || parsed === undefined || target.spec === undefined) {
    // Not asked for (its Jobs are pruned with the other children), or a spec that does not parse: what
    // was found stays until the spec says otherwise.
    if (target.parsed.ok && drift === undefined) {
      const { drift: _d, ...rest } = next;
      return { status: { ...rest, conditions: removeCondition(next.conditions, DRIFT_CONDITION) }, events: [] };
    }
    return { status: { ...next, ...(previous?.drift !== undefined ? { drift: previous.drift } : {}) }, events: [] };
  }
  const now = deps.now();
  const jobs = (deps.caches.children.get(childCacheKey(JOB.apiVersion, JOB.kind))?.byIndex(namespace, name) ?? []).filter(
    (j) => isDriftJob(j) && isControlledBy(j, uid),
  ) as V1Job[];
  const pods = deps.caches.pods.byIndex(namespace, name).filter((p) => p.metadata?.labels?.[LABEL_DRIFT_JOB] !== undefined) as V1Pod[];
  const plan = reconcileDrift({
    md: { ...parsed, spec: target.spec, metadata: { ...parsed.metadata, namespace, uid } },
    drift,
    logging,
    stable: servingStable(decision, next),
    jobs,
    pods,
    previous: previous?.drift,
    previousCondition: findCondition(previous?.conditions, DRIFT_CONDITION),
    now,
    image: deps.renderConfig.fetcherImage,
  });

  let failed = false;
  for (const job of plan.delete) {
    try {
      await deps.client.delete({ ...JOB, namespace, name: job });
      log.info({ job }, 'drift Job deleted');
    } catch (err) {
      failed = true;
      log.warn({ job, err: describeError(err).message }, 'could not delete a drift Job');
    }
  }
  let status = plan.status;
  for (const job of plan.create) {
    if (await createJob(job, uid, deps, log)) continue;
    failed = true;
    // Not started: the next attempt acts on the same scheduled time again.
    status = { ...status, ...(previous?.drift?.lastScheduleTime !== undefined ? { lastScheduleTime: previous.drift.lastScheduleTime } : {}) };
    if (previous?.drift?.lastScheduleTime === undefined) delete status.lastScheduleTime;
  }
  const nowText = now.toISOString();
  const conditions = setCondition(next.conditions, { type: DRIFT_CONDITION, ...plan.condition, observedGeneration: generation }, nowText);
  const scheduled = plan.requeueAfterMs !== undefined ? plan.requeueAfterMs + SCHEDULE_SLACK_MS : Infinity;
  const after = Math.min(scheduled, failed ? RETRY_MS : Infinity);
  return { status: { ...next, conditions, drift: status }, events: plan.events, ...(Number.isFinite(after) ? { requeueAfterMs: after } : {}) };
}

/**
 * Creates a drift Job: true when it exists afterwards. A name that exists is this Job already (created
 * by a reconcile whose status write was lost); one held by a Job this ModelDeployment does not control
 * is an error.
 */
async function createJob(job: JobObject, uid: string, deps: ReconcileDeps, log: Logger): Promise<boolean> {
  const ref = { ...JOB, namespace: job.metadata.namespace, name: job.metadata.name };
  try {
    await deps.client.create({ ...JOB, namespace: ref.namespace }, job);
    log.info({ job: ref.name }, 'drift Job created');
    deps.onApply?.('Job', true);
    return true;
  } catch (err) {
    if (isConflict(err)) {
      const existing = await deps.client.get(ref).catch(() => undefined);
      if (existing !== undefined && isControlledBy(existing, uid)) return true;
      log.warn({ job: ref.name }, 'the name of a drift Job is taken by a Job this ModelDeployment does not control');
      return false;
    }
    log.warn({ job: ref.name, err: describeError(err).message }, 'could not create a drift Job');
    return false;
  }
}
