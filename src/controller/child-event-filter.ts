// PURE: whether a watch event of a child, pod or EndpointSlice can change what its owner's reconcile
// decides, so that events which cannot do not start one (as controller-runtime's predicates do). A
// reconcile reads only the cached copies (cache-transforms.ts keeps only what it reads), so an update
// whose cached copy equals the one it replaced, but for its resourceVersion and the time of the managed
// fields entry, changes nothing: the Deployment controller rewriting a condition's timestamps, the
// disruption controller counting healthy pods (a PodDisruptionBudget's status is not kept), a pod
// scheduled to a node. Converging 300 models, 6,031 watch events reached the operator; the status
// updates of PodDisruptionBudgets (627) and HPAs (300) and the EndpointSlices of Services no reconcile
// reads (1,187; no longer watched) alone were over a third of them.
import type { KubeObject } from '../kube/api-client.ts';
import type { InformerEvent } from '../kube/informer.ts';
import { variantName } from '../render/index.ts';
import { objectsEqualBut } from '../status/status-changed.ts';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Adds, deletes and resyncs always count (a child created, deleted or listed again); an update only when its cached copy changed. */
export function triggersReconcile(event: InformerEvent, obj: KubeObject, previous: KubeObject | undefined): boolean {
  if (event !== 'update' || previous === undefined) return true;
  return !sameCachedContent(previous, obj);
}

/** Of the EndpointSlices of a ModelDeployment's Services (`owner` is its name), only the canary Service's are read: they gate the canary's first weight (caches.ts). */
export function isReadEndpointSlice(slice: KubeObject, owner: string): boolean {
  return slice.metadata?.labels?.[SERVICE_NAME_LABEL] === variantName(owner, 'canary');
}

/** Equal as cached, but for `metadata.resourceVersion` and the `time` of managedFields entries. */
export function sameCachedContent(a: KubeObject, b: KubeObject): boolean {
  if (!equalBut(a, b, METADATA)) return false;
  const ma = a.metadata;
  const mb = b.metadata;
  if (ma === undefined || mb === undefined) return ma === mb;
  if (!equalBut(ma, mb, VERSION_AND_FIELDS)) return false;
  const fa = ma.managedFields;
  const fb = mb.managedFields;
  if (fa === undefined || fb === undefined) return fa === fb;
  if (fa.length !== fb.length) return false;
  for (let i = 0; i < fa.length; i++) if (!equalBut(fa[i], fb[i], TIME)) return false;
  return true;
}

const METADATA: ReadonlySet<string> = new Set(['metadata']);
const VERSION_AND_FIELDS: ReadonlySet<string> = new Set(['resourceVersion', 'managedFields']);
const TIME: ReadonlySet<string> = new Set(['time']);

/** Objects compared but for `skip`; an absent one equals only another absent one. */
function equalBut(a: object | undefined, b: object | undefined, skip: ReadonlySet<string>): boolean {
  if (a === undefined || b === undefined) return a === b;
  return objectsEqualBut(a, b, skip);
}
