// Kubernetes Events for what a user should see in `kubectl describe`, written so that they can never
// storm the API server or slow a reconcile:
// - core/v1 Events (what `kubectl describe` and `kubectl get events` read first; events.k8s.io/v1
//   serves the same objects), with count, firstTimestamp and lastTimestamp, like client-go's
//   legacy recorder;
// - identical events (same object, type, reason, message, action) are aggregated: the first is
//   written at once, repeats only raise the count, written at most once per aggregation window per
//   Event (30 s by default: a repeat shows in `kubectl describe` within half a minute, and an event
//   emitted in a hot loop costs at most two writes a minute);
// - emit() only records; one background writer sends at most `writesPerSecond` (burst
//   `writeBurst`) requests, one at a time, from a bounded queue that drops (with a warning) when full;
// - a failed write is logged, never thrown; the next repeat of the event tries again.
import type { CoreV1Event } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import type { ApiClient } from './api-client.ts';
import { isNamespaceTerminating, isNotFound } from './api-error.ts';
import { resourcePath } from './resource-paths.ts';
import { realClock, type Clock } from './work-queue.ts';
import { TokenBucket } from './token-bucket.ts';

/** How long repeats of one Event wait before their count is written. */
export const EVENT_AGGREGATION_WINDOW_MS = 30_000;

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
}

export type EventType = 'Normal' | 'Warning';

/** Where Events go; the default writes core/v1 Events through `client`. */
export interface EventSink {
  create(event: CoreV1Event): Promise<CoreV1Event>;
  /** Raises an existing Event's count; resolves false when that Event no longer exists. */
  update(namespace: string, name: string, count: number, lastTimestamp: Date): Promise<boolean>;
}

export type EventRecorderOptions = EventRecorderSettings & ({ client: ApiClient; sink?: EventSink } | { client?: undefined; sink: EventSink });

interface EventRecorderSettings {
  /** reportingInstance: the operator's pod name or leader-election identity. */
  identity: string;
  logger?: Logger;
  /** At most one write per Event per window; repeats in between only raise the count. */
  aggregationWindowMs?: number;
  /** Events waiting for the writer; more are dropped with a warning. */
  queueSize?: number;
  writesPerSecond?: number;
  writeBurst?: number;
  /** Aggregation state kept for this many distinct events (least recently emitted forgotten first). */
  maxTracked?: number;
  clock?: Clock;
}

export const REPORTING_CONTROLLER = 'modelship';

/** The API server's limits for events.k8s.io (core/v1 is laxer): keep Events valid for both. */
const MAX_REASON = 128;
const MAX_MESSAGE = 1024;
const DEFAULT_NAMESPACE = 'default';

interface Series {
  readonly key: string;
  readonly object: InvolvedObject;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly action: string | undefined;
  readonly first: Date;
  last: Date;
  count: number;
  /** The count the API server has. */
  written: number;
  /** The Event's name once created. */
  name?: string;
  lastWriteAt?: number;
  timer?: unknown;
  writing: boolean;
}

export class EventRecorder {
  private readonly identity: string;
  private readonly log: Logger;
  private readonly sink: EventSink;
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly queueSize: number;
  private readonly maxTracked: number;
  private readonly bucket: TokenBucket;
  /** Aggregation state, least recently emitted first. */
  private readonly series = new Map<string, Series>();
  /** Keys waiting for the writer, in order. */
  private readonly pending = new Set<string>();
  private draining: Promise<void> | undefined;
  /** closing: emits are ignored, waiting counts are written at once; closed: nothing more is written. */
  private state: 'open' | 'closing' | 'closed' = 'open';
  private dropped = 0;
  private lastDropWarning = -Infinity;

  constructor(options: EventRecorderOptions) {
    this.identity = options.identity;
    this.log = options.logger ?? pino({ enabled: false });
    // A sink replaces the API writer (tests wrap the default, coreV1EventSink, to count writes).
    this.sink = options.client === undefined ? options.sink : (options.sink ?? coreV1EventSink(options.client));
    this.clock = options.clock ?? realClock;
    this.windowMs = options.aggregationWindowMs ?? EVENT_AGGREGATION_WINDOW_MS;
    this.queueSize = options.queueSize ?? 1000;
    this.maxTracked = options.maxTracked ?? 4096;
    this.bucket = new TokenBucket(options.writesPerSecond ?? 5, options.writeBurst ?? 25, () => this.clock.now());
  }

  /** Records an event; returns at once and never throws. */
  emit(object: InvolvedObject, type: EventType, reason: string, message: string, action?: string): void {
    if (this.state !== 'open') return;
    const r = reason.slice(0, MAX_REASON);
    const m = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;
    const a = action?.slice(0, MAX_REASON);
    const key = JSON.stringify([object.uid, object.namespace, object.kind, object.name, type, r, m, a ?? '']);
    const now = new Date();
    let s = this.series.get(key);
    if (s) {
      this.series.delete(key); // re-inserted below: the Map stays ordered by last emission
      s.count++;
      s.last = now;
    } else {
      s = { key, object, type, reason: r, message: m, action: a, first: now, last: now, count: 1, written: 0, writing: false };
      this.forgetOldest();
    }
    this.series.set(key, s);
    this.schedule(s);
  }

  /**
   * Graceful shutdown: writes the counts still waiting for their window (within `timeoutMs`), then
   * stops. Emits after close() are ignored.
   */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    for (const s of this.series.values()) {
      if (s.timer === undefined) continue;
      this.clock.clearTimeout(s.timer);
      s.timer = undefined;
      this.schedule(s);
    }
    let timer: unknown;
    let timedOut = false;
    const timeout = new Promise<void>((resolve) => {
      timer = this.clock.setTimeout(() => {
        timedOut = true;
        resolve();
      }, timeoutMs);
    });
    while (this.draining && !timedOut) await Promise.race([this.draining, timeout]);
    this.clock.clearTimeout(timer);
    this.state = 'closed';
    this.pending.clear();
  }

  private schedule(s: Series): void {
    // A write already planned or under way for this Event will carry (or be followed by) the new count.
    if (this.state === 'closed' || s.writing || this.pending.has(s.key) || s.timer !== undefined) return;
    const wait = s.lastWriteAt === undefined || this.state === 'closing' ? 0 : s.lastWriteAt + this.windowMs - this.clock.now();
    if (wait <= 0) {
      this.enqueue(s.key);
      return;
    }
    s.timer = this.clock.setTimeout(() => {
      s.timer = undefined;
      this.enqueue(s.key);
    }, wait);
  }

  private enqueue(key: string): void {
    if (this.pending.size >= this.queueSize) {
      this.dropped++;
      // One warning per window at most: a full queue must not flood the logs either.
      if (this.clock.now() - this.lastDropWarning >= this.windowMs) {
        this.lastDropWarning = this.clock.now();
        this.log.warn({ dropped: this.dropped, queueSize: this.queueSize }, 'event queue full: dropping events');
      }
      return;
    }
    this.pending.add(key);
    this.draining ??= this.drain().catch((err: unknown) => this.log.error({ err }, 'event writer failed'));
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // never write on the caller's stack
    try {
      for (let key = first(this.pending); key !== undefined && this.state !== 'closed'; key = first(this.pending)) {
        this.pending.delete(key);
        const s = this.series.get(key);
        if (!s) continue;
        s.writing = true;
        try {
          const wait = this.state === 'closing' ? 0 : this.bucket.reserve();
          if (wait > 0) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, wait));
          await this.write(s);
        } finally {
          s.writing = false;
        }
        // Repeats that came during a successful write go out after the window. After a failure the
        // next repeat tries again, so an Event that cannot be written is not retried forever.
        if (s.written > 0 && s.count > s.written) this.schedule(s);
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async write(s: Series): Promise<void> {
    const count = s.count;
    if (s.name !== undefined && count === s.written) return;
    s.lastWriteAt = this.clock.now();
    try {
      if (s.name === undefined || !(await this.sink.update(eventNamespace(s.object), s.name, count, s.last))) {
        // First occurrence, or the Event expired (the API server keeps them an hour) or was deleted.
        const created = await this.sink.create(this.eventOf(s, count));
        s.name = created.metadata?.name;
      }
      s.written = count;
    } catch (err) {
      const o = s.object;
      // A namespace being deleted refuses Events about its objects: expected, so not a warning.
      const level = isNamespaceTerminating(err) ? 'debug' : 'warn';
      this.log[level]({ err, object: `${o.kind}/${o.namespace}/${o.name}`, reason: s.reason }, 'could not write an Event');
    }
  }

  private eventOf(s: Series, count: number): CoreV1Event {
    const o = s.object;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${o.name}.`, namespace: eventNamespace(o) },
      involvedObject: { apiVersion: o.apiVersion, kind: o.kind, name: o.name, namespace: o.namespace, uid: o.uid },
      type: s.type,
      reason: s.reason,
      message: s.message,
      ...(s.action !== undefined ? { action: s.action } : {}),
      count,
      firstTimestamp: s.first,
      lastTimestamp: s.last,
      source: { component: REPORTING_CONTROLLER },
      reportingComponent: REPORTING_CONTROLLER,
      reportingInstance: this.identity,
    };
  }

  private forgetOldest(): void {
    while (this.series.size >= this.maxTracked) {
      const oldest = this.series.values().next().value;
      if (!oldest) return;
      if (oldest.timer !== undefined) this.clock.clearTimeout(oldest.timer);
      this.series.delete(oldest.key);
    }
  }
}

/**
 * Writes core/v1 Events: create, and a JSON patch of count and lastTimestamp for repeats. Give it a
 * client of its own: the recorder paces itself, and Events must not take the controller's budget.
 */
export function coreV1EventSink(client: ApiClient): EventSink {
  const ref = (namespace: string, name?: string) => ({ apiVersion: 'v1', kind: 'Event', namespace, ...(name !== undefined ? { name } : {}) });
  return {
    create: (event) => client.request<CoreV1Event>('POST', resourcePath(ref(event.metadata.namespace ?? DEFAULT_NAMESPACE)), { body: event }),
    async update(namespace, name, count, lastTimestamp) {
      try {
        await client.request('PATCH', resourcePath(ref(namespace, name)), {
          body: [
            { op: 'replace', path: '/count', value: count },
            { op: 'replace', path: '/lastTimestamp', value: lastTimestamp.toISOString() },
          ],
          contentType: 'application/json-patch+json',
        });
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
  };
}

/** Events about cluster-scoped objects live in `default`, as client-go puts them. */
function eventNamespace(o: InvolvedObject): string {
  return o.namespace || DEFAULT_NAMESPACE;
}

function first(set: Set<string>): string | undefined {
  return set.values().next().value;
}

