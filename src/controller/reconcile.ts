// One reconcile of one ModelDeployment, level-based: render the whole desired state, apply only
// what differs, prune what is no longer wanted, then write status once, and only if it changed.
import type { Logger } from 'pino';
import type { V1Deployment, V1Job } from '@kubernetes/client-node';
import { formatFieldErrors, parseModelDeployment } from '../api/index.ts';
import {
  CHILD_KINDS,
  COMPONENT_MODEL_SERVER,
  LABEL_COMPONENT,
  OPTIONAL_CHILD_KINDS,
  renderModelDeployment,
  renderValidationJob,
  serviceUrl,
  traefikSplitName,
  variantName,
  type ChildObject,
  type RenderConfig,
} from '../render/index.ts';
import { gatherEvidence } from './gather-evidence.ts';
import { nextRollout, parseRolloutRequests, type RolloutDecision } from '../rollout/index.ts';
import type { ApiClient, KubeObject } from '../kube/api-client.ts';
import { ApiError, isConflict } from '../kube/api-error.ts';
import { computeStatus } from '../status/compute-status.ts';
import { statusEqual } from '../status/status-changed.ts';
import type { ApplyError, Observations } from '../status/observations.ts';
import { findCondition, removeCondition, setCondition } from '../status/conditions.ts';
import { mirrorSupport } from './mirror-support.ts';
import { isRetryable } from '../status/apply-errors.ts';
import { applyReason, FIELD_MANAGER, withDesiredHash } from './apply-decision.ts';
import { childCacheKey, liveDeployment, readyEndpoints, type Caches } from './caches.ts';
import { observeRollout } from './observe-rollout.ts';
import { withRollout } from './rollout-status.ts';
import { observeDeployment, observePod } from './observe.ts';
import { isControlledBy, withOwner } from './owner-reference.ts';
import { statusPatch } from './status-patch.ts';
import { applyRefusedByEndingNamespace, endQuietly, statusWriteOfGoneObject } from './namespace-ending.ts';
import type { ModelDeploymentStatus } from '../api/index.ts';

export const MODEL_DEPLOYMENT_API_VERSION = 'modelship.io/v1alpha1';
export const MODEL_DEPLOYMENT_KIND = 'ModelDeployment';

export interface EventSink {
  emit(obj: { apiVersion: string; kind: string; name: string; namespace: string; uid: string }, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface ReconcileDeps {
  readonly client: ApiClient;
  readonly caches: Caches;
  readonly renderConfig: RenderConfig;
  /** Default Prometheus of canary analysis (--prometheus-address). */
  readonly prometheusAddress?: string;
  readonly events: EventSink;
  readonly now: () => Date;
  readonly onApply?: (kind: string, applied: boolean) => void;
  /**
   * Per key, the resourceVersion a status write of ours replaced: while the cache still shows it, the
   * cache has not seen our write yet and deciding from it would act twice (count a measurement again,
   * move a router back a step). Shared by the workers; see reconcile.
   */
  readonly replacedVersions?: Map<string, string>;
}

/** How soon a reconcile that met a stale cache looks again (the watch event usually comes first). */
const STALE_CACHE_RETRY_MS = 500;

export interface ReconcileOutcome {
  readonly requeueAfterMs?: number;
}

/** metav1.Time: RFC 3339 in seconds. */
function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function describeError(err: unknown): { message: string; code?: number } {
  if (err instanceof ApiError) return { message: err.serverMessage, code: err.status };
  return { message: err instanceof Error ? err.message : String(err) };
}

/** `yieldWorker` is called when only the status write is left, which waits behind the cluster-changing requests. */
export async function reconcile(key: string, deps: ReconcileDeps, log: Logger, yieldWorker: () => void = () => {}): Promise<ReconcileOutcome> {
  const [namespace = '', name = ''] = key.split('/');
  const md = deps.caches.modelDeployments.get(namespace, name);
  if (!md?.metadata?.uid || md.metadata.deletionTimestamp) {
    deps.replacedVersions?.delete(key);
    return {}; // gone or going: the garbage collector has the children
  }
  const uid = md.metadata.uid;
  const cachedVersion = md.metadata.resourceVersion;
  if (cachedVersion !== undefined && deps.replacedVersions?.get(key) === cachedVersion) {
    return { requeueAfterMs: STALE_CACHE_RETRY_MS }; // our last status write is on its way through the watch
  }
  deps.replacedVersions?.delete(key);
  const generation = md.metadata.generation ?? 0;
  const owner = { apiVersion: MODEL_DEPLOYMENT_API_VERSION, kind: MODEL_DEPLOYMENT_KIND, name, uid };
  const eventTarget = { ...owner, namespace };

  // 1. Desired state (pure): the rollout decides what each variant runs, render turns that into objects.
  let renderError: Observations['renderError'];
  let desired: ChildObject[] = [];
  let decision: RolloutDecision | undefined;
  const parsed = parseModelDeployment(md);
  if (!parsed.ok) {
    renderError = { code: 'InvalidSpec', field: parsed.errors[0]?.field ?? 'spec', message: formatFieldErrors(parsed.errors) };
  } else {
    const childCache = (apiVersion: string, kind: string) => deps.caches.children.get(childCacheKey(apiVersion, kind));
    const observed = observeRollout(parsed.value.spec, md.status, {
      stable: liveDeployment(deps.caches, namespace, variantName(name, 'stable')),
      canary: liveDeployment(deps.caches, namespace, variantName(name, 'canary')),
      httpRoute: childCache('gateway.networking.k8s.io/v1', 'HTTPRoute')?.get(namespace, name),
      virtualService: childCache('networking.istio.io/v1', 'VirtualService')?.get(namespace, name),
      traefikSplit: childCache('traefik.io/v1alpha1', 'TraefikService')?.get(namespace, traefikSplitName(name)),
      canaryService: variantName(name, 'canary'),
      canaryEndpoints: readyEndpoints(deps.caches, namespace, name, variantName(name, 'canary')),
    });
    const now = deps.now();
    // Validation results and analysis measurements (I/O: the canary pods, Prometheus), for the machine.
    const evidence = await gatherEvidence(
      {
        namespace,
        name,
        spec: parsed.value.spec,
        status: md.status,
        canaryRolledOut: observed.canary !== undefined && observed.canary.revision === md.status?.canary?.revision && observed.canary.updatedReady,
        pods: deps.caches.pods.byIndex(namespace, name),
        job: (jobName) => childCache('batch/v1', 'Job')?.get(namespace, jobName) as V1Job | undefined,
        now,
      },
      { client: deps.client, log, ...(deps.prometheusAddress !== undefined ? { prometheusAddress: deps.prometheusAddress } : {}) },
    );
    decision = nextRollout({ spec: parsed.value.spec, status: md.status, requests: parseRolloutRequests(md.metadata.annotations), observed: { ...observed, ...evidence }, now });
    const rendered = renderModelDeployment(parsed.value, deps.renderConfig, decision.plan);
    if (rendered.ok) desired = rendered.objects;
    else renderError = { code: rendered.error.code, field: rendered.error.field, message: rendered.error.message };
    const jobSpec = parsed.value.spec.rollout?.validation?.job;
    if (rendered.ok && decision.plan.validationJob !== undefined && jobSpec !== undefined) {
      desired.push(renderValidationJob(parsed.value, decision.plan.validationJob.revision, jobSpec, variantName(name, 'canary'), parsed.value.spec.model.name));
    }
  }
  // A traffic provider whose CRDs are not installed: apply everything else, and say which CRD is missing.
  for (const optional of OPTIONAL_CHILD_KINDS) {
    if (!desired.some((c) => c.kind === optional.kind) || !deps.caches.children.get(childCacheKey(optional.apiVersion, optional.kind))?.missing) continue;
    desired = desired.filter((c) => c.kind !== optional.kind);
    renderError = {
      code: 'TrafficProviderMissing',
      field: 'spec.rollout.traffic.provider',
      message: `the ${parsed.ok ? (parsed.value.spec.rollout?.traffic?.provider ?? optional.provider) : optional.provider} traffic provider needs the CRD ${optional.crd}, which is not installed in this cluster; install it or choose another provider`,
    };
  }

  // 2. Apply what differs.
  const applyErrors: ApplyError[] = [];
  const applied = new Map<string, KubeObject>();
  const changed: string[] = [];
  for (const child of desired) {
    const obj = withDesiredHash(withOwner({ ...child, metadata: { ...child.metadata, namespace } }, owner));
    const cache = deps.caches.children.get(childCacheKey(child.apiVersion, child.kind));
    const live = cache?.get(namespace, child.metadata.name);
    const id = `${child.kind}/${child.metadata.name}`;
    if (live && !isControlledBy(live, uid)) {
      applyErrors.push({ kind: child.kind, name: child.metadata.name, code: 409, retryable: false, message: `a ${child.kind} named ${child.metadata.name} already exists and is not owned by this ModelDeployment; rename or delete it` });
      continue;
    }
    const reason = applyReason(obj, live);
    if (reason === 'UpToDate' && live) {
      applied.set(id, live);
      deps.onApply?.(child.kind, false);
      continue;
    }
    try {
      applied.set(id, await deps.client.apply(obj, FIELD_MANAGER));
      deps.onApply?.(child.kind, true);
      changed.push(`${id} (${reason.toLowerCase()})`);
      log.info({ child: id, reason }, 'applied');
    } catch (err) {
      if (applyRefusedByEndingNamespace(err)) return endQuietly(log, err);
      const { message, code } = describeError(err);
      applyErrors.push({ kind: child.kind, name: child.metadata.name, message, ...(code !== undefined ? { code } : {}) });
      log.warn({ child: id, code, err: message }, 'apply failed');
    }
  }

  // 3. Prune children this spec no longer wants (never on a render error: that would delete a working model).
  if (!renderError) {
    const wanted = new Set(desired.map((c) => `${c.kind}/${c.metadata.name}`));
    for (const { apiVersion, kind } of CHILD_KINDS) {
      for (const obj of deps.caches.children.get(childCacheKey(apiVersion, kind))?.byIndex(namespace, name) ?? []) {
        const objName = obj.metadata?.name ?? '';
        if (wanted.has(`${kind}/${objName}`) || !isControlledBy(obj, uid)) continue;
        try {
          await deps.client.delete({ apiVersion, kind, namespace, name: objName }, obj.metadata?.uid);
          changed.push(`${kind}/${objName} (pruned)`);
          log.info({ child: `${kind}/${objName}` }, 'pruned');
        } catch (err) {
          const { message, code } = describeError(err);
          applyErrors.push({ kind, name: objName, message: `could not delete: ${message}`, ...(code !== undefined ? { code } : {}) });
        }
      }
    }
  }

  // 4. Observe and compute status (pure), write it only when it changed.
  const spec = parsed.ok ? parsed.value.spec : undefined;
  const deployments = desired
    .filter((c) => c.kind === 'Deployment')
    .map((c) => {
      const variant = c.metadata.name === variantName(name, 'canary') ? 'canary' : 'stable';
      // The HPA minimum applies to stable; a canary's size is the plan's.
      const min = variant === 'stable' ? (spec?.autoscaling?.minReplicas ?? 0) : 0;
      return observeDeployment(variant, c.metadata.name, applied.get(`Deployment/${c.metadata.name}`) as V1Deployment | undefined, min);
    });
  // Model-server pods only: a validation Job's pods say nothing about serving.
  const pods = deps.caches.pods
    .byIndex(namespace, name)
    .filter((p) => (p.metadata?.labels?.[LABEL_COMPONENT] ?? COMPONENT_MODEL_SERVER) === COMPONENT_MODEL_SERVER)
    .map((p) => observePod(p));
  const observations: Observations = {
    generation,
    ...(renderError ? { renderError } : {}),
    applyErrors,
    deployments,
    pods,
    serviceUrl: serviceUrl(name, namespace),
    ...(spec?.autoscaling ? { autoscaling: { minReplicas: spec.autoscaling.minReplicas ?? 1, maxReplicas: spec.autoscaling.maxReplicas } } : {}),
  };
  const previous = md.status;
  const now = metaTime(deps.now());
  const served = computeStatus(previous, observations, now);
  let next = decision ? withRollout(served, decision, generation, now) : served;
  const routeDesired = desired.find((c) => c.kind === 'HTTPRoute');
  const mirror = mirrorSupport(routeDesired, routeDesired ? applied.get(`HTTPRoute/${routeDesired.metadata.name}`) : undefined);
  next = {
    ...next,
    conditions: mirror
      ? setCondition(next.conditions, { type: 'TrafficMirror', ...mirror, observedGeneration: generation }, now)
      : removeCondition(next.conditions, 'TrafficMirror'),
  };
  if (!statusEqual(previous ?? {}, next)) {
    let written: KubeObject;
    yieldWorker();
    try {
      written = await deps.client.mergePatch(
        { apiVersion: MODEL_DEPLOYMENT_API_VERSION, kind: MODEL_DEPLOYMENT_KIND, namespace, name, subresource: 'status' },
        statusPatch(previous, next, cachedVersion),
        { priority: 'low' },
      );
    } catch (err) {
      if (statusWriteOfGoneObject(err)) return endQuietly(log, err);
      if (!isConflict(err)) throw err;
      log.debug('status changed since the cache saw it; deciding again from the newer object');
      return { requeueAfterMs: STALE_CACHE_RETRY_MS };
    }
    if (cachedVersion !== undefined && written.metadata?.resourceVersion !== cachedVersion) deps.replacedVersions?.set(key, cachedVersion);
    emitTransitions(deps.events, eventTarget, previous, next);
    for (const e of decision?.events ?? []) deps.events.emit(eventTarget, e.type, e.reason, e.message);
  }
  if (changed.length > 0) deps.events.emit(eventTarget, 'Normal', 'Applied', `Applied ${changed.join(', ')}`);

  // 5. Retry what may succeed on its own (server errors, throttling) with backoff; a stalled
  // object waits for a change, with a slow periodic look in case the cause went away (e.g. RBAC fixed).
  const retryable = applyErrors.filter(isRetryable);
  if (retryable.length > 0) {
    throw new Error(`apply failed, will retry: ${retryable.map((e) => `${e.kind}/${e.name}: ${e.message}`).join('; ')}`);
  }
  const stalledRetryMs = applyErrors.length > 0 || renderError ? 5 * 60_000 : undefined;
  const requeueAfterMs = Math.min(stalledRetryMs ?? Infinity, decision?.requeueAfterMs ?? Infinity);
  return Number.isFinite(requeueAfterMs) ? { requeueAfterMs: Math.max(1000, requeueAfterMs) } : {};
}

function emitTransitions(
  events: EventSink,
  target: Parameters<EventSink['emit']>[0],
  previous: ModelDeploymentStatus | undefined,
  next: ModelDeploymentStatus,
): void {
  for (const type of ['Stalled', 'Ready'] as const) {
    const before = findCondition(previous?.conditions, type);
    const after = findCondition(next.conditions, type);
    if (!after || (before?.status === after.status && before.reason === after.reason)) continue;
    if (type === 'Stalled' && after.status === 'True') events.emit(target, 'Warning', after.reason, after.message);
    if (type === 'Ready' && after.status === 'True') events.emit(target, 'Normal', 'Ready', after.message);
  }
}
