// Whether two statuses would serialize to the same JSON: the reconciler patches status only when not.
// Lists compare in order (the API server keeps their order); a property whose value is undefined is
// absent, because JSON drops it.
import type { ModelDeploymentStatus } from '../api/index.ts';

export function statusEqual(a: ModelDeploymentStatus | undefined, b: ModelDeploymentStatus | undefined): boolean {
  return jsonEqual(a, b);
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keysA = definedKeys(a);
  const keysB = definedKeys(b);
  return keysA.length === keysB.length && keysA.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function definedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).filter((k) => o[k] !== undefined);
}
