// Latency and rollout on one idle control plane, one operator.
import { startBenchCluster } from './bench-cluster.ts';
import { measureLatency, type LatencyResult } from './latency.ts';
import { Observer } from './observer.ts';
import { startOperator, type OperatorLaunch } from './operator-runner.ts';
import { measureRollout, type RolloutResult } from './rollout.ts';

export interface LatencyGroupOptions {
  readonly applies: number;
  readonly rolloutRepetitions: number;
  readonly launch: OperatorLaunch;
}

export async function runLatencyGroup(options: LatencyGroupOptions, log: (m: string) => void): Promise<{ latency: LatencyResult; rollout: RolloutResult }> {
  // 100 single-pod models and a 4-pod canary fit on two simulated nodes (110 pods each).
  const cluster = await startBenchCluster({ nodes: 2 });
  try {
    await cluster.createNamespaces(['bench-latency', 'bench-rollout']);
    const operator = await startOperator({ kubeconfig: await cluster.kubeconfigFor('modelship'), dir: cluster.dir, name: 'modelship', ...options.launch });
    const observer = new Observer(cluster.kc, cluster.client);
    try {
      log(`latency: ${options.applies} applies, one at a time`);
      const latency = await measureLatency(cluster, observer, 'bench-latency', options.applies, log);
      log(`rollout: ${options.rolloutRepetitions} canaries`);
      const rollout = await measureRollout(cluster, observer, 'bench-rollout', options.rolloutRepetitions, log);
      return { latency, rollout };
    } finally {
      await observer.stop();
      await operator.stop();
    }
  } catch (err) {
    log(`latency group failed; last lines of the components:\n${cluster.cp.logs(15)}`);
    throw err;
  } finally {
    await cluster.stop();
  }
}
