// PURE: server-side apply that never adopts. The child caches see only objects with modelship's label,
// so a child missing from them may still exist (a Service made by kubectl or Helm). Applied with force,
// it would be taken over: selector replaced, our controller reference added, and deleted by the garbage
// collector with the ModelDeployment.
//
// So a child missing from the cache is applied *create-only*: with `metadata.resourceVersion: "1"`. The
// API server creates an absent object from an apply and ignores the version then; an existing object's
// version is never "1" (etcd's first revision holds no key), so for it the version is an optimistic
// lock that fails: 409 Conflict, nothing written. That is one request, as a plain apply, and atomic:
// no window between a read and a create. Only on that conflict is the object read, to tell a child of
// ours the cache has not seen yet (applied again, bound to its uid) from another's (left untouched).
// Every apply to an existing object carries its metadata.uid: the API server refuses the apply if
// another object holds the name by then ("field is immutable"), so a name deleted and taken again
// between the cache and the request is never written either.
// Rejected: a GET before every create (twice the requests per new child), a POST create (it records an
// Update entry, not an Apply one, so fields dropped later would stay), and a metadata-only watch of
// every child kind (an entry for every Service, ConfigMap and Deployment of the watched namespaces).
import type { KubeObject } from '../kube/api-client.ts';

/** The resourceVersion no stored object has: an apply carrying it can only create. */
export const CREATE_ONLY_VERSION = '1';

/** The object to apply so that it is only created, never applied to an object that exists. */
export function createOnly<T extends KubeObject>(obj: T): T {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: CREATE_ONLY_VERSION } };
}

/** The object to apply, bound to the existing object of `uid` (a precondition the API server checks). */
export function boundTo<T extends KubeObject>(obj: T, uid: string): T {
  return { ...obj, metadata: { ...obj.metadata, uid } };
}
