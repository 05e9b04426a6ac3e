// Fixture builders of the rollout tests: specs from manifests, observations, and a small world
// that applies a plan the way the controller and the cluster would, one reconcile later.
import { formatFieldErrors, parseModelDeployment } from '../../../src/api/index.ts';
import type { ModelDeploymentSpec, ModelDeploymentStatus } from '../../../src/api/index.ts';
import { nextRollout } from '../../../src/rollout/index.ts';
import type { RolloutDecision, RolloutInput, RolloutObservations, RolloutRequests } from '../../../src/rollout/index.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';
import type { Json } from '../../fixtures/manifests.ts';

export const T0 = new Date('2025-06-01T12:00:00Z');

export function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

export interface SpecOptions {
  version?: string;
  image?: string;
  strategy?: 'canary' | 'immediate';
  steps?: Json[];
  provider?: 'replicas' | 'gateway-api' | 'istio' | 'traefik';
  replicas?: number;
  autoscaling?: { minReplicas: number; maxReplicas: number };
  scaleDownDelaySeconds?: number;
  mirror?: number;
  match?: Json[];
  /** spec.rollout.validation */
  validation?: Json;
  /** spec.rollout.analysis */
  analysis?: Json;
}

export const DEFAULT_STEPS: Json[] = [{ weight: 10 }, { pause: { duration: '10m' } }, { weight: 50 }, { pause: {} }];

/** A parsed spec: MLServer serving fraud-detector `version` (default "7") with a canary rollout. */
export function spec(o: SpecOptions = {}): ModelDeploymentSpec {
  const version = o.version ?? '7';
  const traffic: Record<string, Json> = { provider: o.provider ?? 'gateway-api' };
  if (traffic.provider === 'gateway-api' || traffic.provider === 'traefik') traffic.gateway = { name: 'ml-gateway', namespace: 'gateways' };
  if (o.mirror !== undefined) traffic.mirror = { percent: o.mirror };
  if (o.match !== undefined) traffic.match = o.match;
  const rollout: Record<string, Json> = { strategy: o.strategy ?? 'canary', traffic };
  if ((o.strategy ?? 'canary') === 'canary') rollout.steps = o.steps ?? DEFAULT_STEPS;
  if (o.scaleDownDelaySeconds !== undefined) rollout.scaleDownDelaySeconds = o.scaleDownDelaySeconds;
  if (o.validation !== undefined) rollout.validation = o.validation;
  if (o.analysis !== undefined) rollout.analysis = o.analysis;
  const changes: Record<string, Json | undefined> = {
    'spec.model.version': version,
    'spec.model.uri': `s3://models/fraud/${version}`,
    'spec.replicas': o.replicas ?? 10,
    'spec.rollout': rollout,
  };
  if (o.image !== undefined) changes['spec.runtime.image'] = o.image;
  if (o.autoscaling !== undefined) changes['spec.autoscaling'] = o.autoscaling;
  const result = parseModelDeployment(withChanges(validManifest(), changes));
  if (!result.ok) throw new Error(formatFieldErrors(result.errors));
  return result.value.spec;
}

/** Nothing is running yet. */
export function nothingObserved(): RolloutObservations {
  return { stable: { ready: false, updatedReady: false } };
}

export function input(o: Partial<RolloutInput> & { spec: ModelDeploymentSpec }): RolloutInput {
  return { status: undefined, requests: {}, observed: nothingObserved(), now: T0, ...o };
}

/** The status after the controller wrote the decision's rollout fields (and the API server stored them). */
export function statusAfter(previous: ModelDeploymentStatus | undefined, decision: RolloutDecision): ModelDeploymentStatus {
  const next: ModelDeploymentStatus = { ...previous, ...decision.status };
  if (decision.status.canary === undefined) delete next.canary;
  return JSON.parse(JSON.stringify(next)) as ModelDeploymentStatus;
}

/** What the cluster shows once a plan has been applied and everything it asked for is ready. */
export function observedAfter(decision: RolloutDecision): RolloutObservations {
  const { plan } = decision;
  const out: RolloutObservations = {
    stable: { revision: plan.stable.revision, ready: true, updatedReady: true },
    routerWeight: plan.weights.canary,
  };
  if (plan.canary !== undefined) out.canary = { revision: plan.canary.revision, ready: true, updatedReady: true };
  // The router objects name the canary's Service while it has one and is not detached (routers only).
  if (plan.provider !== 'replicas') out.routerNamesCanary = plan.canary !== undefined && plan.detached !== true;
  return out;
}

/**
 * Drives a ModelDeployment the way the controller would: decide, write status, apply the plan and
 * let the cluster catch up, again and again.
 */
export class World {
  specValue: ModelDeploymentSpec;
  status: ModelDeploymentStatus | undefined = undefined;
  observed: RolloutObservations = nothingObserved();
  requests: RolloutRequests = {};
  now: Date = T0;
  last: RolloutDecision | undefined = undefined;

  constructor(s: ModelDeploymentSpec) {
    this.specValue = s;
  }

  /** One reconcile: the decision, its status written; the cluster does not move. */
  decide(): RolloutDecision {
    const decision = nextRollout({ spec: this.specValue, status: this.status, requests: this.requests, observed: this.observed, now: this.now });
    this.status = statusAfter(this.status, decision);
    this.last = decision;
    return decision;
  }

  /** One reconcile, then the cluster applies the plan and becomes ready. */
  step(): RolloutDecision {
    const decision = this.decide();
    this.observed = observedAfter(decision);
    return decision;
  }

  /** Reconciles until a decision has no events and changes no status; returns all events on the way. */
  settle(limit = 20): string[] {
    const reasons: string[] = [];
    for (let i = 0; i < limit; i++) {
      const before = JSON.stringify(this.status);
      const d = this.step();
      reasons.push(...d.events.map((e) => e.reason));
      if (d.events.length === 0 && JSON.stringify(this.status) === before) return reasons;
    }
    throw new Error(`no steady state after ${limit} reconciles: ${JSON.stringify(this.status)}`);
  }

  advance(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }
}
