// fast-check generators of Observations: small counts so that every branch (stuck pods, rollouts,
// refused applies, stale Deployments) comes up often.
import fc from 'fast-check';
import type { ApplyError, DeploymentObservation, Observations, PodObservation } from '../../../src/status/index.ts';
import { STUCK_WAITING_REASONS } from '../../../src/status/index.ts';

function sometimes<T>(arb: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant<T[]>([]) }, { weight: 1, arbitrary: arb });
}

function rarely<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq: 6 });
}

const count = fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined });

const deploymentCondition = fc.record(
  {
    type: fc.constantFrom('Progressing', 'Available', 'ReplicaFailure'),
    status: fc.constantFrom('True', 'False', 'Unknown'),
    reason: fc.constantFrom('NewReplicaSetAvailable', 'ReplicaSetUpdated', 'ProgressDeadlineExceeded', 'FailedCreate', 'MinimumReplicasAvailable', 'not camel case!'),
    message: fc.string({ maxLength: 40 }),
  },
  { requiredKeys: ['type', 'status'] },
);

const deploymentObservation: fc.Arbitrary<DeploymentObservation> = fc.record(
  {
    variant: fc.constantFrom('stable' as const, 'canary' as const),
    name: fc.constantFrom('fraud-stable', 'fraud-canary', 'other'),
    exists: fc.boolean(),
    generation: fc.integer({ min: 1, max: 3 }),
    observedGeneration: fc.integer({ min: 1, max: 3 }),
    replicas: count,
    updatedReplicas: count,
    readyReplicas: count,
    availableReplicas: count,
    unavailableReplicas: count,
    conditions: fc.array(deploymentCondition, { maxLength: 3 }),
  },
  { requiredKeys: ['variant', 'name', 'exists'] },
);

const podObservation: fc.Arbitrary<PodObservation> = fc.record(
  {
    name: fc.constantFrom('p-a', 'p-b', 'p-c'),
    phase: fc.constantFrom('Pending', 'Running', 'Failed'),
    waiting: sometimes(fc.array(
      fc.record(
        {
          container: fc.constantFrom('server', 'model-fetcher'),
          reason: fc.constantFrom(...STUCK_WAITING_REASONS, 'ContainerCreating', 'PodInitializing'),
          message: fc.string({ maxLength: 60 }),
        },
        { requiredKeys: ['container', 'reason'] },
      ),
      { minLength: 1, maxLength: 2 },
    )),
    terminated: fc.array(
      fc.record({ container: fc.constantFrom('server', 'model-fetcher'), reason: fc.constantFrom('OOMKilled', 'Error', 'Completed'), exitCode: fc.integer({ min: 0, max: 255 }) }),
      { maxLength: 2 },
    ),
    restartCount: fc.nat(10),
  },
  { requiredKeys: ['name'] },
);

const applyError: fc.Arbitrary<ApplyError> = fc.record(
  {
    kind: fc.constantFrom('Deployment', 'Service', 'HorizontalPodAutoscaler'),
    name: fc.constantFrom('fraud', 'fraud-stable'),
    message: fc.string({ maxLength: 60 }),
    code: fc.constantFrom(400, 403, 404, 408, 409, 422, 429, 500, 503),
    retryable: fc.boolean(),
  },
  { requiredKeys: ['kind', 'name', 'message'] },
);

export const observationsArb: fc.Arbitrary<Observations> = fc.record(
  {
    generation: fc.integer({ min: 1, max: 3 }),
    // Rare, so that most runs get as far as the Deployments and pods.
    renderError: rarely(
      fc.record({ code: fc.constantFrom('UnsupportedFormat', 'MissingImage'), field: fc.constant('spec.model.format'), message: fc.string({ maxLength: 40 }) }),
    ),
    // One entry per child, one Deployment per name, one pod per name: as the API server would have it.
    applyErrors: sometimes(fc.uniqueArray(applyError, { minLength: 1, maxLength: 2, selector: (e) => `${e.kind}/${e.name}` })),
    missingPermissions: rarely(fc.array(fc.constantFrom('create events', 'patch deployments.apps'), { maxLength: 2 })),
    deployments: fc.uniqueArray(deploymentObservation, { maxLength: 2, selector: (d) => d.name }),
    pods: fc.uniqueArray(podObservation, { maxLength: 3, selector: (p) => p.name }),
    serviceUrl: fc.constant('http://fraud.risk.svc.cluster.local'),
    autoscaling: fc.record({ minReplicas: fc.integer({ min: 1, max: 3 }), maxReplicas: fc.integer({ min: 3, max: 10 }) }),
  },
  { requiredKeys: ['generation', 'renderError', 'applyErrors', 'missingPermissions', 'deployments', 'pods', 'serviceUrl'] },
);
