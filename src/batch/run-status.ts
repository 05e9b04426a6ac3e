// PURE: status.batch from the run Jobs and their pods, as observed. Everything status says about a
// run is on its Job (labels and annotations set by renderRunJob, the Job controller's status), so a
// restarted operator recomputes the same status; records come from the runners' termination messages.
//
// Readiness (kstatus): a batch ModelDeployment is usable while its schedule goes on, whatever its last
// run did; a failed run is a fact about that run, not a resource that needs a person to make progress.
// So Ready stays as the rest of reconciliation decides and a failed run shows as the condition
// LastRunSucceeded=False with the Job's reason (BackoffLimitExceeded, DeadlineExceeded,
// FailedIndexes, PodFailurePolicy...). GitOps tools then do not report the whole resource degraded
// for one bad input file, and alerting can still key on LastRunSucceeded.
//
// A run that failed because a shard failed says why that shard failed: the Job's own reason
// (MaxFailedIndexesExceeded, "Job has exceeded the specified maximal number of failed indexes") says
// only that one did. When the failed index's runner ended with its failure line
// (`modelship-batch: <Class>: <text>`, its termination message), the run's reason is that class
// (TooManyBadRecords, InputNotFound, AccessDenied, Unavailable...) and its message the runner's text.
import type { V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import { MAX_HISTORY } from '../api/limits.ts';
import { ANNOTATION_MODEL_SOURCE, ANNOTATION_OUTPUT, ANNOTATION_TRIGGER, LABEL_BATCH_RUN, LABEL_MODEL_VERSION } from './labels.ts';
import type { Trigger } from './labels.ts';
import { RUNNER_CONTAINER } from './run-job.ts';

export type RunPhase = 'Running' | 'Succeeded' | 'Failed';

export interface Records {
  scored: number;
  failed: number;
}

export interface RunSummary {
  name: string;
  phase: RunPhase;
  trigger: Trigger;
  startedAt: string;
  completedAt?: string;
  modelVersion: string;
  records?: Records;
  reason?: string;
  message?: string;
  output: string;
}

export interface CurrentRun {
  name: string;
  startedAt: string;
  modelVersion: string;
  modelSource: string;
  shards: { total: number; succeeded: number; failed: number; active: number };
  records: Records;
}

export interface LastSuccessfulRun {
  name: string;
  completedAt: string;
  output: string;
  records?: Records;
}

export interface BatchStatus {
  currentRun?: CurrentRun;
  lastSuccessfulRun?: LastSuccessfulRun;
  /** Newest first, at most MAX_HISTORY. */
  runs: RunSummary[];
}

/** The condition this module contributes; the caller adds observedGeneration and the transition time. */
export interface BatchConditionInput {
  type: 'LastRunSucceeded';
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** The runner's termination message on success: `{"scored":N,"failed":M,"records":R}`. */
export interface RunnerSummary {
  scored: number;
  failed: number;
  records: number;
}

const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/** The runner's failure line (src/batch-runner/exit-codes.ts): `modelship-batch: <Class>: <text>`. */
const RUNNER_FAILURE_LINE = /^modelship-batch: ([A-Z][A-Za-z]*): (.+)$/;
/** Job reasons that mean an index failed for good: its runner's failure explains the run's. */
const INDEX_FAILURE_REASONS = new Set(['FailedIndexes', 'MaxFailedIndexesExceeded', 'PodFailurePolicy', 'BackoffLimitExceeded']);
const MAX_RUNNER_TEXT = 480;

/** Client objects carry Dates; objects read as plain JSON carry RFC 3339 strings. */
function iso(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.toISOString();
}

function isTrue(job: V1Job, type: string): V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Indexes in the Job controller's interval format, `1,3-5,7` → 5. */
export function countIndexes(intervals: string | undefined): number {
  if (intervals === undefined || intervals === '') return 0;
  let n = 0;
  for (const part of intervals.split(',')) {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) continue;
    n += to === undefined || Number.isNaN(to) ? 1 : Math.max(0, to - from + 1);
  }
  return n;
}

/** The runner's summary, or undefined for a message that is not one (a log tail, an old runner). */
export function parseRunnerSummary(message: string | undefined): RunnerSummary | undefined {
  if (message === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(message.trim());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const count = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (!count(v.scored) || !count(v.failed) || !count(v.records)) return undefined;
  return { scored: v.scored, failed: v.failed, records: v.records };
}

/**
 * Records of each run: the summaries of its pods whose runner exited 0, one per index (a retried
 * index may leave a succeeded pod twice in rare races; it is counted once).
 */
function recordsByRun(pods: readonly V1Pod[]): Map<string, Records> {
  const seen = new Set<string>();
  const out = new Map<string, Records>();
  for (const pod of pods) {
    const run = pod.metadata?.labels?.[LABEL_BATCH_RUN];
    if (run === undefined) continue;
    const terminated = pod.status?.containerStatuses?.find((c) => c.name === RUNNER_CONTAINER)?.state?.terminated;
    if (terminated?.exitCode !== 0) continue;
    const summary = parseRunnerSummary(terminated.message);
    if (summary === undefined) continue;
    const index = pod.metadata?.annotations?.[JOB_COMPLETION_INDEX] ?? pod.metadata?.labels?.[JOB_COMPLETION_INDEX] ?? pod.metadata?.name ?? '';
    const key = `${run}/${index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const r = out.get(run) ?? { scored: 0, failed: 0 };
    out.set(run, { scored: r.scored + summary.scored, failed: r.failed + summary.failed });
  }
  return out;
}

export interface RunnerFailure {
  index: string;
  cls: string;
  text: string;
}

/** The failure line of a runner's termination message (its last line), or undefined for any other message. */
export function parseRunnerFailure(message: string | undefined): { cls: string; text: string } | undefined {
  const last = message?.trimEnd().split('\n').at(-1);
  const m = last === undefined ? null : RUNNER_FAILURE_LINE.exec(last);
  if (m === null) return undefined;
  const text = m[2]!.replace(/[^\x20-\x7e]/g, '?');
  return { cls: m[1]!, text: text.length <= MAX_RUNNER_TEXT ? text : `${text.slice(0, MAX_RUNNER_TEXT - 3)}...` };
}

/** Indexes in the Job controller's interval format, `1,3-5` → ['1', '3', '4', '5']. */
function indexesOf(intervals: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (intervals ?? '').split(',')) {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) continue;
    const end = to === undefined || Number.isNaN(to) ? from : Math.min(to, from + 1000);
    for (let i = from; i <= end; i++) out.add(String(i));
  }
  return out;
}

/**
 * Why a failed run's shard failed, from its runner's termination message: the lowest failed index
 * (status.failedIndexes; any index when the Job names none) whose runner exited non-zero with its failure
 * line, its latest attempt. Undefined when no runner said (killed, out of memory, never started).
 */
export function runnerFailureOf(job: V1Job, pods: readonly V1Pod[]): RunnerFailure | undefined {
  const run = job.metadata?.name;
  const failedIndexes = indexesOf(job.status?.failedIndexes);
  let found: (RunnerFailure & { at: string }) | undefined;
  for (const pod of pods) {
    if (pod.metadata?.labels?.[LABEL_BATCH_RUN] !== run) continue;
    const index = pod.metadata?.annotations?.[JOB_COMPLETION_INDEX] ?? pod.metadata?.labels?.[JOB_COMPLETION_INDEX];
    if (index === undefined || (failedIndexes.size > 0 && !failedIndexes.has(index))) continue;
    const terminated = pod.status?.containerStatuses?.find((c) => c.name === RUNNER_CONTAINER)?.state?.terminated;
    if (terminated === undefined || terminated.exitCode === 0) continue;
    const failure = parseRunnerFailure(terminated.message);
    if (failure === undefined) continue;
    const at = iso(terminated.finishedAt) ?? '';
    const better = found === undefined || Number(index) < Number(found.index) || (index === found.index && at > found.at);
    if (better) found = { index, ...failure, at };
  }
  return found === undefined ? undefined : { index: found.index, cls: found.cls, text: found.text };
}

function isRun(job: V1Job): boolean {
  return job.metadata?.labels?.[LABEL_BATCH_RUN] !== undefined && job.metadata.name !== undefined;
}

function runPhase(job: V1Job): { phase: RunPhase; condition?: V1JobCondition } {
  // FailureTarget and SuccessCriteriaMet come first, while the last pods terminate.
  const failed = isTrue(job, 'Failed') ?? isTrue(job, 'FailureTarget');
  if (failed !== undefined) return { phase: 'Failed', condition: failed };
  const succeeded = isTrue(job, 'Complete') ?? isTrue(job, 'SuccessCriteriaMet');
  if (succeeded !== undefined) return { phase: 'Succeeded', condition: succeeded };
  return { phase: 'Running' };
}

function startedAt(job: V1Job): string {
  // A Job queued by Kueue (suspended) has no startTime yet: its creation stands in.
  return iso(job.status?.startTime) ?? iso(job.metadata?.creationTimestamp) ?? '';
}

/** Newest first: by creation, then by name (names of one kind sort by time). */
function newestFirst(a: V1Job, b: V1Job): number {
  const ta = iso(a.metadata?.creationTimestamp) ?? '';
  const tb = iso(b.metadata?.creationTimestamp) ?? '';
  if (ta !== tb) return ta < tb ? 1 : -1;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? 1 : na > nb ? -1 : 0;
}

function summarize(job: V1Job, records: Records | undefined, pods: readonly V1Pod[]): RunSummary {
  const { phase, condition } = runPhase(job);
  const meta = job.metadata!;
  const completedAt = phase === 'Running' ? undefined : (iso(job.status?.completionTime) ?? iso(condition?.lastTransitionTime));
  const trigger: Trigger = meta.annotations?.[ANNOTATION_TRIGGER] === 'Manual' ? 'Manual' : 'Schedule';
  const shard = phase === 'Failed' && INDEX_FAILURE_REASONS.has(condition?.reason ?? '') ? runnerFailureOf(job, pods) : undefined;
  const reason = shard?.cls ?? condition?.reason;
  const message = shard !== undefined ? `shard ${shard.index}: ${shard.text.replace(new RegExp(`^shard ${shard.index}: `), '')}` : condition?.message;
  return {
    name: meta.name!,
    phase,
    trigger,
    startedAt: startedAt(job),
    ...(completedAt !== undefined ? { completedAt } : {}),
    modelVersion: meta.labels?.[LABEL_MODEL_VERSION] ?? '',
    ...(records !== undefined ? { records } : {}),
    ...(phase === 'Failed' && reason !== undefined ? { reason } : {}),
    ...(phase === 'Failed' && message !== undefined ? { message } : {}),
    output: meta.annotations?.[ANNOTATION_OUTPUT] ?? '',
  };
}

export function batchStatus(jobs: readonly V1Job[], pods: readonly V1Pod[]): BatchStatus {
  const runs = jobs.filter(isRun).sort(newestFirst);
  const records = recordsByRun(pods);
  const summaries = runs.map((j) => summarize(j, records.get(j.metadata!.name!), pods));
  const status: BatchStatus = { runs: summaries.slice(0, MAX_HISTORY) };

  const currentIndex = summaries.findIndex((s) => s.phase === 'Running');
  if (currentIndex >= 0) {
    const job = runs[currentIndex]!;
    const s = summaries[currentIndex]!;
    status.currentRun = {
      name: s.name,
      startedAt: s.startedAt,
      modelVersion: s.modelVersion,
      modelSource: job.metadata?.annotations?.[ANNOTATION_MODEL_SOURCE] ?? '',
      shards: {
        total: job.spec?.completions ?? 0,
        succeeded: countIndexes(job.status?.completedIndexes),
        failed: countIndexes(job.status?.failedIndexes),
        active: job.status?.active ?? 0,
      },
      records: s.records ?? { scored: 0, failed: 0 },
    };
  }
  const success = summaries.find((s) => s.phase === 'Succeeded');
  if (success !== undefined) {
    status.lastSuccessfulRun = {
      name: success.name,
      completedAt: success.completedAt ?? '',
      output: success.output,
      ...(success.records !== undefined ? { records: success.records } : {}),
    };
  }
  return status;
}

/** LastRunSucceeded from the newest finished run; undefined before any run finished. */
export function lastRunCondition(status: BatchStatus): BatchConditionInput | undefined {
  const last = status.runs.find((r) => r.phase !== 'Running');
  if (last === undefined) return undefined;
  if (last.phase === 'Succeeded') {
    const scored = last.records !== undefined ? `: ${last.records.scored} records scored, ${last.records.failed} failed` : '';
    return { type: 'LastRunSucceeded', status: 'True', reason: 'RunSucceeded', message: `run ${last.name} succeeded${scored}` };
  }
  const reason = last.reason !== undefined && /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/.test(last.reason) ? last.reason : 'RunFailed';
  return {
    type: 'LastRunSucceeded',
    status: 'False',
    reason,
    message: `run ${last.name} failed${last.message !== undefined ? `: ${last.message}` : ''}`,
  };
}

/**
 * Runs to delete so that keepRuns finished runs remain: the oldest finished ones beyond that. An active
 * run is never deleted, and neither is the newest succeeded run: status.lastSuccessfulRun points at
 * its output, and it is computed from the Jobs.
 */
export function runsToDelete(jobs: readonly V1Job[], keepRuns: number): string[] {
  const finished = jobs.filter(isRun).sort(newestFirst).filter((j) => runPhase(j).phase !== 'Running');
  const newestSuccess = finished.find((j) => runPhase(j).phase === 'Succeeded');
  return finished
    .slice(Math.max(0, keepRuns))
    .filter((j) => j !== newestSuccess)
    .map((j) => j.metadata!.name!);
}
