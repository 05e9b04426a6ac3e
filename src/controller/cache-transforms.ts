// PURE (but for a table of shared strings, and the input's strings swapped in place for equal shared
// ones: invisible to callers; the input is a fresh JSON.parse result, never frozen): what the caches keep of each
// object. A cache entry lives as long as the object, so with 1000 ModelDeployments (about 9000 cached
// objects) every field kept costs memory for nothing unless reconcile reads it. Kept: metadata (labels, owners, versions), of the annotations only those the
// operator reads (anyone who may label an object in a watched namespace could otherwise make the
// operator hold megabytes of annotations per object), status (not HPAs' and PDBs', never read; of
// Deployment conditions not their times, of pod conditions only Ready), the spec fields observe/rollout/evidence read, and modelship's own server-side-apply entry in managedFields (the
// apply decision compares it with the desired object; another manager taking a field shows there,
// so the dropped spec parts are still covered for drift). That entry is kept as its JSON text: a tree
// of small objects costs several times its text in V8, and it is read only when a child is compared.
// Every string kept is shared with equal strings of other cached objects (string-interner.ts): label
// keys and values, owners, condition reasons, and that managedFields text, which is the same for every
// child of a kind rendered alike once its owner's uid is taken out of it (cached-fields-text.ts).
import type { KubeObject, ManagedFieldsEntry } from '../kube/api-client.ts';
import { StringInterner } from '../kube/string-interner.ts';
import { cachedFieldsText, controllerUid } from './cached-fields-text.ts';
import { LABEL_BATCH_RUN } from '../batch/labels.ts';
import { LABEL_DRIFT_JOB } from '../drift-checks/labels.ts';
import { DESIRED_HASH_ANNOTATION, FIELD_MANAGER } from './apply-decision.ts';

/** kubectl's client-side apply copy of the whole object: large and never read. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Meta = NonNullable<KubeObject['metadata']>;
type Annotations = Meta['annotations'];

/** Which annotations to keep: a filter of their keys. */
type KeepAnnotation = (key: string) => boolean;

function trimMetadata(meta: Meta | undefined, keep: (m: ManagedFieldsEntry) => boolean, keepAnnotation: KeepAnnotation): Meta | undefined {
  if (!meta) return meta;
  const { managedFields, annotations, ...rest } = meta;
  const owner = controllerUid(meta);
  const kept = managedFields?.filter(keep).map((m) => (m.fieldsV1 === undefined ? m : { ...m, fieldsV1: cachedFieldsText(m.fieldsV1, owner) }));
  const notes = keptAnnotations(annotations, keepAnnotation);
  return { ...rest, ...(notes ? { annotations: notes } : {}), ...(kept?.length ? { managedFields: kept } : {}) };
}

function keptAnnotations(annotations: Annotations, keep: KeepAnnotation): Annotations {
  if (!annotations) return annotations;
  const keys = Object.keys(annotations);
  if (keys.every(keep)) return annotations;
  const kept = keys.filter(keep);
  return kept.length ? Object.fromEntries(kept.map((k) => [k, annotations[k] ?? ''])) : undefined;
}

/** ModelDeployments: the author's own object, whose annotations carry requests (promote, abort, ...). */
const notLastApplied: KeepAnnotation = (k) => k !== LAST_APPLIED;
/** Children: only the hash of what was applied (apply-decision.ts). */
const desiredHashOnly: KeepAnnotation = (k) => k === DESIRED_HASH_ANNOTATION;
/** Pods and EndpointSlices: no annotation is read. */
const noAnnotation: KeepAnnotation = () => false;

const none = () => false;
const ours = (m: ManagedFieldsEntry) => m.manager === FIELD_MANAGER && m.operation === 'Apply' && !m.subresource;

type Loose = KubeObject & Record<string, unknown>;

/** Shared by every cache: 2 x 64k strings at most (a few MiB); the values repeated across objects are far fewer and stay in it. */
const strings = new StringInterner(65_536);

/** Never equal between two objects: not worth a table entry. */
const UNIQUE = new Set(['uid', 'resourceVersion']);

/**
 * `v` with its strings shared with equal strings of other cached objects (property names are shared by
 * V8 already), swapped in place: `v` is the transform's own copy of a fresh JSON.parse result, or built
 * from one, and equal strings are the same value, so no caller can tell. A copy through JSON text
 * again (the way this was first done) nearly doubled the cost of taking in a watch event, for objects
 * that are JSON.parse results already but for the few nodes the transforms rebuild.
 */
function interned<T>(v: T): T {
  internStrings(v);
  return v;
}

/** Swaps the strings of `v` for shared ones, in place (the same property keeps its place). */
function internStrings(v: unknown): void {
  if (typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'string') v[i] = strings.intern(x);
      else internStrings(x);
    }
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'string') {
      if (!UNIQUE.has(k)) o[k] = strings.intern(x);
    } else internStrings(x);
  }
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** ModelDeployments: everything but managedFields and kubectl's copy. */
export function cachedModelDeployment<T extends KubeObject>(obj: T): T {
  return interned({ ...obj, metadata: trimMetadata(obj.metadata, none, notLastApplied) });
}

/** Batch run and drift Jobs: status is computed from their own annotations (trigger, scheduled time, output...). */
const runAnnotations: KeepAnnotation = (k) => k.startsWith('modelship.io/');

/** Children: modelship's managedFields entry and hash annotation only; no pod template spec, no ConfigMap data. */
export function cachedChild<T extends KubeObject>(obj: T): T {
  const isRun = obj.kind === 'Job' && (obj.metadata?.labels?.[LABEL_BATCH_RUN] !== undefined || obj.metadata?.labels?.[LABEL_DRIFT_JOB] !== undefined);
  // Fields are left out by destructuring, not `delete`, which would turn the object into a larger, slower dictionary.
  const { data, binaryData, status, ...rest } = obj as Loose;
  const out = { ...rest, metadata: trimMetadata(obj.metadata, ours, isRun ? runAnnotations : desiredHashOnly) } as Loose;
  if (obj.kind !== 'ConfigMap' && data !== undefined) out['data'] = data;
  if (obj.kind !== 'ConfigMap' && binaryData !== undefined) out['binaryData'] = binaryData;
  const spec = record(out['spec']);
  const template = record(spec?.['template']);
  if (obj.kind === 'Deployment' && spec && template) {
    // observe-rollout reads the revision label of the template, never its pod spec.
    out['spec'] = { ...spec, template: { metadata: template['metadata'] } };
  }
  const kept = cachedChildStatus(obj.kind, status);
  if (kept !== undefined) out['status'] = kept;
  return interned(out) as T;
}

function cachedChildStatus(kind: string | undefined, status: unknown): unknown {
  // Their status is the controllers' bookkeeping (current metrics, healthy pods), never read: without
  // it, its updates leave the cached copy unchanged and start no reconcile (child-event-filter.ts).
  if (kind === 'HorizontalPodAutoscaler' || kind === 'PodDisruptionBudget') return undefined;
  return kind === 'Deployment' ? withUntimedConditions(status) : status;
}

/**
 * A Deployment's conditions as observe.ts reads them: type, status, reason, message. Their times change
 * on every status update of the Deployment controller and would make each one a change.
 */
function withUntimedConditions(v: unknown): unknown {
  const status = record(v);
  if (!status || !Array.isArray(status['conditions'])) return v;
  return { ...status, conditions: status['conditions'].map((c) => pick(record(c) ?? {}, ['type', 'status', 'reason', 'message'])) };
}

/** Of a container's status: what observe, batch and drift runs read (state and lastState hold the exit codes and messages). */
function cachedContainerStatuses(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((c) => {
    const cs = record(c) ?? {};
    return pick(cs, ['name', 'ready', 'restartCount', 'state', 'lastState']);
  });
}

function pick(from: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

/**
 * Of a pod's status: phase, readiness and IP (smoke and canary targets) and its containers' states;
 * not its host, start time, QoS class, images or mounts.
 */
function cachedPodStatus(v: unknown): unknown {
  const status = record(v);
  if (!status) return v;
  const out = pick(status, ['phase', 'reason', 'message', 'podIP']);
  // Of the conditions only Ready is read (canary-targets.ts); PodScheduled and the rest, with their times, are not kept.
  const ready = Array.isArray(status['conditions']) ? status['conditions'].map((c) => record(c) ?? {}).find((c) => c['type'] === 'Ready') : undefined;
  if (ready !== undefined) out['conditions'] = [pick(ready, ['type', 'status'])];
  for (const k of ['initContainerStatuses', 'containerStatuses']) if (status[k] !== undefined) out[k] = cachedContainerStatuses(status[k]);
  return out;
}

/** Pods: status (as cachedPodStatus keeps it) and identity, and of the spec only the container ports (the smoke check's target). */
export function cachedPod<T extends KubeObject>(obj: T): T {
  const out = { ...obj, metadata: trimMetadata(obj.metadata, none, noAnnotation) } as Loose;
  if (out['status'] !== undefined) out['status'] = cachedPodStatus(out['status']);
  const containers = record(out['spec'])?.['containers'];
  const ports = Array.isArray(containers)
    ? containers.map((c) => {
        const container = record(c) ?? {};
        return { name: container['name'], ...(container['ports'] !== undefined ? { ports: container['ports'] } : {}) };
      })
    : [];
  out['spec'] = { containers: ports };
  return interned(out) as T;
}

/** EndpointSlices: endpoints and identity. */
export function cachedEndpointSlice<T extends KubeObject>(obj: T): T {
  return interned({ ...obj, metadata: trimMetadata(obj.metadata, none, noAnnotation) });
}
