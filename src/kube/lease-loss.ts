// Why a leader lost its Lease, in figures, logged when it steps down: were the API server's answers
// slow (long renewal attempts) or could this process not run (its event loop delayed past the
// deadline: a long garbage collection, a CPU-starved container, a blocking call)? The two call for
// different fixes (API priority and fairness against more CPU), and the log line alone tells them apart.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LeaseLoss {
  /** `renew-deadline`: no renewal within renewDeadline; `taken`: another candidate holds the Lease. */
  readonly cause: 'renew-deadline' | 'taken';
  readonly sinceRenewalMs: number;
  readonly failedAttempts: number;
  /** The longest attempt since the last renewal (a timed-out one counts its whole wait). */
  readonly longestAttemptMs: number;
  /**
   * The longest the event loop was kept from running since the last renewal: sampled every 50 ms, and
   * the lateness of the renewal loop's own timers (the sampler's timer may run only after the renewal
   * loop has seen the deadline pass, so a stall that just ended is counted from the loop's side too).
   */
  readonly eventLoopDelayMaxMs: number;
}

/** Renewal attempts and event-loop delay since the last renewal; sampling only while leading. */
export class RenewalRecorder {
  private readonly loop: ReturnType<typeof monitorEventLoopDelay> = monitorEventLoopDelay({ resolution: 50 });
  private failed = 0;
  private longest = 0;
  private late = 0;
  private since = performance.now();

  started(): void {
    this.loop.enable();
    this.renewed();
  }

  stopped(): void {
    this.loop.disable();
  }

  /**
   * A renewal whose certainty already ran out when its answer was read (`validUntil`, monotonic ms,
   * is past: the answer waited behind a stalled event loop) starts no new window, so the stall that
   * cost the Lease is still in the figures when the leader steps down.
   */
  renewed(validUntil = Infinity): void {
    if (validUntil <= performance.now()) return;
    this.loop.reset();
    this.failed = 0;
    this.longest = 0;
    this.late = 0;
    this.since = performance.now();
  }

  attempted(ms: number, held: boolean): void {
    if (held) return;
    this.failed++;
    this.longest = Math.max(this.longest, ms);
  }

  /** A timer of the renewal loop ran `lateMs` after it was due. */
  woke(lateMs: number): void {
    this.late = Math.max(this.late, lateMs);
  }

  loss(cause: LeaseLoss['cause']): LeaseLoss {
    return {
      cause,
      sinceRenewalMs: Math.round(performance.now() - this.since),
      failedAttempts: this.failed,
      longestAttemptMs: Math.round(this.longest),
      eventLoopDelayMaxMs: Math.round(Math.max(this.loop.max / 1e6, this.late)),
    };
  }
}
