// PURE: a child's name taken by an object this ModelDeployment did not create. modelship never adopts
// such an object (its spec, labels and owners stay as they are, so the garbage collector never removes
// it with the ModelDeployment); the ModelDeployment is Stalled/ApplyConflict naming the object and who
// holds it, so a person can rename one of the two or remove the object.
import type { KubeObject } from '../kube/api-client.ts';
import type { ApplyError } from '../status/observations.ts';

/** Helm records the release of every object it installs here. */
const HELM_RELEASE = 'meta.helm.sh/release-name';

/** Who holds the object: its controller, its Helm release, or the field managers that wrote it. */
export function holderOf(obj: KubeObject): string {
  const controller = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (controller) return `controlled by ${controller.kind} ${controller.name}`;
  const release = obj.metadata?.annotations?.[HELM_RELEASE];
  if (release) return `installed by Helm release ${release}`;
  const managers = [...new Set((obj.metadata?.managedFields ?? []).filter((m) => !m.subresource && m.manager).map((m) => m.manager))];
  return managers.length ? `managed by ${managers.join(', ')}` : 'with no controller';
}

/** Not retryable: only a change by a person helps (the stalled ModelDeployment is looked at again, see requeue.ts). */
export function takenName(kind: string, name: string, holder: KubeObject): ApplyError {
  return {
    kind,
    name,
    code: 409,
    retryable: false,
    message: `a ${kind} named ${name} already exists, ${holderOf(holder)}, not by this ModelDeployment; modelship leaves it untouched: delete it or rename the ModelDeployment`,
  };
}

/** A taken name, as opposed to other refusals that also stall. */
export function isTakenName(error: ApplyError): boolean {
  return error.code === 409 && error.retryable === false;
}
