// The one status write of a reconcile, deferred to the end: a JSON merge patch of the status
// subresource, sent only when the status changed (no write at all at rest), conditional on the
// resourceVersion the phases read (a status computed from a stale cache never overwrites a newer one).
import type { Logger } from 'pino';
import type { ModelDeploymentStatus } from '../../api/index.ts';
import type { KubeObject } from '../../kube/api-client.ts';
import { isConflict } from '../../kube/api-error.ts';
import { keepTransitionTimes } from '../../status/conditions.ts';
import { statusEqual } from '../../status/status-changed.ts';
import { MODEL_DEPLOYMENT_API_VERSION, MODEL_DEPLOYMENT_KIND, type ReconcileDeps } from '../reconcile-deps.ts';
import { endQuietly, statusWriteOfGoneObject } from '../namespace-ending.ts';
import { statusPatch } from '../status-patch.ts';
import type { Target } from './load.ts';

/**
 * `conflict`: the object changed since the cache saw it; decide again from the newer one. `gone`: the
 * ModelDeployment or its namespace is going away (404, or refused by a terminating namespace): nothing more to do.
 */
export type StatusWrite = 'unchanged' | 'written' | 'conflict' | 'gone';

/** `yieldWorker` is called before the write, which waits behind the cluster-changing requests. */
export async function writeStatus(
  target: Target,
  computed: ModelDeploymentStatus,
  deps: Pick<ReconcileDeps, 'client' | 'replacedVersions' | 'statusEchoes'>,
  log: Logger,
  yieldWorker: () => void,
  /** Asked only before a write: whether the write's own watch event may start no reconcile (quiet-echo.ts). */
  quietEcho: () => boolean = () => false,
): Promise<StatusWrite> {
  const { namespace, name, key, cachedVersion } = target;
  const previous = target.md.status;
  // A condition's time moves only when its status does, whatever layer set it last (conditions.ts).
  const next = computed.conditions ? { ...computed, conditions: keepTransitionTimes(previous?.conditions, computed.conditions) } : computed;
  if (statusEqual(previous ?? {}, next)) return 'unchanged';
  let written: KubeObject;
  const quiet = quietEcho();
  yieldWorker();
  deps.statusEchoes?.writing(key);
  try {
    written = await deps.client.mergePatch(
      { apiVersion: MODEL_DEPLOYMENT_API_VERSION, kind: MODEL_DEPLOYMENT_KIND, namespace, name, subresource: 'status' },
      statusPatch(previous, next, cachedVersion),
      { priority: 'low' },
    );
  } catch (err) {
    deps.statusEchoes?.failed(key);
    if (statusWriteOfGoneObject(err)) {
      endQuietly(log, err);
      return 'gone';
    }
    if (!isConflict(err)) throw err;
    log.debug('status changed since the cache saw it; deciding again from the newer object');
    return 'conflict';
  }
  // Until the cache shows our write, the next reconcile would decide from the version it replaced.
  if (cachedVersion !== undefined && written.metadata?.resourceVersion !== cachedVersion) deps.replacedVersions?.set(key, cachedVersion);
  const version = written.metadata?.resourceVersion;
  deps.statusEchoes?.written(key, version, quiet && version !== cachedVersion);
  return 'written';
}
