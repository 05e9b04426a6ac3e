// PURE: what the renderer gets (docs/rollouts.md "Sizing" and "Traffic"): the variants, their replicas
// and weights, the mirror and cohorts while the canary serves, and the validation Job. Also whether
// the canary really takes traffic, which opens its analysis window.
import { ROUTER_PROVIDERS } from '../api/rollout-spec.ts';
import { validationMethod } from './analysis-state.ts';
import { routerReports, type Context } from './decision-context.ts';
import { canaryLeaving, removalAt } from './detach.ts';
import { canaryLive, evidenceOf, validationPassed } from './evidence-view.ts';
import type { Intent } from './intents.ts';
import type { MachineState } from './machine-state.ts';
import { canaryPlan, stablePlan } from './revisions.ts';
import { splitReplicas } from './sizing.ts';
import { stepWeight } from './steps.ts';
import type { RolloutPlan } from './types.ts';
import { treeCopy } from '../tree-copy.ts';

/**
 * When an aborted canary's pods go: scaleDownDelaySeconds after it was aborted (routers: after the
 * router was seen without it, detach.ts); Infinity while a router still names it.
 */
function scaleDownAt(ctx: Context, s: MachineState): number | undefined {
  const c = s.canary;
  return c?.phase === 'Aborted' ? (removalAt(ctx, c, c.stepStartedAt) ?? Infinity) : undefined;
}

/**
 * An aborted canary keeps its pods for scaleDownDelaySeconds; once they are gone it is forgotten
 * unless the spec still asks for it (then it says why the object is stalled).
 */
export function expireAbortedCanary(ctx: Context, s: MachineState): Intent[] {
  const end = scaleDownAt(ctx, s);
  if (end === undefined) return [];
  if (ctx.now < end) return Number.isFinite(end) ? [{ kind: 'wake', at: end }] : [];
  return s.canary!.template !== ctx.specTemplate ? [{ kind: 'drop-canary' }] : [];
}

export interface Planned {
  plan: RolloutPlan;
  /** The canary serves users (weight applied, mirror or cohort): its analysis window may open. */
  takesTraffic: boolean;
}

export function planOf(ctx: Context, s: MachineState): Planned {
  const { settings } = ctx;
  const c = s.canary;
  const end = scaleDownAt(ctx, s);
  const canary = c !== undefined && (end === undefined || ctx.now < end) ? canaryPlan(ctx, s) : undefined;
  const stable = (c?.phase === 'Promoting' ? canaryPlan(ctx, s) : undefined) ?? stablePlan(ctx, s)!;

  const weight = canary !== undefined && c !== undefined ? c.weight : 0;
  const sizing = c === undefined ? 0 : Math.max(weight, stepWeight(settings.steps, c.step));
  const split = splitReplicas(settings.provider, settings.capacity, weight, sizing);
  const plan: RolloutPlan = {
    provider: settings.provider,
    stable,
    replicas: canary !== undefined ? { stable: split.stable, canary: split.canary } : { stable: settings.capacity },
    weights: canary !== undefined ? { stable: 100 - split.canaryWeight, canary: split.canaryWeight, exact: split.exact } : { stable: 100, canary: 0, exact: true },
  };
  if (canary !== undefined) plan.canary = canary;
  // An unvalidated canary gets no users: no cohort, no mirror (weights are held at 0 by the validation gate).
  const serving =
    canary !== undefined &&
    c !== undefined &&
    validationPassed(ctx.spec, s) &&
    (canaryLive(c) || (c.phase === 'Promoting' && c.weight > 0)) &&
    ctx.observed.canary?.revision === c.revision &&
    ctx.observed.canary.ready;
  if (serving && ROUTER_PROVIDERS.includes(settings.provider)) {
    if (settings.traffic.mirror !== undefined) plan.mirrorPercent = settings.traffic.mirror.percent;
    if (settings.traffic.match !== undefined && settings.traffic.match.length > 0) plan.cohortMatch = treeCopy(settings.traffic.match);
  }
  // Routers name the canary's Service only while it has a share, a mirror or a cohort: a gateway may
  // drop a split that names a Service without serving endpoints (Traefik drops the whole TraefikService),
  // so the canary enters the router once it serves and leaves it before its pods go (detach.ts).
  const routed = plan.weights.canary > 0 || plan.mirrorPercent !== undefined || plan.cohortMatch !== undefined;
  if (canary !== undefined && ROUTER_PROVIDERS.includes(settings.provider) && (!routed || canaryLeaving(c))) plan.detached = true;
  const takesTraffic =
    c !== undefined && serving && ((c.weight > 0 && routerReports(ctx, c.weight)) || plan.mirrorPercent !== undefined || plan.cohortMatch !== undefined);
  if (canary !== undefined && c !== undefined && validationMethod(ctx.spec.rollout?.validation) === 'job' && evidenceOf(s)?.validation?.method === 'job') {
    plan.validationJob = { revision: c.revision };
  }
  return { plan, takesTraffic };
}
