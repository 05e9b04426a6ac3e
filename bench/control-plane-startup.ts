// How long the test control plane takes to become usable on a warm binary cache.
import { startControlPlane, kubernetesVersion } from '../test/cluster/control-plane.ts';
import { summarize, type Summary } from './stats.ts';

export interface StartupResult {
  readonly name: 'control-plane-startup';
  readonly kubernetesVersion: string;
  readonly startSeconds: Summary;
  readonly stopSeconds: Summary;
}

export async function benchControlPlaneStartup(runs: number): Promise<StartupResult> {
  const starts: number[] = [];
  const stops: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const cp = await startControlPlane();
    const t1 = performance.now();
    await cp.stop();
    starts.push((t1 - t0) / 1000);
    stops.push((performance.now() - t1) / 1000);
  }
  return { name: 'control-plane-startup', kubernetesVersion, startSeconds: summarize(starts), stopSeconds: summarize(stops) };
}
