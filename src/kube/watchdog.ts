// A timer that fires when nothing was seen for `ms`: a watch stream that sends no event, bookmark or
// byte for that long is taken for dead (a connection dropped without a FIN or RST is otherwise noticed
// only by TCP, minutes later). A kick only notes the time: the timer, when it fires, waits again for
// what is left since the last kick (clearing and setting a timer per watch event was measurable: 16,000
// events converging 1000 models).
import { realClock, type Clock } from './work-queue.ts';

export class Watchdog {
  private readonly ms: number;
  private readonly onStall: () => void;
  private readonly clock: Clock;
  private timer: unknown;
  private stopped = false;
  private lastKick: number;

  constructor(ms: number, onStall: () => void, clock: Clock = realClock) {
    this.ms = ms;
    this.onStall = onStall;
    this.clock = clock;
    this.lastKick = clock.now();
    this.arm(ms);
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      const left = this.lastKick + this.ms - this.clock.now();
      if (left > 0) return this.arm(left);
      this.stopped = true;
      this.onStall();
    }, ms);
  }

  /** Something arrived: the stream is alive. */
  kick(): void {
    this.lastKick = this.clock.now();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
