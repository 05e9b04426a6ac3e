// List + watch into an in-memory store, as client-go's reflector: the first list is served from the
// API server's watch cache (resourceVersion "0"), and a watch that ends, fails or goes silent is
// resumed from the last resourceVersion seen, with no list. Only 410 Gone (the resourceVersion is
// too old to watch from) makes it list again. A resync re-delivers the store, with no request.
// With `streamingList` the list is a streaming one instead (KEP-3157 "watch-list", as client-go's
// reflector does when the API server allows it): one watch that sends the objects as events before a
// closing bookmark and then goes on as the watch, so a large list is never one answer held whole in
// memory (text, then parsed, then trimmed). A server that refuses it (a 4xx) gets plain lists from then on.
// client-node's informer is known to stop silently (kubernetes-client/javascript #596, #958, #1933);
// this one has a watchdog on the stream and reports its progress to /healthz.
import type { Logger } from 'pino';
import type { ApiClient, KubeObject, WatchEvent } from './api-client.ts';
import { ApiError } from './api-error.ts';
import { backoffDelay } from './backoff.ts';
import { InitialStateAssembly, objectKey, replaceChanges } from './initial-state.ts';
import { ProgressMonitor } from './progress-monitor.ts';
import type { ObjectRef } from './resource-paths.ts';
import { boundedTimeout } from './timer-delay.ts';
import { Watchdog } from './watchdog.ts';
import { errorMessage } from '../errors.ts';

export type InformerEvent = 'add' | 'update' | 'delete' | 'resync';
/** `previous` is the cached object an 'update' from a watch event replaced (not given after a relist). */
export type InformerHandler<T> = (event: InformerEvent, obj: T, previous?: T) => void;

/**
 * No event or bookmark for this long and the watch is taken for dead, so a dead connection is noticed
 * and replaced within a minute and a half. The API server's watch cache bookmarks each watch a minute after
 * it opened and every minute after (k8s.io/apiserver defaultBookmarkFrequency) once objects of its kind have
 * changed past its resourceVersion, so a healthy watch that sees none of those changes (its selector matches
 * none of them) hears from it before this. Shorter, and such a watch was re-opened before its first bookmark
 * every time, its resourceVersion never moved, and once the watch cache no longer held it (410) the whole
 * kind was listed again. A kind with no change at all gets no bookmark: its watch is re-opened from the same
 * resourceVersion, which the watch cache still holds (one request, no list).
 */
export const DEFAULT_STALL_TIMEOUT_MS = 90_000;
/** No list, watch or event for this long and /healthz reports the informer wedged. */
export const DEFAULT_WEDGED_AFTER_MS = 5 * 60_000;

export interface InformerOptions<T extends KubeObject> {
  readonly client: ApiClient;
  readonly ref: ObjectRef;
  readonly labelSelector?: string;
  readonly logger: Logger;
  /** Re-deliver every cached object this often (client-go's resync, from the store); 0 disables it. */
  readonly resyncPeriodMs: number;
  /** Server-side watch timeout; the server ends the watch after it and we watch again from where we were. */
  readonly watchTimeoutSeconds?: number;
  /** No event or bookmark for this long means the stream is dead: abort it and watch again (default 90 s). */
  readonly stallTimeoutMs?: number;
  /** /healthz fails after this long without any progress (default 5 min). */
  readonly wedgedAfterMs?: number;
  /** Trims objects before they are cached (e.g. drop managedFields of pods). */
  readonly transform?: (obj: T) => T;
  /** One secondary index, e.g. children by their owner's key, so lookups do not scan the store. */
  readonly indexBy?: (obj: T) => string | undefined;
  /**
   * The kind's CRD may not be installed (HTTPRoute, VirtualService): a 404 on list counts as synced and
   * empty, `missing` turns true, and the list is retried every `optionalRetryMs` until the CRD appears.
   */
  readonly optional?: boolean;
  readonly optionalRetryMs?: number;
  /** List with a streaming list (watch-list) instead of one LIST answer; falls back to LIST if the server refuses it. */
  readonly streamingList?: boolean;
}

export { objectKey };

/** 4xx answers that mean something of their own, not that the server refused a streaming list. */
const NOT_A_REFUSAL = new Set([401, 403, 404, 408, 410, 429]);

export class Informer<T extends KubeObject> {
  private readonly store = new Map<string, T>();
  private readonly index = new Map<string, Set<string>>();
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly servedCallbacks: (() => void)[] = [];
  private readonly options: InformerOptions<T>;
  private readonly progress = new ProgressMonitor();
  private resourceVersion = '';
  private running = false;
  private synced = false;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private needList = true;
  /** A list from the watch cache at our resourceVersion was refused (410): the next list reads etcd. */
  private listFromEtcd = false;
  /** Lists are streaming lists: asked for, and not refused by the server. */
  private streaming: boolean;
  /** The initial state of the streaming list in progress, until its closing bookmark. */
  private assembly: InitialStateAssembly<T> | undefined;
  /** Lists sent (streaming ones included), for tests and metrics (a resync or resumed watch sends none). */
  relists = 0;
  /** Watches the API server accepted. */
  watches = 0;
  /** Watches the watchdog ended for silence. */
  stalls = 0;
  /** Bookmarks received after the initial state (the API server's sign of life on an idle watch). */
  bookmarks = 0;
  private wake: (() => void) | undefined;
  /** Failures in a row, for the backoff; an accepted watch starts it over. */
  private failures = 0;
  /** An optional kind whose resource the API server does not serve (its CRD is not installed). */
  missing = false;
  /** A required kind the API server answers 404 for (its CRD was deleted): not ready. */
  notServed = false;

  constructor(options: InformerOptions<T>) {
    this.options = options;
    this.streaming = options.streamingList ?? false;
  }

  /** True while lists are streaming lists (false if never asked for, or refused by the server). */
  get streamingList(): boolean {
    return this.streaming;
  }

  get name(): string {
    return `${this.options.ref.kind}${this.options.ref.namespace ? `/${this.options.ref.namespace}` : ''}`;
  }

  onEvent(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  /** Called when an optional kind that was missing is served again (its CRD was installed). */
  onServed(callback: () => void): void {
    this.servedCallbacks.push(callback);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** true, or why /healthz should fail: running and no list, watch or event for wedgedAfterMs. */
  health(): true | string {
    if (!this.running) return true;
    return this.progress.check(`informer ${this.name}`, this.options.wedgedAfterMs ?? DEFAULT_WEDGED_AFTER_MS);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  /** Objects whose indexBy value is `value`. */
  byIndex(value: string): T[] {
    const keys = this.index.get(value);
    return keys ? [...keys].map((k) => this.store.get(k)).filter((o): o is T => o !== undefined) : [];
  }

  private setObject(key: string, obj: T): void {
    const old = this.store.get(key);
    if (old) this.unindex(key, old);
    this.store.set(key, obj);
    const value = this.options.indexBy?.(obj);
    if (value !== undefined) {
      let keys = this.index.get(value);
      if (!keys) this.index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private deleteObject(key: string): void {
    const old = this.store.get(key);
    if (old) this.unindex(key, old);
    this.store.delete(key);
  }

  private unindex(key: string, obj: T): void {
    const value = this.options.indexBy?.(obj);
    if (value === undefined) return;
    const keys = this.index.get(value);
    keys?.delete(key);
    if (keys?.size === 0) this.index.delete(value);
  }

  get size(): number {
    return this.store.size;
  }

  /** Starts the loop; resolves once the first list is in the store. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.progress.progressed();
    if (this.options.resyncPeriodMs > 0) {
      this.resyncTimer = setInterval(() => this.forceResync(), this.options.resyncPeriodMs);
      this.resyncTimer.unref();
    }
    this.loop = this.run();
    while (!this.synced && this.running) await new Promise((r) => setTimeout(r, 20));
  }

  /** Re-delivers every cached object as 'resync', as client-go's resync does: from the store, no request. */
  forceResync(): void {
    if (!this.synced) return;
    for (const obj of [...this.store.values()]) this.emit('resync', obj);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.abort?.abort();
    this.wake?.();
    await this.loop;
  }

  /** A pause that stop() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = boundedTimeout(done, ms);
      this.wake = done;
    });
  }

  private emit(event: InformerEvent, obj: T, previous?: T): void {
    for (const h of this.handlers) h(event, obj, previous);
  }

  private put(raw: T): T {
    return this.options.transform ? this.options.transform(raw) : raw;
  }

  /**
   * Lists as client-go's reflector: at resourceVersion "0" the first time and at the last one seen
   * after, both answered from the watch cache; from etcd (no resourceVersion) only after the watch
   * cache refused ours.
   */
  private async relist(): Promise<void> {
    const resourceVersion = this.listFromEtcd ? '' : this.resourceVersion || '0';
    this.relists++;
    const { items, resourceVersion: listed } = await this.options.client.list<T>(this.options.ref, { labelSelector: this.options.labelSelector, resourceVersion });
    this.listFromEtcd = false;
    const fresh = new Map<string, T>();
    for (const raw of items) {
      const obj = this.put(raw);
      fresh.set(objectKey(obj), obj);
    }
    this.replaceStore(fresh, listed);
  }

  /** The store becomes `fresh` (a list's objects, or a streaming list's initial state) at `resourceVersion`: synced. */
  private replaceStore(fresh: ReadonlyMap<string, T>, resourceVersion: string): void {
    const changes = replaceChanges(this.store, fresh);
    for (const [key, obj] of fresh) this.setObject(key, obj);
    for (const change of changes) {
      if (change.type === 'delete') this.deleteObject(change.key);
      this.emit(change.type, change.obj);
    }
    this.resourceVersion = resourceVersion;
    this.listFromEtcd = false;
    this.needList = false;
    this.synced = true;
    this.progress.progressed();
    if (this.notServed) {
      this.notServed = false;
      this.options.logger.info({ informer: this.name }, 'resource served again');
    }
    if (this.missing) {
      this.missing = false;
      this.options.logger.info({ informer: this.name }, 'resource served now (CRD installed)');
      for (const cb of this.servedCallbacks) cb();
    }
  }

  /** Applies one watch event; an ERROR event is returned (the watch must end) instead of applied. */
  private handle(event: WatchEvent<T>): { code?: number; message?: string } | undefined {
    this.progress.progressed();
    if (event.type === 'ERROR') return event.object as unknown as { code?: number; message?: string };
    if (this.assembly) {
      // Before the closing bookmark: the initial state, kept apart from the store.
      const complete = this.assembly.take(event);
      if (complete !== undefined) {
        const { state } = this.assembly;
        this.assembly = undefined;
        this.replaceStore(state, complete || this.resourceVersion);
      }
      return undefined;
    }
    if (event.type === 'BOOKMARK') {
      this.bookmarks++;
      this.resourceVersion = event.object.metadata?.resourceVersion ?? this.resourceVersion;
      return undefined;
    }
    const obj = this.put(event.object);
    const key = objectKey(obj);
    this.resourceVersion = obj.metadata?.resourceVersion ?? this.resourceVersion;
    if (event.type === 'DELETED') {
      this.deleteObject(key);
      this.emit('delete', obj);
    } else {
      const previous = this.store.get(key);
      this.setObject(key, obj);
      if (previous !== undefined) this.emit('update', obj, previous);
      else this.emit('add', obj);
    }
    return undefined;
  }

  /**
   * Watches from the current resourceVersion until the watch ends; throws what ended it, unless it ended
   * cleanly or went silent. `initialEvents`: a streaming list, which sends the current state first.
   */
  private async watchOnce(timeoutSeconds: number, stallMs: number, initialEvents = false): Promise<void> {
    if (initialEvents) {
      this.relists++;
      this.assembly = new InitialStateAssembly<T>((raw) => this.put(raw));
    }
    // A streaming list, as client-go's: not older than the last state synced (none yet: the newest), or
    // the newest after the watch cache refused ours.
    const resourceVersion = initialEvents && this.listFromEtcd ? '' : this.resourceVersion;
    const abort = new AbortController();
    this.abort = abort;
    let stalled = false;
    let errorEvent: { code?: number; message?: string } | undefined;
    const watchdog = new Watchdog(stallMs, () => {
      stalled = true;
      abort.abort();
    });
    try {
      await this.options.client.watch<T>(
        this.options.ref,
        { resourceVersion, labelSelector: this.options.labelSelector, timeoutSeconds, ...(initialEvents ? { sendInitialEvents: true } : {}) },
        (event) => {
          if (errorEvent) return;
          watchdog.kick();
          errorEvent = this.handle(event);
          if (errorEvent) abort.abort();
        },
        abort.signal,
        () => {
          this.watches++;
          this.failures = 0;
          this.progress.progressed();
          watchdog.kick();
        },
      );
    } catch (err) {
      if (!stalled && !errorEvent) throw err;
    } finally {
      watchdog.stop();
      // A stream that ended before its closing bookmark leaves the store as it was; the next one starts over.
      this.assembly = undefined;
    }
    if (stalled && this.running) {
      this.stalls++;
      // No FIN, no RST, no bookmark: the connection is likely dead. Watch again from where we were.
      this.options.logger.warn({ informer: this.name, stallMs }, 'watch went silent; watching again');
    }
    if (errorEvent) {
      const { code, message } = errorEvent;
      throw new ApiError('WATCH', this.name, code ?? 500, 'watch error event', message ?? '');
    }
    if (initialEvents && this.needList && !stalled && this.running) {
      // Ended cleanly with the initial state incomplete: a failure to back off from, not to repeat at once.
      throw new Error('the streaming list ended before its initial-events-end bookmark');
    }
  }

  private async run(): Promise<void> {
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const stallMs = this.options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    while (this.running) {
      try {
        if (this.needList && this.streaming) await this.watchOnce(timeoutSeconds, stallMs, true);
        else {
          if (this.needList) await this.relist();
          await this.watchOnce(timeoutSeconds, stallMs);
        }
        this.failures = 0;
      } catch (err) {
        if (!this.running) break;
        const status = err instanceof ApiError ? err.status : undefined;
        if (this.needList && this.streaming && status !== undefined && status >= 400 && status < 500 && !NOT_A_REFUSAL.has(status)) {
          // The server does not do streaming lists (too old, or turned off): list as before, from now on.
          this.streaming = false;
          this.options.logger.info({ informer: this.name, err }, 'streaming list refused; listing instead');
          continue;
        }
        if (status === 410) {
          // Our resourceVersion is too old to watch (or list) from: list again, at once (client-go does).
          if (this.needList) this.listFromEtcd = true;
          this.needList = true;
          this.options.logger.info({ informer: this.name, err }, 'resourceVersion expired; relisting');
          continue;
        }
        // The watch cache is behind the resourceVersion we asked it to list at (just restarted): read etcd, as client-go does.
        if (this.needList && status === 504 && /too large resource version/i.test(errorMessage(err))) this.listFromEtcd = true;
        if (status === 404 && this.options.optional) {
          if (!this.missing) this.options.logger.info({ informer: this.name }, 'resource not served (CRD not installed); checking again later');
          this.missing = true;
          this.synced = true;
          this.needList = true;
          this.progress.progressed();
          await this.sleep(this.options.optionalRetryMs ?? 30_000);
          continue;
        }
        if (status === 404) {
          // The resource is gone (its CRD deleted): whatever comes back starts from a new list.
          this.notServed = true;
          this.needList = true;
        }
        this.failures++;
        const delay = backoffDelay(this.failures);
        this.options.logger[status === 404 ? 'error' : 'warn'](
          { informer: this.name, err, retryInMs: Math.round(delay) },
          status === 404
            ? `the API server does not serve ${this.options.ref.kind} (${this.options.ref.apiVersion}): is its CRD installed? (kubectl apply --server-side -f crds/); retrying`
            : this.needList
              ? 'list failed; retrying'
              : 'watch failed; watching again from the last resourceVersion',
        );
        await this.sleep(delay);
      }
    }
  }
}
