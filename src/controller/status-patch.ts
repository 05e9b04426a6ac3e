// PURE: the JSON merge patch that turns one status into another. Keys that disappeared are set to
// null, since a merge patch otherwise keeps them. With the resourceVersion it was computed from, the
// API server refuses it (409) when the object changed since: a status computed from a stale cache
// (an analysis counter, a rollout step) must never overwrite a newer one.
import type { ModelDeploymentStatus } from '../api/index.ts';

export function statusPatch(
  previous: ModelDeploymentStatus | undefined,
  next: ModelDeploymentStatus,
  resourceVersion?: string,
): { metadata?: { resourceVersion: string }; status: Record<string, unknown> } {
  const status: Record<string, unknown> = { ...next };
  for (const key of Object.keys(previous ?? {})) if (!(key in next)) status[key] = null;
  return resourceVersion !== undefined ? { metadata: { resourceVersion }, status } : { status };
}
