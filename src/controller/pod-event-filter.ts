// PURE: whether a watch event of a model-server pod can change what its owner's reconcile decides.
// A reconcile reads such a pod in two places only: the Stalled condition (status/stall.ts: its first
// stuck container with that container's last exit, and a failed model fetch) and, for a canary pod,
// the smoke check's targets (canary-targets.ts: ready, with an address and an `http` port, not being
// deleted). A pod that is neither stuck nor a target is read as if it did not exist. Converging 1000
// models, a pod's creation and its becoming Ready each started a reconcile of their own once the work
// queue had emptied (a quarter of the reconciles at the end), and neither changed a status: the
// Deployment's counts, which the status is computed from, arrive in an event of their own.
// Any other pod (a batch, drift or validation Job's) keeps the cached-copy rule (child-event-filter.ts).
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/api-client.ts';
import type { InformerEvent } from '../kube/informer.ts';
import { LABEL_BATCH_RUN } from '../batch/labels.ts';
import { LABEL_DRIFT_JOB } from '../drift-checks/labels.ts';
import { COMPONENT_MODEL_SERVER, LABEL_COMPONENT, LABEL_REVISION } from '../render/index.ts';
import { STUCK_WAITING_REASONS } from '../status/index.ts';
import { jsonEqual } from '../status/status-changed.ts';
import { canaryTargets } from './canary-targets.ts';
import { triggersReconcile } from './child-event-filter.ts';
import { observePod } from './observe.ts';

/** A model server's pod, as phases/report.ts selects them (no component label counts as one), and of no Job. */
export function isModelServerPod(pod: KubeObject): boolean {
  const labels = pod.metadata?.labels ?? {};
  return (labels[LABEL_COMPONENT] ?? COMPONENT_MODEL_SERVER) === COMPONENT_MODEL_SERVER && labels[LABEL_BATCH_RUN] === undefined && labels[LABEL_DRIFT_JOB] === undefined;
}

/** What reconciles read of a model-server pod; undefined when that is nothing (read as if it did not exist). */
export function podReadView(pod: V1Pod): unknown {
  const observed = observePod(pod);
  const waiting = observed.waiting?.find((w) => STUCK_WAITING_REASONS.some((r) => r === w.reason));
  const lastExit = waiting === undefined ? undefined : observed.terminated?.find((t) => t.container === waiting.container);
  const revision = Number(pod.metadata?.labels?.[LABEL_REVISION]);
  const target = Number.isInteger(revision) ? canaryTargets([pod], revision)[0] : undefined;
  if (waiting === undefined && observed.fetchFailure === undefined && target === undefined) return undefined;
  return { name: observed.name, waiting, lastExit, fetchFailure: observed.fetchFailure, target: target && { revision, ...target } };
}

/** Adds and deletes of pods read as nothing start no reconcile, nor updates that leave what is read unchanged; resyncs always do. */
export function podEventTriggersReconcile(event: InformerEvent, pod: V1Pod & KubeObject, previous: (V1Pod & KubeObject) | undefined): boolean {
  if (event === 'resync' || !isModelServerPod(pod) || (previous !== undefined && !isModelServerPod(previous))) return triggersReconcile(event, pod, previous);
  if (event === 'add' || event === 'delete') return podReadView(pod) !== undefined;
  return previous === undefined || !jsonEqual(podReadView(previous), podReadView(pod));
}
