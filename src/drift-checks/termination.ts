// PURE: the results of the drift Jobs, read from the Job (finished or not) and the termination message
// of its pod's container (the subcommands write one JSON line there; the kubelet keeps 4096 bytes).
// A message that is not one (a log tail after a crash, FallbackToLogsOnError) is kept as the failure's
// text, cut to one line.
import type { V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import { DRIFT_TESTS, DRIFT_VERDICTS, MAX_STATUS_FEATURES } from '../api/drift-status.ts';
import type { DriftFeatureStatus, DriftTestResult, DriftVerdictName } from '../api/drift-status.ts';
import { DRIFT_CONTAINER } from './labels.ts';

export type JobPhase = 'Running' | 'Succeeded' | 'Failed';

export interface ProfileResult {
  rows: number;
  features: number;
  output?: string;
}

export interface CheckResult {
  verdict: DriftVerdictName;
  samples: number;
  windowStart?: string;
  windowEnd?: string;
  report?: string;
  features: DriftFeatureStatus[];
  predictions?: DriftTestResult;
}

export interface JobOutcome<T> {
  phase: JobPhase;
  /** When it finished. */
  finishedAt?: string;
  /** Succeeded with a readable result. */
  result?: T;
  /** Failed, or succeeded without a readable result: CamelCase and a sentence. */
  reason?: string;
  message?: string;
}

/** The Job controller's label on a Job's pods (and the older one). */
const JOB_NAME_LABELS = ['batch.kubernetes.io/job-name', 'job-name'];
const MAX_MESSAGE = 480;
const EXIT_REASONS: Readonly<Record<number, string>> = { 2: 'BadArguments', 3: 'ReferenceMissing', 4: 'StorageUnavailable', 5: 'UnreadableData' };

function iso(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // metav1.Time has second precision: a client Date keeps no more.
  return typeof value === 'string' ? value : value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function trueCondition(job: V1Job, type: string): V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

export function jobPhase(job: V1Job): { phase: JobPhase; condition?: V1JobCondition } {
  const failed = trueCondition(job, 'Failed') ?? trueCondition(job, 'FailureTarget');
  if (failed !== undefined) return { phase: 'Failed', condition: failed };
  const succeeded = trueCondition(job, 'Complete') ?? trueCondition(job, 'SuccessCriteriaMet');
  if (succeeded !== undefined) return { phase: 'Succeeded', condition: succeeded };
  return { phase: 'Running' };
}

/** One line of printable text, bounded. */
function oneLine(text: string): string {
  const line = text.trim().split('\n').filter((l) => l.trim() !== '').at(-1) ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are what it replaces
  const clean = line.replace(/[\x00-\x1f\x7f]/g, '?');
  return clean.length <= MAX_MESSAGE ? clean : `${clean.slice(0, MAX_MESSAGE - 3)}...`;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function parseJson(message: string | undefined): Record<string, unknown> | undefined {
  if (message === undefined) return undefined;
  try {
    return record(JSON.parse(message.trim()));
  } catch {
    return undefined;
  }
}

const count = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const str = (x: unknown): x is string => typeof x === 'string';

export function parseProfileMessage(message: string | undefined): ProfileResult | undefined {
  const v = parseJson(message);
  if (v === undefined || !count(v.rows) || !count(v.features)) return undefined;
  return { rows: v.rows, features: v.features, ...(str(v.output) ? { output: v.output } : {}) };
}

function testResult(v: Record<string, unknown>): DriftTestResult {
  return {
    ...(str(v.test) && (DRIFT_TESTS as readonly string[]).includes(v.test) ? { test: v.test as (typeof DRIFT_TESTS)[number] } : {}),
    ...(num(v.statistic) ? { statistic: v.statistic } : {}),
    ...(num(v.pValue) ? { pValue: v.pValue } : {}),
    ...(num(v.adjustedPValue) ? { adjustedPValue: v.adjustedPValue } : {}),
    ...(num(v.effectSize) ? { effectSize: v.effectSize } : {}),
    ...(isVerdict(v.verdict) ? { verdict: v.verdict } : {}),
  };
}

const isVerdict = (x: unknown): x is DriftVerdictName => str(x) && (DRIFT_VERDICTS as readonly string[]).includes(x);

/** Drifting first, then by effect size, largest first; at most MAX_STATUS_FEATURES. */
export function topFeatures(features: readonly DriftFeatureStatus[]): DriftFeatureStatus[] {
  const drifting = (f: DriftFeatureStatus) => (f.verdict === 'Drift' ? 0 : 1);
  return [...features].sort((a, b) => drifting(a) - drifting(b) || (b.effectSize ?? 0) - (a.effectSize ?? 0)).slice(0, MAX_STATUS_FEATURES);
}

export function parseCheckMessage(message: string | undefined): CheckResult | undefined {
  const v = parseJson(message);
  if (v === undefined || !isVerdict(v.verdict) || !count(v.samples)) return undefined;
  const features = (Array.isArray(v.features) ? v.features : [])
    .map(record)
    .filter((f): f is Record<string, unknown> => f !== undefined && str(f.name))
    .map((f) => ({ name: (f.name as string).slice(0, 256), ...testResult(f) }));
  const predictions = record(v.predictions);
  return {
    verdict: v.verdict,
    samples: v.samples,
    ...(str(v.windowStart) ? { windowStart: v.windowStart } : {}),
    ...(str(v.windowEnd) ? { windowEnd: v.windowEnd } : {}),
    ...(str(v.report) ? { report: v.report } : {}),
    features: topFeatures(features),
    ...(predictions !== undefined ? { predictions: testResult(predictions) } : {}),
  };
}

/** The drift container's last terminated state among the Job's pods: the newest attempt. */
function lastTermination(jobName: string, pods: readonly V1Pod[]) {
  let found: { exitCode: number; message?: string; at: string } | undefined;
  for (const pod of pods) {
    if (!JOB_NAME_LABELS.some((l) => pod.metadata?.labels?.[l] === jobName)) continue;
    const t = pod.status?.containerStatuses?.find((c) => c.name === DRIFT_CONTAINER)?.state?.terminated;
    if (t === undefined) continue;
    const at = iso(t.finishedAt) ?? '';
    if (found === undefined || at > found.at) found = { exitCode: t.exitCode, ...(t.message !== undefined ? { message: t.message } : {}), at };
  }
  return found;
}

/** A Job's outcome: its phase, and for a finished one its result or why it failed. */
export function jobOutcome<T>(job: V1Job, pods: readonly V1Pod[], parse: (message: string | undefined) => T | undefined): JobOutcome<T> {
  const { phase, condition } = jobPhase(job);
  if (phase === 'Running') return { phase };
  const finishedAt = iso(job.status?.completionTime) ?? iso(condition?.lastTransitionTime);
  const at = finishedAt !== undefined ? { finishedAt } : {};
  const last = lastTermination(job.metadata?.name ?? '', pods);
  if (phase === 'Succeeded') {
    const result = parse(last?.message);
    if (result !== undefined) return { phase, ...at, result };
    return { phase, ...at, reason: 'NoResult', message: 'the Job succeeded but its pod left no readable result in its termination message' };
  }
  if (last !== undefined && last.exitCode !== 0) {
    const text = last.message !== undefined && last.message.trim() !== '' ? oneLine(last.message) : `exit code ${last.exitCode}`;
    return { phase, ...at, reason: EXIT_REASONS[last.exitCode] ?? 'JobFailed', message: text };
  }
  return { phase, ...at, reason: condition?.reason ?? 'JobFailed', message: oneLine(condition?.message ?? 'the Job failed') };
}
