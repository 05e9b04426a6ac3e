// Whether two statuses would serialize to the same JSON: the reconciler patches status only when not.
// Lists compare in order (the API server keeps their order); a property whose value is undefined is
// absent, because JSON drops it.
import type { ModelDeploymentStatus } from '../api/index.ts';

export function statusEqual(a: ModelDeploymentStatus | undefined, b: ModelDeploymentStatus | undefined): boolean {
  return jsonEqual(a, b);
}

/** In plain loops, allocating nothing: it compares every watch event's cached copies and every computed status. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const listA = Array.isArray(a);
  const listB = Array.isArray(b);
  if (listA || listB) {
    if (!listA || !listB || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (!isObject(a) || !isObject(b)) return false;
  let definedA = 0;
  for (const k in a) {
    if (!Object.hasOwn(a, k) || a[k] === undefined) continue;
    definedA++;
    if (!Object.hasOwn(b, k) || !jsonEqual(a[k], b[k])) return false;
  }
  let definedB = 0;
  for (const k in b) if (Object.hasOwn(b, k) && b[k] !== undefined) definedB++;
  return definedA === definedB;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}
