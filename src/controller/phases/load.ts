// Phase load: the ModelDeployment from the informer cache, and its spec parsed. Nothing to do when it
// is gone or going (the garbage collector has the children), or when the cache still shows the version
// our last status write replaced (deciding from it would act twice).
import type { ModelDeploymentSpec } from '../../api/index.ts';
import { parseModelDeployment, type ParseResult } from '../../api/parse.ts';
import type { ModelDeploymentObject } from '../caches.ts';
import type { RegistryModelStatus } from '../../api/registry-status.ts';
import { isRegistryUri, resolvedModel } from '../../registry/mlflow.ts';
import type { RegistryState } from '../../registry/resolver.ts';
import { RecentMap } from '../../recent-map.ts';
import { jsonEqual } from '../../status/status-changed.ts';
import { forgetRender } from './render.ts';
import {
  MODEL_DEPLOYMENT_API_VERSION,
  MODEL_DEPLOYMENT_KIND,
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
  /** For a models:/ URI: what the registry resolved it to (spec holds it already) and the last ask's failure. */
  readonly registry?: RegistryState;
}

export type Loaded = { readonly ok: true; readonly target: Target } | { readonly ok: false; readonly outcome: ReconcileOutcome };

/** Until the first answer of the registry: a short look again (the answer requeues the key anyway). */
const REGISTRY_PENDING_RETRY_MS = 2000;

/**
 * The last parse of each recently reconciled ModelDeployment, valid while the cache holds that very
 * object (the informer stores a new one for each version): a ModelDeployment is reconciled again on
 * every event of its children, and parsing its spec was the costliest step of a reconcile that writes
 * nothing. Bounded, so it holds no more than a few hundred parses; nothing mutates a parse.
 */
const recentParses = new RecentMap<string, { readonly md: ModelDeploymentObject; readonly parsed: ParseResult }>(256);

/**
 * The object as parsed: apiVersion, kind, metadata and spec. Not the status: it is the operator's own
 * output, read from the cached object (report.ts), never from the parse, and the API server holds it to
 * the CRD's schema; an odd status is no reason to call the spec invalid.
 */
function parsedOnce(key: string, md: ModelDeploymentObject): ParseResult {
  const recent = recentParses.get(key);
  if (recent?.md === md) return recent.parsed;
  const parsed = recent !== undefined && sameSpec(recent, md) ? withMetadataOf(md, recent.parsed) : parseWithoutStatus(md);
  recentParses.set(key, { md, parsed });
  return parsed;
}

/**
 * Whether `md` is a new version of the object `recent` parsed with the same spec: a status write, a
 * label. Its parse is the one before with the new metadata (the name and uid are the same, and the API
 * server holds metadata to its types), and the spec is the very same object, so the render memo keyed on
 * it (render.ts) still holds. Converging, two of a model's three versions are its status writes.
 */
function sameSpec(recent: { readonly md: ModelDeploymentObject; readonly parsed: ParseResult }, md: ModelDeploymentObject): recent is { md: ModelDeploymentObject; parsed: Extract<ParseResult, { ok: true }> } {
  return recent.parsed.ok && recent.md.metadata?.uid === md.metadata?.uid && jsonEqual(recent.md.spec, md.spec);
}

/** The parse before, with the new version's metadata (its name is the parsed one: the same uid). */
function withMetadataOf(md: ModelDeploymentObject, before: Extract<ParseResult, { ok: true }>): ParseResult {
  return { ok: true, value: { ...before.value, metadata: { ...md.metadata, name: before.value.metadata.name } } };
}

function parseWithoutStatus(md: ModelDeploymentObject): ParseResult {
  const { status: _status, ...object } = md;
  return parseModelDeployment(object);
}

export function load(key: string, deps: Pick<ReconcileDeps, 'caches' | 'replacedVersions' | 'statusEchoes' | 'evidence' | 'registry' | 'retrainer'>): Loaded {
  const [namespace = '', name = ''] = key.split('/');
  const md = deps.caches.modelDeployments.get(namespace, name);
  if (!md?.metadata?.uid || md.metadata.deletionTimestamp) {
    deps.replacedVersions?.delete(key);
    deps.statusEchoes?.forget(key);
    deps.evidence.forget(key); // no decision will ask for its evidence again
    deps.registry?.forget(key);
    deps.retrainer?.forget(key);
    recentParses.delete(key);
    forgetRender(key);
    // Gone, going, or moved to another shard (its watch reports it deleted): only forgotten here.
    // Nothing is deleted and no finalizer exists: the garbage collector has the children of a deleted
    // one, and the shard that took a moved one over finds them in its caches and applies over them.
    return { ok: false, outcome: {} };
  }
  const uid = md.metadata.uid;
  const cachedVersion = md.metadata.resourceVersion;
  if (cachedVersion !== undefined && deps.replacedVersions?.get(key) === cachedVersion) {
    // Our last status write is on its way through the watch: its event brings this key back, the echo
    // forgotten so that it does (or, after a relist, the newer object's event does). No timer besides:
    // converging 1000 models, 175 reconciles met this, and each timer's reconcile came after the
    // echo's had done the work and found nothing left to do.
    deps.statusEchoes?.forget(key);
    return { ok: false, outcome: {} };
  }
  deps.replacedVersions?.delete(key);
  const owner = { apiVersion: MODEL_DEPLOYMENT_API_VERSION, kind: MODEL_DEPLOYMENT_KIND, name, uid };
  let parsed = parsedOnce(key, md);
  let registry: RegistryState | undefined;
  if (parsed.ok && isRegistryUri(parsed.value.spec.model.uri)) {
    const { uri, registry: registryName } = parsed.value.spec.model;
    const known =
      deps.registry !== undefined
        ? deps.registry.current(key, uri, registryName)
        : { failure: { reason: 'UnknownModelRegistry' as const, message: 'the operator runs without model registries (--model-registries)' } };
    registry = withPinned(known, md.status?.model, uri, registryName);
    if (registry === undefined) return { ok: false, outcome: { requeueAfterMs: REGISTRY_PENDING_RETRY_MS } };
    if (registry.resolution !== undefined) {
      const value = parsed.value;
      parsed = { ok: true, value: { ...value, spec: { ...value.spec, model: resolvedModel(value.spec.model, registry.resolution) } } };
    }
  } else {
    deps.registry?.forget(key);
  }
  const spec = parsed.ok && (registry === undefined || registry.resolution !== undefined) ? parsed.value.spec : undefined;
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
      spec,
      owner,
      eventTarget: { ...owner, namespace },
      ...(registry !== undefined ? { registry } : {}),
    },
  };
}

/**
 * PURE: what the registry said, or, before the resolver has an answer or after it failed, the version
 * pinned in status.model for the same URI (a restarted operator keeps serving it). Undefined while the
 * first answer is awaited and nothing is pinned.
 */
export function withPinned(known: RegistryState | undefined, pinned: RegistryModelStatus | undefined, uri: string, registryName: string | undefined): RegistryState | undefined {
  if (known?.resolution !== undefined) return known;
  const fromStatus =
    pinned !== undefined && pinned.uri === uri && (registryName === undefined || pinned.registry === registryName)
      ? { uri, registry: pinned.registry, version: pinned.version, source: pinned.source, resolvedAt: pinned.resolvedAt }
      : undefined;
  if (fromStatus === undefined) return known;
  return { resolution: fromStatus, ...(known?.failure !== undefined ? { failure: known.failure } : {}) };
}
