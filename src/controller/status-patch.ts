// PURE: the JSON merge patch that turns one status into another. Keys that disappeared are set to
// null, since a merge patch otherwise keeps them.
import type { ModelDeploymentStatus } from '../api/index.ts';

export function statusPatch(previous: ModelDeploymentStatus | undefined, next: ModelDeploymentStatus): { status: Record<string, unknown> } {
  const status: Record<string, unknown> = { ...next };
  for (const key of Object.keys(previous ?? {})) if (!(key in next)) status[key] = null;
  return { status };
}
