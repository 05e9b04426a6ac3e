// One sharded convergence on a control plane of its own: N ModelDeployments labelled round robin
// with `sharding.modelship.io/key=shardK`, one operator process per shard (its selector, leader
// election on its own Lease), all created at once and timed until children exist and all are Ready.
// Per shard: CPU, RSS, reconciles and the request rate it reached (audit log by user agent); for the
// control plane: each component's CPU seconds over the phase; and whether every write came from the
// owning shard and every ModelDeployment ended Ready with all its children.
import { HttpMethod } from '@kubernetes/client-node';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiClient, KubeObject } from '../src/kube/api-client.ts';
import { SYSTEM_NAMESPACE, onBenchCluster, userOf } from './bench-cluster.ts';
import { applyChartFlowSchema } from './chart-flow-schema.ts';
import { createAtOnce, type CreateTimes } from './convergence.ts';
import { startStallSampler, type MachineStall } from './machine-stalls.ts';
import { Observer } from './observer.ts';
import { startOperator, type OperatorRun } from './operator-runner.ts';
import { withCounters, type PhaseCounters } from './phase-counters.ts';
import { cpuSeconds, peakRssBytes } from './proc-stats.ts';
import { sumBy, sumOf, type Sample } from './prom-text.ts';
import { requestBudget, type RequestBudget } from './request-budget.ts';
import { assignShards, shardNames, shardOwnership, shardSelector, shardSizes, type ShardOwnership } from './shard-split.ts';
import { waitForNoWrites } from './settle.ts';
import { delta, round } from './stats.ts';
import { exitLogLines } from './exit-log.ts';
import { sleep } from './parallel.ts';
import { labelledModelDeploymentKind, namespacesOf, placements, type ParentKind, type Placement } from './workload.ts';
import { SHARD_LABEL } from '../src/config.ts';

export interface ShardingGroupOptions {
  readonly count: number;
  readonly shards: number;
  readonly nodes: number;
  readonly componentQps: number;
  readonly settings: { readonly qps: number; readonly burst: number; readonly concurrency: number };
  readonly timeoutMs: number;
  /** Apply the chart's FlowSchema for the operators' Lease requests first (a chart install does). */
  readonly flowSchema: boolean;
  /** Extra Node flags for every shard process. */
  readonly nodeFlags?: readonly string[];
}

export interface ShardFigures {
  readonly shard: string;
  readonly selector: string;
  readonly modelDeployments: number;
  readonly cpuSeconds: number;
  readonly rssMiB: number;
  readonly peakRssMiB: number;
  /** controller_runtime_reconcile_total by result over the phase. */
  readonly reconciles: Record<string, number>;
  readonly reconcileErrors: number;
  /** rest_client_requests_total over the phase (the controller's client: no Events, no Lease). */
  readonly clientRequests: number;
  /** ModelDeployments the shard holds Ready=True in its cache at the end (modelship_model_deployments, up to 25 s after the phase). */
  readonly readyInCache: number;
  /** Its requests as the API server received them (audit log, told apart by user agent), its Lease left out. */
  readonly budget: RequestBudget;
  readonly leaseRequests: number;
}

export interface ShardingCheck extends ShardOwnership {
  /** At the end, as the benchmark's watches see them. */
  readonly notReadyAtEnd: number;
  readonly missingChildrenAtEnd: number;
  /** Shards whose cache holds a different number of Ready ModelDeployments than they own. */
  readonly shardsWithOtherCacheCounts: number;
  /** Leases in the operators' namespace and who holds them: one per shard, held by that shard. */
  readonly leases: Record<string, string>;
  /** Nothing reconciled twice, nothing missed, one Lease per shard. */
  readonly ok: boolean;
}

export interface ShardingGroupResult {
  readonly shards: number;
  readonly count: number;
  /** The chart's FlowSchema applied for the shards' Lease requests, if any. */
  readonly flowSchema?: string;
  /** Absent when the milestones were not reached in time (see error and check). */
  readonly create?: CreateTimes;
  readonly error?: string;
  /** Shards whose process had exited by the end of the phase (a lost Lease ends the process). */
  readonly exitedShards: readonly string[];
  /** Per exited shard, its log's warnings and errors and last lines (the whole log is copied to .local/bench-logs). */
  readonly exitLogs?: Readonly<Record<string, readonly string[]>>;
  /** Wake-ups of a sampling thread more than 1 s late during the phase: the whole machine stood still (machine-stalls.ts). */
  readonly machineStalls: readonly MachineStall[];
  readonly counters: PhaseCounters;
  /** All shards' requests together, their Leases left out. */
  readonly operatorsBudget: RequestBudget;
  readonly leaseRequests: number;
  /** From the first create to 5 s after the shards' last write of an object (Events and Leases aside). */
  readonly phaseSeconds: number;
  readonly perShard: readonly ShardFigures[];
  readonly operatorsCpuSeconds: number;
  /** CPU seconds of each control-plane process (and the benchmark's own, its watches included) over the phase. */
  readonly controlPlaneCpuSeconds: Record<string, number>;
  readonly benchmarkCpuSeconds: number;
  readonly check: ShardingCheck;
}

const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;
const agentOf = (shard: string) => `modelship/${shard}`;

export async function runShardingGroup(options: ShardingGroupOptions, log: (m: string) => void): Promise<ShardingGroupResult> {
  return onBenchCluster({ nodes: options.nodes, componentQps: options.componentQps }, `sharding (${options.shards} shards)`, log, async (cluster) => {
    const list = placements('bench', options.count);
    const owner = assignShards(list, options.shards);
    const sizes = shardSizes(owner, options.shards);
    const kind = labelledModelDeploymentKind((p) => ({ [SHARD_LABEL]: owner.get(`${p.namespace}/${p.name}`)! }));
    await cluster.createNamespaces(namespacesOf(list));
    // Every shard authenticates as the one modelship account, as the chart's shard Deployments do.
    const kubeconfig = await cluster.kubeconfigFor('modelship');
    const user = userOf('modelship');
    const flowSchema = options.flowSchema ? await applyChartFlowSchema(cluster.client, cluster.cp.toolsDir, SYSTEM_NAMESPACE, 'modelship') : undefined;
    const env = { MODELSHIP_KUBE_API_QPS: String(options.settings.qps), MODELSHIP_KUBE_API_BURST: String(options.settings.burst), MODELSHIP_CONCURRENCY: String(options.settings.concurrency) };
    const operators: { shard: string; run: OperatorRun }[] = [];
    try {
      for (const shard of shardNames(options.shards)) {
        const flags = [`--watch-label-selector=${shardSelector(shard)}`, '--leader-elect=true', `--leader-election-namespace=${SYSTEM_NAMESPACE}`];
        operators.push({ shard, run: await startOperator({ kubeconfig, dir: cluster.dir, name: shard, flags, env, ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}) }) });
      }
      const observer = new Observer(cluster.kc, cluster.client);
      // Done when the shards stop writing objects; Events still draining and Lease renewals are not waited for.
      const settle = async () => void (await waitForNoWrites(cluster, user, 5000, 120_000, { events: false, ignore: ['leases'] }));
      const componentCpu = () => Object.fromEntries(COMPONENTS.map((c) => [c, componentCpuSeconds(cluster.cp.processes.get(c)?.pid)]));
      // A shard that exited (it loses its Lease when the API server answers too slowly, and exits so that its
      // Deployment restarts it) has no /proc entry and no metrics left: its figures read as NaN or empty.
      const metricsAll = () => Promise.all(operators.map((o) => o.run.metrics().catch((): Sample[] => [])));
      const cpuOf = (run: OperatorRun) => (run.running() ? componentCpuSeconds(run.pid) : NaN);
      const exits = operators.map(({ shard, run }) => run.exited().then((code) => ({ shard, code, logFile: run.logFile })));
      const firstExit = Promise.race(exits).then(({ shard, code, logFile }) => {
        throw new Error(`shard ${shard} exited (code ${code}) before the ModelDeployments converged; its log: ${logFile}`);
      });
      firstExit.catch(() => undefined);
      log(`sharding: ${options.shards} shards (${Object.values(sizes).join('/')}), creating ${options.count} ModelDeployments at once`);
      const mark = cluster.audit.mark();
      const stalls = startStallSampler();
      const m0 = await metricsAll();
      const cpu0 = operators.map((o) => cpuOf(o.run));
      const cp0 = componentCpu();
      const self0 = process.cpuUsage();
      const t0 = performance.now();
      let error: string | undefined;
      const phase = await withCounters(
        cluster,
        user,
        undefined,
        async () => {
          try {
            return { create: await Promise.race([createAtOnce(cluster, observer, kind, list, options.timeoutMs), firstExit]) };
          } catch (err) {
            error = err instanceof Error ? err.message : String(err);
            log(`sharding: ${error}`);
            return {};
          }
        },
        settle,
      );
      const phaseSeconds = round((performance.now() - t0) / 1000, 1);
      const machineStalls = await stalls.stop();
      for (const st of machineStalls) log(`sharding: the machine stalled ${st.gapMs} ms at ${st.at} (over it: busy ${st.busyMs}, idle ${st.idleMs}, iowait ${st.iowaitMs}, steal ${st.stealMs} ms of CPU)`);
      const self = process.cpuUsage(self0);
      const cp1 = componentCpu();
      const cpu1 = operators.map((o) => cpuOf(o.run));
      const exitedOperators = operators.filter((o) => !o.run.running());
      const exited = exitedOperators.map((o) => o.shard);
      const exitLogs = await keepExitLogs(exitedOperators, options.shards, log);
      const m1 = await metricsAll();
      const cached = await readyInCaches(operators.map((o) => o.run), shardNames(options.shards).map((s) => sizes[s] ?? 0));
      const entries = cluster.audit.entriesSince(mark);
      // Lease renewals go on at a fixed rate whatever the load: counted apart, out of the request rates.
      const work = entries.filter((e) => e.resource !== 'leases');
      const leaseRequests = (agent?: string) => entries.filter((e) => e.user === user && e.resource === 'leases' && (agent === undefined || e.userAgent === agent)).length;
      const perShard = operators.map(({ shard, run }, i): ShardFigures => {
        const before = m0[i]!;
        const after = m1[i]!;
        return {
          shard,
          selector: shardSelector(shard),
          modelDeployments: sizes[shard] ?? 0,
          cpuSeconds: round(cpu1[i]! - cpu0[i]!, 1),
          rssMiB: run.running() ? round(run.rss() / 2 ** 20, 1) : NaN,
          peakRssMiB: run.running() ? round((peakRssBytes(run.pid) ?? NaN) / 2 ** 20, 1) : NaN,
          reconciles: delta(sumBy(before, 'controller_runtime_reconcile_total', 'result'), sumBy(after, 'controller_runtime_reconcile_total', 'result')),
          reconcileErrors: sumOf(after, 'controller_runtime_reconcile_errors_total') - sumOf(before, 'controller_runtime_reconcile_errors_total'),
          clientRequests: sumOf(after, 'rest_client_requests_total') - sumOf(before, 'rest_client_requests_total'),
          readyInCache: cached[i]!,
          budget: requestBudget(work.filter((e) => e.userAgent === agentOf(shard)), user, sizes[shard] ?? 0),
          leaseRequests: leaseRequests(agentOf(shard)),
        };
      });
      const check = await checkShards(cluster.client, observer, kind, list, owner, perShard, shardOwnership(entries, user, owner, options.shards, agentOf));
      await observer.stop();
      const result: ShardingGroupResult = {
        shards: options.shards,
        ...(flowSchema ? { flowSchema } : {}),
        count: options.count,
        ...(phase.create ? { create: phase.create } : {}),
        ...(error !== undefined ? { error } : {}),
        exitedShards: exited,
        ...(exited.length > 0 ? { exitLogs } : {}),
        machineStalls,
        counters: phase.counters,
        operatorsBudget: requestBudget(work, user, options.count),
        leaseRequests: leaseRequests(),
        phaseSeconds,
        perShard,
        operatorsCpuSeconds: round(perShard.reduce((a, s) => a + s.cpuSeconds, 0), 1),
        controlPlaneCpuSeconds: Object.fromEntries(COMPONENTS.map((c) => [c, round((cp1[c] ?? NaN) - (cp0[c] ?? NaN), 1)])),
        benchmarkCpuSeconds: round((self.user + self.system) / 1e6, 1),
        check,
      };
      log(
        `sharding: ${options.shards} shards: children ${phase.create?.childrenExistSeconds.toFixed(1) ?? '-'} s, Ready ${phase.create?.readySeconds.toFixed(1) ?? '-'} s; ` +
          `operators CPU ${perShard.map((s) => s.cpuSeconds).join('/')} s, kube-apiserver ${result.controlPlaneCpuSeconds['kube-apiserver']} s, etcd ${result.controlPlaneCpuSeconds.etcd} s over ${phaseSeconds} s; ` +
          `check ${check.ok ? 'ok' : `FAILED ${JSON.stringify({ ...check, examples: check.examples.slice(0, 3) })}`}`,
      );
      return result;
    } finally {
      for (const o of operators) await o.run.stop();
    }
  });
}

function componentCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    return cpuSeconds(pid);
  } catch {
    return NaN;
  }
}

function readyInCache(samples: readonly Sample[]): number {
  return sumOf(samples, 'modelship_model_deployments', (l) => l.condition === 'Ready' && l.status === 'True');
}

/** Each shard's Ready count from its gauge, which the operator refreshes every 10 s: read until it matches or 25 s have passed. */
async function readyInCaches(operators: readonly OperatorRun[], expected: readonly number[]): Promise<number[]> {
  const deadline = performance.now() + 25_000;
  for (;;) {
    const counts = await Promise.all(operators.map(async (o) => readyInCache(await o.metrics().catch((): Sample[] => []))));
    if (counts.every((n, i) => n === expected[i]) || performance.now() > deadline) return counts;
    await sleep(1000);
  }
}

async function checkShards(
  client: ApiClient,
  observer: Observer,
  kind: ParentKind,
  list: readonly Placement[],
  owner: ReadonlyMap<string, string>,
  perShard: readonly ShardFigures[],
  ownership: ShardOwnership,
): Promise<ShardingCheck> {
  const parents = await observer.tracker(kind.listPath);
  const notReadyAtEnd = list.filter((p) => {
    const md = parents.store.get(`${p.namespace}/${p.name}`);
    return md === undefined || !kind.ready(md);
  }).length;
  let missingChildrenAtEnd = 0;
  for (const [path, keys] of kind.children(list)) {
    const children = await observer.tracker(path, kind.childSelector);
    missingChildrenAtEnd += keys.filter((k) => !children.store.has(k)).length;
  }
  const shardsWithOtherCacheCounts = perShard.filter((s) => s.readyInCache !== s.modelDeployments).length;
  const leaseList = await client.request<{ items: (KubeObject & { spec?: { holderIdentity?: string } })[] }>(HttpMethod.GET, `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM_NAMESPACE}/leases`);
  const leases = Object.fromEntries(leaseList.items.map((l) => [l.metadata?.name ?? '', l.spec?.holderIdentity ?? '']));
  const holders = Object.values(leases);
  const oneLeaseEach = perShard.every((s) => holders.filter((h) => h === s.shard).length === 1);
  const ok =
    ownership.foreignWrites === 0 && ownership.writtenByMoreThanOneShard === 0 && ownership.ownerWroteNothing === 0 && notReadyAtEnd === 0 && missingChildrenAtEnd === 0 && shardsWithOtherCacheCounts === 0 && oneLeaseEach && owner.size === list.length;
  return { ...ownership, notReadyAtEnd, missingChildrenAtEnd, shardsWithOtherCacheCounts, leases, ok };
}

/** The logs of shards that exited, kept beyond the bench's temporary folder: copied, and their telling lines returned. */
async function keepExitLogs(exited: readonly { shard: string; run: OperatorRun }[], shards: number, log: (m: string) => void): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const dir = join('.local', 'bench-logs');
  for (const { shard, run } of exited) {
    try {
      out[shard] = exitLogLines(await readFile(run.logFile, 'utf8'));
      await mkdir(dir, { recursive: true });
      const copy = join(dir, `sharding-${shards}-${shard}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
      await copyFile(run.logFile, copy);
      log(`sharding: shard ${shard}'s log kept at ${copy}`);
    } catch (err) {
      out[shard] = [`its log could not be read: ${err instanceof Error ? err.message : String(err)}`];
    }
  }
  return out;
}
