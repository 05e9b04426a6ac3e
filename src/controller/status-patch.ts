// PURE: the JSON merge patch that turns one status into another. A merge patch keeps every key it does
// not name, at every depth: keys that disappeared are set to null, in nested objects too (a new canary
// revision's status.analysis must not keep the previous revision's startedAt, runs or pValue); arrays
// are replaced whole. With the resourceVersion it was computed from, the API server refuses it (409)
// when the object changed since: a status computed from a stale cache (an analysis counter, a rollout
// step) must never overwrite a newer one.
import type { ModelDeploymentStatus } from '../api/index.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `next`, with null for each key of `previous` that `next` lacks (or leaves undefined), object by object. */
function mergePatchOf(previous: unknown, next: unknown): unknown {
  if (!isObject(next) || !isObject(previous)) return next;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) if (value !== undefined) out[key] = mergePatchOf(previous[key], value);
  for (const key of Object.keys(previous)) if (next[key] === undefined && previous[key] !== undefined) out[key] = null;
  return out;
}

export function statusPatch(
  previous: ModelDeploymentStatus | undefined,
  next: ModelDeploymentStatus,
  resourceVersion?: string,
): { metadata?: { resourceVersion: string }; status: Record<string, unknown> } {
  const status = mergePatchOf(previous ?? {}, next) as Record<string, unknown>;
  return resourceVersion !== undefined ? { metadata: { resourceVersion }, status } : { status };
}
