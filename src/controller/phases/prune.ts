// Phase prune: delete the children this spec no longer wants (a variant gone, the router of a former
// provider), never objects this ModelDeployment does not control. Failures are collected, not thrown.
import type { Logger } from 'pino';
import type { KubeObject } from '../../kube/api-client.ts';
import { CHILD_KINDS, type ChildObject } from '../../render/index.ts';
import type { ApplyError } from '../../status/observations.ts';
import { childCacheKey } from '../caches.ts';
import { isControlledBy } from '../owner-reference.ts';
import type { ReconcileDeps } from '../reconcile-deps.ts';
import { describeError } from './describe-error.ts';
import type { Target } from './load.ts';

export interface Pruned {
  /** `<kind>/<name> (pruned)` of every child deleted. */
  readonly changed: string[];
  readonly errors: ApplyError[];
}

/**
 * `keep`: children left alone although not desired (a batch ModelDeployment's run Jobs, which the batch
 * reconcile creates and deletes itself).
 */
export async function prune(
  target: Target,
  desired: readonly ChildObject[],
  deps: Pick<ReconcileDeps, 'caches' | 'client'>,
  log: Logger,
  keep: (obj: KubeObject) => boolean = () => false,
): Promise<Pruned> {
  const { namespace, name, uid } = target;
  const out: Pruned = { changed: [], errors: [] };
  const wanted = new Set(desired.map((c) => `${c.kind}/${c.metadata.name}`));
  for (const { apiVersion, kind } of CHILD_KINDS) {
    for (const obj of deps.caches.children.get(childCacheKey(apiVersion, kind))?.byIndex(namespace, name) ?? []) {
      const objName = obj.metadata?.name ?? '';
      if (wanted.has(`${kind}/${objName}`) || !isControlledBy(obj, uid) || keep(obj)) continue;
      try {
        await deps.client.delete({ apiVersion, kind, namespace, name: objName }, obj.metadata?.uid);
        out.changed.push(`${kind}/${objName} (pruned)`);
        log.info({ child: `${kind}/${objName}` }, 'pruned');
      } catch (err) {
        const { message, code } = describeError(err);
        out.errors.push({ kind, name: objName, message: `could not delete: ${message}`, ...(code !== undefined ? { code } : {}) });
      }
    }
  }
  return out;
}
