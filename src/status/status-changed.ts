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
  return objectsEqualBut(a, b, NONE);
}

const NONE: ReadonlySet<string> = new Set();

/** jsonEqual of two objects but for the keys in `skip` (the child event filter leaves out versions and times). */
export function objectsEqualBut(a: object, b: object, skip: ReadonlySet<string>): boolean {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let definedA = 0;
  for (const k in ra) {
    if (!Object.hasOwn(ra, k) || skip.has(k) || ra[k] === undefined) continue;
    definedA++;
    if (!Object.hasOwn(rb, k) || !jsonEqual(ra[k], rb[k])) return false;
  }
  let definedB = 0;
  for (const k in rb) if (Object.hasOwn(rb, k) && !skip.has(k) && rb[k] !== undefined) definedB++;
  return definedA === definedB;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}
