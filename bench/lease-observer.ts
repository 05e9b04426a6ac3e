// Reads the leader-election Lease every 20 ms from the benchmark's own client and keeps each change
// of its holder or renewTime with the local time it was seen, so takeovers are timed from outside
// the operators. A read that does not answer within a second (a stalled etcd) is abandoned.
import type { ApiClient } from '../src/kube/api-client.ts';
import { recordOf, type Lease } from '../src/kube/lease-record.ts';
import { sleep } from './parallel.ts';

export interface LeaseSighting {
  readonly holder: string;
  /** The Lease's renewTime, ms since the epoch. */
  readonly renewTime: number;
  /** When it was first seen, ms since the epoch. */
  readonly seenAt: number;
}

export interface LeaseObserver {
  readonly sightings: LeaseSighting[];
  current(): LeaseSighting | undefined;
  /** The first sighting at or after `since` that satisfies `holds`. */
  waitFor(what: string, since: number, holds: (s: LeaseSighting) => boolean, timeoutMs: number): Promise<LeaseSighting>;
  stop(): void;
}

export function observeLease(client: ApiClient, path: string): LeaseObserver {
  const sightings: LeaseSighting[] = [];
  let running = true;
  void (async () => {
    while (running) {
      try {
        const lease = await client.request<Lease>('GET', path, { signal: AbortSignal.timeout(1000) });
        const r = recordOf(lease);
        const last = sightings.at(-1);
        if (!last || last.holder !== r.holderIdentity || last.renewTime !== r.renewTime.getTime()) {
          sightings.push({ holder: r.holderIdentity, renewTime: r.renewTime.getTime(), seenAt: Date.now() });
        }
      } catch {
        /* not there yet, or the API server does not answer: try again */
      }
      await sleep(20);
    }
  })();
  return {
    sightings,
    current: () => sightings.at(-1),
    async waitFor(what, since, holds, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = sightings.find((s) => s.seenAt >= since && holds(s));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last ${JSON.stringify(sightings.at(-1))}`);
        await sleep(10);
      }
    },
    stop() {
      running = false;
    },
  };
}
