// PURE: whether the watch event of a reconcile's own status write may start no reconcile (a "quiet
// echo"). Fed its own status back with the same observations, a reconcile decides the same and writes
// nothing: the rollout machine and the serving status are fixed points by construction (the
// "idempotent" properties in test/unit/rollout/properties.test.ts and test/unit/status/properties.test.ts).
// So the reconcile that event would start repeats the one that wrote it, unless the written status
// changes what the machine observes (the replicas provider reads the canary's last weight from status)
// or a part that is not such a fixed point reads it back: the drift checks (their schedule) and the
// retrainer (the drift verdict and the stable revision). Converging a model, its two status writes were
// two of its five or six reconciles. Every other event still starts one: a child's, the spec's, a
// label's, a status written by anyone else, a relist.
import type { ModelDeploymentSpec } from '../api/index.ts';
import type { KubeObject } from '../kube/api-client.ts';
import type { InformerEvent } from '../kube/informer.ts';
import type { RolloutObservations } from '../rollout/index.ts';
import { jsonEqual } from '../status/status-changed.ts';

/** `before` and `after`: the live objects observed against the status read and the status written, from the same caches. */
export function echoChangesNothing(spec: ModelDeploymentSpec, before: RolloutObservations, after: RolloutObservations): boolean {
  return spec.monitoring?.drift === undefined && spec.monitoring?.retraining === undefined && jsonEqual(before, after);
}

/**
 * Whether a ModelDeployment's watch event is the quiet echo recorded for its key (the resourceVersion
 * our status write returned). Any event of the key ends the record: the echo is the very next event of
 * the object, since the write was conditional on the version the cache held.
 */
export function takeQuietEcho(quietEchoes: Map<string, string>, key: string, event: InformerEvent, obj: KubeObject): boolean {
  const version = quietEchoes.get(key);
  if (version === undefined) return false;
  quietEchoes.delete(key);
  return event === 'update' && version === obj.metadata?.resourceVersion;
}
