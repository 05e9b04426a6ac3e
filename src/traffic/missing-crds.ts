// PURE: a traffic provider whose CRDs are not installed. Its router objects are left out (everything
// else is applied) and the reason names the missing CRD, so the ModelDeployment is Stalled with a
// message a person can act on instead of failing every apply.
import type { TrafficProvider } from '../api/rollout-spec.ts';
import { ROUTER_KINDS } from './registry.ts';

export interface MissingCrd {
  readonly code: 'TrafficProviderMissing';
  readonly field: string;
  readonly message: string;
}

export function withoutMissingCrds<T extends { kind: string }>(
  desired: readonly T[],
  isMissing: (apiVersion: string, kind: string) => boolean,
  /** The spec's provider; undefined when the spec does not parse. */
  provider: TrafficProvider | undefined,
): { objects: T[]; missing?: MissingCrd } {
  let objects = [...desired];
  let missing: MissingCrd | undefined;
  for (const router of ROUTER_KINDS) {
    if (!objects.some((c) => c.kind === router.kind) || !isMissing(router.apiVersion, router.kind)) continue;
    objects = objects.filter((c) => c.kind !== router.kind);
    missing = {
      code: 'TrafficProviderMissing',
      field: 'spec.rollout.traffic.provider',
      message: `the ${provider ?? router.provider} traffic provider needs the CRD ${router.crd}, which is not installed in this cluster; install it or choose another provider`,
    };
  }
  return { objects, ...(missing ? { missing } : {}) };
}
