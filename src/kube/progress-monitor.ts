// Liveness of a loop that should make progress: healthy while it made some within `boundMs`. /healthz
// asks it, so a wedged informer or leader elector gets the pod restarted by the kubelet.
import { realClock, type Clock } from './work-queue.ts';

export class ProgressMonitor {
  private last: number;
  private readonly clock: Clock;

  constructor(clock: Clock = realClock) {
    this.clock = clock;
    this.last = clock.now();
  }

  progressed(): void {
    this.last = this.clock.now();
  }

  /** Milliseconds since the last progress. */
  idleMs(): number {
    return this.clock.now() - this.last;
  }

  /** true, or why not. */
  check(what: string, boundMs: number): true | string {
    const idle = this.idleMs();
    return idle <= boundMs ? true : `${what}: no progress for ${Math.round(idle / 1000)} s (bound ${Math.round(boundMs / 1000)} s)`;
  }
}
