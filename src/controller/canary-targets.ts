// PURE: which pods the smoke check talks to: the canary revision's ready model-server pods, at their
// `http` container port (from the informer cache, so a pod being deleted is left out).
import type { V1Pod } from '@kubernetes/client-node';
import { COMPONENT_MODEL_SERVER, LABEL_COMPONENT, LABEL_REVISION, LABEL_VARIANT } from '../render/index.ts';
import type { SmokeTarget } from '../validation/index.ts';

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The canary revision's ready model-server pods, at their `http` container port. */
export function canaryTargets(pods: readonly V1Pod[], revision: number): SmokeTarget[] {
  const targets: SmokeTarget[] = [];
  for (const pod of pods) {
    const labels = pod.metadata?.labels ?? {};
    if (labels[LABEL_VARIANT] !== 'canary' || labels[LABEL_REVISION] !== String(revision) || labels[LABEL_COMPONENT] !== COMPONENT_MODEL_SERVER) continue;
    if (!isReady(pod) || !pod.status?.podIP || pod.metadata?.deletionTimestamp) continue;
    const port = pod.spec?.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === 'http')?.containerPort;
    if (port !== undefined) targets.push({ pod: pod.metadata?.name ?? '', ip: pod.status.podIP, port });
  }
  return targets.sort((a, b) => a.pod.localeCompare(b.pod));
}
