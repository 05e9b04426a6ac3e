// Phase load: the ModelDeployment from the informer cache, and its spec parsed. Nothing to do when it
// is gone or going (the garbage collector has the children), or when the cache still shows the version
// our last status write replaced (deciding from it would act twice).
import type { ModelDeploymentSpec } from '../../api/index.ts';
import { parseModelDeployment, type ParseResult } from '../../api/parse.ts';
import type { ModelDeploymentObject } from '../caches.ts';
import {
  MODEL_DEPLOYMENT_API_VERSION,
  MODEL_DEPLOYMENT_KIND,
  STALE_CACHE_RETRY_MS,
  type EventTarget,
  type ReconcileDeps,
  type ReconcileOutcome,
} from '../reconcile-deps.ts';

export interface Target {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  /** The resourceVersion read: the status patch is refused (409) if the object changed since. */
  readonly cachedVersion: string | undefined;
  readonly md: ModelDeploymentObject;
  readonly parsed: ParseResult;
  /** The parsed spec; undefined when it does not parse. */
  readonly spec: ModelDeploymentSpec | undefined;
  /** The owner reference of every child, and the object Events are about. */
  readonly owner: { apiVersion: string; kind: string; name: string; uid: string };
  readonly eventTarget: EventTarget;
}

export type Loaded = { readonly ok: true; readonly target: Target } | { readonly ok: false; readonly outcome: ReconcileOutcome };

export function load(key: string, deps: Pick<ReconcileDeps, 'caches' | 'replacedVersions' | 'evidence'>): Loaded {
  const [namespace = '', name = ''] = key.split('/');
  const md = deps.caches.modelDeployments.get(namespace, name);
  if (!md?.metadata?.uid || md.metadata.deletionTimestamp) {
    deps.replacedVersions?.delete(key);
    deps.evidence.forget(key); // no decision will ask for its evidence again
    return { ok: false, outcome: {} }; // gone or going: the garbage collector has the children
  }
  const uid = md.metadata.uid;
  const cachedVersion = md.metadata.resourceVersion;
  if (cachedVersion !== undefined && deps.replacedVersions?.get(key) === cachedVersion) {
    return { ok: false, outcome: { requeueAfterMs: STALE_CACHE_RETRY_MS } }; // our last status write is on its way through the watch
  }
  deps.replacedVersions?.delete(key);
  const owner = { apiVersion: MODEL_DEPLOYMENT_API_VERSION, kind: MODEL_DEPLOYMENT_KIND, name, uid };
  const parsed = parseModelDeployment(md);
  return {
    ok: true,
    target: {
      key,
      namespace,
      name,
      uid,
      generation: md.metadata.generation ?? 0,
      cachedVersion,
      md,
      parsed,
      spec: parsed.ok ? parsed.value.spec : undefined,
      owner,
      eventTarget: { ...owner, namespace },
    },
  };
}
