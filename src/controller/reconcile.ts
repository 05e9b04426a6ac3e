// One reconcile of one ModelDeployment, level-based, as named phases: load it, observe the live
// objects and take the evidence that is ready, decide the rollout's next step, request the evidence
// the decision asks for (fetched outside the worker), render the desired children, apply what
// differs, prune what is no longer wanted, report. Phases return what they found and never write
// status; the status is computed from all of it and written once, at the end, only if it changed.
import type { Logger } from 'pino';
import type { RolloutDecision } from '../rollout/index.ts';
import { reconcileBatchMode } from './batch-mode.ts';
import { driftChecks, isDriftJob } from './drift-checks.ts';
import { apply } from './phases/apply.ts';
import { decide } from './phases/decide.ts';
import { emitEvents } from './phases/emit-events.ts';
import { load } from './phases/load.ts';
import { observe, observeLive } from './phases/observe.ts';
import { prune } from './phases/prune.ts';
import { render } from './phases/render.ts';
import { requestEvidence } from './phases/request-evidence.ts';
import { metaTime, nextStatus, observeServing } from './phases/report.ts';
import { requeue } from './phases/requeue.ts';
import { writeStatus } from './phases/write-status.ts';
import { withRegistryStatus } from './registry-status.ts';
import { endQuietly } from './namespace-ending.ts';
import { echoChangesNothing } from './quiet-echo.ts';
import { STALE_CACHE_RETRY_MS, type ReconcileDeps, type ReconcileOutcome } from './reconcile-deps.ts';

export { MODEL_DEPLOYMENT_API_VERSION, MODEL_DEPLOYMENT_KIND } from './reconcile-deps.ts';
export type { EventSink, ReconcileDeps, ReconcileOutcome } from './reconcile-deps.ts';

/** `yieldWorker` is called when only the status write is left, which waits behind the cluster-changing requests. */
export async function reconcile(key: string, deps: ReconcileDeps, log: Logger, yieldWorker: () => void = () => {}): Promise<ReconcileOutcome> {
  const loaded = load(key, deps);
  if (!loaded.ok) return loaded.outcome;
  const { target } = loaded;
  // Retraining triggers: decided from the cached status, sent outside the worker with writes of their own.
  deps.retrainer?.observe(target.md, target.spec);
  // Batch scoring: runs as Jobs, no serving objects and no rollout (batch-mode.ts).
  if (target.spec?.mode === 'batch') return reconcileBatchMode(target, target.spec, deps, log, yieldWorker);

  let decision: RolloutDecision | undefined; // none for a spec that does not parse
  if (target.spec) {
    const now = deps.now();
    decision = decide(target, target.spec, observe(target, target.spec, deps), now);
  }
  requestEvidence(target, decision, deps);
  const desired = render(target, decision, deps.renderConfig, deps.caches);
  const applied = await apply(target, desired.objects, deps, log);
  // The namespace is being deleted: its children go with it; no retry, no status, no Event.
  if (applied.namespaceEnding !== undefined) return endQuietly(log, applied.namespaceEnding);
  // Never prune on a render error: that would delete a working model.
  // Drift Jobs are created and deleted by driftChecks while drift is set, and pruned once it is not.
  const keepDriftJobs = target.spec?.monitoring?.drift !== undefined ? isDriftJob : undefined;
  const pruned = desired.renderError ? undefined : await prune(target, desired.objects, deps, log, keepDriftJobs);

  // Report: the deferred status write, then Events, then when to look again.
  const results = { decision, desired, applied, errors: [...applied.errors, ...(pruned?.errors ?? [])] };
  const served = withRegistryStatus(
    nextStatus(target, observeServing(target, results, deps.caches), results, metaTime(deps.now())),
    target.md.status?.model,
    target.registry,
    target.generation,
    metaTime(deps.now()),
    target.md.status?.history,
  );
  const drift = await driftChecks(target, decision, served, deps, log);
  const next = drift.status;
  const { spec } = target;
  const quietEcho = () => spec !== undefined && echoChangesNothing(spec, observeLive(target, spec, target.md.status, deps), observeLive(target, spec, next, deps));
  const write = await writeStatus(target, next, deps, log, yieldWorker, quietEcho);
  // Evidence taken by this reconcile is lost with the write: the machine asks for it again (evidence-gatherer.ts).
  if (write === 'conflict') return { requeueAfterMs: STALE_CACHE_RETRY_MS };
  if (write === 'gone') return {};
  const changed = [...applied.changed, ...(pruned?.changed ?? [])];
  emitEvents(deps.events, target.eventTarget, { write, previous: target.md.status, next, decision, changed });
  if (write === 'written') for (const e of drift.events) deps.events.emit(target.eventTarget, e.type, e.reason, e.message);
  const outcome = requeue(results.errors, desired.renderError !== undefined, decision);
  const after = Math.min(outcome.requeueAfterMs ?? Infinity, drift.requeueAfterMs ?? Infinity);
  return Number.isFinite(after) ? { requeueAfterMs: after } : {};
}
