// PURE: replica counts and traffic weights of the two variants (docs/rollouts.md "Sizing").
//
// replicas provider (no router): the stable Service selects both variants, so pods are the split.
//   Of N pods the canary gets max(1, round(N*w/100)) when w > 0, stable the rest (at least 1 while
//   w < 100); the weight is what the pods make of it: canary / (canary + stable), approximate.
// gateway-api / istio / traefik: the router splits exactly; stable keeps N and the canary gets
//   max(1, ceil(N*s/100)), where s is its sizing weight (see canarySizingWeight), so it is sized
//   before traffic moves to it and keeps its size while traffic drains away from it.
// With autoscaling, the HPA's minReplicas and maxReplicas are split alike.
import type { ModelDeploymentSpec } from '../api/model-deployment-spec.ts';
import type { TrafficProvider } from '../api/rollout-spec.ts';
import type { VariantScale } from './types.ts';

export interface Split {
  stable: VariantScale;
  canary: VariantScale;
  /** Percent of traffic to the canary; approximate unless `exact`. */
  canaryWeight: number;
  exact: boolean;
}

/** The capacity the spec asks for: fixed replicas or the HPA's bounds. */
export function capacityOf(spec: ModelDeploymentSpec): VariantScale {
  const a = spec.autoscaling;
  return a === undefined ? { replicas: spec.replicas } : { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas };
}

function scale(min: number, max: number): VariantScale {
  return max <= 0 ? { replicas: 0 } : { minReplicas: Math.max(1, min), maxReplicas: Math.max(1, min, max) };
}

/** Pods of N that the canary and stable get with the replicas provider at weight w. */
function podSplit(n: number, w: number): { canary: number; stable: number } {
  if (w <= 0) return { canary: 0, stable: n };
  const canary = Math.max(1, Math.round((n * w) / 100));
  const stable = w < 100 ? Math.max(1, n - canary) : Math.max(0, n - canary);
  return { canary, stable };
}

function approximateWeight(canary: number, stable: number): number {
  return canary + stable === 0 ? 0 : Math.round((100 * canary) / (canary + stable));
}

/**
 * @param weight the canary's share of traffic, 0..100.
 * @param sizingWeight routers only: the share the canary is sized for (at least `weight`).
 */
export function splitReplicas(
  provider: TrafficProvider,
  capacity: VariantScale,
  weight: number,
  sizingWeight: number = weight,
): Split {
  if (provider === 'replicas') {
    if ('replicas' in capacity) {
      const { canary, stable } = podSplit(capacity.replicas, weight);
      return { stable: { replicas: stable }, canary: { replicas: canary }, canaryWeight: approximateWeight(canary, stable), exact: false };
    }
    const min = podSplit(capacity.minReplicas, weight);
    const max = podSplit(capacity.maxReplicas, weight);
    return {
      stable: scale(min.stable, Math.max(min.stable, max.stable)),
      canary: scale(min.canary, Math.max(min.canary, max.canary)),
      canaryWeight: approximateWeight(min.canary, min.stable),
      exact: false,
    };
  }
  const s = Math.max(weight, sizingWeight);
  const share = (n: number) => Math.max(1, Math.ceil((n * s) / 100));
  if ('replicas' in capacity) {
    return { stable: { replicas: capacity.replicas }, canary: { replicas: share(capacity.replicas) }, canaryWeight: weight, exact: true };
  }
  const min = share(capacity.minReplicas);
  return {
    stable: { ...capacity },
    canary: scale(min, Math.max(min, share(capacity.maxReplicas))),
    canaryWeight: weight,
    exact: true,
  };
}

/** The canary weight a router reports once it applies `weight` (replicas: what the pods make of it). */
export function effectiveWeight(provider: TrafficProvider, capacity: VariantScale, weight: number): number {
  return splitReplicas(provider, capacity, weight).canaryWeight;
}
