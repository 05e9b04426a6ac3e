// PURE: the canary weight a live VirtualService applies.
import type { KubeObject } from '../../kube/api-client.ts';
import { canaryShare } from '../canary-share.ts';

export type LiveVirtualService = KubeObject & { spec?: { http?: { match?: unknown[]; route?: { destination?: { host?: string }; weight?: number }[] }[] } };

/** VirtualServices carry no status without istiod: the applied weights are what Istio would program. */
export function virtualServiceCanaryWeight(vs: LiveVirtualService | undefined, canaryHost: string): number | undefined {
  if (!vs) return undefined;
  const weighted = (vs.spec?.http ?? []).filter((r) => !r.match?.length).at(-1);
  const refs = (weighted?.route ?? []).map((r) => ({ name: r.destination?.host?.split('.')[0] ?? '', weight: r.weight ?? (weighted?.route?.length === 1 ? 100 : 0) }));
  return canaryShare(refs, canaryHost.split('.')[0] ?? canaryHost);
}
