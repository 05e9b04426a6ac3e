// Waiting for a controller to be done: no write of its own for a while (from the audit log). Its
// Events trail behind (modelship writes at most 5 a second), so they may be left out.
import type { BenchCluster } from './bench-cluster.ts';
import { isWrite } from './audit-log.ts';
import { sleep } from './parallel.ts';
import { round, summarize } from './stats.ts';

/**
 * Resolves once `user` has written nothing for `quietMs`; gives up (and says so) after `timeoutMs`.
 * `ignore`: resources whose writes never end (a leader's Lease renewals).
 */
export async function waitForNoWrites(
  cluster: BenchCluster,
  user: string,
  quietMs: number,
  timeoutMs: number,
  options: { events: boolean; ignore?: readonly string[] } = { events: true },
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let mark = cluster.audit.mark();
  let quietSince = performance.now();
  while (performance.now() < deadline) {
    await sleep(1000);
    const writes = cluster.audit.entriesSince(mark).filter((e) => e.user === user && isWrite(e.verb) && (options.events || e.resource !== 'events') && !options.ignore?.includes(e.resource)).length;
    mark = cluster.audit.mark();
    if (writes > 0) quietSince = performance.now();
    else if (performance.now() - quietSince >= quietMs) return true;
  }
  return false;
}

/** A process's RSS in MiB once it has idled `settleMs`: the median of three reads a second apart. */
export async function settledRss(rss: () => number, settleMs: number): Promise<number> {
  await sleep(settleMs);
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    samples.push(rss());
    await sleep(1000);
  }
  return round(summarize(samples).median / 2 ** 20, 1);
}
