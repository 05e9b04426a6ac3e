// The peer: KServe's controller converging the same number of models, as InferenceServices in
// RawDeployment mode, on a control plane like the throughput one.
import { onBenchCluster, userOf } from './bench-cluster.ts';
import { createAtOnce, type CreateTimes } from './convergence.ts';
import { installKServe, startKServe } from './kserve-controller.ts';
import { inferenceServiceKind } from './kserve-workload.ts';
import { Observer } from './observer.ts';
import { withCounters, type PhaseCounters } from './phase-counters.ts';
import { settledRss, waitForNoWrites } from './settle.ts';
import { round } from './stats.ts';
import { namespacesOf, placements } from './workload.ts';

export interface KServeGroupResult {
  readonly create: CreateTimes & { counters: PhaseCounters };
  readonly rssIdleMiB: number;
  /** The process that converged them, 10 s later. */
  readonly rssConvergedMiB: number;
  /** A fresh process that lists the converged InferenceServices (like modelship's memory levels). */
  readonly rssFreshMiB: number;
  /** CPU time of the controller over the convergence. */
  readonly cpuSeconds: number;
}

const TIMEOUT_MS = 30 * 60_000;

export async function runKServeGroup(options: { count: number; nodes: number; binary: string; settleMs: number }, log: (m: string) => void): Promise<KServeGroupResult> {
  return onBenchCluster({ nodes: options.nodes }, 'kserve group', log, async (cluster) => {
    const list = placements('kserve-bench', options.count);
    await installKServe(cluster);
    await cluster.createNamespaces(namespacesOf(list));
    const user = userOf('kserve');
    const kserve = await startKServe(cluster, options.binary, await cluster.kubeconfigFor('kserve'));
    const observer = new Observer(cluster.kc, cluster.client);
    try {
      const rssIdleMiB = await settledRss(() => kserve.rss(), options.settleMs);
      log(`kserve: creating ${options.count} InferenceServices at once`);
      const cpu0 = kserve.cpuSeconds();
      const create = await withCounters(
        cluster,
        user,
        undefined,
        () => createAtOnce(cluster, observer, inferenceServiceKind, list, TIMEOUT_MS),
        // KServe keeps updating a few objects after the last one is Ready; half a minute at most.
        async () => void (await waitForNoWrites(cluster, user, 5000, 30_000, { events: false })),
        options.count,
      );
      const cpuSeconds = round(kserve.cpuSeconds() - cpu0, 1);
      log(`kserve: children ${create.childrenExistSeconds.toFixed(1)} s, Ready ${create.readySeconds.toFixed(1)} s`);
      await observer.stop();
      const rssConvergedMiB = await settledRss(() => kserve.rss(), options.settleMs);
      await kserve.stop();
      const fresh = await startKServe(cluster, options.binary, await cluster.kubeconfigFor('kserve'));
      try {
        await waitForNoWrites(cluster, user, options.settleMs, 60_000);
        const rssFreshMiB = await settledRss(() => fresh.rss(), options.settleMs);
        return { create, rssIdleMiB, rssConvergedMiB, rssFreshMiB, cpuSeconds };
      } finally {
        await fresh.stop();
      }
    } finally {
      await observer.stop();
      await kserve.stop();
    }
  });
}
