// Latency on an idle control plane: one ModelDeployment applied at a time, timed from the request to
// (a) every child existing and (b) Ready (kwok pods), each apply waiting for the previous one to finish.
import { HttpMethod } from '@kubernetes/client-node';
import type { BenchCluster } from './bench-cluster.ts';
import { exists, type Observer } from './observer.ts';
import { sleep } from './parallel.ts';
import { percentiles, type Percentiles } from './stats.ts';
import { CHILD_SELECTOR, childKeysByPath, MD_API, MD_PLURAL, modelDeployment, readyForGeneration, type Placement } from './workload.ts';

export interface LatencyResult {
  readonly applies: number;
  readonly childrenExistMs: Percentiles;
  readonly readyMs: Percentiles;
}

const nsPath = (base: string, namespace: string) => base.replace(/\/([a-z]+)$/, `/namespaces/${namespace}/$1`);

export async function measureLatency(cluster: BenchCluster, observer: Observer, namespace: string, applies: number, log: (m: string) => void): Promise<LatencyResult> {
  const childrenMs: number[] = [];
  const readyMs: number[] = [];
  const mdPath = `${MD_API}/namespaces/${namespace}/${MD_PLURAL}`;
  for (let i = 0; i < applies; i++) {
    const p: Placement = { namespace, name: `lat-${String(i).padStart(3, '0')}` };
    const children = await observer.milestone(
      [...childKeysByPath([p])].map(([path, keys]) => ({ path: nsPath(path, namespace), selector: CHILD_SELECTOR, keys, predicate: exists })),
      60_000,
      `children of ${p.name}`,
    );
    const ready = await observer.milestone([{ path: mdPath, keys: [`${namespace}/${p.name}`], predicate: readyForGeneration }], 120_000, `${p.name} Ready`);
    const t0 = performance.now();
    await cluster.client.request(HttpMethod.POST, mdPath, { body: modelDeployment(p) });
    childrenMs.push((await children()) - t0);
    readyMs.push((await ready()) - t0);
    if ((i + 1) % 20 === 0) log(`latency: ${i + 1}/${applies} applies`);
    // Idle between applies: each one meets a quiet operator and control plane.
    await sleep(200);
  }
  return { applies, childrenExistMs: percentiles(childrenMs), readyMs: percentiles(readyMs) };
}
