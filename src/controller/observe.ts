// PURE: turns the live Deployments and Pods of one ModelDeployment into the status inputs.
import type { V1Deployment, V1Pod, V1ContainerStatus } from '@kubernetes/client-node';
import type { DeploymentObservation, PodObservation } from '../status/observations.ts';
import type { Variant } from '../render/index.ts';
import { FETCHER_CONTAINER } from '../render/model-source.ts';

/**
 * `minReplicas` is set under an HPA: a new Deployment starts at 1 replica and the HPA raises it to its
 * minimum a few seconds later, so the desired count is never below that minimum.
 */
export function observeDeployment(variant: Variant, name: string, live: V1Deployment | undefined, minReplicas = 0): DeploymentObservation {
  if (!live) return { variant, name, exists: false };
  const s = live.status ?? {};
  return {
    variant,
    name,
    exists: true,
    ...(live.metadata?.generation !== undefined ? { generation: live.metadata.generation } : {}),
    ...(s.observedGeneration !== undefined ? { observedGeneration: s.observedGeneration } : {}),
    replicas: Math.max(live.spec?.replicas ?? 1, minReplicas),
    updatedReplicas: s.updatedReplicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
    unavailableReplicas: s.unavailableReplicas ?? 0,
    conditions: (s.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    })),
  };
}

function containerStates(statuses: V1ContainerStatus[] | undefined): Pick<PodObservation, 'waiting' | 'terminated'> & { restarts: number } {
  const waiting: NonNullable<PodObservation['waiting']> = [];
  const terminated: NonNullable<PodObservation['terminated']> = [];
  let restarts = 0;
  for (const cs of statuses ?? []) {
    restarts += cs.restartCount ?? 0;
    const w = cs.state?.waiting;
    if (w?.reason) waiting.push({ container: cs.name, reason: w.reason, ...(w.message ? { message: w.message } : {}) });
    const t = cs.state?.terminated ?? cs.lastState?.terminated;
    if (t?.reason) terminated.push({ container: cs.name, reason: t.reason, exitCode: t.exitCode, ...(t.message ? { message: t.message } : {}) });
  }
  return { waiting, terminated, restarts };
}

/**
 * The model fetcher's last failed run, unless it has succeeded since: a kubelet retries a failed init
 * container (lastState keeps the failure while the next attempt runs), so a failing fetch stays reported
 * between attempts instead of coming and going.
 */
function fetchFailure(statuses: V1ContainerStatus[] | undefined): PodObservation['fetchFailure'] {
  const cs = statuses?.find((c) => c.name === FETCHER_CONTAINER);
  if (cs === undefined || cs.state?.terminated?.exitCode === 0) return undefined;
  const t = cs.state?.terminated ?? cs.lastState?.terminated;
  if (t === undefined || t.exitCode === 0) return undefined;
  return { container: cs.name, exitCode: t.exitCode, ...(t.message ? { message: t.message } : {}) };
}

export function observePod(pod: V1Pod): PodObservation {
  const fetch = fetchFailure(pod.status?.initContainerStatuses);
  const init = containerStates(pod.status?.initContainerStatuses);
  const main = containerStates(pod.status?.containerStatuses);
  const waiting = [...(init.waiting ?? []), ...(main.waiting ?? [])];
  const terminated = [...(init.terminated ?? []), ...(main.terminated ?? [])];
  return {
    name: pod.metadata?.name ?? '',
    ...(pod.status?.phase ? { phase: pod.status.phase } : {}),
    ...(waiting.length ? { waiting } : {}),
    ...(terminated.length ? { terminated } : {}),
    restartCount: init.restarts + main.restarts,
    ...(fetch !== undefined ? { fetchFailure: fetch } : {}),
  };
}
