// Rollout timing on the replicas provider: from a spec change to the canary at its first weight
// (its pods ready and the operator reporting the weight), and from an abort to all traffic on a
// full-size stable. Each repetition starts from a Ready ModelDeployment at version 1.
import { HttpMethod } from '@kubernetes/client-node';
import type { KubeObject } from '../src/kube/api-client.ts';
import type { BenchCluster } from './bench-cluster.ts';
import type { Observer } from './observer.ts';
import { summarize, type Summary } from './stats.ts';
import { MD_API, MD_PLURAL, canaryModelDeployment, readyForGeneration, type Placement } from './workload.ts';

export interface RolloutResult {
  readonly repetitions: number;
  readonly toFirstWeightSeconds: Summary;
  readonly abortToStableSeconds: Summary;
  readonly firstWeight: number;
}

interface RolloutStatus {
  metadata?: { generation?: number };
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string }[];
    canary?: { version?: string; weight?: number; phase?: string };
    traffic?: { variant: string; weight: number }[];
  };
}

const weightOf = (obj: KubeObject, variant: string) => (obj as RolloutStatus).status?.traffic?.find((t) => t.variant === variant)?.weight;

interface DeploymentState {
  spec?: { replicas?: number };
  status?: { readyReplicas?: number; updatedReplicas?: number; replicas?: number };
}

/** The Deployment asks for `replicas` pods and all of them run its template and are ready. */
function fullSize(d: DeploymentState, replicas: number): boolean {
  return d.spec?.replicas === replicas && d.status?.readyReplicas === replicas && d.status.updatedReplicas === replicas && d.status.replicas === replicas;
}

export async function measureRollout(cluster: BenchCluster, observer: Observer, namespace: string, repetitions: number, log: (m: string) => void): Promise<RolloutResult> {
  const p: Placement = { namespace, name: 'canary' };
  const mdPath = `${MD_API}/namespaces/${namespace}/${MD_PLURAL}`;
  const key = `${namespace}/${p.name}`;
  const deployments = `/apis/apps/v1/namespaces/${namespace}/deployments`;
  const stableKey = `${namespace}/${p.name}-stable`;
  const patch = (body: unknown) => cluster.client.request(HttpMethod.PATCH, `${mdPath}/${p.name}`, { body, contentType: 'application/merge-patch+json' });
  const generation = async () => (await cluster.client.request<RolloutStatus>(HttpMethod.GET, `${mdPath}/${p.name}`)).metadata?.generation ?? 0;
  const readyAt = async (gen: number) =>
    observer.milestone([{ path: mdPath, keys: [key], predicate: (o) => (o.metadata?.generation ?? 0) >= gen && readyForGeneration(o) }], 180_000, 'canary model Ready');

  const firstReady = await readyAt(1);
  await cluster.client.request(HttpMethod.POST, mdPath, { body: canaryModelDeployment(p, '1') });
  await firstReady();
  const toWeight: number[] = [];
  const toStable: number[] = [];
  for (let r = 1; r <= repetitions; r++) {
    const version = String(r + 1);
    const atWeight = await observer.milestone(
      [{ path: mdPath, keys: [key], predicate: (o) => (o as RolloutStatus).status?.canary?.version === version && weightOf(o, 'canary') === 25 }],
      180_000,
      `canary ${version} at 25%`,
    );
    const t0 = performance.now();
    await patch({ spec: { model: { version, uri: `s3://models/${p.name}/${version}` } } });
    toWeight.push(((await atWeight()) - t0) / 1000);
    // Abort from the steady canary state: stable scaled down to its share and rolled out.
    const steady = await observer.milestone([{ path: deployments, keys: [stableKey], predicate: (o) => fullSize(o as DeploymentState, 3) }], 180_000, 'stable at 75%');
    await steady();

    const stable = await observer.milestone(
      [
        { path: mdPath, keys: [key], predicate: (o) => weightOf(o, 'stable') === 100 && (o as RolloutStatus).status?.canary?.phase !== 'Progressing' },
        { path: deployments, keys: [stableKey], predicate: (o) => fullSize(o as DeploymentState, 4) },
      ],
      180_000,
      `abort of canary ${version}`,
    );
    const t1 = performance.now();
    await patch({ metadata: { annotations: { 'modelship.io/abort': `bench-${r}` } } });
    toStable.push(((await stable()) - t1) / 1000);

    // Back to version 1 (what Git does after an abort), Ready again before the next repetition.
    const next = (await generation()) + 1;
    const ready = await readyAt(next);
    await patch({ spec: { model: { version: '1', uri: `s3://models/${p.name}/1` } } });
    await ready();
    log(`rollout: ${r}/${repetitions}: first weight ${toWeight.at(-1)?.toFixed(2)} s, abort to stable ${toStable.at(-1)?.toFixed(2)} s`);
  }
  return { repetitions, toFirstWeightSeconds: summarize(toWeight), abortToStableSeconds: summarize(toStable), firstWeight: 25 };
}
