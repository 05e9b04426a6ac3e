// PURE: the children the operator's first reconcile of a new ModelDeployment applies, byte for byte
// (rollout plan, render, owner reference and desired-hash annotation), for the floor's bare client.
import { parseModelDeployment, type ModelDeploymentStatus } from '../src/api/index.ts';
import type { KubeObject } from '../src/kube/api-client.ts';
import { withDesiredHash } from '../src/controller/apply-decision.ts';
import { withOwner } from '../src/controller/owner-reference.ts';
import { defaultRenderConfig, renderModelDeployment } from '../src/render/index.ts';
import { nextRollout, parseRolloutRequests } from '../src/rollout/index.ts';

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
  const { name, namespace } = parsed.value.metadata;
  const decision = nextRollout({
    spec: parsed.value.spec,
    status: previous,
    requests: parseRolloutRequests(md.metadata?.annotations),
    observed: { stable: { ready: false, updatedReady: false } },
    now,
  });
  const rendered = renderModelDeployment(parsed.value, defaultRenderConfig, decision.plan);
  if (!rendered.ok) throw new Error(`${name}: ${rendered.error.message}`);
  const owner = { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', name, uid: md.metadata?.uid ?? '' };
  return {
    objects: rendered.objects.map((child) => withDesiredHash(withOwner({ ...child, metadata: { ...child.metadata, namespace } }, owner))),
    status: { ...previous, ...decision.status },
  };
}
