// Reading one Deployment's observed state. Status counts are omitted by the API server when 0.
import type { DeploymentObservation } from './observations.ts';

const VARIANT_RANK = { stable: 0, canary: 1 } as const;

/** stable before canary, then by name: the order messages mention them in. */
export function deploymentOrder(deployments: readonly DeploymentObservation[]): DeploymentObservation[] {
  return [...deployments].sort(
    (a, b) => VARIANT_RANK[a.variant] - VARIANT_RANK[b.variant] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** spec.replicas, which the API server defaults to 1. */
export function desiredReplicas(d: DeploymentObservation): number {
  return d.replicas ?? 1;
}

/** Whether the Deployment controller has acted on the Deployment's current spec. */
export function hasObservedGeneration(d: DeploymentObservation): boolean {
  return d.observedGeneration !== undefined && (d.generation === undefined || d.observedGeneration >= d.generation);
}
