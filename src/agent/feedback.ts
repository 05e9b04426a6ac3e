// Joins labels to logged predictions: the in-memory index first, then one scan of the files for the
// rest. Labels not found yet may belong to records another pod has not flushed: they wait one flush
// interval (plus a margin) and are looked up once more, then counted unmatched.
import type { Feedback } from './feedback-body.ts';
import { compareLabels, predictionsOf, type Comparison, type Predictions } from './labels.ts';
import type { AgentMetrics } from './metrics.ts';
import type { IndexedPrediction, RecordIndex } from './record-index.ts';
import { uuidv7Time } from './request-id.ts';

export interface FeedbackResult {
  readonly accepted: number;
  readonly matched: number;
  readonly pending: number;
  readonly unmatched: number;
}

export type Scan = (wanted: ReadonlySet<string>) => Promise<Map<string, Record<string, unknown>>>;

/** The prediction identity and predictions of a logged record (a parsed file line). Pure. */
export function indexedOf(record: Record<string, unknown>): IndexedPrediction | undefined {
  const predictions: Predictions | undefined = predictionsOf(record.response);
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
  const variant = str(record.variant);
  const revision = str(record.revision);
  const version = str(record.version);
  if (predictions === undefined || variant === undefined || revision === undefined || version === undefined) return undefined;
  return { variant, revision, version, predictions };
}

/**
 * Whether a request may still be in some pod's buffer: ids that carry no time (not UUIDv7) may, and
 * UUIDv7 ids younger than two flush intervals and a minute. Pure.
 */
export function mayBeUnflushed(requestId: string, nowMs: number, flushIntervalMs: number): boolean {
  const t = uuidv7Time(requestId);
  return t === undefined || nowMs - t < 2 * flushIntervalMs + 60_000;
}

interface PendingLabel {
  readonly item: Feedback;
  readonly dueMs: number;
}

export class FeedbackJoin {
  readonly #index: RecordIndex;
  readonly #scan: Scan | undefined;
  readonly #metrics: AgentMetrics;
  readonly #flushIntervalMs: number;
  readonly #maxPending: number;
  #pending: PendingLabel[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(index: RecordIndex, scan: Scan | undefined, metrics: AgentMetrics, flushIntervalMs: number, maxPending = 100_000) {
    this.#index = index;
    this.#scan = scan;
    this.#metrics = metrics;
    this.#flushIntervalMs = flushIntervalMs;
    this.#maxPending = maxPending;
  }

  #count(entry: IndexedPrediction, labels: Feedback['labels']): Comparison {
    const c = compareLabels(labels, entry.predictions);
    const id = { prediction_variant: entry.variant, prediction_revision: entry.revision, prediction_version: entry.version };
    if (c.correct > 0) this.#metrics.labels.inc({ ...id, result: 'correct' }, c.correct);
    if (c.incorrect > 0) this.#metrics.labels.inc({ ...id, result: 'incorrect' }, c.incorrect);
    if (c.errors > 0) {
      this.#metrics.labelAbsoluteError.inc(id, c.absoluteError);
      this.#metrics.labelSquaredError.inc(id, c.squaredError);
      this.#metrics.labelErrors.inc(id, c.errors);
    }
    return c;
  }

  /** Matches what it can now; the rest is pending (may still be flushed) or unmatched. */
  async submit(items: readonly Feedback[], nowMs = Date.now()): Promise<FeedbackResult> {
    let matched = 0;
    const rest: Feedback[] = [];
    for (const item of items) {
      const entry = this.#index.get(item.requestId);
      if (entry !== undefined) {
        this.#count(entry, item.labels);
        matched++;
      } else {
        rest.push(item);
      }
    }
    let scanFailed = false;
    if (rest.length > 0 && this.#scan !== undefined) {
      let found = new Map<string, Record<string, unknown>>();
      try {
        found = await this.#scan(new Set(rest.map((i) => i.requestId)));
      } catch {
        scanFailed = true;
      }
      const still: Feedback[] = [];
      for (const item of rest) {
        const record = found.get(item.requestId);
        const entry = record !== undefined ? indexedOf(record) : undefined;
        if (entry !== undefined) {
          this.#count(entry, item.labels);
          matched++;
        } else {
          still.push(item);
        }
      }
      rest.length = 0;
      rest.push(...still);
    }
    let pending = 0;
    let unmatched = 0;
    for (const item of rest) {
      if (this.#scan !== undefined && (scanFailed || mayBeUnflushed(item.requestId, nowMs, this.#flushIntervalMs)) && this.#pending.length < this.#maxPending) {
        this.#pending.push({ item, dueMs: nowMs + this.#flushIntervalMs + 5000 });
        pending++;
      } else {
        this.#metrics.labelsUnmatched.inc();
        unmatched++;
      }
    }
    if (pending > 0) this.#arm();
    return { accepted: items.length, matched, pending, unmatched };
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#pending.length === 0) return;
    const wait = Math.max(0, this.#pending[0]!.dueMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.retryDue().finally(() => this.#arm());
    }, wait);
    this.#timer.unref();
  }

  /** Looks the due pending labels up once more (one scan); those still missing are unmatched. */
  async retryDue(nowMs = Date.now()): Promise<void> {
    const due = this.#pending.filter((p) => p.dueMs <= nowMs);
    if (due.length === 0) return;
    this.#pending = this.#pending.filter((p) => p.dueMs > nowMs);
    let found = new Map<string, Record<string, unknown>>();
    try {
      found = await this.#scan!(new Set(due.map((p) => p.item.requestId)));
    } catch {
      // The store is unreachable: these labels are lost, as counted.
    }
    for (const { item } of due) {
      const fromIndex = this.#index.get(item.requestId);
      const record = found.get(item.requestId);
      const entry = fromIndex ?? (record !== undefined ? indexedOf(record) : undefined);
      if (entry !== undefined) this.#count(entry, item.labels);
      else this.#metrics.labelsUnmatched.inc();
    }
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}
