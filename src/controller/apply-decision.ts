// PURE: should a desired child be applied? Only when it is missing, when what we want changed
// (a hash of the desired object, kept in an annotation), or when someone took a field from us.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../kube/api-client.ts';
import { ownedFieldsText } from './cached-fields-text.ts';
import { ownsAllFields } from './owned-fields.ts';

export const FIELD_MANAGER = 'modelship';
export const DESIRED_HASH_ANNOTATION = 'modelship.io/desired-hash';

export type ApplyReason = 'Missing' | 'Changed' | 'Drifted' | 'UpToDate';

/** A stable hash of an object: keys sorted, so equal objects hash equally whatever their key order. */
export function desiredHash(obj: unknown): string {
  return createHash('sha256').update(JSON.stringify(sortedCopy(obj))).digest('hex').slice(0, 20);
}

/**
 * A copy with every object's keys in sorted order, in plain loops (it runs for every desired child of
 * every reconcile). Prototype-less objects, so a key named __proto__ stays a key; a list's holes stay
 * holes' worth of undefined, which JSON.stringify writes as null either way.
 */
function sortedCopy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const list: unknown[] = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) list[i] = sortedCopy(v[i]);
    return list;
  }
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(v).sort()) out[k] = sortedCopy((v as Record<string, unknown>)[k]);
  return out;
}

/** The object to apply: the desired child with its hash annotation. */
export function withDesiredHash<T extends KubeObject>(obj: T): T {
  const hash = desiredHash(obj);
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata?.annotations, [DESIRED_HASH_ANNOTATION]: hash } } };
}

/**
 * Cached objects found up to date, with the hash they were found so for. A cached object is never
 * changed (a new version replaces it), and the hash stands for the whole desired object, so the same
 * pair gives the same answer: most reconciles of a converged model then skip parsing and walking the
 * managed fields. Invisible to callers; entries go with the cached objects.
 */
const upToDate = new WeakMap<KubeObject, string>();

export function applyReason(desiredWithHash: KubeObject, live: KubeObject | undefined): ApplyReason {
  if (!live) return 'Missing';
  const want = desiredWithHash.metadata?.annotations?.[DESIRED_HASH_ANNOTATION];
  if (live.metadata?.annotations?.[DESIRED_HASH_ANNOTATION] !== want) return 'Changed';
  if (want !== undefined && upToDate.get(live) === want) return 'UpToDate';
  const ours = live.metadata?.managedFields?.find((m) => m.manager === FIELD_MANAGER && m.operation === 'Apply' && !m.subresource);
  if (!ours || !ownsAllFields(desiredWithHash as Record<string, unknown>, fieldSet(ownedFieldsText(ours, live.metadata)))) return 'Drifted';
  if (want !== undefined) upToDate.set(live, want);
  return 'UpToDate';
}

/** The caches keep fieldsV1 as its JSON text (cached-fields-text.ts): parsed only when compared. */
function fieldSet(fieldsV1: unknown): unknown {
  if (typeof fieldsV1 !== 'string') return fieldsV1;
  try {
    return JSON.parse(fieldsV1);
  } catch {
    return undefined; // unreadable: treated as drift, so the next apply rewrites it
  }
}
