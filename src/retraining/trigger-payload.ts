// PURE: what a trigger carries to its target: the model, the reason and the evidence. The same JSON is
// the webhook's body, the `modelship` key of an Airflow DAG run's conf and the Job's MODELSHIP_TRIGGER.
// status.drift is read defensively (every field optional, unknown shapes ignored): it is written by
// the drift checks, which may be absent or older than this code.
import type { RetrainingReason } from '../api/retraining-status.ts';
import type { DriftCheckEvidence } from './decide-retraining.ts';

export interface DriftEvidence {
  readonly check?: DriftCheckEvidence;
  readonly windowStart?: string;
  readonly windowEnd?: string;
  readonly version?: string;
  readonly samples?: number;
  readonly report?: string;
  readonly features?: readonly Record<string, unknown>[];
  readonly predictions?: Record<string, unknown>;
}

export interface TriggerPayload {
  readonly id: string;
  readonly reason: RetrainingReason;
  /** When the trigger was decided. */
  readonly time: string;
  /** The time of its evidence (drift check, scheduled time, accuracy reading). */
  readonly evidenceTime: string;
  readonly namespace: string;
  readonly model: string;
  readonly uid: string;
  /** The stable version serving. */
  readonly version?: string;
  /** Names of the drifting features, largest effect first; `statistics` has every feature judged. */
  readonly features?: readonly string[];
  /** The statistics of those features as in status.drift.features, and the predictions'. */
  readonly statistics?: { readonly features: readonly Record<string, unknown>[]; readonly predictions?: Record<string, unknown> };
  readonly window?: { readonly start?: string; readonly end?: string; readonly samples?: number };
  readonly report?: string;
  /** spec.monitoring.logging.uri: where the logged requests are. */
  readonly logUri?: string;
  readonly accuracy?: { readonly value: number; readonly threshold: number };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const VERDICTS = ['Drift', 'NoDrift', 'Inconclusive'] as const;

/** status.drift (contract shape), or nothing useful. */
export function readDriftStatus(status: unknown): DriftEvidence {
  if (!isObject(status) || !isObject(status.drift)) return {};
  const drift = status.drift;
  const last = isObject(drift.lastCheck) ? drift.lastCheck : {};
  const time = str(last.time);
  const t = time !== undefined ? new Date(time) : undefined;
  const verdict = VERDICTS.find((v) => v === last.verdict);
  const out: { -readonly [K in keyof DriftEvidence]: DriftEvidence[K] } = {};
  if (t !== undefined && !Number.isNaN(t.getTime())) out.check = { time: t, ...(verdict !== undefined ? { verdict } : {}) };
  const windowStart = str(last.windowStart);
  const windowEnd = str(last.windowEnd);
  const version = str(last.version);
  const report = str(last.report);
  if (windowStart !== undefined) out.windowStart = windowStart;
  if (windowEnd !== undefined) out.windowEnd = windowEnd;
  if (version !== undefined) out.version = version;
  if (report !== undefined) out.report = report;
  if (typeof last.samples === 'number') out.samples = last.samples;
  if (Array.isArray(drift.features)) out.features = drift.features.filter(isObject);
  if (isObject(drift.predictions)) out.predictions = drift.predictions;
  return out;
}

export interface PayloadInput {
  readonly id: string;
  readonly reason: RetrainingReason;
  readonly time: Date;
  readonly evidenceTime: Date;
  readonly namespace: string;
  readonly model: string;
  readonly uid: string;
  readonly version?: string;
  readonly logUri?: string;
  readonly drift: DriftEvidence;
  readonly accuracy?: { readonly value: number; readonly threshold: number };
}

export function triggerPayload(p: PayloadInput): TriggerPayload {
  const d = p.drift;
  const features = (d.features ?? [])
    .filter((f) => f.verdict === 'Drift')
    .map((f) => str(f.name))
    .filter((n): n is string => n !== undefined);
  const version = p.version ?? d.version;
  return {
    id: p.id,
    reason: p.reason,
    time: p.time.toISOString(),
    evidenceTime: p.evidenceTime.toISOString(),
    namespace: p.namespace,
    model: p.model,
    uid: p.uid,
    ...(version !== undefined ? { version } : {}),
    ...(p.reason === 'Drift' && features.length > 0 ? { features } : {}),
    ...(p.reason === 'Drift' && d.features !== undefined
      ? { statistics: { features: d.features, ...(d.predictions !== undefined ? { predictions: d.predictions } : {}) } }
      : {}),
    ...(p.reason === 'Drift' && (d.windowStart !== undefined || d.windowEnd !== undefined)
      ? { window: { ...(d.windowStart !== undefined ? { start: d.windowStart } : {}), ...(d.windowEnd !== undefined ? { end: d.windowEnd } : {}), ...(d.samples !== undefined ? { samples: d.samples } : {}) } }
      : {}),
    ...(p.reason === 'Drift' && d.report !== undefined ? { report: d.report } : {}),
    ...(p.logUri !== undefined ? { logUri: p.logUri } : {}),
    ...(p.reason === 'AccuracyBelow' && p.accuracy !== undefined ? { accuracy: p.accuracy } : {}),
  };
}
