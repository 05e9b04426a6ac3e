// Which events of pods start a reconcile: of a model server's pods only those that change what the
// status (its Stalled condition) or the smoke check's targets read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { cachedPod } from '../../../src/controller/cache-transforms.ts';
import { canaryTargets } from '../../../src/controller/canary-targets.ts';
import { observePod } from '../../../src/controller/observe.ts';
import { podEventTriggersReconcile, podReadView } from '../../../src/controller/pod-event-filter.ts';
import type { KubeObject } from '../../../src/kube/api-client.ts';
import { computeStatus } from '../../../src/status/compute-status.ts';
import type { Observations } from '../../../src/status/observations.ts';

type Pod = V1Pod & KubeObject;

const labels = (variant: string, extra: Record<string, string> = {}) => ({
  'modelship.io/model-deployment': 'iris',
  'modelship.io/variant': variant,
  'modelship.io/revision': '2',
  'app.kubernetes.io/component': 'model-server',
  ...extra,
});

/** A pod as the cache holds it: the API server's JSON through the pod cache's transform. */
function pod(rv: string, variant: string, status: V1Pod['status'], extra: { labels?: Record<string, string>; deleting?: boolean; name?: string } = {}): Pod {
  return cachedPod({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: extra.name ?? 'iris-abc',
      namespace: 'ml',
      resourceVersion: rv,
      labels: extra.labels ?? labels(variant),
      ...(extra.deleting ? { deletionTimestamp: new Date('2026-12-07T10:00:00Z') } : {}),
    },
    spec: { containers: [{ name: 'server', ports: [{ name: 'http', containerPort: 8080 }] }] },
    ...(status ? { status } : {}),
  });
}

const running = (ready: boolean): V1Pod['status'] => ({
  phase: 'Running',
  podIP: '10.0.0.7',
  conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  containerStatuses: [{ name: 'server', image: 'x', imageID: '', ready, restartCount: 0, state: { running: {} } }],
});

const crashing = (message: string, restartCount: number): V1Pod['status'] => ({
  phase: 'Running',
  podIP: '10.0.0.7',
  conditions: [{ type: 'Ready', status: 'False' }],
  containerStatuses: [
    { name: 'server', image: 'x', imageID: '', ready: false, restartCount, state: { waiting: { reason: 'CrashLoopBackOff', message } }, lastState: { terminated: { reason: 'Error', exitCode: 1 } } },
  ],
});

void test('a stable pod created, scheduled, started and Ready starts no reconcile; its Deployment reports the counts', () => {
  const created = pod('1', 'stable', { phase: 'Pending' });
  const started = pod('2', 'stable', running(false));
  const ready = pod('3', 'stable', running(true));
  assert.equal(podEventTriggersReconcile('add', created, undefined), false);
  assert.equal(podEventTriggersReconcile('update', started, created), false);
  assert.equal(podEventTriggersReconcile('update', ready, started), false);
  assert.equal(podEventTriggersReconcile('delete', ready, undefined), false);
  // A relist reconciles everything, as for every other kind.
  assert.equal(podEventTriggersReconcile('resync', ready, undefined), true);
});

void test('a canary pod starts one when it becomes a smoke-check target and when it stops being one', () => {
  const started = pod('2', 'canary', running(false));
  const ready = pod('3', 'canary', running(true));
  assert.equal(podEventTriggersReconcile('update', started, pod('1', 'canary', { phase: 'Pending' })), false);
  assert.equal(podEventTriggersReconcile('update', ready, started), true);
  assert.equal(podEventTriggersReconcile('add', ready, undefined), true);
  assert.equal(podEventTriggersReconcile('update', pod('4', 'canary', running(true), { deleting: true }), ready), true);
  assert.equal(podEventTriggersReconcile('delete', ready, undefined), true);
});

void test('a container stuck, its message changed, and the pod deleted each start one; another restart of the same loop does not', () => {
  const ready = pod('1', 'stable', running(true));
  const stuck = pod('2', 'stable', crashing('back-off 10s restarting failed container', 3));
  assert.equal(podEventTriggersReconcile('update', stuck, ready), true);
  assert.equal(podEventTriggersReconcile('update', pod('3', 'stable', crashing('back-off 20s restarting failed container', 3)), stuck), true);
  assert.equal(podEventTriggersReconcile('update', pod('3', 'stable', crashing('back-off 10s restarting failed container', 4)), stuck), false);
  assert.equal(podEventTriggersReconcile('delete', stuck, undefined), true);
  assert.equal(podEventTriggersReconcile('add', stuck, undefined), true);
});

void test('a failed model fetch starts one', () => {
  const fetcher = (exitCode: number): V1ContainerStatus => ({ name: 'model-fetcher', image: 'x', imageID: '', ready: false, restartCount: 1, state: { terminated: { reason: 'Error', exitCode, message: 'modelship-fetch: NotFound: no such key' } } });
  const pending = pod('1', 'stable', { phase: 'Pending', initContainerStatuses: [{ name: 'model-fetcher', image: 'x', imageID: '', ready: false, restartCount: 0, state: { running: {} } }] });
  assert.equal(podEventTriggersReconcile('update', pod('2', 'stable', { phase: 'Pending', initContainerStatuses: [fetcher(3)] }), pending), true);
});

void test('pods of Jobs (batch, drift, validation) keep the cached-copy rule: every add and every change starts one', () => {
  const jobLabels: Record<string, string>[] = [{ 'modelship.io/batch-run': 'r1' }, { 'modelship.io/drift-job': 'd1' }, { 'app.kubernetes.io/component': 'validation' }];
  for (const extra of jobLabels) {
    const created = pod('1', 'stable', { phase: 'Pending' }, { labels: labels('stable', extra) });
    const ready = pod('2', 'stable', running(true), { labels: labels('stable', extra) });
    assert.equal(podEventTriggersReconcile('add', created, undefined), true, JSON.stringify(extra));
    assert.equal(podEventTriggersReconcile('update', ready, created), true, JSON.stringify(extra));
    assert.equal(podEventTriggersReconcile('delete', ready, undefined), true, JSON.stringify(extra));
  }
});

// What a reconcile computes from pods: the status (through the observations) and the smoke check's targets.
const now = '2026-12-07T10:00:00Z';
function readOf(pods: readonly Pod[]): unknown {
  const observations: Observations = {
    generation: 1,
    applyErrors: [],
    deployments: [{ variant: 'stable', name: 'iris-stable', exists: true, generation: 1, observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 1, conditions: [] }],
    pods: pods.map((p) => observePod(p)),
    serviceUrl: 'http://iris.ml.svc',
  };
  return { status: computeStatus(undefined, observations, now), targets: [1, 2, 3].map((r) => canaryTargets(pods, r)) };
}

const waitingReason = fc.constantFrom('CrashLoopBackOff', 'ImagePullBackOff', 'CreateContainerConfigError', 'ContainerCreating', 'PodInitializing');
const state = fc.oneof(
  fc.constant(undefined),
  fc.constant({ running: {} }),
  fc.record({ waiting: fc.record({ reason: waitingReason, message: fc.constantFrom('a', 'b') }) }),
  fc.record({ terminated: fc.record({ reason: fc.constantFrom('Error', 'Completed'), exitCode: fc.constantFrom(0, 1, 3) }) }),
);
const lastState = fc.option(fc.record({ terminated: fc.record({ reason: fc.constantFrom('Error', 'OOMKilled'), exitCode: fc.constantFrom(1, 137) }) }), { nil: undefined });
/** A pod's parts, each drawn on its own, so that two versions of a pod can share any of them. */
const podParts = fc.record({
  variant: fc.constantFrom('stable', 'canary'),
  revision: fc.constantFrom('1', '2', 'x'),
  deleting: fc.boolean(),
  phase: fc.constantFrom('Pending', 'Running'),
  podIP: fc.option(fc.constantFrom('10.0.0.7', '10.0.0.8'), { nil: undefined }),
  ready: fc.option(fc.boolean(), { nil: undefined }),
  initState: state,
  initLast: lastState,
  mainState: state,
  mainLast: lastState,
  restarts: fc.nat(3),
});
type PodParts = typeof podParts extends fc.Arbitrary<infer T> ? T : never;

function containerStatus(name: string, st: PodParts['mainState'], last: PodParts['mainLast'], restartCount: number): V1ContainerStatus[] {
  if (st === undefined) return [];
  return [{ name, image: 'x', imageID: '', ready: false, restartCount, state: st, ...(last !== undefined ? { lastState: last } : {}) }];
}

function podOf(name: string, p: PodParts): Pod {
  const init = containerStatus('model-fetcher', p.initState, p.initLast, p.restarts);
  const main = containerStatus('server', p.mainState, p.mainLast, p.restarts);
  return pod(
    '1',
    p.variant,
    {
      phase: p.phase,
      ...(p.podIP !== undefined ? { podIP: p.podIP } : {}),
      ...(p.ready !== undefined ? { conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }] } : {}),
      ...(init.length > 0 ? { initContainerStatuses: init } : {}),
      ...(main.length > 0 ? { containerStatuses: main } : {}),
    },
    { name, deleting: p.deleting, labels: { ...labels(p.variant), 'modelship.io/revision': p.revision } },
  );
}

/** Two versions of one pod: each part of the second is the first's or a new one. */
const podVersions = fc.tuple(podParts, podParts, fc.array(fc.boolean(), { minLength: 11, maxLength: 11 })).map(([a, b, keep]) => {
  const keys = Object.keys(a) as (keyof PodParts)[];
  const mixed = Object.fromEntries(keys.map((k, i) => [k, keep[i] ? a[k] : b[k]])) as PodParts;
  return [podOf('iris-b', a), podOf('iris-b', mixed)] as const;
});
const otherPods = fc.uniqueArray(fc.constantFrom('iris-a', 'iris-c', 'iris-d'), { maxLength: 3 }).chain((names) => fc.tuple(...names.map((n) => podParts.map((p) => podOf(n, p)))));

void test('property: two versions of a pod with the same read view give the same status and targets, and a pod read as nothing reads as no pod', () => {
  fc.assert(
    fc.property(otherPods, podVersions, (others, [before, after]) => {
      const views = [podReadView(before), podReadView(after)];
      if (JSON.stringify(views[0]) === JSON.stringify(views[1])) assert.deepEqual(readOf([...others, after]), readOf([...others, before]));
      if (views[1] === undefined) assert.deepEqual(readOf([...others, after]), readOf(others));
      // The rule the controller applies is this one.
      assert.equal(podEventTriggersReconcile('update', after, before), JSON.stringify(views[0]) !== JSON.stringify(views[1]));
      assert.equal(podEventTriggersReconcile('add', after, undefined), views[1] !== undefined);
    }),
    { numRuns: 2000 },
  );
});
