// PURE: what one decision reads and never changes: the spec and its settings, the requests, what
// was observed, and the time. Every concern of the machine takes it as its first argument.
import type { ModelDeploymentSpec } from '../api/model-deployment-spec.ts';
import { DEFAULT_SCALE_DOWN_DELAY_SECONDS, trafficOf } from '../api/rollout-spec.ts';
import type { RolloutStep, RolloutStrategy, TrafficProvider, TrafficSpec } from '../api/rollout-spec.ts';
import type { RolloutRequests } from './requests.ts';
import { capacityOf, effectiveWeight } from './sizing.ts';
import { templateHash } from './template-hash.ts';
import type { RolloutInput, RolloutObservations, VariantScale } from './types.ts';

export interface Settings {
  readonly strategy: RolloutStrategy;
  readonly steps: readonly RolloutStep[];
  readonly delayMs: number;
  readonly traffic: TrafficSpec;
  readonly provider: TrafficProvider;
  readonly capacity: VariantScale;
}

export interface Context {
  readonly spec: ModelDeploymentSpec;
  readonly requests: RolloutRequests;
  readonly observed: RolloutObservations;
  readonly settings: Settings;
  readonly now: number;
  /** `now` as status writes times (metav1.Time: seconds). */
  readonly at: string;
  /** Template of what the spec asks for. */
  readonly specTemplate: string;
}

/** metav1.Time: RFC 3339 in whole seconds. */
export function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function settingsOf(spec: ModelDeploymentSpec): Settings {
  const traffic = trafficOf(spec.rollout);
  return {
    strategy: spec.rollout?.strategy ?? 'immediate',
    steps: spec.rollout?.steps ?? [],
    delayMs: (spec.rollout?.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS) * 1000,
    traffic,
    provider: traffic.provider,
    capacity: capacityOf(spec),
  };
}

export function contextOf(input: RolloutInput): Context {
  const now = input.now.getTime();
  return {
    spec: input.spec,
    requests: input.requests,
    observed: input.observed,
    settings: settingsOf(input.spec),
    now,
    at: metaTime(now),
    specTemplate: templateHash(input.spec.model, input.spec.runtime),
  };
}

export function describe(v: { revision: number; version: string }): string {
  return `revision ${v.revision} (version ${v.version})`;
}

/** When a timed step (a pause, a scale-down delay) that started at `startedAt` ends (ms). */
export function endsAt(ctx: Context, startedAt: string | undefined, durationMs: number): number {
  return Date.parse(startedAt ?? ctx.at) + durationMs;
}

/** The router reports it applies `weight` to the canary. */
export function routerReports(ctx: Context, weight: number): boolean {
  const reported = ctx.observed.routerWeight;
  return reported !== undefined && reported === effectiveWeight(ctx.settings.provider, ctx.settings.capacity, weight);
}

/** The canary Deployment runs `revision`, every replica updated and ready. */
export function canaryRolledOut(ctx: Context, revision: number): boolean {
  const o = ctx.observed.canary;
  return o !== undefined && o.revision === revision && o.updatedReady;
}

/** A human label for step `index` of the spec's steps ('promotion' past the last). */
export function stepLabel(ctx: Context, index: number): string {
  const steps = ctx.settings.steps;
  const step = steps[index];
  if (step === undefined) return 'promotion';
  const what =
    step.weight !== undefined ? `weight ${step.weight}` : step.pause?.duration !== undefined ? `pause ${step.pause.duration}` : 'pause until promoted';
  return `step ${index + 1}/${steps.length} (${what})`;
}
