// The floor on a control plane of its own, the same size as the throughput one: N ModelDeployments'
// children applied by a bare client, then the spec changes' children.
import { onBenchCluster, userOf } from './bench-cluster.ts';
import { floorChange, floorCreate, type ClientSettings, type FloorTimes } from './floor.ts';
import { Observer } from './observer.ts';
import { withCounters, type PhaseCounters } from './phase-counters.ts';
import { namespacesOf, placements } from './workload.ts';

export interface FloorGroupOptions {
  readonly count: number;
  readonly changes: number;
  readonly nodes: number;
  /** kube-controller-manager's and kube-scheduler's client QPS; default theirs. */
  readonly componentQps?: number;
  readonly settings: ClientSettings;
}

export interface FloorGroupResult {
  readonly create: FloorTimes & { counters: PhaseCounters };
  readonly change: FloorTimes & { counters: PhaseCounters };
}

const TIMEOUT_MS = 30 * 60_000;

export async function runFloorGroup(options: FloorGroupOptions, log: (m: string) => void): Promise<FloorGroupResult> {
  return onBenchCluster({ nodes: options.nodes, ...(options.componentQps ? { componentQps: options.componentQps } : {}) }, 'floor group', log, async (cluster) => {
    const list = placements('bench', options.count);
    await cluster.createNamespaces(namespacesOf(list));
    // The floor authenticates as the operator does, so the audit log counts its requests the same way.
    const kubeconfig = await cluster.kubeconfigFor('modelship');
    const user = userOf('modelship');
    const observer = new Observer(cluster.kc, cluster.client);
    try {
      log(`floor: ${options.count} ModelDeployments' children`);
      const create = await withCounters(cluster, user, undefined, () => floorCreate(cluster, observer, list, options.settings, kubeconfig, TIMEOUT_MS));
      log(`floor: children ${create.childrenExistSeconds.toFixed(1)} s, pods ready ${create.podsReadySeconds.toFixed(1)} s`);
      const change = await withCounters(cluster, user, undefined, () => floorChange(cluster, observer, list.slice(0, options.changes), '2', options.settings, kubeconfig, TIMEOUT_MS));
      log(`floor: changes: children ${change.childrenExistSeconds.toFixed(1)} s, rolled out ${change.podsReadySeconds.toFixed(1)} s`);
      return { create, change };
    } finally {
      await observer.stop();
    }
  });
}
