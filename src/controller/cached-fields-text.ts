// PURE: how the caches keep a managedFields entry's fieldsV1: as its JSON text (a tree of small objects
// costs several times its text in V8), with the controlling owner's uid taken out. The uid is the key
// of the ownerReferences entry in that text, and the only part that differs between the children of
// one kind rendered alike, so without it equal texts can share one string (cache-transforms.ts).
import type { KubeObject, ManagedFieldsEntry } from '../kube/api-client.ts';

type Meta = NonNullable<KubeObject['metadata']>;

/** Stands for the owner's uid. A raw NUL never occurs in JSON text (JSON.stringify escapes it). */
const OWNER_UID = '\u0000owner-uid\u0000';

export function controllerUid(meta: Meta | undefined): string | undefined {
  return meta?.ownerReferences?.find((r) => r.controller === true)?.uid;
}

/** fieldsV1 as cached: JSON text, the controlling owner's uid replaced by a placeholder. */
export function cachedFieldsText(fieldsV1: unknown, ownerUid: string | undefined): unknown {
  if (fieldsV1 === undefined) return fieldsV1;
  const text = typeof fieldsV1 === 'string' ? fieldsV1 : JSON.stringify(fieldsV1);
  // replaceAll, not split and join (an array and its parts per watch event); a function, so no `$` in the uid is a pattern.
  return ownerUid ? text.replaceAll(ownerUid, () => OWNER_UID) : text;
}

/**
 * A cached entry's fieldsV1 as the API server sent it (JSON text, or the object if it was never
 * cached), the owner's uid put back from the same object's ownerReferences. Undefined if the uid is
 * no longer there to put back: read as "not ours", so the child is applied again.
 */
export function ownedFieldsText(entry: ManagedFieldsEntry, meta: Meta | undefined): unknown {
  const { fieldsV1 } = entry;
  if (typeof fieldsV1 !== 'string' || !fieldsV1.includes(OWNER_UID)) return fieldsV1;
  const uid = controllerUid(meta);
  return uid ? fieldsV1.replaceAll(OWNER_UID, () => uid) : undefined;
}
