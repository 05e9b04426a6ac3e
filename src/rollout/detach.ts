// PURE: taking a canary out of the router before its pods go (docs/rollouts.md "Removing a canary").
// A gateway that still names a Service whose endpoints are gone may fail more than that Service's
// share: Traefik drops a weighted TraefikService naming a Service without endpoints, so the route
// loses its backend and answers 404 to every request. So once a promotion has drained the canary, or
// it is aborted, the router's objects are rendered without it, and its pods go only after the router
// is seen without it: scaleDownDelaySeconds later, and never sooner than a short propagation grace.
// The replicas provider has no router: its pods are the split, and they go scaleDownDelaySeconds
// after the drain or the abort, as before.
import { ROUTER_PROVIDERS } from '../api/rollout-spec.ts';
import type { CanaryStatus } from '../api/rollout-status.ts';
import { endsAt, type Context } from './decision-context.ts';
import type { Intent } from './intents.ts';
import type { MachineState } from './machine-state.ts';

/**
 * The least time between the router being seen without the canary and its pods going: gateways
 * apply what the API server holds a little later (Traefik throttles provider changes, 2 s by
 * default; its informers may lag the operator's). Applies to router providers only.
 */
export const ROUTER_PROPAGATION_GRACE_SECONDS = 5;

export function usesRouter(ctx: Context): boolean {
  return ROUTER_PROVIDERS.includes(ctx.settings.provider);
}

/** The canary is on its way out: aborted, or promoting with its traffic drained. Routers render it out. */
export function canaryLeaving(c: Readonly<CanaryStatus> | undefined): boolean {
  return c !== undefined && (c.phase === 'Aborted' || (c.phase === 'Promoting' && c.weight === 0));
}

/** Records when the router is first seen without a leaving canary: the scale-down delay counts from then. */
export function observeDetach(ctx: Context, s: MachineState): Intent[] {
  const c = s.canary;
  if (!usesRouter(ctx) || !canaryLeaving(c) || c?.detachedAt !== undefined) return [];
  return ctx.observed.routerNamesCanary === false ? [{ kind: 'detached' }] : [];
}

/**
 * When a leaving canary's pods go (ms), undefined while a router still names it. `leftAt` is when
 * traffic left it (the drain or the abort), which is what the replicas provider counts from.
 */
export function removalAt(ctx: Context, c: Readonly<CanaryStatus>, leftAt: string | undefined): number | undefined {
  if (!usesRouter(ctx)) return endsAt(ctx, leftAt, ctx.settings.delayMs);
  if (c.detachedAt === undefined) return undefined;
  return endsAt(ctx, c.detachedAt, Math.max(ctx.settings.delayMs, ROUTER_PROPAGATION_GRACE_SECONDS * 1000));
}
