import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelDeploymentStatusSchema } from '../../../src/api/index.ts';
import type { Condition, ModelDeploymentStatus } from '../../../src/api/index.ts';
import { computeStatus, findCondition, kstatusOf } from '../../../src/status/index.ts';
import type { Observations } from '../../../src/status/index.ts';
import { LATER, NOW, URL, deployment, observations, pod, waitingPod } from './fixtures.ts';

function compute(obs: Observations, previous?: ModelDeploymentStatus, now = NOW): ModelDeploymentStatus {
  const status = computeStatus(previous, obs, now);
  const valid = modelDeploymentStatusSchema.safeParse(status);
  assert.ok(valid.success, `invalid status: ${JSON.stringify(valid.error?.issues)}`);
  return status;
}

function condition(status: ModelDeploymentStatus, type: string): Condition {
  const c = findCondition(status.conditions, type);
  assert.ok(c, `no ${type} condition in ${JSON.stringify(status.conditions)}`);
  return c;
}

function kstatus(status: ModelDeploymentStatus, generation = 3) {
  return kstatusOf({ metadata: { generation }, status });
}

/** "Ready=False/ScalingUp Reconciling=True/ScalingUp ..." for compact assertions. */
function summary(status: ModelDeploymentStatus): string {
  return (status.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`).join(' ');
}

void test('converged: Ready=True Succeeded, Serving=True, no Reconciling or Stalled; kstatus Current', () => {
  const status = compute(observations());
  assert.equal(summary(status), 'Ready=True/Succeeded Serving=True/ReplicasReady');
  assert.equal(status.observedGeneration, 3);
  assert.equal(status.url, URL);
  assert.equal(status.replicas, 2);
  assert.equal(status.readyReplicas, 2);
  assert.equal(status.trafficSummary, 'stable=100');
  assert.equal(condition(status, 'Ready').message, `2/2 replicas ready; serving at ${URL}`);
  assert.ok((status.conditions ?? []).every((c) => c.observedGeneration === 3 && c.lastTransitionTime === NOW));
  assert.equal(kstatus(status), 'Current');
});

void test('autoscaling is named in the Ready message', () => {
  const status = compute(observations({ autoscaling: { minReplicas: 2, maxReplicas: 10 } }));
  assert.match(condition(status, 'Ready').message, /2\/2 replicas ready \(autoscaling 2-10\)/);
});

void test('children just applied, Deployment not observed yet: Reconciling=True Progressing', () => {
  for (const d of [deployment({ generation: 2, observedGeneration: 1 }), deployment({ observedGeneration: undefined })]) {
    const status = compute(observations({ deployments: [d] }));
    assert.equal(summary(status), 'Ready=False/Progressing Reconciling=True/Progressing Serving=True/ReplicasReady');
    assert.match(condition(status, 'Reconciling').message, /Deployment fraud-stable/);
    assert.equal(status.observedGeneration, 3, 'the spec itself was fully applied');
    assert.equal(kstatus(status), 'InProgress');
  }
});

void test('a Deployment not in the cache yet: Progressing, not serving', () => {
  const status = compute(observations({ deployments: [deployment({ exists: false })], pods: [] }));
  assert.equal(summary(status), 'Ready=False/Progressing Reconciling=True/Progressing Serving=False/NoReadyReplicas');
  assert.match(condition(status, 'Reconciling').message, /waiting for Deployment fraud-stable to be created/);
  assert.equal(status.trafficSummary, undefined);
  assert.equal(status.replicas, 0);
});

void test('rolling out a new template: RollingOut with counts, still Serving', () => {
  const d = deployment({ replicas: 3, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 });
  const status = compute(observations({ deployments: [d] }));
  assert.equal(summary(status), 'Ready=False/RollingOut Reconciling=True/RollingOut Serving=True/ReplicasReady');
  assert.equal(condition(status, 'Reconciling').message, 'Deployment fraud-stable: 1/3 replicas updated, 3/3 ready');
  assert.equal(condition(status, 'Ready').message, condition(status, 'Reconciling').message);
  assert.equal(kstatus(status), 'InProgress');
});

void test('pods not ready yet: ScalingUp "2/3 replicas ready"', () => {
  const d = deployment({ replicas: 3, readyReplicas: 2, availableReplicas: 2 });
  const status = compute(observations({ deployments: [d] }));
  assert.equal(summary(status), 'Ready=False/ScalingUp Reconciling=True/ScalingUp Serving=True/ReplicasReady');
  assert.equal(condition(status, 'Reconciling').message, 'Deployment fraud-stable: 2/3 replicas ready');
  assert.equal(status.readyReplicas, 2);
  assert.equal(status.replicas, 3);
});

void test('ready but not yet available (minReadySeconds): ScalingUp', () => {
  const status = compute(observations({ deployments: [deployment({ replicas: 2, availableReplicas: 1 })] }));
  assert.equal(condition(status, 'Reconciling').message, 'Deployment fraud-stable: 1/2 replicas available (2 ready)');
});

void test('counts look done but the Deployment controller says the rollout is not complete: RollingOut', () => {
  const d = deployment({
    conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "fraud-stable-7d9f" is progressing.' }],
  });
  const status = compute(observations({ deployments: [d] }));
  assert.equal(condition(status, 'Reconciling').reason, 'RollingOut');
  assert.match(condition(status, 'Reconciling').message, /is progressing/);
});

void test('no replica ready at all: Serving=False NoReadyReplicas', () => {
  const d = deployment({ updatedReplicas: 2, readyReplicas: 0, availableReplicas: 0 });
  const status = compute(observations({ deployments: [d] }));
  assert.equal(summary(status), 'Ready=False/ScalingUp Reconciling=True/ScalingUp Serving=False/NoReadyReplicas');
  assert.match(condition(status, 'Serving').message, new RegExp(`no replica is ready to serve ${URL} yet`));
});

void test('scaled to zero: Ready (nothing to wait for) but not Serving', () => {
  const d = deployment({ replicas: 0 });
  const status = compute(observations({ deployments: [d], pods: [] }));
  assert.equal(summary(status), 'Ready=True/Succeeded Serving=False/NoReadyReplicas');
  assert.match(condition(status, 'Serving').message, /scaled to zero/);
});

void test('image pull backoff: Stalled with the pod\'s own reason, naming pod, container and image; kstatus Failed', () => {
  const stuck = waitingPod('ImagePullBackOff', 'Back-off pulling image "docker.io/seldonio/mlserver:9.9.9"');
  const d = deployment({ updatedReplicas: 1, readyReplicas: 2 });
  const status = compute(observations({ deployments: [d], pods: [pod(), stuck] }));
  assert.equal(summary(status), 'Ready=False/ImagePullBackOff Stalled=True/ImagePullBackOff Serving=True/ReplicasReady');
  const message = condition(status, 'Stalled').message;
  assert.match(message, /pod fraud-stable-7d9f-zzzzz container server: ImagePullBackOff/);
  assert.match(message, /docker\.io\/seldonio\/mlserver:9\.9\.9/);
  assert.match(message, /imagePullSecrets/);
  assert.equal(condition(status, 'Ready').message, message);
  assert.equal(kstatus(status), 'Failed');
});

void test('every stuck waiting reason stalls with that reason; ordinary waiting does not', () => {
  for (const reason of ['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError']) {
    const status = compute(observations({ pods: [waitingPod(reason)] }));
    assert.equal(condition(status, 'Stalled').reason, reason);
    assert.equal(findCondition(status.conditions, 'Reconciling'), undefined, 'Stalled replaces Reconciling');
  }
  for (const reason of ['ContainerCreating', 'PodInitializing']) {
    const d = deployment({ readyReplicas: 1, availableReplicas: 1 });
    const status = compute(observations({ deployments: [d], pods: [waitingPod(reason)] }));
    assert.equal(summary(status), 'Ready=False/ScalingUp Reconciling=True/ScalingUp Serving=True/ReplicasReady');
  }
});

void test('a crash loop names the last exit, e.g. OOMKilled, and how to read the logs', () => {
  const crashing = waitingPod('CrashLoopBackOff', 'back-off 5m0s restarting failed container=server');
  crashing.terminated = [{ container: 'server', reason: 'OOMKilled', exitCode: 137 }];
  const status = compute(observations({ pods: [crashing] }));
  const message = condition(status, 'Stalled').message;
  assert.match(message, /last exit: OOMKilled, code 137/);
  assert.match(message, /kubectl logs fraud-stable-7d9f-zzzzz -c server --previous/);
});

void test('several stuck pods: the first by name is named, the others counted', () => {
  const pods = [waitingPod('ErrImagePull', undefined, 'b-pod'), waitingPod('ImagePullBackOff', undefined, 'a-pod'), waitingPod('ErrImagePull', undefined, 'c-pod')];
  const status = compute(observations({ pods }));
  assert.equal(condition(status, 'Stalled').reason, 'ImagePullBackOff');
  assert.match(condition(status, 'Stalled').message, /^pod a-pod .*\(and 2 more pods\)$/);
});

void test('ProgressDeadlineExceeded: Stalled, unless the Deployment controller has not seen the new spec yet', () => {
  const conditions = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "fraud-stable-7d9f" has timed out progressing.' }];
  const stuck = compute(observations({ deployments: [deployment({ readyReplicas: 1, conditions })] }));
  assert.equal(condition(stuck, 'Stalled').reason, 'ProgressDeadlineExceeded');
  assert.match(condition(stuck, 'Stalled').message, /Deployment fraud-stable made no progress within its deadline: ReplicaSet/);
  assert.equal(kstatus(stuck), 'Failed');

  const stale = compute(observations({ deployments: [deployment({ generation: 2, observedGeneration: 1, conditions })] }));
  assert.equal(findCondition(stale.conditions, 'Stalled'), undefined);
  assert.equal(condition(stale, 'Reconciling').reason, 'Progressing');
});

void test('ReplicaFailure (quota, admission): Stalled with the Deployment controller\'s reason', () => {
  const conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "fraud-stable-x" is forbidden: exceeded quota' }];
  const status = compute(observations({ deployments: [deployment({ readyReplicas: 0, conditions })] }));
  assert.equal(condition(status, 'Stalled').reason, 'FailedCreate');
  assert.match(condition(status, 'Stalled').message, /Deployment fraud-stable cannot create pods: .*exceeded quota/);
});

void test('render error: Stalled with the error code, naming the field; the generation is observed so kstatus says Failed', () => {
  const renderError = { code: 'UnsupportedFormat' as const, field: 'spec.model.format', message: 'spec.model.format: triton cannot serve sklearn; use mlserver' };
  const previous = compute(observations({ generation: 2 }));
  const status = compute(observations({ renderError }), previous, LATER);
  assert.equal(summary(status), 'Ready=False/UnsupportedFormat Stalled=True/UnsupportedFormat Serving=True/ReplicasReady');
  assert.equal(condition(status, 'Stalled').message, renderError.message);
  assert.equal(status.observedGeneration, 3);
  assert.equal(kstatus(status), 'Failed');
});

void test('a render error message without the field gets it prepended', () => {
  const status = compute(observations({ renderError: { code: 'MissingImage', field: 'spec.runtime.image', message: 'required for preset custom' } }));
  assert.equal(condition(status, 'Stalled').message, 'spec.runtime.image: required for preset custom');
});

void test('apply 403: Stalled ApplyForbidden naming the missing permission', () => {
  const status = compute(
    observations({
      applyErrors: [
        { kind: 'HorizontalPodAutoscaler', name: 'fraud-stable', code: 403, message: 'horizontalpodautoscalers.autoscaling "fraud-stable" is forbidden' },
      ],
      missingPermissions: ['patch horizontalpodautoscalers.autoscaling'],
    }),
  );
  const stalled = condition(status, 'Stalled');
  assert.equal(stalled.reason, 'ApplyForbidden');
  assert.match(stalled.message, /may not apply HorizontalPodAutoscaler fraud-stable: it lacks permission to patch horizontalpodautoscalers\.autoscaling/);
  assert.match(stalled.message, /API server: horizontalpodautoscalers.autoscaling "fraud-stable" is forbidden/);
  assert.equal(condition(status, 'Ready').reason, 'ApplyForbidden');
  assert.equal(status.observedGeneration, 3);
  assert.equal(kstatus(status), 'Failed');
});

void test('apply 403 without a permission list quotes the API server, which names it', () => {
  const message = 'deployments.apps "fraud-stable" is forbidden: User "system:serviceaccount:modelship-system:modelship" cannot patch resource "deployments"';
  const status = compute(observations({ applyErrors: [{ kind: 'Deployment', name: 'fraud-stable', code: 403, message }] }));
  assert.match(condition(status, 'Stalled').message, /cannot patch resource "deployments"/);
});

void test('missing permissions found without a failed apply: Stalled MissingPermissions', () => {
  const status = compute(observations({ missingPermissions: ['create events', 'create events', 'watch pods'] }));
  assert.equal(condition(status, 'Stalled').reason, 'MissingPermissions');
  assert.match(condition(status, 'Stalled').message, /lacks permission to create events, watch pods;/);
});

void test('apply 422 and other 4xx: ApplyInvalid, ApplyRejected; 403 is reported first', () => {
  const invalid = compute(observations({ applyErrors: [{ kind: 'Service', name: 'fraud', code: 422, message: 'spec.ports: Invalid value' }] }));
  assert.equal(condition(invalid, 'Stalled').reason, 'ApplyInvalid');
  assert.match(condition(invalid, 'Stalled').message, /rejected Service fraud as invalid\. API server: spec\.ports: Invalid value/);

  const notFound = compute(observations({ applyErrors: [{ kind: 'PodDisruptionBudget', name: 'fraud-stable', code: 404, message: 'not found' }] }));
  assert.equal(condition(notFound, 'Stalled').reason, 'ApplyRejected');
  assert.match(condition(notFound, 'Stalled').message, /HTTP 404/);

  const both = compute(
    observations({
      applyErrors: [
        { kind: 'Service', name: 'fraud', code: 422, message: 'invalid' },
        { kind: 'Deployment', name: 'fraud-stable', code: 403, message: 'forbidden' },
      ],
    }),
  );
  assert.equal(condition(both, 'Stalled').reason, 'ApplyForbidden');
  assert.match(condition(both, 'Stalled').message, /Deployment fraud-stable \(and 1 more children\)/);
});

void test('conflicts, throttling, server and network errors: Reconciling ProgressingWithRetry; observedGeneration kept', () => {
  const previous = compute(observations({ generation: 2 }));
  for (const code of [409, 429, 408, 500, 503, undefined]) {
    const applyErrors = [{ kind: 'Deployment', name: 'fraud-stable', message: 'try again', ...(code === undefined ? {} : { code }) }];
    const status = compute(observations({ applyErrors }), previous, LATER);
    assert.equal(summary(status), 'Ready=False/ProgressingWithRetry Reconciling=True/ProgressingWithRetry Serving=True/ReplicasReady');
    assert.match(condition(status, 'Reconciling').message, /applying Deployment fraud-stable failed \((HTTP \d+|no response): try again\); retrying/);
    assert.equal(status.observedGeneration, 2);
    assert.equal(kstatus(status), 'InProgress');
    // On the very first reconcile there is no observedGeneration: Reconciling alone keeps kstatus InProgress.
    const first = compute(observations({ applyErrors }));
    assert.equal(first.observedGeneration, undefined);
    assert.equal(kstatus(first), 'InProgress');
  }
});

void test('the reconciler may mark an error as not retryable, e.g. a child name taken by another owner: Stalled ApplyConflict', () => {
  const message = 'a Service named fraud already exists and is not owned by this ModelDeployment; rename or delete it';
  const status = compute(observations({ applyErrors: [{ kind: 'Service', name: 'fraud', code: 409, retryable: false, message }] }));
  assert.equal(condition(status, 'Stalled').reason, 'ApplyConflict');
  assert.equal(condition(status, 'Stalled').message, `cannot apply Service fraud: ${message}`);
  assert.equal(status.observedGeneration, 3);
  assert.equal(kstatus(status), 'Failed');

  const noCode = compute(observations({ applyErrors: [{ kind: 'Service', name: 'fraud', retryable: false, message: 'broken' }] }));
  assert.equal(condition(noCode, 'Stalled').message, 'cannot apply Service fraud: broken');
  assert.equal(condition(noCode, 'Stalled').reason, 'ApplyRejected');

  const retried = compute(observations({ applyErrors: [{ kind: 'Service', name: 'fraud', code: 403, retryable: true, message: 'webhook said no' }] }));
  assert.equal(condition(retried, 'Reconciling').reason, 'ProgressingWithRetry');
});

void test('Stalled and Reconciling are never both True: a stuck pod during a retried apply is Stalled', () => {
  const status = compute(
    observations({
      applyErrors: [{ kind: 'Deployment', name: 'fraud-stable', code: 409, message: 'conflict' }],
      pods: [waitingPod('ErrImagePull')],
    }),
  );
  assert.equal(summary(status), 'Ready=False/ErrImagePull Stalled=True/ErrImagePull Serving=True/ReplicasReady');
});

void test('recovery: Stalled disappears and Ready flips, with new transition times; unchanged Serving keeps its time', () => {
  const stuck = compute(observations({ pods: [waitingPod('ImagePullBackOff')] }));
  const healthy = compute(observations(), stuck, LATER);
  assert.equal(summary(healthy), 'Ready=True/Succeeded Serving=True/ReplicasReady');
  assert.equal(condition(healthy, 'Ready').lastTransitionTime, LATER);
  assert.equal(condition(healthy, 'Serving').lastTransitionTime, NOW);
});

void test('the same observations later give an equal status: lastTransitionTime preserved', () => {
  for (const obs of [observations(), observations({ pods: [waitingPod('CrashLoopBackOff')] }), observations({ deployments: [deployment({ readyReplicas: 1 })] })]) {
    const first = compute(obs);
    assert.deepEqual(compute(obs, first, LATER), first);
  }
});

void test('the order observations arrive in does not change the status', () => {
  const canary = deployment({ variant: 'canary', name: 'fraud-canary', readyReplicas: 0, availableReplicas: 0 });
  const stable = deployment({ readyReplicas: 1, availableReplicas: 1 });
  const pods = [waitingPod('ErrImagePull', undefined, 'x'), waitingPod('CrashLoopBackOff', undefined, 'y')];
  const a = compute(observations({ deployments: [stable, canary], pods }));
  const b = compute(observations({ deployments: [canary, stable], pods: [...pods].reverse() }));
  assert.deepEqual(a, b);
});

void test('every unfinished Deployment is listed, stable first', () => {
  const canary = deployment({ variant: 'canary', name: 'fraud-canary', replicas: 1, readyReplicas: 0, availableReplicas: 0 });
  const stable = deployment({ readyReplicas: 1, availableReplicas: 1 });
  const status = compute(observations({ deployments: [canary, stable] }));
  assert.equal(
    condition(status, 'Reconciling').message,
    'Deployment fraud-stable: 1/2 replicas ready; Deployment fraud-canary: 0/1 replicas ready',
  );
  assert.equal(status.replicas, 3);
  assert.equal(status.readyReplicas, 1);
});

void test('conditions and rollout fields owned by others are kept; traffic split kept while a canary exists', () => {
  const previous: ModelDeploymentStatus = {
    conditions: [{ type: 'RolloutInProgress', status: 'True', reason: 'CanaryStep', message: 'step 1', lastTransitionTime: NOW, observedGeneration: 3 }],
    stable: { revision: 3, version: '7', template: 'aaaaaaaaaaaaaaaa' },
    canary: { revision: 4, version: '8', template: 'bbbbbbbbbbbbbbbb', step: 1, weight: 10, phase: 'Progressing' },
    traffic: [
      { variant: 'stable', weight: 90, exact: true },
      { variant: 'canary', weight: 10, exact: true },
    ],
    history: [],
    trafficSummary: 'stable=90 canary=10',
  };
  const canary = deployment({ variant: 'canary', name: 'fraud-canary', replicas: 1 });
  const status = compute(observations({ deployments: [deployment(), canary] }), previous, LATER);
  assert.deepEqual(
    status.conditions?.map((c) => c.type),
    ['Ready', 'Serving', 'RolloutInProgress'],
  );
  assert.deepEqual(status.canary, previous.canary);
  assert.deepEqual(status.stable, previous.stable);
  assert.deepEqual(status.traffic, previous.traffic);
  assert.deepEqual(status.history, []);
  assert.equal(status.trafficSummary, 'stable=90 canary=10');
});
