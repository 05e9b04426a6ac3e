// Fixture builders in cert-manager's style: a healthy default, overridden field by field.
import type { DeploymentObservation, Observations, PodObservation } from '../../../src/status/index.ts';

export const NOW = '2026-01-02T03:04:05Z';
export const LATER = '2026-01-02T03:09:05Z';
export const URL = 'http://fraud.risk.svc.cluster.local';

/** A stable Deployment at generation 1, fully rolled out with `replicas` ready. */
export function deployment(overrides: Partial<DeploymentObservation> = {}): DeploymentObservation {
  const replicas = overrides.replicas ?? 2;
  return {
    variant: 'stable',
    name: 'fraud-stable',
    exists: true,
    generation: 1,
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ],
    ...overrides,
  };
}

export function pod(overrides: Partial<PodObservation> = {}): PodObservation {
  return { name: 'fraud-stable-7d9f-abcde', phase: 'Running', restartCount: 0, ...overrides };
}

/** Generation 3 of a ModelDeployment whose one Deployment is fully ready. */
export function observations(overrides: Partial<Observations> = {}): Observations {
  return {
    generation: 3,
    applyErrors: [],
    deployments: [deployment()],
    pods: [pod(), pod({ name: 'fraud-stable-7d9f-fghij' })],
    serviceUrl: URL,
    ...overrides,
  };
}

/** A pod whose server container waits with `reason`. */
export function waitingPod(reason: string, message?: string, name = 'fraud-stable-7d9f-zzzzz'): PodObservation {
  return pod({ name, phase: 'Pending', waiting: [{ container: 'server', reason, ...(message === undefined ? {} : { message }) }] });
}
