// PURE: what the rollout state machine needs to know about the live objects: which revision each
// variant's Deployment runs and whether it is rolled out, and which canary weight the router applies
// and whether it still names the canary's Service (its provider reads both from the live router objects).
import type { V1Deployment } from '@kubernetes/client-node';
import { LABEL_REVISION } from '../render/index.ts';
import type { RolloutObservations, VariantObservation } from '../rollout/index.ts';
import type { WeightInput } from '../traffic/provider.ts';
import { trafficProvider } from '../traffic/registry.ts';
import type { ModelDeploymentSpec, ModelDeploymentStatus } from '../api/index.ts';

export function observeVariant(live: V1Deployment | undefined): VariantObservation | undefined {
  if (!live) return undefined;
  const want = live.spec?.replicas ?? 1;
  const s = live.status ?? {};
  const revision = Number(live.spec?.template?.metadata?.labels?.[LABEL_REVISION]);
  const current = (s.observedGeneration ?? 0) >= (live.metadata?.generation ?? 0);
  return {
    ...(Number.isInteger(revision) && revision > 0 ? { revision } : {}),
    ready: (s.readyReplicas ?? 0) > 0,
    // kubectl rollout status: the controller saw this spec, every replica is updated and ready, no old ones left.
    updatedReady: current && (s.updatedReplicas ?? 0) === want && (s.readyReplicas ?? 0) === want && (s.replicas ?? 0) === want,
  };
}

export interface RolloutLiveObjects {
  /** The ModelDeployment's name. */
  readonly name: string;
  readonly stable: V1Deployment | undefined;
  readonly canary: V1Deployment | undefined;
  /** A live router object (informer cache), read by the spec's traffic provider. */
  readonly router: WeightInput['live'];
  readonly canaryService: string;
  /** Ready endpoints of the canary Service; undefined when not observed. */
  readonly canaryEndpoints?: number | undefined;
}

export function observeRollout(spec: ModelDeploymentSpec, previous: ModelDeploymentStatus | undefined, live: RolloutLiveObjects): RolloutObservations {
  const stable = observeVariant(live.stable) ?? { ready: false, updatedReady: false };
  const observedCanary = observeVariant(live.canary);
  // Rolled out means reachable too: every canary replica is behind its Service before weight moves to it.
  const canary =
    observedCanary && live.canaryEndpoints !== undefined && live.canaryEndpoints < (live.canary?.spec?.replicas ?? 1)
      ? { ...observedCanary, updatedReady: false }
      : observedCanary;
  const provider = trafficProvider(spec.rollout?.traffic?.provider ?? 'replicas');
  const weightInput = { name: live.name, canaryService: live.canaryService, live: live.router, spec, previous, stable, canary };
  const routerWeight = provider.observedWeight(weightInput);
  const routerNamesCanary = provider.namesCanary(weightInput);
  return {
    stable,
    ...(canary ? { canary } : {}),
    ...(routerWeight !== undefined ? { routerWeight } : {}),
    ...(routerNamesCanary !== undefined ? { routerNamesCanary } : {}),
  };
}
