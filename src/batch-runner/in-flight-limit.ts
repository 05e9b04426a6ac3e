// At most `max` requests at the model server at once, the others waiting in order with their bodies
// built. A slot freed by an answer goes to the next waiter before that answer is read: the model server
// gets its next request while the runner parses, writes and reads, not after. Pure (no I/O).

export class InFlightLimit {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(max: number) {
    this.free = max;
  }

  /** Undefined when a slot is free now (taken); else a promise that settles, slot taken, when one is handed on. */
  acquire(): Promise<void> | undefined {
    if (this.free > 0) {
      this.free--;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Frees a slot: the oldest waiter gets it (its continuation runs before those queued after this call). */
  release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.free++;
  }

  get waiters(): number {
    return this.waiting.length;
  }
}
