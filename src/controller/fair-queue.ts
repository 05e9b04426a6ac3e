// PURE: which waiting evidence fetches may start, fairly between namespaces. At most `limit` run at
// once over all namespaces, and at most `perGroupLimit` of one namespace (default half the slots,
// rounded up), so one namespace with many canaries never takes every slot. When a slot frees, the
// namespace with the fewest fetches running among those with one waiting starts next; ties go round
// robin (the namespace served longest ago first), and within a namespace requests start in the order
// they were asked. Nothing here runs anything: the caller starts what start() returns and reports each
// end with done(). Running fetches are never pre-empted; fairness applies to who starts next.

export interface FairQueueOptions {
  /** Fetches running at once over all groups (at least 1). */
  readonly limit: number;
  /** Fetches running at once in one group; default max(1, ceil(limit / 2)). */
  readonly perGroupLimit?: number;
}

export interface Started<T> {
  readonly group: string;
  readonly item: T;
}

export class FairQueue<T> {
  readonly limit: number;
  readonly perGroupLimit: number;
  /** Waiting items per group, oldest first; a group with nothing waiting has no entry. */
  private readonly waitingByGroup = new Map<string, T[]>();
  /** Groups with items waiting, the one to serve first at the front (round robin among equals). */
  private order: string[] = [];
  private readonly runningByGroup = new Map<string, number>();
  private runningTotal = 0;
  private waitingTotal = 0;

  constructor(options: FairQueueOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new Error(`limit must be a whole number >= 1, got ${options.limit}`);
    this.limit = options.limit;
    this.perGroupLimit = Math.max(1, Math.min(options.limit, options.perGroupLimit ?? Math.ceil(options.limit / 2)));
  }

  /** Items waiting for a slot. */
  get waiting(): number {
    return this.waitingTotal;
  }

  /** Items started and not done yet. */
  get running(): number {
    return this.runningTotal;
  }

  runningIn(group: string): number {
    return this.runningByGroup.get(group) ?? 0;
  }

  /** `item` waits for a slot; start() says when it may run. */
  enqueue(group: string, item: T): void {
    const items = this.waitingByGroup.get(group);
    if (items) items.push(item);
    else {
      this.waitingByGroup.set(group, [item]);
      this.order.push(group);
    }
    this.waitingTotal++;
  }

  /** A waiting item no longer wanted: it never starts. False when it was not waiting (running, or unknown). */
  remove(group: string, item: T): boolean {
    const items = this.waitingByGroup.get(group);
    const i = items?.indexOf(item) ?? -1;
    if (items === undefined || i < 0) return false;
    items.splice(i, 1);
    this.waitingTotal--;
    if (items.length === 0) this.dropGroup(group);
    return true;
  }

  /** The items that may start now, each counted as running in its group until done(group). */
  start(): Started<T>[] {
    const started: Started<T>[] = [];
    while (this.runningTotal < this.limit) {
      const group = this.pick();
      if (group === undefined) break;
      const items = this.waitingByGroup.get(group)!;
      const item = items.shift()!;
      this.waitingTotal--;
      this.runningTotal++;
      this.runningByGroup.set(group, this.runningIn(group) + 1);
      // Served: to the back of the round robin (or out of it, with nothing left waiting).
      this.order = this.order.filter((g) => g !== group);
      if (items.length === 0) this.waitingByGroup.delete(group);
      else this.order.push(group);
      started.push({ group, item });
    }
    return started;
  }

  /** One started item of `group` ended; its slot is free (call start() to fill it). */
  done(group: string): void {
    const n = this.runningIn(group);
    if (n === 0) throw new Error(`done(${group}) without a running item`);
    if (n === 1) this.runningByGroup.delete(group);
    else this.runningByGroup.set(group, n - 1);
    this.runningTotal--;
  }

  /** Forgets every waiting item (running ones still end with done()). */
  clear(): void {
    this.waitingByGroup.clear();
    this.order = [];
    this.waitingTotal = 0;
  }

  /** The waiting group with the fewest running and below its limit; the first in round-robin order among equals. */
  private pick(): string | undefined {
    let best: string | undefined;
    let bestRunning = Infinity;
    for (const group of this.order) {
      const running = this.runningIn(group);
      if (running < this.perGroupLimit && running < bestRunning) {
        best = group;
        bestRunning = running;
      }
    }
    return best;
  }

  private dropGroup(group: string): void {
    this.waitingByGroup.delete(group);
    this.order = this.order.filter((g) => g !== group);
  }
}
