// List + watch into an in-memory store, with a watchdog. client-node's informer is known to stop
// silently (kubernetes-client/javascript #596, #958, #1933); this one relists whenever a watch
// fails, stalls (no event or bookmark for too long) or expires (410 Gone), and on a resync period.
import type { Logger } from 'pino';
import type { ApiClient, KubeObject, WatchEvent } from './api-client.ts';
import { ApiError } from './api-error.ts';
import type { ObjectRef } from './resource-paths.ts';
import { boundedTimeout } from './timer-delay.ts';

export type InformerEvent = 'add' | 'update' | 'delete' | 'resync';
export type InformerHandler<T> = (event: InformerEvent, obj: T) => void;

export interface InformerOptions<T extends KubeObject> {
  readonly client: ApiClient;
  readonly ref: ObjectRef;
  readonly labelSelector?: string;
  readonly logger: Logger;
  /** Relist and re-deliver every object this often (client-go's resync); 0 disables it. */
  readonly resyncPeriodMs: number;
  /** Server-side watch timeout; the server ends the watch after it and we watch again. */
  readonly watchTimeoutSeconds?: number;
  /** No event or bookmark for this long means the watch is dead: abort and relist. */
  readonly stallTimeoutMs?: number;
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
}

export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}

export class Informer<T extends KubeObject> {
  private readonly store = new Map<string, T>();
  private readonly index = new Map<string, Set<string>>();
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly servedCallbacks: (() => void)[] = [];
  private readonly options: InformerOptions<T>;
  private resourceVersion = '';
  private running = false;
  private synced = false;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private needList = true;
  private resyncDue = false;
  /** Counts relists, for tests and metrics. */
  relists = 0;
  private wake: (() => void) | undefined;
  /** An optional kind whose resource the API server does not serve (its CRD is not installed). */
  missing = false;

  constructor(options: InformerOptions<T>) {
    this.options = options;
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
    if (this.options.resyncPeriodMs > 0) {
      this.resyncTimer = setInterval(() => this.forceResync(), this.options.resyncPeriodMs);
      this.resyncTimer.unref();
    }
    this.loop = this.run();
    while (!this.synced && this.running) await new Promise((r) => setTimeout(r, 20));
  }

  /** Relists now and re-delivers every object, as a periodic resync does. */
  forceResync(): void {
    this.resyncDue = true;
    this.needList = true;
    this.abort?.abort();
    this.wake?.();
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

  private emit(event: InformerEvent, obj: T): void {
    for (const h of this.handlers) h(event, obj);
  }

  private put(raw: T): T {
    return this.options.transform ? this.options.transform(raw) : raw;
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.options.client.list<T>(this.options.ref, { labelSelector: this.options.labelSelector });
    this.relists++;
    const resync = this.resyncDue;
    this.resyncDue = false;
    const seen = new Set<string>();
    for (const raw of items) {
      const obj = this.put(raw);
      const key = objectKey(obj);
      seen.add(key);
      const old = this.store.get(key);
      this.setObject(key, obj);
      if (!old) this.emit('add', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', obj);
      else if (resync) this.emit('resync', obj);
    }
    for (const [key, old] of this.store) {
      if (!seen.has(key)) {
        this.deleteObject(key);
        this.emit('delete', old);
      }
    }
    this.resourceVersion = resourceVersion;
    this.needList = false;
    this.synced = true;
    if (this.missing) {
      this.missing = false;
      this.options.logger.info({ informer: this.name }, 'resource served now (CRD installed)');
      for (const cb of this.servedCallbacks) cb();
    }
  }

  private handle(event: WatchEvent<T>): void {
    if (event.type === 'BOOKMARK') {
      this.resourceVersion = event.object.metadata?.resourceVersion ?? this.resourceVersion;
      return;
    }
    if (event.type === 'ERROR') {
      // 410 Gone: our resourceVersion is too old to watch from; only a relist recovers.
      const status = event.object as unknown as { code?: number; message?: string };
      this.options.logger.info({ informer: this.name, code: status.code, message: status.message }, 'watch error event; relisting');
      this.needList = true;
      this.abort?.abort();
      return;
    }
    const obj = this.put(event.object);
    const key = objectKey(obj);
    this.resourceVersion = obj.metadata?.resourceVersion ?? this.resourceVersion;
    if (event.type === 'DELETED') {
      this.deleteObject(key);
      this.emit('delete', obj);
    } else {
      const existed = this.store.has(key);
      this.setObject(key, obj);
      this.emit(existed ? 'update' : 'add', obj);
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const stallMs = this.options.stallTimeoutMs ?? (timeoutSeconds + 60) * 1000;
    while (this.running) {
      try {
        if (this.needList) await this.relist();
        const abort = new AbortController();
        this.abort = abort;
        let watchdog = boundedTimeout(() => stalled(), stallMs);
        const stalled = () => {
          this.options.logger.warn({ informer: this.name, stallMs }, 'watch stalled; relisting');
          this.needList = true;
          abort.abort();
        };
        await this.options.client.watch<T>(
          this.options.ref,
          { resourceVersion: this.resourceVersion, labelSelector: this.options.labelSelector, timeoutSeconds },
          (event) => {
            clearTimeout(watchdog);
            watchdog = boundedTimeout(() => stalled(), stallMs);
            this.handle(event);
          },
          abort.signal,
        ).finally(() => clearTimeout(watchdog));
        failures = 0;
      } catch (err) {
        if (!this.running) break;
        if (this.options.optional && err instanceof ApiError && err.status === 404) {
          if (!this.missing) this.options.logger.info({ informer: this.name }, 'resource not served (CRD not installed); checking again later');
          this.missing = true;
          this.synced = true;
          this.needList = true;
          await this.sleep(this.options.optionalRetryMs ?? 30_000);
          continue;
        }
        failures++;
        this.needList = true;
        const delay = Math.min(30_000, 250 * 2 ** Math.min(failures, 7));
        const gone = err instanceof ApiError && err.status === 410;
        const notServed = err instanceof ApiError && err.status === 404;
        this.options.logger[gone ? 'info' : notServed ? 'error' : 'warn'](
          { informer: this.name, err: err instanceof Error ? err.message : String(err), retryInMs: delay },
          notServed
            ? `the API server does not serve ${this.options.ref.kind} (${this.options.ref.apiVersion}): is its CRD installed? (kubectl apply --server-side -f crds/); retrying`
            : 'list/watch failed; relisting',
        );
        await this.sleep(delay);
      }
    }
  }
}
