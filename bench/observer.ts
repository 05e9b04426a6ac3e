// Watches what the benchmarks wait for, one tracker per collection, and times milestones: a milestone
// is reached when every part of it holds (children of every kind exist, every parent is Ready, ...).
import type { KubeConfig } from '@kubernetes/client-node';
import type { ApiClient, KubeObject } from '../src/kube/api-client.ts';
import { ObjectTracker, type Predicate } from './object-tracker.ts';

export interface MilestonePart {
  /** Collection path, e.g. /apis/apps/v1/deployments or /apis/apps/v1/namespaces/x/deployments. */
  readonly path: string;
  readonly selector?: string;
  readonly keys: readonly string[];
  readonly predicate: Predicate<KubeObject>;
}

export const exists: Predicate<KubeObject> = () => true;

export class Observer {
  private readonly trackers = new Map<string, Promise<ObjectTracker<KubeObject>>>();
  private readonly kc: KubeConfig;
  private readonly client: ApiClient;

  constructor(kc: KubeConfig, client: ApiClient) {
    this.kc = kc;
    this.client = client;
  }

  tracker(path: string, selector?: string): Promise<ObjectTracker<KubeObject>> {
    const id = `${path}?${selector ?? ''}`;
    let t = this.trackers.get(id);
    if (!t) {
      t = (async () => {
        const tracker = new ObjectTracker<KubeObject>(this.kc, this.client, path, selector);
        await tracker.start();
        return tracker;
      })();
      this.trackers.set(id, t);
    }
    return t;
  }

  /**
   * Registers the milestone now (so nothing that happens after this call is missed) and returns a
   * promise of the performance.now() at which its last part came true.
   */
  async milestone(parts: readonly MilestonePart[], timeoutMs: number, what: string): Promise<() => Promise<number>> {
    const trackers = await Promise.all(parts.map((p) => this.tracker(p.path, p.selector)));
    const pending = parts.map((p, i) => trackers[i]!.whenAll(p.keys, p.predicate, timeoutMs, `${what} (${p.path})`));
    // Rejections are reported when awaited; until then they must not count as unhandled.
    for (const p of pending) p.catch(() => undefined);
    return async () => Math.max(...(await Promise.all(pending)));
  }

  async stop(): Promise<void> {
    for (const t of this.trackers.values()) (await t).stop();
    this.trackers.clear();
  }
}
