// Follows one Lease through a watch (fieldSelector metadata.name=<name>), so a follower learns of a
// release or a renewal when it happens instead of polling. The watch resumes from the last
// resourceVersion it saw; a 410 (too old) starts over from the current state, and a broken
// connection is retried after `retryMs`. Missing an event costs time, never safety: the elector
// still acts on what it reads itself and on the expiry it computed.
import type { Logger } from 'pino';
import type { ApiClient } from './api-client.ts';
import type { Lease } from './lease-record.ts';
import { sleepUntilAborted } from './timer-delay.ts';

export interface LeaseWatchOptions {
  readonly client: ApiClient;
  readonly namespace: string;
  readonly name: string;
  /** Where to start when the watch has seen nothing yet: the version the elector last read, if any. */
  readonly startVersion: () => string | undefined;
  readonly onLease: (lease: Lease) => void;
  readonly retryMs: number;
  readonly log: Logger;
}

/** Server-side watch timeout: the watch is renewed from its last resourceVersion after it. */
const WATCH_TIMEOUT_SECONDS = 300;

/** Runs until `signal` aborts. */
export async function watchLease(options: LeaseWatchOptions, signal: AbortSignal): Promise<void> {
  let version = '';
  while (!signal.aborted) {
    version ||= options.startVersion() ?? '';
    let expired = false;
    const started = performance.now();
    try {
      await options.client.watch<Lease>(
        { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: options.namespace },
        { resourceVersion: version, fieldSelector: `metadata.name=${options.name}`, timeoutSeconds: WATCH_TIMEOUT_SECONDS },
        (event) => {
          if (event.type === 'ERROR') {
            expired = true; // 410 Gone: our version is too old to resume from
            return;
          }
          version = event.object.metadata?.resourceVersion ?? version;
          if (event.type === 'ADDED' || event.type === 'MODIFIED') options.onLease(event.object);
        },
        signal,
      );
    } catch (err) {
      if (signal.aborted) return;
      options.log.debug({ err }, 'lease watch failed; watching again');
      await sleepUntilAborted(options.retryMs, signal);
    }
    if (expired) version = '';
    // A watch the server ends at once (or a 410 over and over) must not turn into a busy loop.
    else if (performance.now() - started < 1000) await sleepUntilAborted(options.retryMs, signal);
  }
}

