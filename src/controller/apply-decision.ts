// PURE: should a desired child be applied? Only when it is missing, when what we want changed
// (a hash of the desired object, kept in an annotation), or when someone took a field from us.
// crypto.hash: the one-shot digest, without a Hash object per call (desired hashes are taken per child).
import { hash as digestOf } from 'node:crypto';
import type { KubeObject } from '../kube/api-client.ts';
import { RecentMap } from '../recent-map.ts';
import { controllerUid, ownedFieldsText } from './cached-fields-text.ts';
import { ownsAllFields } from './owned-fields.ts';

export const FIELD_MANAGER = 'modelship';
export const DESIRED_HASH_ANNOTATION = 'modelship.io/desired-hash';

export type ApplyReason = 'Missing' | 'Changed' | 'Drifted' | 'UpToDate';

/**
 * A stable hash of a JSON value: its keys sorted, so equal objects hash equally whatever their key order.
 * Remembered by the digest of the value's own JSON text, which fixes its sorted form: a render that
 * wants what an earlier one wanted (the render memo of phases/render.ts keeps only 256 models, and at
 * 1000 converging one at a time a model is back after a thousand others) costs one stringify and one
 * digest, not a sorted copy of every object in it (15% of what the operator allocated converging 1000).
 */
export function desiredHash(obj: unknown): string {
  // Undefined (no JSON text) hashes as null does.
  const text = (JSON.stringify(obj) as string | undefined) ?? 'null';
  const digest = digestOf('sha256', text, 'base64');
  const known = sortedHashes.get(digest);
  if (known !== undefined) return known;
  const hash = sortedHash(JSON.parse(text));
  sortedHashes.set(digest, hash);
  return hash;
}

/** About one entry per child of 1,000 models and their canaries; some 100 bytes each. */
const sortedHashes = new RecentMap<string, string>(8192);

function sortedHash(value: unknown): string {
  return digestOf('sha256', JSON.stringify(sortedCopy(value)), 'hex').slice(0, 20);
}

/**
 * A copy with every object's keys in sorted order, in plain loops: ordinary objects (a prototype-less one
 * is a dictionary in V8, a hash table allocated per object) and keys sorted in place by insertion, not
 * Array#sort's work arrays; a key named __proto__ is defined, so it stays a key. Its JSON text is the
 * same as the prototype-less copy's: integer-like keys come first in either (a micro-benchmark over the
 * rendered golden children: 7.3 against 13.1 µs a hash, a fifth of the collections).
 */
function sortedCopy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const list: unknown[] = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) list[i] = sortedCopy(v[i]);
    return list;
  }
  const out: Record<string, unknown> = {};
  for (const k of sortedInPlace(Object.keys(v))) {
    const x = sortedCopy((v as Record<string, unknown>)[k]);
    if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  }
  return out;
}

/** Insertion sort by UTF-16 code units, as Array#sort's default order: objects have a few keys each. */
function sortedInPlace(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
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

/**
 * The same answer across versions of one object (its uid): the verdict depends only on the desired hash,
 * our managed-fields entry as cached (a string the cache shares, compared in place) and the owner's uid
 * put back into it. A Deployment's status updates bring new versions whose fields entry is the same, and
 * the walk ran again after each (a tenth of what the operator allocated converging 1000 models).
 */
interface FoundUpToDate {
  readonly want: string;
  readonly fields: unknown;
  readonly owner: string | undefined;
}
const upToDateByUid = new RecentMap<string, FoundUpToDate>(8192);

export function applyReason(desiredWithHash: KubeObject, live: KubeObject | undefined): ApplyReason {
  if (!live) return 'Missing';
  const want = desiredWithHash.metadata?.annotations?.[DESIRED_HASH_ANNOTATION];
  if (live.metadata?.annotations?.[DESIRED_HASH_ANNOTATION] !== want) return 'Changed';
  if (want !== undefined && upToDate.get(live) === want) return 'UpToDate';
  const ours = live.metadata?.managedFields?.find((m) => m.manager === FIELD_MANAGER && m.operation === 'Apply' && !m.subresource);
  if (!ours) return 'Drifted';
  const uid = live.metadata?.uid;
  const owner = controllerUid(live.metadata);
  const found = uid === undefined ? undefined : upToDateByUid.get(uid);
  const known = found !== undefined && found.want === want && found.fields === ours.fieldsV1 && found.owner === owner;
  if (!known && !ownsAllFields(desiredWithHash as Record<string, unknown>, fieldSet(ownedFieldsText(ours, live.metadata)))) return 'Drifted';
  if (want !== undefined) {
    upToDate.set(live, want);
    if (uid !== undefined && !known) upToDateByUid.set(uid, { want, fields: ours.fieldsV1, owner });
  }
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
