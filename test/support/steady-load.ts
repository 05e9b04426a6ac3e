// A steady request load for the analysis e2e tests: a few workers, each sending one request at a time with a
// short pause (a steady load, not a flood), every reply kept in the order it came, bounded so that a test
// that forgets to stop cannot grow without end.
import { setTimeout as sleep } from 'node:timers/promises';

export interface SteadyLoad<R> {
  readonly replies: R[];
  stop(): Promise<void>;
}

/** Calls `request(n)` (n counts requests from 0) from `workers` loops until stop() or `max` replies. */
export function steadyLoad<R>(request: (n: number) => Promise<R>, options: { workers?: number; max?: number; pauseMs?: number } = {}): SteadyLoad<R> {
  const { workers = 2, max = 20_000, pauseMs = 10 } = options;
  const replies: R[] = [];
  let stopped = false;
  let sent = 0;
  const worker = async () => {
    while (!stopped && replies.length < max) {
      replies.push(await request(sent++));
      await sleep(pauseMs);
    }
  };
  const running = Promise.all(Array.from({ length: workers }, worker));
  return {
    replies,
    async stop() {
      stopped = true;
      await running;
    },
  };
}
