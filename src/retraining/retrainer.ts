// I/O: sends the retraining triggers decided by decide-retraining.ts, outside the workers (one send per
// ModelDeployment at a time), exactly once per trigger id:
//   1. a new trigger is written to status as Pending first, with the resourceVersion the decision was
//      made from (a status changed since, e.g. by another leader's write, refuses it: 409, decided again);
//   2. then sent with its id as the idempotency key: the Job's name, Airflow's dag_run_id, the webhook's
//      delivery id, so a send repeated after a crash or by a new leader finds the first (AlreadyExists,
//      409) instead of starting a second run;
//   3. then recorded as Sent with its run id. A failed send stays Pending with attempts and
//      nextAttemptTime (backoff), an Event RetrainingFailed; the decision sends it again, same id.
//   Each send is counted by its result (send-metrics.ts: sent, duplicate, failed).
// While Sent or Running, the run's outcome is read back (the Job, the DAG run) every OUTCOME_POLL_MS
// (outcome-poll.ts); a write of it refused because the status changed meanwhile is retried a second later.
// With on.accuracyBelow, the stable revision's accuracy is read once per 5-minute slot (read-accuracy.ts)
// before deciding; a reading that cannot be had is reported once per distinct message (an Event).
import type { Logger } from 'pino';
import type { ModelDeploymentSpec } from '../api/model-deployment-spec.ts';
import type { RetrainingSpec } from '../api/retraining-spec.ts';
import type { RetrainingTargetKind, RetrainingTriggerStatus } from '../api/retraining-status.ts';
import type { ApiClient } from '../kube/api-client.ts';
import { ApiError, isConflict, isNotFound } from '../kube/api-error.ts';
import type { Cidr } from '../outbound/index.ts';
import { createOutboundClient, type OutboundClient } from '../outbound/index.ts';
import type { EventSink } from '../controller/reconcile-deps.ts';
import type { ModelDeploymentObject } from '../controller/caches.ts';
import { jobResult } from '../validation/index.ts';
import { noAnalysisSources, type AnalysisSourceSettings } from '../analysis/prometheus-sources.ts';
import { ACCURACY_SLOT_MS, accuracySlot } from './accuracy-reading.ts';
import { readAccuracy, type AccuracyReadResult } from './read-accuracy.ts';
import { AirflowTarget } from './airflow-target.ts';
import { backoffMs } from './backoff.ts';
import { cooldownMs, decideRetraining, type RetrainingDecision } from './decide-retraining.ts';
import { renderRetrainingJob } from './retraining-job.ts';
import { OUTCOME_POLL_MS, OUTCOME_RETRY_MS, outcomePoll } from './outcome-poll.ts';
import type { RunOutcome, SendResult } from './send-result.ts';
import { sendResultLabel, type RetrainingSendMetrics } from './send-metrics.ts';
import { chooseAirflow, chooseWebhook, type RetrainingTargets } from './targets-file.ts';
import { readDriftStatus, triggerPayload, type TriggerPayload } from './trigger-payload.ts';
import { sendWebhook } from './webhook-target.ts';

const API_VERSION = 'modelship.io/v1alpha1';
const KIND = 'ModelDeployment';

export interface RetrainerOptions {
  readonly client: ApiClient;
  readonly log: Logger;
  readonly events: EventSink;
  readonly targets: RetrainingTargets;
  /** The operator's namespace: where the targets' Secrets are. */
  readonly namespace: string;
  readonly allowCidrs: readonly Cidr[];
  /** Where accuracy is read (on.accuracyBelow): the analysis' Prometheus sources. Default: none. */
  readonly analysisSources?: AnalysisSourceSettings;
  readonly now: () => Date;
  /** Brings a key back to the work queue after `afterMs`. */
  readonly requeue: (key: string, afterMs: number) => void;
  /** Counts each send by its result (modelship_retraining_sends_total). */
  readonly metrics?: RetrainingSendMetrics;
}

type Nullable<T> = { [K in keyof T]?: T[K] | null };
interface RetrainingPatch {
  lastTrigger?: Nullable<RetrainingTriggerStatus>;
  nextAllowedTime?: string;
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function targetKind(spec: RetrainingSpec): RetrainingTargetKind {
  return spec.job !== undefined ? 'job' : spec.airflow !== undefined ? 'airflow' : 'webhook';
}

export class Retrainer {
  private readonly options: RetrainerOptions;
  private readonly inFlight = new Set<string>();
  /**
   * Per key, the resourceVersions our own status writes replaced: while the cache still shows one of
   * them it has not seen our write, and deciding from it would send a trigger already recorded as Sent
   * once more (harmless to the target, which knows the id, but a needless request).
   */
  private readonly replaced = new Map<string, Set<string>>();
  private readonly lastOutcomePoll = new Map<string, number>();
  /** Per key, the latest accuracy read and the last problem reported, so a problem is told once. */
  private readonly accuracy = new Map<string, { result: AccuracyReadResult; reported?: string }>();
  private readonly http: OutboundClient;
  private readonly airflow: AirflowTarget;
  private stopped = false;

  constructor(options: RetrainerOptions) {
    this.options = options;
    this.http = createOutboundClient({ allowCidrs: options.allowCidrs });
    this.airflow = new AirflowTarget({ http: this.http, client: options.client, namespace: options.namespace });
  }

  /** The ModelDeployment is gone (deleted, or moved to another shard): what was kept for it is dropped. */
  forget(key: string): void {
    this.replaced.delete(key);
    this.lastOutcomePoll.delete(key);
    this.accuracy.delete(key);
  }

  /**
   * Called by each reconcile with the cached object: starts the work this ModelDeployment's retraining
   * needs, if any and none is under way, and never waits for it. Returns when to look again.
   */
  observe(md: ModelDeploymentObject, spec: ModelDeploymentSpec | undefined): RetrainingDecision | undefined {
    const retraining = spec?.monitoring?.retraining;
    const { namespace, name, uid } = md.metadata ?? {};
    if (retraining === undefined || namespace === undefined || name === undefined || uid === undefined || this.stopped) return undefined;
    const key = `${namespace}/${name}`;
    if (this.inFlight.has(key)) return undefined;
    const version = md.metadata?.resourceVersion;
    const stale = this.replaced.get(key);
    if (stale !== undefined && version !== undefined) {
      if (stale.has(version)) {
        this.options.requeue(key, 500);
        return undefined;
      }
      this.replaced.delete(key);
    }
    const now = this.options.now();
    const status = md.status?.retraining;
    let accuracy: { value: number; time: Date } | undefined;
    if (retraining.on.accuracyBelow !== undefined && status?.lastTrigger?.state !== 'Pending') {
      const slot = accuracySlot(now);
      const read = this.accuracy.get(key)?.result;
      const revision = md.status?.stable?.revision;
      if (read?.time.getTime() !== slot.getTime() && revision !== undefined && spec !== undefined) {
        // The decision waits for this slot's reading: the read requeues the key when done.
        this.run(key, () => this.readAccuracy(md, spec, revision, slot), true);
        return undefined;
      }
      if (read?.kind === 'reading' && read.time.getTime() === slot.getTime()) accuracy = { value: read.value, time: read.time };
      // The next slot's reading; the queue keeps a key's earliest wake-up, so this is asked every time.
      this.options.requeue(key, Math.max(1000, slot.getTime() + ACCURACY_SLOT_MS - now.getTime()));
    }
    const drift = readDriftStatus(md.status);
    const decision = decideRetraining(retraining, status, now, {
      uid,
      ...(drift.check !== undefined ? { driftCheck: drift.check } : {}),
      ...(accuracy !== undefined ? { accuracy } : {}),
    });
    if (decision.kind === 'trigger') {
      this.run(key, () => this.trigger(md, spec!, retraining, decision));
    } else {
      const at = decision.kind === 'wait-until' ? decision.time : decision.recheckAt;
      if (at !== undefined) this.options.requeue(key, Math.max(1000, at.getTime() - now.getTime()));
      const last = status?.lastTrigger;
      if ((last?.state === 'Sent' || last?.state === 'Running') && this.outcomeDue(key, now)) {
        this.run(key, () => this.readOutcome(md, retraining, last));
      }
    }
    return decision;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.http.close();
  }

  private async readAccuracy(md: ModelDeploymentObject, spec: ModelDeploymentSpec, revision: number, slot: Date): Promise<void> {
    const { namespace, name } = md.metadata as { namespace: string; name: string };
    const key = `${namespace}/${name}`;
    const { client, log, allowCidrs, now } = this.options;
    const result = await readAccuracy({ namespace, name, spec, revision }, slot, {
      client,
      log,
      allowCidrs,
      now,
      analysisSources: this.options.analysisSources ?? noAnalysisSources(this.options.namespace),
    });
    const previous = this.accuracy.get(key);
    const problem = result.kind === 'unavailable' || result.kind === 'invalid' ? result.message : undefined;
    this.accuracy.set(key, { result, ...(problem !== undefined ? { reported: problem } : {}) });
    if (problem !== undefined && problem !== previous?.reported) {
      this.options.events.emit(eventTarget(md), 'Warning', 'RetrainingAccuracyUnavailable', `on.accuracyBelow cannot be evaluated: ${problem}`.slice(0, 1000));
    }
    if (result.kind === 'too-few') log.debug({ modelDeployment: key, labels: result.labels }, 'retraining: too few labels for an accuracy reading');
  }

  private outcomeDue(key: string, now: Date): boolean {
    const poll = outcomePoll(this.lastOutcomePoll.get(key), now.getTime());
    if (poll.due) this.lastOutcomePoll.set(key, now.getTime());
    this.options.requeue(key, poll.wakeInMs);
    return poll.due;
  }

  /** `thenDecide`: the key is looked at again once the work is done (a requeue before would find it in flight). */
  private run(key: string, work: () => Promise<void>, thenDecide = false): void {
    this.inFlight.add(key);
    void work()
      .catch((err: unknown) => {
        this.options.log.warn({ err, modelDeployment: key }, 'retraining: unexpected failure');
        this.options.requeue(key, 10_000);
      })
      .finally(() => {
        this.inFlight.delete(key);
        if (thenDecide) this.options.requeue(key, 0);
      });
  }

  /**
   * A merge patch of status.retraining (null removes a field), refused (409) if the object changed
   * since `resourceVersion`.
   */
  private async writeStatus(md: ModelDeploymentObject, resourceVersion: string | undefined, retraining: RetrainingPatch): Promise<ModelDeploymentObject> {
    const { namespace, name } = md.metadata!;
    const written = await this.options.client.mergePatch<ModelDeploymentObject>(
      { apiVersion: API_VERSION, kind: KIND, namespace: namespace!, name: name!, subresource: 'status' },
      { metadata: resourceVersion !== undefined ? { resourceVersion } : {}, status: { retraining } },
    );
    if (resourceVersion !== undefined) {
      const key = `${namespace}/${name}`;
      const set = this.replaced.get(key) ?? new Set<string>();
      set.add(resourceVersion);
      this.replaced.set(key, set);
    }
    return written;
  }

  private async trigger(md: ModelDeploymentObject, spec: ModelDeploymentSpec, retraining: RetrainingSpec, d: Extract<RetrainingDecision, { kind: 'trigger' }>): Promise<void> {
    const { namespace, name, uid } = md.metadata as { namespace: string; name: string; uid: string };
    const key = `${namespace}/${name}`;
    const now = this.options.now();
    let previous = md.status?.retraining?.lastTrigger;
    let version = md.metadata?.resourceVersion;
    if (!d.resend) {
      const pending: RetrainingTriggerStatus = { id: d.id, reason: d.reason, time: iso(now), evidenceTime: iso(d.evidenceTime), target: targetKind(retraining), state: 'Pending', attempts: 0 };
      try {
        // lastTrigger is replaced whole: null for the previous trigger's fields the new one lacks.
        const written = await this.writeStatus(md, version, {
          lastTrigger: { runId: null, message: null, nextAttemptTime: null, ...pending },
          nextAllowedTime: iso(new Date(now.getTime() + cooldownMs(retraining))),
        });
        version = written.metadata?.resourceVersion;
        previous = pending;
      } catch (err) {
        if (isConflict(err) || isNotFound(err)) return this.options.requeue(key, 500);
        throw err;
      }
    }
    const payload = triggerPayload({
      id: d.id,
      reason: d.reason,
      time: new Date(previous?.time ?? iso(now)),
      evidenceTime: d.evidenceTime,
      namespace,
      model: name,
      uid,
      ...(md.status?.stable?.version !== undefined ? { version: md.status.stable.version } : {}),
      ...(spec.monitoring?.logging?.uri !== undefined ? { logUri: spec.monitoring.logging.uri } : {}),
      drift: readDriftStatus(md.status),
    });
    const result = await this.send(md, retraining, d.id, payload);
    this.options.metrics?.sent({ model_namespace: namespace, model_deployment: name, reason: d.reason, target: targetKind(retraining) }, sendResultLabel(result));
    const attempts = (previous?.attempts ?? 0) + 1;
    const after = this.options.now();
    if (result.ok) {
      const message = result.duplicate ? `${result.runId} was accepted by an earlier send` : `sent as ${result.runId}`;
      try {
        await this.writeStatus(md, version, { lastTrigger: { state: 'Sent', runId: result.runId, attempts, nextAttemptTime: null, message } });
      } catch (err) {
        // Still Pending in status: sent again under the same id, which the target takes as the same run.
        if (isConflict(err) || isNotFound(err)) return this.options.requeue(key, 500);
        throw err;
      }
      this.options.events.emit(eventTarget(md), 'Normal', 'RetrainingTriggered', `${d.reason}: retraining ${d.id} ${message} (${targetKind(retraining)})`);
      this.options.requeue(key, OUTCOME_POLL_MS);
      return;
    }
    const wait = backoffMs(attempts);
    try {
      await this.writeStatus(md, version, {
        lastTrigger: { state: 'Pending', attempts, nextAttemptTime: iso(new Date(after.getTime() + wait)), message: result.message.slice(0, 4000) },
      });
    } catch (err) {
      if (!(isConflict(err) || isNotFound(err))) throw err;
    }
    this.options.events.emit(eventTarget(md), 'Warning', 'RetrainingFailed', `retraining ${d.id} could not be sent (attempt ${attempts}, next in ${Math.round(wait / 1000)}s): ${result.message}`.slice(0, 1000));
    this.options.requeue(key, wait);
  }

  private async send(md: ModelDeploymentObject, r: RetrainingSpec, id: string, payload: TriggerPayload): Promise<SendResult> {
    const { client, namespace: operatorNamespace, targets, now } = this.options;
    if (r.job !== undefined) {
      const { namespace, name, uid } = md.metadata as { namespace: string; name: string; uid: string };
      const job = renderRetrainingJob({ apiVersion: API_VERSION, kind: KIND, name, uid }, namespace, id, r.job, payload);
      try {
        await client.create({ apiVersion: 'batch/v1', kind: 'Job', namespace }, job);
        return { ok: true, runId: job.metadata.name, duplicate: false };
      } catch (err) {
        if (err instanceof ApiError && err.status === 409 && err.reason === 'AlreadyExists') return { ok: true, runId: job.metadata.name, duplicate: true };
        return { ok: false, message: `the Job ${job.metadata.name} could not be created: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    if (r.airflow !== undefined) {
      const choice = chooseAirflow(r.airflow.connection, targets);
      if (!choice.ok) return { ok: false, message: choice.message };
      return this.airflow.send(choice.value, r.airflow.dagId, id, { ...(r.airflow.conf ?? {}), modelship: payload });
    }
    const choice = chooseWebhook(r.webhook!.endpoint, targets);
    if (!choice.ok) return { ok: false, message: choice.message };
    return sendWebhook({ http: this.http, client, namespace: operatorNamespace, now }, choice.value, id, payload);
  }

  private async readOutcome(md: ModelDeploymentObject, r: RetrainingSpec, last: RetrainingTriggerStatus): Promise<void> {
    if (last.runId === undefined) return;
    let outcome: RunOutcome | undefined;
    if (r.job !== undefined && last.target === 'job') {
      const job = await this.options.client.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: md.metadata!.namespace!, name: last.runId });
      if (job !== undefined) {
        const res = jobResult(job as Parameters<typeof jobResult>[0]);
        outcome = { state: res.phase === 'Passed' ? 'Succeeded' : res.phase === 'Failed' ? 'Failed' : 'Running', message: res.message.replace('validation Job', 'retraining Job') };
      }
    } else if (r.airflow !== undefined && last.target === 'airflow') {
      const choice = chooseAirflow(r.airflow.connection, this.options.targets);
      if (choice.ok) outcome = await this.airflow.outcome(choice.value, r.airflow.dagId, last.runId);
    }
    if (outcome === undefined || (outcome.state === last.state && outcome.message === last.message)) return;
    const key = `${md.metadata!.namespace!}/${md.metadata!.name!}`;
    try {
      await this.writeStatus(md, md.metadata?.resourceVersion, { lastTrigger: { state: outcome.state, ...(outcome.message !== undefined ? { message: outcome.message } : {}) } });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      // The status changed since the cached copy (a reconcile's own write, often the same moment):
      // read the outcome again from the newer copy soon, not a whole poll interval later.
      this.lastOutcomePoll.delete(key);
      this.options.requeue(key, OUTCOME_RETRY_MS);
      return;
    }
    if (outcome.state === 'Failed') this.options.events.emit(eventTarget(md), 'Warning', 'RetrainingFailed', outcome.message ?? `retraining ${last.id} failed`);
  }
}

function eventTarget(md: ModelDeploymentObject) {
  const { namespace, name, uid } = md.metadata as { namespace: string; name: string; uid: string };
  return { apiVersion: API_VERSION, kind: KIND, namespace, name, uid };
}
