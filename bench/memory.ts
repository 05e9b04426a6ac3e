// Operator memory with 0, 100 and N ModelDeployments (and their children, pods and EndpointSlices) in
// its caches: a fresh operator per level, watching the namespaces that hold that many, measured once
// it has reconciled everything and sat idle.
import { HttpMethod } from '@kubernetes/client-node';
import type { BenchCluster } from './bench-cluster.ts';
import { countByVerb } from './audit-log.ts';
import { startOperator, type OperatorLaunch } from './operator-runner.ts';
import { sleep } from './parallel.ts';
import { sumOf } from './prom-text.ts';
import { round, summarize, total } from './stats.ts';
import { waitForNoWrites } from './settle.ts';
import { CHILD_KINDS, CHILD_SELECTOR, MD_API, MD_PLURAL } from './workload.ts';

export interface MemoryLevel {
  readonly modelDeployments: number;
  /** Objects the operator caches: ModelDeployments, their children, pods and EndpointSlices. */
  readonly cachedObjects: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  /** V8's heap as reserved (used + free pages it keeps) and memory outside it (Buffers, native). */
  readonly heapTotalMiB: number;
  readonly externalMiB: number;
  /** Writes of the fresh operator (converged objects: expected 0). */
  readonly writesAtStart: number;
}

export interface MemoryResult {
  readonly levels: MemoryLevel[];
  /** (RSS at the largest level - RSS at 0) / its cached objects. */
  readonly bytesPerObject: number;
  /** RSS growth from 0 to the largest level, scaled to 1000 ModelDeployments. */
  readonly rssMiBPer1000ModelDeployments: number;
}

export interface LevelSpec {
  readonly modelDeployments: number;
  /** Namespaces to watch; empty: all. */
  readonly namespaces: readonly string[];
}

const MiB = 2 ** 20;

async function countObjects(cluster: BenchCluster, namespaces: readonly string[]): Promise<number> {
  const paths = [`${MD_API}/${MD_PLURAL}`, ...new Set(CHILD_KINDS.map((c) => c.path)), '/api/v1/pods', '/apis/discovery.k8s.io/v1/endpointslices'];
  let n = 0;
  for (const path of paths) {
    const selector = path.includes(MD_PLURAL) ? undefined : CHILD_SELECTOR;
    const list = await cluster.client.request<{ items: { metadata?: { namespace?: string } }[] }>(HttpMethod.GET, path, { query: { labelSelector: selector } });
    n += list.items.filter((i) => namespaces.length === 0 || namespaces.includes(i.metadata?.namespace ?? '')).length;
  }
  return n;
}

export async function measureMemory(cluster: BenchCluster, kubeconfig: string, user: string, launch: OperatorLaunch, levels: readonly LevelSpec[], settleMs: number, log: (m: string) => void): Promise<MemoryResult> {
  const out: MemoryLevel[] = [];
  for (const level of levels) {
    const mark = cluster.audit.mark();
    const flags = level.namespaces.length > 0 ? [`--watch-namespaces=${level.namespaces.join(',')}`] : [];
    const op = await startOperator({ kubeconfig, dir: cluster.dir, name: `modelship-memory-${level.modelDeployments}`, flags, ...launch });
    try {
      // Caches are synced (readyz); give every reconcile of the initial list time to run, then idle.
      await waitForNoWrites(cluster, user, settleMs, 120_000);
      await waitForQueue(async () => sumOf(await op.metrics(), 'workqueue_depth'));
      await sleep(settleMs);
      const rss: number[] = [];
      for (let i = 0; i < 3; i++) {
        rss.push(op.rss());
        await sleep(1000);
      }
      const samples = await op.metrics();
      const heap = sumOf(samples, 'nodejs_heap_size_used_bytes');
      const heapTotal = sumOf(samples, 'nodejs_heap_size_total_bytes');
      const external = sumOf(samples, 'nodejs_external_memory_bytes');
      const writes = total(countByVerb(cluster.audit.entriesSince(mark), user).writes);
      const cachedObjects = await countObjects(cluster, level.namespaces);
      out.push({ modelDeployments: level.modelDeployments, cachedObjects, rssMiB: round(summarize(rss).median / MiB, 1), heapUsedMiB: round(heap / MiB, 1), heapTotalMiB: round(heapTotal / MiB, 1), externalMiB: round(external / MiB, 1), writesAtStart: writes });
      log(`memory: ${level.modelDeployments} ModelDeployments, ${cachedObjects} objects: RSS ${out.at(-1)?.rssMiB} MiB`);
    } finally {
      await op.stop();
    }
  }
  const first = out[0];
  const last = out.at(-1);
  const grown = first && last ? (last.rssMiB - first.rssMiB) * MiB : NaN;
  return {
    levels: out,
    bytesPerObject: last && last.cachedObjects > 0 ? Math.round(grown / (last.cachedObjects - (first?.cachedObjects ?? 0))) : NaN,
    rssMiBPer1000ModelDeployments: last && last.modelDeployments > 0 ? round(((grown / MiB) * 1000) / last.modelDeployments, 1) : NaN,
  };
}

async function waitForQueue(depth: () => Promise<number>): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if ((await depth()) === 0) return;
    await sleep(1000);
  }
}
