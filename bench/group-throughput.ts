// Throughput, rest and memory on one control plane: N ModelDeployments at once, then spec changes of
// some of them, then the converged operator at rest, then fresh operators for the memory levels.
import { HttpMethod } from '@kubernetes/client-node';
import type { ModelDeploymentStatus } from '../src/api/index.ts';
import type { ApiClient, KubeObject } from '../src/kube/api-client.ts';
import { resourcePath } from '../src/kube/resource-paths.ts';
import { DESIRED_HASH_ANNOTATION } from '../src/controller/apply-decision.ts';
import { EVENT_AGGREGATION_WINDOW_MS } from '../src/kube/event-recorder.ts';
import { onBenchCluster, userOf } from './bench-cluster.ts';
import { changeAtOnce, createAtOnce, type ChangeTimes, type CreateTimes } from './convergence.ts';
import { desiredChildren } from './floor-objects.ts';
import { measureMemory, type MemoryResult } from './memory.ts';
import { Observer } from './observer.ts';
import { startOperator, type OperatorLaunch } from './operator-runner.ts';
import { withCounters, type PhaseCounters } from './phase-counters.ts';
import { measureRest, type RestResult } from './rest.ts';
import { waitForNoWrites } from './settle.ts';
import { round } from './stats.ts';
import { VERSION_LABEL, modelDeploymentKind, namespacesOf, placements, versionedChildKeysByPath, type Placement } from './workload.ts';

export interface ThroughputGroupOptions {
  readonly count: number;
  readonly changes: number;
  readonly nodes: number;
  /** kube-controller-manager's and kube-scheduler's client QPS; default theirs. */
  readonly componentQps?: number;
  readonly restMs: number;
  readonly settleMs: number;
  readonly launch: OperatorLaunch;
  /** Skip rest and memory (repeated runs measure throughput only). */
  readonly throughputOnly: boolean;
}

export interface ThroughputGroupResult {
  readonly create: CreateTimes & { counters: PhaseCounters; operatorCpuSeconds: number };
  readonly change: ChangeTimes & { counters: PhaseCounters };
  /** The floor's objects (floor-objects.ts) have the same desired-hash as the operator's children. */
  readonly floorObjectsMatchOperator: boolean;
  readonly floorChangeObjectsMatchOperator: boolean;
  readonly rest?: RestResult & { eventBacklogDrainSeconds: number };
  readonly memory?: MemoryResult;
  /** The operator that did all of it, at the end. */
  readonly longRunning?: { rssMiB: number; cpuSeconds: number };
}

const EMPTY_NAMESPACE = 'bench-empty';
const TIMEOUT_MS = 30 * 60_000;

type Md = KubeObject & { spec?: unknown; status?: ModelDeploymentStatus };

const getMd = (client: ApiClient, p: Placement) => client.request<Md>(HttpMethod.GET, `${modelDeploymentKind.collection(p.namespace)}/${p.name}`);

/**
 * For a few ModelDeployments: do the floor's objects (floor-objects.ts, from the ModelDeployment and the
 * rollout status before the change, if any) carry the desired-hash of the operator's children?
 */
async function sameObjects(client: ApiClient, sample: readonly Placement[], before?: ReadonlyMap<string, Md>): Promise<boolean> {
  const now = new Date();
  for (const p of sample) {
    const md = await getMd(client, p);
    const previous = before?.get(p.name);
    const status = previous ? desiredChildren(previous, now).status : undefined;
    for (const child of desiredChildren(md, now, status).objects) {
      const live = await client.request<KubeObject>(HttpMethod.GET, resourcePath({ apiVersion: child.apiVersion, kind: child.kind, namespace: p.namespace, name: child.metadata?.name ?? '' }));
      if (live.metadata?.annotations?.[DESIRED_HASH_ANNOTATION] !== child.metadata?.annotations?.[DESIRED_HASH_ANNOTATION]) return false;
    }
  }
  return true;
}

export async function runThroughputGroup(options: ThroughputGroupOptions, log: (m: string) => void): Promise<ThroughputGroupResult> {
  return onBenchCluster({ nodes: options.nodes, ...(options.componentQps ? { componentQps: options.componentQps } : {}) }, 'throughput group', log, async (cluster) => {
    const list = placements('bench', options.count);
    await cluster.createNamespaces([...namespacesOf(list), EMPTY_NAMESPACE]);
    const kubeconfig = await cluster.kubeconfigFor('modelship');
    const user = userOf('modelship');
    const operator = await startOperator({ kubeconfig, dir: cluster.dir, name: 'modelship', ...options.launch });
    const observer = new Observer(cluster.kc, cluster.client);
    // A phase ends when the operator stops writing objects; Events still draining are not waited for.
    const settle = async () => void (await waitForNoWrites(cluster, user, 5000, 120_000, { events: false }));
    log(`throughput: creating ${options.count} ModelDeployments at once`);
    const cpu0 = operator.cpuSeconds();
    const created = await withCounters(cluster, user, () => operator.metrics(), () => createAtOnce(cluster, observer, modelDeploymentKind, list, TIMEOUT_MS), settle);
    const create = { ...created, operatorCpuSeconds: round(operator.cpuSeconds() - cpu0, 1) };
    log(`throughput: children ${create.childrenExistSeconds.toFixed(1)} s, Ready ${create.readySeconds.toFixed(1)} s`);
    const floorObjectsMatchOperator = await sameObjects(cluster.client, list.slice(-3));
    const changed = list.slice(0, options.changes);
    const sample = changed.slice(0, 3);
    const before = new Map(await Promise.all(sample.map(async (p) => [p.name, await getMd(cluster.client, p)] as const)));
    log(`throughput: changing ${changed.length} specs at once`);
    const change = await withCounters(
      cluster,
      user,
      () => operator.metrics(),
      () => changeAtOnce(cluster, observer, modelDeploymentKind, changed, '2', versionedChildKeysByPath(changed), (o) => o.metadata?.labels?.[VERSION_LABEL] === '2', TIMEOUT_MS),
      settle,
    );
    const floorChangeObjectsMatchOperator = await sameObjects(cluster.client, sample, before);
    log(`throughput: changes: children ${change.childrenUpdatedSeconds.toFixed(1)} s, Ready ${change.readySeconds.toFixed(1)} s`);
    await observer.stop();
    if (options.throughputOnly) {
      await operator.stop();
      return { create, change, floorObjectsMatchOperator, floorChangeObjectsMatchOperator };
    }
    // At rest means the Event backlog is written too, including repeats whose count waits for the
    // recorder's aggregation window: quiet for longer than that window.
    const drainStarted = performance.now();
    const drained = await waitForNoWrites(cluster, user, EVENT_AGGREGATION_WINDOW_MS + 5000, 10 * 60_000);
    const drainSeconds = round((performance.now() - drainStarted) / 1000, 0);
    log(`rest: ${drained ? `no writes for ${(EVENT_AGGREGATION_WINDOW_MS + 5000) / 1000} s` : 'still writing after 10 min'} (waited ${drainSeconds} s)`);
    const rest = { ...(await measureRest(cluster, operator, user, options.restMs, log)), eventBacklogDrainSeconds: drainSeconds };
    log(`rest: ${rest.operatorWrites} writes, ${rest.operatorCpuSeconds} CPU s`);
    const longRunning = { rssMiB: round(operator.rss() / 2 ** 20, 1), cpuSeconds: round(operator.cpuSeconds(), 1) };
    await operator.stop();
    const hundred = namespacesOf(list.slice(0, 100));
    const memory = await measureMemory(
      cluster,
      kubeconfig,
      user,
      options.launch,
      [
        { modelDeployments: 0, namespaces: [EMPTY_NAMESPACE] },
        ...(options.count > 100 ? [{ modelDeployments: 100, namespaces: hundred }] : []),
        { modelDeployments: options.count, namespaces: [] },
      ],
      options.settleMs,
      log,
    );
    return { create, change, floorObjectsMatchOperator, floorChangeObjectsMatchOperator, rest, memory, longRunning };
  });
}
