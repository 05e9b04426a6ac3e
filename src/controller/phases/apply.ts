// Phase apply: server-side apply of each desired child whose owned fields differ from the cache's
// (field manager modelship); an up-to-date child costs no request. A child whose name is taken by an
// object this ModelDeployment does not control is never touched, whether the cache shows it or not
// (create-only.ts): it is reported as a taken name. Failures are collected, not thrown.
import type { Logger } from 'pino';
import type { ApiClient, KubeObject } from '../../kube/api-client.ts';
import type { ChildObject } from '../../render/index.ts';
import type { ApplyError } from '../../status/observations.ts';
import { applyReason, FIELD_MANAGER, withDesiredHash, type ApplyReason } from '../apply-decision.ts';
import { childCacheKey } from '../caches.ts';
import { boundTo, createOnly } from '../create-only.ts';
import { isConflict } from '../../kube/api-error.ts';
import { applyRefusedByEndingNamespace } from '../namespace-ending.ts';
import { isControlledBy, withOwner } from '../owner-reference.ts';
import type { ReconcileDeps } from '../reconcile-deps.ts';
import { takenName } from '../taken-name.ts';
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
  // One line for what a reconcile wrote, not one per child (as Flux logs a change set): converging
  // 1000 models, a line per child was 3.6% of the operator's CPU (a profile at KServe's request rate).
  const changeSet: Record<string, ApplyReason> = {};
  const done = (): Applied => {
    const written = Object.entries(changeSet);
    if (written.length === 0) return out;
    out.changed.push(...written.map(([id, reason]) => `${id} (${reason.toLowerCase()})`));
    log.info({ children: changeSet }, 'applied');
    return out;
  };
  for (const child of desired) {
    const obj = applicable(child, namespace, owner);
    const cache = deps.caches.children.get(childCacheKey(child.apiVersion, child.kind));
    const live = cache?.get(namespace, child.metadata.name);
    const id = `${child.kind}/${child.metadata.name}`;
    if (live && !isControlledBy(live, uid)) {
      out.errors.push(takenName(child.kind, child.metadata.name, live));
      continue;
    }
    const reason = applyReason(obj, live);
    if (reason === 'UpToDate' && live) {
      out.live.set(id, live);
      deps.onApply?.(child.kind, false);
      continue;
    }
    try {
      const written = await applyOwnOnly(deps.client, obj, live?.metadata?.uid, uid);
      if ('taken' in written) {
        out.errors.push(takenName(child.kind, child.metadata.name, written.taken));
        continue;
      }
      out.live.set(id, written.applied);
      deps.onApply?.(child.kind, written.wrote);
      if (!written.wrote) continue;
      changeSet[id] = reason;
    } catch (err) {
      if (applyRefusedByEndingNamespace(err)) {
        out.namespaceEnding = err;
        return done();
      }
      const { message, code } = describeError(err);
      out.errors.push({ kind: child.kind, name: child.metadata.name, message, ...(code !== undefined ? { code } : {}) });
      log.warn({ child: id, err }, 'apply failed');
    }
  }
  return done();
}

type Applicable = ReturnType<typeof withDesiredHash<ChildObject>>;

/**
 * The object to apply for each rendered child, with its owner and hash: render.ts hands out the same
 * child objects while nothing changed, and hashing them was the costly part. Entries go with the children.
 */
const applicables = new WeakMap<ChildObject, { readonly namespace: string; readonly uid: string; readonly obj: Applicable }>();

function applicable(child: ChildObject, namespace: string, owner: Target['owner']): Applicable {
  const known = applicables.get(child);
  if (known !== undefined && known.namespace === namespace && known.uid === owner.uid) return known.obj;
  const obj = withDesiredHash(withOwner({ ...child, metadata: { ...child.metadata, namespace } }, owner));
  applicables.set(child, { namespace, uid: owner.uid, obj });
  return obj;
}

type Written = { readonly applied: KubeObject; readonly wrote: boolean } | { readonly taken: KubeObject };

/**
 * Applies `obj` to the cached object of `liveUid`. Without one, the object is applied create-only
 * (create-only.ts); if the name is held, the holder is read: another's is left alone and returned as
 * taken; ours after all (the cache was behind) is applied to, bound to its uid, if it differs.
 */
async function applyOwnOnly(client: ApiClient, obj: KubeObject & { apiVersion: string; kind: string }, liveUid: string | undefined, ownerUid: string): Promise<Written> {
  if (liveUid !== undefined) return { applied: await client.apply(boundTo(obj, liveUid), FIELD_MANAGER), wrote: true };
  try {
    return { applied: await client.apply(createOnly(obj), FIELD_MANAGER), wrote: true };
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
  const existing = await client.get({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name });
  // Gone again since the conflict: a retryable error, the next attempt creates it.
  if (existing === undefined) throw new Error(`${obj.kind} ${obj.metadata?.name ?? ''} was deleted while it was being created`);
  if (!isControlledBy(existing, ownerUid)) return { taken: existing };
  if (applyReason(obj, existing) === 'UpToDate') return { applied: existing, wrote: false };
  return { applied: await client.apply(boundTo(obj, existing.metadata?.uid ?? ''), FIELD_MANAGER), wrote: true };
}
