// Many parents at once (ModelDeployments, or KServe's InferenceServices): created or changed in one
// burst by the benchmark, then timed until every child exists, every pod is ready and every parent
// says Ready. Times are seconds from the first request of the burst.
import { HttpMethod } from '@kubernetes/client-node';
import type { KubeObject } from '../src/kube/api-client.ts';
import type { BenchCluster } from './bench-cluster.ts';
import { exists, type MilestonePart, type Observer } from './observer.ts';
import { forEachLimit } from './parallel.ts';
import { rolledOut, type ParentKind, type Placement } from './workload.ts';

/** How the benchmark's burst is sent: this many requests in flight, unthrottled. */
export const BURST_CONCURRENCY = 32;

export interface CreateTimes {
  readonly count: number;
  /** How long the benchmark took to send every create. */
  readonly submitSeconds: number;
  readonly childrenExistSeconds: number;
  /** Every Deployment rolled out with its pods ready (kwok). */
  readonly podsReadySeconds: number;
  readonly readySeconds: number;
}

const DEPLOYMENTS = '/apis/apps/v1/deployments';

function childParts(byPath: Map<string, string[]>, selector: string, predicate: MilestonePart['predicate']): MilestonePart[] {
  return [...byPath].map(([path, keys]) => ({ path, selector, keys, predicate }));
}

export async function createAtOnce(cluster: BenchCluster, observer: Observer, kind: ParentKind, list: readonly Placement[], timeoutMs: number): Promise<CreateTimes> {
  const keys = list.map((p) => `${p.namespace}/${p.name}`);
  const children = await observer.milestone(childParts(kind.children(list), kind.childSelector, exists), timeoutMs, 'children to exist');
  const pods = await observer.milestone([{ path: DEPLOYMENTS, selector: kind.childSelector, keys: kind.deployments(list), predicate: rolledOut }], timeoutMs, 'Deployments rolled out');
  const ready = await observer.milestone([{ path: kind.listPath, keys, predicate: (o) => kind.ready(o) }], timeoutMs, 'parents Ready');
  const t0 = performance.now();
  await forEachLimit(list, BURST_CONCURRENCY, async (p) => {
    await cluster.client.request(HttpMethod.POST, kind.collection(p.namespace), { body: kind.manifest(p, '1') });
  });
  const submitted = performance.now();
  const s = (t: number) => (t - t0) / 1000;
  return { count: list.length, submitSeconds: s(submitted), childrenExistSeconds: s(await children()), podsReadySeconds: s(await pods()), readySeconds: s(await ready()) };
}

export interface ChangeTimes {
  readonly count: number;
  readonly submitSeconds: number;
  /** Every child the change rewrites carries the new version. */
  readonly childrenUpdatedSeconds: number;
  readonly rolledOutSeconds: number;
  readonly readySeconds: number;
}

/** Changes spec.model.version of every parent in one burst (merge patches of the whole spec). */
export async function changeAtOnce(
  cluster: BenchCluster,
  observer: Observer,
  kind: ParentKind,
  list: readonly Placement[],
  version: string,
  changed: Map<string, string[]>,
  updated: (obj: KubeObject) => boolean,
  timeoutMs: number,
): Promise<ChangeTimes> {
  const parents = await observer.tracker(kind.listPath);
  const keys = list.map((p) => `${p.namespace}/${p.name}`);
  // A parent counts as Ready again only for a generation after the change.
  const after = new Map(keys.map((k) => [k, (parents.store.get(k)?.metadata?.generation ?? 0) + 1]));
  const children = await observer.milestone(childParts(changed, kind.childSelector, updated), timeoutMs, 'children to be updated');
  const pods = await observer.milestone([{ path: DEPLOYMENTS, selector: kind.childSelector, keys: kind.deployments(list), predicate: (o) => updated(o) && rolledOut(o) }], timeoutMs, 'Deployments rolled out');
  const ready = await observer.milestone(
    [{ path: kind.listPath, keys, predicate: (o) => (o.metadata?.generation ?? 0) >= (after.get(`${o.metadata?.namespace}/${o.metadata?.name}`) ?? 0) && kind.ready(o) }],
    timeoutMs,
    'parents Ready after the change',
  );
  const t0 = performance.now();
  await forEachLimit(list, BURST_CONCURRENCY, async (p) => {
    const spec = (kind.manifest(p, version) as { spec: unknown }).spec;
    await cluster.client.request(HttpMethod.PATCH, `${kind.collection(p.namespace)}/${p.name}`, { body: { spec }, contentType: 'application/merge-patch+json' });
  });
  const submitted = performance.now();
  const s = (t: number) => (t - t0) / 1000;
  return { count: list.length, submitSeconds: s(submitted), childrenUpdatedSeconds: s(await children()), rolledOutSeconds: s(await pods()), readySeconds: s(await ready()) };
}
