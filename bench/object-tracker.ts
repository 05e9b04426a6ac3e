// Follows one kind of object (list, then watch) and tells when a condition first held for a set of
// objects, timed at the arrival of the watch event that completed it: the benchmark observes the
// cluster the way a user's `kubectl get -w` would, without polling the API server.
import { HttpMethod, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { ApiClient, KubeObject } from '../src/kube/api-client.ts';

export type Predicate<T> = (obj: T) => boolean;

interface Goal<T> {
  readonly pending: Set<string>;
  readonly predicate: Predicate<T>;
  readonly resolve: (at: number) => void;
}

export function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

export class ObjectTracker<T extends KubeObject> {
  readonly store = new Map<string, T>();
  private readonly goals = new Set<Goal<T>>();
  private resourceVersion = '';
  private abort: AbortController | undefined;
  private running = false;
  private readonly kc: KubeConfig;
  private readonly client: ApiClient;
  /** Collection path, e.g. /apis/apps/v1/deployments (all namespaces). */
  private readonly path: string;
  private readonly labelSelector: string | undefined;

  constructor(kc: KubeConfig, client: ApiClient, path: string, labelSelector?: string) {
    this.kc = kc;
    this.client = client;
    this.path = path;
    this.labelSelector = labelSelector;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.list();
    void this.watchLoop();
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
  }

  private async list(): Promise<void> {
    const page = await this.client.request<{ items: T[]; metadata: { resourceVersion: string } }>(HttpMethod.GET, this.path, {
      query: { labelSelector: this.labelSelector },
    });
    this.store.clear();
    for (const item of page.items) this.store.set(keyOf(item), item);
    this.resourceVersion = page.metadata.resourceVersion;
    const now = performance.now();
    for (const goal of this.goals) for (const key of [...goal.pending]) this.check(goal, key, now);
  }

  private async watchLoop(): Promise<void> {
    while (this.running) {
      const ended = await new Promise<unknown>((resolve) => {
        void new Watch(this.kc)
          .watch(
            this.path,
            { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, labelSelector: this.labelSelector, timeoutSeconds: 600 },
            (type: string, obj: T & { code?: number }) => this.handle(type, obj),
            (err: unknown) => resolve(err ?? null),
          )
          .then((a) => (this.abort = a), resolve);
      });
      if (!this.running) return;
      if (ended === 'gone' || ended instanceof Error) {
        await new Promise((r) => setTimeout(r, 200));
        await this.list().catch(() => undefined);
      }
    }
  }

  private handle(type: string, obj: T & { code?: number }): void {
    if (type === 'BOOKMARK') {
      this.resourceVersion = obj.metadata?.resourceVersion ?? this.resourceVersion;
      return;
    }
    if (type === 'ERROR') {
      // 410 Gone: relist (the loop does it when the stream ends).
      this.abort?.abort();
      return;
    }
    const now = performance.now();
    const key = keyOf(obj);
    this.resourceVersion = obj.metadata?.resourceVersion ?? this.resourceVersion;
    if (type === 'DELETED') this.store.delete(key);
    else this.store.set(key, obj);
    for (const goal of this.goals) if (goal.pending.has(key)) this.check(goal, key, now);
  }

  private check(goal: Goal<T>, key: string, now: number): void {
    if (!this.goals.has(goal)) return;
    const obj = this.store.get(key);
    if (obj && goal.predicate(obj)) goal.pending.delete(key);
    if (goal.pending.size === 0) {
      this.goals.delete(goal);
      goal.resolve(now);
    }
  }

  /**
   * Resolves with performance.now() of the event after which every key ("namespace/name") satisfied
   * the predicate (at once if they already do). A key that satisfied it stays done.
   */
  whenAll(keys: Iterable<string>, predicate: Predicate<T>, timeoutMs: number, what: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.goals.delete(goal);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${goal.pending.size} of them still pending, e.g. ${[...goal.pending].slice(0, 3).join(', ')}`));
      }, timeoutMs);
      const goal: Goal<T> = {
        pending: new Set(keys),
        predicate,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      this.goals.add(goal);
      const now = performance.now();
      if (goal.pending.size === 0) this.check(goal, '', now);
      for (const key of [...goal.pending]) this.check(goal, key, now);
    });
  }
}
