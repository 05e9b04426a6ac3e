// PURE: the children the operator's first reconcile of a new ModelDeployment applies: the rollout
// machine's first plan (no status yet, nothing observed), rendered, with the namespace. When the
// ModelDeployment's uid is known (on the cluster), also with what the apply phase adds: the owner
// reference and the desired-hash annotation (a hash of the object with that reference, so it depends on
// the uid); `modelship render` knows no uid and prints neither. One definition for `modelship render`,
// the floor's bare client in bench/ and the tests that compare them with the live objects.
import type { ModelDeployment, ModelDeploymentStatus } from '../api/index.ts';
import { defaultRenderConfig, renderModelDeployment, type ChildObject, type RenderConfig } from '../render/index.ts';
import type { RenderError } from '../render/index.ts';
import { nextRollout, parseRolloutRequests } from '../rollout/index.ts';
import { withDesiredHash } from './apply-decision.ts';
import { withOwner } from './owner-reference.ts';

export type FirstApply = { readonly ok: true; readonly objects: ChildObject[]; readonly status: ModelDeploymentStatus } | { readonly ok: false; readonly error: RenderError };

/**
 * `md` as parsed (defaults applied); `uid` when the object exists on a cluster; `previous`, the status the
 * operator wrote before (none for a new one), for callers that step the machine on.
 */
export function firstApply(md: ModelDeployment, options: { now: Date; uid?: string; annotations?: Record<string, string>; previous?: ModelDeploymentStatus; config?: RenderConfig }): FirstApply {
  const { name, namespace } = md.metadata;
  const decision = nextRollout({
    spec: md.spec,
    status: options.previous,
    requests: parseRolloutRequests(options.annotations),
    observed: { stable: { ready: false, updatedReady: false } },
    now: options.now,
  });
  const rendered = renderModelDeployment(md, options.config ?? defaultRenderConfig, decision.plan);
  if (!rendered.ok) return rendered;
  const owner = options.uid === undefined ? undefined : { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', name, uid: options.uid };
  const objects = rendered.objects.map((child) => {
    const placed = { ...child, metadata: { ...child.metadata, namespace } };
    return owner ? withDesiredHash(withOwner(placed, owner)) : placed;
  });
  return { ok: true, objects, status: { ...options.previous, ...decision.status } };
}
