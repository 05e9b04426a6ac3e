// The informers of one kind: one for the whole cluster, or one per watched namespace.
import type { Logger } from 'pino';
import type { ApiClient, KubeObject } from './api-client.ts';
import { Informer, type InformerHandler, type InformerOptions } from './informer.ts';

export interface KindCacheOptions<T extends KubeObject> extends Omit<InformerOptions<T>, 'ref' | 'client' | 'logger'> {
  readonly apiVersion: string;
  readonly kind: string;
  /** Empty: the whole cluster. */
  readonly namespaces: readonly string[];
}

export class KindCache<T extends KubeObject> {
  readonly kind: string;
  private readonly informers: Map<string, Informer<T>>;

  constructor(client: ApiClient, logger: Logger, options: KindCacheOptions<T>) {
    this.kind = options.kind;
    const scopes = options.namespaces.length ? options.namespaces : [''];
    this.informers = new Map(
      scopes.map((ns) => [
        ns,
        new Informer<T>({
          ...options,
          client,
          logger,
          ref: { apiVersion: options.apiVersion, kind: options.kind, ...(ns ? { namespace: ns } : {}) },
        }),
      ]),
    );
  }

  private informerFor(namespace: string): Informer<T> | undefined {
    return this.informers.get(namespace) ?? this.informers.get('');
  }

  onEvent(handler: InformerHandler<T>): void {
    for (const i of this.informers.values()) i.onEvent(handler);
  }

  onServed(callback: () => void): void {
    for (const i of this.informers.values()) i.onServed(callback);
  }

  get(namespace: string, name: string): T | undefined {
    return this.informerFor(namespace)?.get(namespace, name);
  }

  byIndex(namespace: string, value: string): T[] {
    return this.informerFor(namespace)?.byIndex(value) ?? [];
  }

  list(): T[] {
    return [...this.informers.values()].flatMap((i) => i.list());
  }

  get size(): number {
    return [...this.informers.values()].reduce((n, i) => n + i.size, 0);
  }

  get hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced);
  }

  /** True when the API server does not serve this (optional) kind. */
  get missing(): boolean {
    return [...this.informers.values()].some((i) => i.missing);
  }

  /** True while the API server answers 404 for this (required) kind, e.g. its CRD was deleted. */
  get notServed(): boolean {
    return [...this.informers.values()].some((i) => i.notServed);
  }

  /** Lists sent by its informers. */
  get relists(): number {
    return [...this.informers.values()].reduce((n, i) => n + i.relists, 0);
  }

  /** Watches the API server accepted for its informers. */
  get watches(): number {
    return [...this.informers.values()].reduce((n, i) => n + i.watches, 0);
  }

  /** true, or why an informer is wedged. */
  health(): true | string {
    for (const i of this.informers.values()) {
      const verdict = i.health();
      if (verdict !== true) return verdict;
    }
    return true;
  }

  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  forceResync(): void {
    for (const i of this.informers.values()) i.forceResync();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
