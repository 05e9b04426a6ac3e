// PURE: server-side apply that never adopts. The child caches see only objects with modelship's label,
// so a child missing from them may still exist (a Service made by kubectl or Helm). Applied with force,
// it would be taken over: selector replaced, our controller reference added, and deleted by the garbage
// collector with the ModelDeployment. So a child missing from the cache is read first (one GET) and
// created only if absent; an existing one is applied only if it is ours (the cache was behind, or
// someone removed our label). Every apply to an existing object carries its metadata.uid, which the
// API server takes as a precondition (409 "uid mismatch", nothing written, when another object holds
// the name by then). What remains is an object made in the instant between the GET and the create.
// Decision: the GET costs one request per new child; an apply carrying a uid cannot
// create (the API server refuses it), a POST create records no Apply entry (the next reconcile would
// apply again, and fields later dropped would stay), and an unfiltered metadata-only watch of every
// child kind would hold an entry for every Service, ConfigMap and Deployment of the watched namespaces.
import type { KubeObject } from '../kube/api-client.ts';

/** The object to apply, bound to the existing object of `uid` (a precondition the API server checks). */
export function boundTo<T extends KubeObject>(obj: T, uid: string | undefined): T {
  return uid === undefined ? obj : { ...obj, metadata: { ...obj.metadata, uid } };
}
