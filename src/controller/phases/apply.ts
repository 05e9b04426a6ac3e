// Phase apply: server-side apply of each desired child whose owned fields differ from the cache's
// (field manager modelship); an up-to-date child costs no request. A child whose name is taken by an
// object this ModelDeployment does not own is never touched. Failures are collected, not thrown.
import type { Logger } from 'pino';
import type { KubeObject } from '../../kube/api-client.ts';
import type { ChildObject } from '../../render/index.ts';
import type { ApplyError } from '../../status/observations.ts';
import { applyReason, FIELD_MANAGER, withDesiredHash } from '../apply-decision.ts';
import { childCacheKey } from '../caches.ts';
import { applyRefusedByEndingNamespace } from '../namespace-ending.ts';
import { isControlledBy, withOwner } from '../owner-reference.ts';
import type { ReconcileDeps } from '../reconcile-deps.ts';
import { describeError } from './describe-error.ts';
import type { Target } from './load.ts';

export interface Applied {
  /** The live children after this phase, keyed `<kind>/<name>`: apply responses, or the cache when up to date. */
  readonly live: Map<string, KubeObject>;
  /** `<kind>/<name> (<reason>)` of every child written. */
  readonly changed: string[];
  readonly errors: ApplyError[];
  /** Set when an apply was refused because the namespace is being deleted: the reconcile ends quietly. */
  namespaceEnding?: unknown;
}

export async function apply(target: Target, desired: readonly ChildObject[], deps: Pick<ReconcileDeps, 'caches' | 'client' | 'onApply'>, log: Logger): Promise<Applied> {
  const { namespace, uid, owner } = target;
  const out: Applied = { live: new Map(), changed: [], errors: [] };
  for (const child of desired) {
    const obj = withDesiredHash(withOwner({ ...child, metadata: { ...child.metadata, namespace } }, owner));
    const cache = deps.caches.children.get(childCacheKey(child.apiVersion, child.kind));
    const live = cache?.get(namespace, child.metadata.name);
    const id = `${child.kind}/${child.metadata.name}`;
    if (live && !isControlledBy(live, uid)) {
      out.errors.push({ kind: child.kind, name: child.metadata.name, code: 409, retryable: false, message: `a ${child.kind} named ${child.metadata.name} already exists and is not owned by this ModelDeployment; rename or delete it` });
      continue;
    }
    const reason = applyReason(obj, live);
    if (reason === 'UpToDate' && live) {
      out.live.set(id, live);
      deps.onApply?.(child.kind, false);
      continue;
    }
    try {
      out.live.set(id, await deps.client.apply(obj, FIELD_MANAGER));
      deps.onApply?.(child.kind, true);
      out.changed.push(`${id} (${reason.toLowerCase()})`);
      log.info({ child: id, reason }, 'applied');
    } catch (err) {
      if (applyRefusedByEndingNamespace(err)) {
        out.namespaceEnding = err;
        return out;
      }
      const { message, code } = describeError(err);
      out.errors.push({ kind: child.kind, name: child.metadata.name, message, ...(code !== undefined ? { code } : {}) });
      log.warn({ child: id, err }, 'apply failed');
    }
  }
  return out;
}
