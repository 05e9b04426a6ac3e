// PURE: which of the operator's own writes of children may start no reconcile when their watch event
// comes back (recorded by WriteEchoes, quiet-echo.ts). A reconcile reads a ConfigMap, Service,
// HorizontalPodAutoscaler or PodDisruptionBudget only to decide whether to apply it and whether to prune
// it: the rollout machine observes the Deployments, the routers and the canary's endpoints, and batch
// runs, drift checks and evidence read Jobs. The reconcile that wrote one holds the version written (the
// apply's answer), so that version's event would start a reconcile that finds it up to date and writes
// nothing. Converging 1000 models, each created four or five of these, and their echoes were a tenth of
// all reconciles. Any other event of them (a deletion, someone else's change, a relist) still starts one.
import { childCacheKey } from './caches.ts';

const QUIET_KINDS: ReadonlySet<string> = new Set([
  childCacheKey('v1', 'ConfigMap'),
  childCacheKey('v1', 'Service'),
  childCacheKey('autoscaling/v2', 'HorizontalPodAutoscaler'),
  childCacheKey('policy/v1', 'PodDisruptionBudget'),
]);

/** Whether the echo of a write of this kind may start no reconcile. */
export function echoesQuietly(apiVersion: string, kind: string): boolean {
  return QUIET_KINDS.has(childCacheKey(apiVersion, kind));
}

/** WriteEchoes' key of one child: its owner's key first (`<namespace>/<name>`, which holds no `|`). */
export function childEchoKey(ownerKey: string, apiVersion: string, kind: string, name: string): string {
  return `${ownerKey}|${childCacheKey(apiVersion, kind)}/${name}`;
}

/** The owner's key of a child's echo key, whose reconcile events held for it start. */
export function ownerOfChildEchoKey(key: string): string {
  return key.slice(0, key.indexOf('|'));
}
