// Evidence on request (docs/analysis.md): the rollout machine asks for evidence (decision.evidenceNeeded);
// this fulfils the requests outside the reconcile worker, so a slow Prometheus or canary never holds one.
// Per ModelDeployment key and request, at most one fetch is in flight, however many reconciles ask
// meanwhile; each has a deadline, and one that misses it becomes evidence (a Failed smoke check, an
// Error measurement), never an exception. A finished fetch brings the key back through the work queue;
// the next reconcile takes its result (once) and hands it to the machine as an observation. What the
// informer caches answer (the validation Job's state) needs no fetch: it is read when evidence is taken.
//
// Fetches are bounded and shared fairly (fair-queue.ts): at most `concurrency` run at once over all
// ModelDeployments (--evidence-concurrency), at most half of them for one namespace, and a freed slot
// goes to the waiting namespace with the fewest running, round robin among equals. A request waits for
// a slot without a deadline; its deadline counts from when its fetch starts, so time spent behind
// other namespaces' fetches never fails it. A waiting request no longer asked for is dropped unstarted.
//
// A result is consumed when taken. If the status write of the decision that used it then fails with a
// conflict, the result is lost with it: the machine, deciding again from the newer object, asks again
// and the smoke check or measurement is simply taken again (a measurement a little later than due).
import type { Logger } from 'pino';
import type { ModelDeploymentSpec } from '../api/index.ts';
import type { EvidenceRequest, RolloutObservations } from '../rollout/index.ts';
import { FairQueue } from './fair-queue.ts';

/** The observations evidence becomes. */
export type Evidence = Pick<RolloutObservations, 'validation' | 'analysisRun'>;

/** The ModelDeployment evidence is gathered for, as the reconcile that asked saw it. */
export interface EvidenceSubject {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly spec: ModelDeploymentSpec;
}

/** Where evidence comes from: the informer caches (no I/O) or a fetch. */
export interface EvidenceSources {
  /** Whether the caches answer `request`: it is then read when evidence is taken, never fetched. */
  inCache(request: EvidenceRequest): boolean;
  readCache(subject: EvidenceSubject, request: EvidenceRequest): Evidence;
  /** Fetches one request's evidence, turning failures into evidence; undefined when nothing was learnt (asked again later). */
  fetch(subject: EvidenceSubject, request: EvidenceRequest, signal: AbortSignal): Promise<Evidence | undefined>;
  /** What a fetch that missed its deadline says. */
  timedOut(request: EvidenceRequest, deadlineMs: number): Evidence;
}

export interface EvidenceGathererOptions {
  readonly sources: EvidenceSources;
  /** Brings the key back to the work queue after `delayMs`. */
  readonly requeue: (key: string, delayMs: number) => void;
  readonly log: Logger;
  /** How long one fetch may take (default 30 s). */
  readonly deadlineMs?: number;
  /** How soon a request whose fetch learnt nothing is looked at again (default 5 s). */
  readonly retryMs?: number;
  /** Fetches running at once over all ModelDeployments (default 16); one namespace gets at most half, rounded up. */
  readonly concurrency?: number;
  /** Told the number of fetches waiting for a slot and running, whenever either changes. */
  readonly metrics?: EvidenceMetrics;
}

export interface EvidenceMetrics {
  waiting(n: number): void;
  inFlight(n: number): void;
}

export const DEFAULT_EVIDENCE_CONCURRENCY = 16;

const DEFAULT_DEADLINE_MS = 30_000;
const DEFAULT_RETRY_MS = 5_000;

interface Entry {
  readonly request: EvidenceRequest;
  /** Aborts the fetch when the request is no longer asked for. */
  readonly cancel: AbortController;
  /** Set once the fetch finished; taken by the next reconcile. */
  result?: Evidence;
}

/** A fetch waiting for (or holding) a slot of the fair queue. */
interface Slot {
  readonly subject: EvidenceSubject;
  readonly id: string;
  readonly entry: Entry;
}

/** Requests are told apart by everything they ask: a measurement with another p-value is another one. */
function identity(request: EvidenceRequest): string {
  return JSON.stringify(request);
}

/** The promise's value, or undefined once `signal` aborts (the fetch gets the same signal; what it cannot cancel goes unread). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return Promise.race([work, new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }))]);
}

function merge(into: Evidence, more: Evidence): Evidence {
  return { ...into, ...more };
}

export class EvidenceGatherer {
  private readonly options: EvidenceGathererOptions;
  private readonly deadlineMs: number;
  private readonly retryMs: number;
  /** Per key, the requests the last decision made, by identity. */
  private readonly entries = new Map<string, Map<string, Entry>>();
  /** Fetches waiting for a slot and running, grouped by namespace. */
  private readonly slots: FairQueue<Slot>;
  /** The waiting slot of each entry not started yet, to drop it unstarted. */
  private readonly waitingSlots = new Map<Entry, Slot>();

  constructor(options: EvidenceGathererOptions) {
    this.options = options;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.slots = new FairQueue<Slot>({ limit: options.concurrency ?? DEFAULT_EVIDENCE_CONCURRENCY });
    this.report();
  }

  /** The evidence ready for the key: finished fetches (each taken once) and what the caches answer now. */
  take(subject: EvidenceSubject): Evidence {
    const entries = this.entries.get(subject.key);
    let out: Evidence = {};
    for (const [id, entry] of entries ?? []) {
      if (this.options.sources.inCache(entry.request)) {
        out = merge(out, this.options.sources.readCache(subject, entry.request));
      } else if (entry.result !== undefined) {
        out = merge(out, entry.result);
        entries!.delete(id);
      }
    }
    this.tidy(subject.key);
    return out;
  }

  /**
   * The requests of the key's latest decision: new ones start, ones in flight or finished are kept,
   * and everything no longer asked for is dropped (its fetch aborted, its result forgotten).
   */
  request(subject: EvidenceSubject, needed: readonly EvidenceRequest[]): void {
    const entries = this.entries.get(subject.key) ?? new Map<string, Entry>();
    const wanted = new Map(needed.map((r) => [identity(r), r]));
    for (const [id, entry] of entries) {
      if (wanted.has(id)) continue;
      this.drop(entry);
      entries.delete(id);
    }
    for (const [id, request] of wanted) {
      if (entries.has(id)) continue;
      const entry: Entry = { request, cancel: new AbortController() };
      entries.set(id, entry);
      // Answered from the caches when the next reconcile takes evidence: bring it now, not at the next event.
      if (this.options.sources.inCache(request)) this.options.requeue(subject.key, 0);
      else this.enqueue({ subject, id, entry });
    }
    this.entries.set(subject.key, entries);
    this.tidy(subject.key);
    this.pump();
  }

  /** The ModelDeployment is gone: its fetches are aborted and their results forgotten. */
  forget(key: string): void {
    for (const entry of this.entries.get(key)?.values() ?? []) this.drop(entry);
    this.entries.delete(key);
    this.pump();
  }

  /** Shutdown: every fetch aborted, nothing requeued. */
  stop(): void {
    for (const key of [...this.entries.keys()]) this.forget(key);
    this.slots.clear();
    this.waitingSlots.clear();
    this.report();
  }

  /** Fetches waiting for a slot and running, for tests, debugging and metrics. */
  load(): { waiting: number; running: number } {
    return { waiting: this.slots.waiting, running: this.slots.running };
  }

  /** Requests in flight or finished and not taken yet, for tests and debugging. */
  pending(key: string): EvidenceRequest[] {
    return [...(this.entries.get(key)?.values() ?? [])].map((e) => e.request);
  }

  private tidy(key: string): void {
    if (this.entries.get(key)?.size === 0) this.entries.delete(key);
  }

  private enqueue(slot: Slot): void {
    this.waitingSlots.set(slot.entry, slot);
    this.slots.enqueue(slot.subject.namespace, slot);
  }

  /** A request no longer asked for: unstarted, it never starts; running, its fetch is aborted (its slot frees when it returns). */
  private drop(entry: Entry): void {
    const waiting = this.waitingSlots.get(entry);
    if (waiting !== undefined) {
      this.slots.remove(waiting.subject.namespace, waiting);
      this.waitingSlots.delete(entry);
    }
    entry.cancel.abort();
  }

  /** Starts the fetches the fair queue lets run now. */
  private pump(): void {
    for (const { item } of this.slots.start()) {
      this.waitingSlots.delete(item.entry);
      void this.fetch(item.subject, item.id, item.entry).finally(() => {
        this.slots.done(item.subject.namespace);
        this.pump();
      });
    }
    this.report();
  }

  private report(): void {
    this.options.metrics?.waiting(this.slots.waiting);
    this.options.metrics?.inFlight(this.slots.running);
  }

  private async fetch(subject: EvidenceSubject, id: string, entry: Entry): Promise<void> {
    const { sources, requeue, log } = this.options;
    // The deadline counts from here, when the fetch gets its slot, not from when it was asked for.
    const deadline = AbortSignal.timeout(this.deadlineMs);
    const signal = AbortSignal.any([entry.cancel.signal, deadline]);
    let result: Evidence | undefined;
    try {
      if (!signal.aborted) result = await untilAborted(sources.fetch(subject, entry.request, signal), signal);
    } catch (err) {
      // Fetchers turn failures into evidence; anything else is a bug, logged and asked again later.
      log.warn({ key: subject.key, request: entry.request.kind, err }, 'evidence fetch failed');
    }
    if (this.entries.get(subject.key)?.get(id) !== entry) return; // no longer asked for, or the object is gone
    if (result === undefined && deadline.aborted) result = sources.timedOut(entry.request, this.deadlineMs);
    if (result === undefined) {
      this.entries.get(subject.key)!.delete(id);
      this.tidy(subject.key);
      requeue(subject.key, this.retryMs);
      return;
    }
    entry.result = result;
    requeue(subject.key, 0);
  }
}
