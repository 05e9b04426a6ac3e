// Phase render (PURE but for the caches' word on missing CRDs): the desired children of the decision's
// plan, the validation Job when the plan wants one, less the routers whose CRDs are not installed. A
// spec that does not parse or render is a render error: nothing is wanted, and nothing will be pruned.
import { formatFieldErrors } from '../../api/index.ts';
import { renderModelDeployment, renderValidationJob, variantName, type ChildObject, type RenderConfig } from '../../render/index.ts';
import type { RolloutDecision } from '../../rollout/index.ts';
import type { Observations } from '../../status/observations.ts';
import { withoutMissingCrds } from '../../traffic/missing-crds.ts';
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
  const rendered = renderModelDeployment(parsed.value, config, decision.plan);
  if (!rendered.ok) return { objects: [], renderError: { code: rendered.error.code, field: rendered.error.field, message: rendered.error.message } };
  const objects = rendered.objects;
  const jobSpec = parsed.value.spec.rollout?.validation?.job;
  if (decision.plan.validationJob !== undefined && jobSpec !== undefined) {
    objects.push(renderValidationJob(parsed.value, decision.plan.validationJob.revision, jobSpec, variantName(name, 'canary'), parsed.value.spec.model.name));
  }
  return { objects };
}
