// PURE: the children the operator's first reconcile of a new ModelDeployment applies, byte for byte
// (src/controller/first-apply.ts, with the owner reference), for the floor's bare client.
import { parseModelDeployment, type ModelDeploymentStatus } from '../src/api/index.ts';
import type { KubeObject } from '../src/kube/api-client.ts';
import { firstApply } from '../src/controller/first-apply.ts';

export type ApplyObject = KubeObject & { apiVersion: string; kind: string };

export interface Desired {
  readonly objects: ApplyObject[];
  /** The rollout part of status the operator writes with them: the input of the next decision. */
  readonly status: ModelDeploymentStatus;
}

/**
 * For a ModelDeployment as the API server returned it (defaults applied, uid set), and the status the
 * operator would have written before (none for a new one): its children, as the operator applies them.
 */
export function desiredChildren(md: KubeObject & { spec?: unknown }, now: Date, previous?: ModelDeploymentStatus): Desired {
  const parsed = parseModelDeployment(md);
  if (!parsed.ok) throw new Error(`${md.metadata?.name}: ${parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  const first = firstApply(parsed.value, { now, uid: md.metadata?.uid ?? '', ...(md.metadata?.annotations ? { annotations: md.metadata.annotations } : {}), ...(previous ? { previous } : {}) });
  if (!first.ok) throw new Error(`${parsed.value.metadata.name}: ${first.error.message}`);
  return { objects: first.objects, status: first.status };
}
