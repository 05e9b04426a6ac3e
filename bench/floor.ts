// The floor: a bare client that applies exactly the children the operator would (floor-objects.ts),
// with the operator's client-side rate limit and concurrency, and nothing else: no caches, no status,
// no events. Its time is the least any controller with those settings could take.
import { HttpMethod } from '@kubernetes/client-node';
import { ApiClient, type KubeObject } from '../src/kube/api-client.ts';
import { loadClusterConnection } from '../src/kube/cluster-connection.ts';
import { FIELD_MANAGER } from '../src/controller/apply-decision.ts';
import type { BenchCluster } from './bench-cluster.ts';
import { BURST_CONCURRENCY } from './convergence.ts';
import { desiredChildren, type ApplyObject } from './floor-objects.ts';
import { exists, type MilestonePart, type Observer } from './observer.ts';
import { forEachLimit } from './parallel.ts';
import { CHILD_SELECTOR, VERSION_LABEL, modelDeploymentKind, rolledOut, versionedChildKeysByPath, type Placement } from './workload.ts';

export interface ClientSettings {
  readonly qps: number;
  readonly burst: number;
  readonly concurrency: number;
}

export interface FloorTimes {
  readonly count: number;
  readonly requests: number;
  /** When the last apply answered. */
  readonly appliedSeconds: number;
  readonly childrenExistSeconds: number;
  readonly podsReadySeconds: number;
}

function floorClient(kubeconfig: string, settings: ClientSettings): ApiClient {
  return new ApiClient(loadClusterConnection(kubeconfig), { qps: settings.qps, burst: settings.burst, userAgent: 'modelship-floor' });
}

async function listed(cluster: BenchCluster, list: readonly Placement[]): Promise<(KubeObject & { spec?: unknown })[]> {
  const wanted = new Set(list.map((p) => `${p.namespace}/${p.name}`));
  const all = await cluster.client.request<{ items: (KubeObject & { spec?: unknown })[] }>(HttpMethod.GET, modelDeploymentKind.listPath);
  return all.items.filter((md) => wanted.has(`${md.metadata?.namespace}/${md.metadata?.name}`));
}

/** One worker per `concurrency`, each applying one ModelDeployment's objects in order, as a reconcile does. */
async function applyAll(client: ApiClient, groups: readonly ApplyObject[][], concurrency: number): Promise<number> {
  let requests = 0;
  await forEachLimit(groups, concurrency, async (objects) => {
    for (const obj of objects) {
      await client.apply(obj, FIELD_MANAGER);
      requests++;
    }
  });
  return requests;
}

/** ModelDeployments are created first (untimed, nothing acts on them); then the floor applies their children. */
export async function floorCreate(cluster: BenchCluster, observer: Observer, list: readonly Placement[], settings: ClientSettings, kubeconfig: string, timeoutMs: number): Promise<FloorTimes> {
  await forEachLimit(list, BURST_CONCURRENCY, async (p) => {
    await cluster.client.request(HttpMethod.POST, modelDeploymentKind.collection(p.namespace), { body: modelDeploymentKind.manifest(p, '1') });
  });
  const now = new Date();
  const groups = (await listed(cluster, list)).map((md) => desiredChildren(md, now).objects);
  const parts: MilestonePart[] = [...modelDeploymentKind.children(list)].map(([path, keys]) => ({ path, selector: CHILD_SELECTOR, keys, predicate: exists }));
  const children = await observer.milestone(parts, timeoutMs, 'floor: children to exist');
  const pods = await observer.milestone([{ path: '/apis/apps/v1/deployments', selector: CHILD_SELECTOR, keys: modelDeploymentKind.deployments(list), predicate: rolledOut }], timeoutMs, 'floor: Deployments rolled out');
  return timedApply(kubeconfig, settings, list.length, groups, children, pods);
}

/** The spec change (untimed), then only the children whose rendered form changed, as the operator applies them. */
export async function floorChange(cluster: BenchCluster, observer: Observer, list: readonly Placement[], version: string, settings: ClientSettings, kubeconfig: string, timeoutMs: number): Promise<FloorTimes> {
  const now = new Date();
  const before = new Map((await listed(cluster, list)).map((md) => [`${md.metadata?.namespace}/${md.metadata?.name}`, desiredChildren(md, now)]));
  await forEachLimit(list, BURST_CONCURRENCY, async (p) => {
    const spec = (modelDeploymentKind.manifest(p, version) as { spec: unknown }).spec;
    await cluster.client.request(HttpMethod.PATCH, `${modelDeploymentKind.collection(p.namespace)}/${p.name}`, { body: { spec }, contentType: 'application/merge-patch+json' });
  });
  const groups = (await listed(cluster, list)).map((md) => {
    const old = before.get(`${md.metadata?.namespace}/${md.metadata?.name}`);
    const same = new Set(old?.objects.map((o) => JSON.stringify(o)));
    return desiredChildren(md, now, old?.status).objects.filter((o) => !same.has(JSON.stringify(o)));
  });
  const updated = (o: KubeObject) => o.metadata?.labels?.[VERSION_LABEL] === version;
  const parts: MilestonePart[] = [...versionedChildKeysByPath(list)].map(([path, keys]) => ({ path, selector: CHILD_SELECTOR, keys, predicate: updated }));
  const children = await observer.milestone(parts, timeoutMs, 'floor: children updated');
  const pods = await observer.milestone(
    [{ path: '/apis/apps/v1/deployments', selector: CHILD_SELECTOR, keys: modelDeploymentKind.deployments(list), predicate: (o) => updated(o) && rolledOut(o) }],
    timeoutMs,
    'floor: Deployments rolled out',
  );
  return timedApply(kubeconfig, settings, list.length, groups, children, pods);
}

/** Applies the groups with the floor's client; times from its first request to the apply's end and to each milestone. */
async function timedApply(
  kubeconfig: string,
  settings: ClientSettings,
  count: number,
  groups: readonly ApplyObject[][],
  children: () => Promise<number>,
  pods: () => Promise<number>,
): Promise<FloorTimes> {
  const client = floorClient(kubeconfig, settings);
  const t0 = performance.now();
  const requests = await applyAll(client, groups, settings.concurrency);
  const applied = performance.now();
  const s = (t: number) => (t - t0) / 1000;
  return { count, requests, appliedSeconds: s(applied), childrenExistSeconds: s(await children()), podsReadySeconds: s(await pods()) };
}
