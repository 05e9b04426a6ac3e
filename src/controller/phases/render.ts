// Phase render (PURE but for the caches' word on missing CRDs): the desired children of the decision's
// plan, the validation Job when the plan wants one, less the routers whose CRDs are not installed. A
// spec that does not parse or render is a render error: nothing is wanted, and nothing will be pruned.
import { formatFieldErrors } from '../../api/index.ts';
import { renderModelDeployment, renderValidationJob, variantName, type ChildObject, type RenderConfig } from '../../render/index.ts';
import type { RolloutDecision } from '../../rollout/index.ts';
import type { Observations } from '../../status/observations.ts';
import { withoutMissingCrds } from '../../traffic/missing-crds.ts';
import { RecentMap } from '../../recent-map.ts';
import { childCacheKey, type Caches } from '../caches.ts';
import type { Target } from './load.ts';

export interface Desired {
  readonly objects: ChildObject[];
  readonly renderError?: NonNullable<Observations['renderError']>;
}

export function render(target: Target, decision: RolloutDecision | undefined, config: RenderConfig, caches: Caches): Desired {
  const desired = renderPlan(target, decision, config);
  const isMissing = (apiVersion: string, kind: string) => caches.children.get(childCacheKey(apiVersion, kind))?.missing === true;
  const { objects, missing } = withoutMissingCrds(desired.objects, isMissing, target.spec?.rollout?.traffic?.provider);
  const renderError = missing ?? desired.renderError;
  return { objects, ...(renderError ? { renderError } : {}) };
}

function renderPlan(target: Target, decision: RolloutDecision | undefined, config: RenderConfig): Desired {
  const { parsed, name } = target;
  if (!parsed.ok) {
    return { objects: [], renderError: { code: 'InvalidSpec', field: parsed.errors[0]?.field ?? 'spec', message: formatFieldErrors(parsed.errors) } };
  }
  const registryFailure = target.registry?.resolution === undefined ? target.registry?.failure : undefined;
  if (registryFailure !== undefined) return { objects: [], renderError: { code: registryFailure.reason, field: 'spec.model.uri', message: registryFailure.message } };
  if (decision === undefined) return { objects: [] };
  const plan = JSON.stringify(decision.plan);
  const spec = parsed.value.spec;
  const recent = recentRenders.get(target.key);
  if (recent !== undefined && recent.spec === spec && recent.plan === plan && recent.config === config) return { objects: [...recent.objects] };
  const rendered = renderModelDeployment(parsed.value, config, decision.plan);
  if (!rendered.ok) return { objects: [], renderError: { code: rendered.error.code, field: rendered.error.field, message: rendered.error.message } };
  const objects = rendered.objects;
  const jobSpec = spec.rollout?.validation?.job;
  if (decision.plan.validationJob !== undefined && jobSpec !== undefined) {
    objects.push(renderValidationJob(parsed.value, decision.plan.validationJob.revision, jobSpec, variantName(name, 'canary'), spec.model.name));
  }
  recentRenders.set(target.key, { spec, plan, config, objects: objects.map(deepFrozen) });
  return { objects: [...objects] };
}

/**
 * The last render of each recently reconciled ModelDeployment, reused while its parsed spec is the very
 * same object (load.ts keeps it across versions with an equal spec), its plan the same and the
 * configuration too: most reconciles of a converging model follow its children's events and want what
 * the last one wanted, and rendering, copying and hashing the children (apply.ts memoizes the hash per
 * rendered object) took a tenth of the operator's CPU. The render reads nothing else but the name and
 * namespace, which the key fixes. Frozen: a phase that changed a shared child would throw, not corrupt
 * the next reconcile. Bounded like load.ts's parses, which the specs are held by.
 */
interface RecentRender {
  readonly spec: object;
  readonly plan: string;
  readonly config: RenderConfig;
  readonly objects: readonly ChildObject[];
}
const recentRenders = new RecentMap<string, RecentRender>(256);

/** Forgets a ModelDeployment's render (it is gone from this operator's view). */
export function forgetRender(key: string): void {
  recentRenders.delete(key);
}

/** Walked with for-in and indexes: Object.values' array per object was 1.3% of what the operator allocated converging 1000 models. */
function deepFrozen<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) deepFrozen(v[i]);
  } else {
    const o = v as Record<string, unknown>;
    for (const k in o) if (Object.hasOwn(o, k)) deepFrozen(o[k]);
  }
  return Object.freeze(v);
}
