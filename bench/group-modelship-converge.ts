// Modelship converging N ModelDeployments at once on a control plane of its own, with given client
// settings, and nothing else (no spec changes, rest or memory levels): the like-for-like run beside
// KServe's (group-kserve.ts), once at modelship's defaults and once at KServe's per-client settings.
import { onBenchCluster, userOf } from './bench-cluster.ts';
import { createAtOnce, type CreateTimes } from './convergence.ts';
import type { ClientSettings } from './floor.ts';
import { Observer } from './observer.ts';
import { startOperator, type OperatorLaunch } from './operator-runner.ts';
import { withCounters, type PhaseCounters } from './phase-counters.ts';
import { settledRss, waitForNoWrites } from './settle.ts';
import { round } from './stats.ts';
import { modelDeploymentKind, namespacesOf, placements } from './workload.ts';

export type { ClientSettings };

export interface ModelshipConvergeResult {
  readonly settings: ClientSettings;
  readonly create: CreateTimes & { counters: PhaseCounters };
  /** CPU time of the operator over the convergence (to its last write). */
  readonly cpuSeconds: number;
  /** The process that converged them, settled. */
  readonly rssConvergedMiB: number;
  /** A fresh process with the same settings once it has reconciled every converged model (as KServe's). */
  readonly rssFreshMiB: number;
}

const TIMEOUT_MS = 30 * 60_000;

export const settingsFlags = (s: ClientSettings) => [`--kube-api-qps=${s.qps}`, `--kube-api-burst=${s.burst}`, `--concurrency=${s.concurrency}`];

export async function runModelshipConverge(
  options: { count: number; nodes: number; settings: ClientSettings; launch: OperatorLaunch; settleMs: number; name: string },
  log: (m: string) => void,
): Promise<ModelshipConvergeResult> {
  return onBenchCluster({ nodes: options.nodes }, 'modelship converge', log, async (cluster) => {
    const list = placements('bench', options.count);
    await cluster.createNamespaces(namespacesOf(list));
    const kubeconfig = await cluster.kubeconfigFor('modelship');
    const user = userOf('modelship');
    const flags = settingsFlags(options.settings);
    const operator = await startOperator({ kubeconfig, dir: cluster.dir, name: options.name, flags, ...options.launch });
    const observer = new Observer(cluster.kc, cluster.client);
    try {
      log(`modelship (${flags.join(' ')}): creating ${options.count} ModelDeployments at once`);
      const cpu0 = operator.cpuSeconds();
      let cpu1 = cpu0;
      const create = await withCounters(
        cluster,
        user,
        () => operator.metrics(),
        () => createAtOnce(cluster, observer, modelDeploymentKind, list, TIMEOUT_MS),
        async () => {
          await waitForNoWrites(cluster, user, 5000, 120_000, { events: false });
          cpu1 = operator.cpuSeconds();
        },
        options.count,
      );
      log(`modelship: children ${create.childrenExistSeconds.toFixed(1)} s, Ready ${create.readySeconds.toFixed(1)} s`);
      await observer.stop();
      const rssConvergedMiB = await settledRss(() => operator.rss(), options.settleMs);
      await operator.stop();
      const fresh = await startOperator({ kubeconfig, dir: cluster.dir, name: `${options.name}-fresh`, flags, ...options.launch, nodeFlags: options.launch.nodeFlags.filter((f) => !f.startsWith('--cpu-prof') && !f.includes('allocation-sampler')) });
      try {
        await waitForNoWrites(cluster, user, options.settleMs, 120_000);
        const rssFreshMiB = await settledRss(() => fresh.rss(), options.settleMs);
        return { settings: options.settings, create, cpuSeconds: round(cpu1 - cpu0, 1), rssConvergedMiB, rssFreshMiB };
      } finally {
        await fresh.stop();
      }
    } finally {
      await observer.stop();
      await operator.stop();
    }
  });
}
