// A timer that fires when nothing was seen for `ms`: a watch stream that sends no event, bookmark or
// byte for that long is taken for dead (a connection dropped without a FIN or RST is otherwise noticed
// only by TCP, minutes later). Kicking it on every chunk re-arms it.
import { realClock, type Clock } from './work-queue.ts';

export class Watchdog {
  private readonly ms: number;
  private readonly onStall: () => void;
  private readonly clock: Clock;
  private timer: unknown;
  private stopped = false;

  constructor(ms: number, onStall: () => void, clock: Clock = realClock) {
    this.ms = ms;
    this.onStall = onStall;
    this.clock = clock;
    this.arm();
  }

  private arm(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) {
        this.stopped = true;
        this.onStall();
      }
    }, this.ms);
  }

  /** Something arrived: the stream is alive. */
  kick(): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
