// The contract of the rollout state machine (docs/rollouts.md): what it reads, what it decides.
import type { ModelDeploymentSpec } from '../api/model-deployment-spec.ts';
import type { ModelSpec } from '../api/model-spec.ts';
import type { TrafficMatch, TrafficProvider } from '../api/rollout-spec.ts';
import type { CanaryStatus, HistoryEntry, RolloutState, StableStatus, TrafficStatus } from '../api/rollout-status.ts';
import type { RuntimeSpec } from '../api/runtime-spec.ts';
import type { ModelDeploymentStatus } from '../api/status.ts';
import type { RolloutRequests } from './requests.ts';
import type { AnalysisRun, ValidationObservation } from './analysis-state.ts';
import type { AnalysisStatus } from '../api/analysis-status.ts';
import type { EventReason, StallReason } from '../api/reasons.ts';
import type { EvidenceRequest } from './evidence-requests.ts';

/** One variant's Deployment as observed before this reconcile applies anything. */
export interface VariantObservation {
  /** Its `modelship.io/revision` label: the revision its pod template runs. Undefined when unlabelled. */
  revision?: number;
  /** At least one replica is ready: the variant serves. */
  ready: boolean;
  /** Rolled out: every replica runs the Deployment's current template and is ready (kubectl rollout status). */
  updatedReady: boolean;
}

export interface RolloutObservations {
  stable: VariantObservation;
  /** Undefined when no canary Deployment exists. */
  canary?: VariantObservation;
  /**
   * The canary weight (percent) the traffic router reports it applies now; undefined when it cannot
   * tell. gateway-api / istio: the canary backend's weight read back from the HTTPRoute or
   * VirtualService once accepted; traefik: the canary's share of the TraefikService `<name>-split`
   * once the HTTPRoute is accepted; replicas: the plan's effective weight once both Deployments are
   * rolled out at their planned size. A weight step completes when this equals its weight.
   */
  routerWeight?: number;
  /**
   * Whether the live router objects still name the canary's Service (a weight entry, even at 0, a
   * mirror or a cohort rule); false without router objects; undefined when it cannot tell (no
   * router, or the route's generation not yet accepted). A leaving canary's pods go only once this
   * is false (routers).
   */
  routerNamesCanary?: boolean;
  /** A validation result the machine asked for (EvidenceRequest): a smoke check run, or the validation Job's state. */
  validation?: ValidationObservation;
  /** A measurement the machine asked for (EvidenceRequest), taken since. */
  analysisRun?: AnalysisRun;
}

export interface RolloutInput {
  /** The parsed spec (defaults applied). */
  spec: ModelDeploymentSpec;
  /** The status as last written; undefined for a new object. */
  status: ModelDeploymentStatus | undefined;
  /** parseRolloutRequests(metadata.annotations). */
  requests: RolloutRequests;
  observed: RolloutObservations;
  /** The only clock: the machine never reads time itself. */
  now: Date;
}

/** What one variant renders: a model and runtime, and the revision they are. */
export interface VariantPlan {
  revision: number;
  template: string;
  version: string;
  model: ModelSpec;
  runtime: RuntimeSpec;
}

/** A fixed replica count, or the min/max of the variant's HorizontalPodAutoscaler. */
export type VariantScale = { replicas: number } | { minReplicas: number; maxReplicas: number };

export interface RolloutPlan {
  provider: TrafficProvider;
  /** What the stable Deployment renders: may be a revision from history while Git says otherwise. */
  stable: VariantPlan;
  /** The canary Deployment, when one should exist (also while an aborted one scales down). */
  canary?: VariantPlan;
  replicas: { stable: VariantScale; canary?: VariantScale };
  /** Percent of traffic per variant; `exact: false` when approximated by replica counts. Sums to 100. */
  weights: { stable: number; canary: number; exact: boolean };
  /**
   * Routers: the router's objects leave the canary's Service out while its pods exist: it has no
   * share, mirror or cohort (not serving yet, or leaving: aborted, or promoting with its traffic drained).
   */
  detached?: boolean;
  /** Percent of stable traffic mirrored to the canary (routers only, while the canary serves). */
  mirrorPercent?: number;
  /** Cohorts pinned to the canary (routers only, while the canary serves). */
  cohortMatch?: TrafficMatch[];
  /** The canary revision whose validation Job (spec.rollout.validation.job) should exist. */
  validationJob?: { revision: number };
}

export interface RolloutEvent {
  type: 'Normal' | 'Warning';
  reason: EventReason;
  message: string;
}

/** The status fields the machine owns; the rest of status (conditions, counts, url) is not its business. */
export interface RolloutStatusFields {
  stable: StableStatus;
  canary?: CanaryStatus;
  traffic: TrafficStatus[];
  history: HistoryEntry[];
  rollout: RolloutState;
  trafficSummary: string;
  /** Validation and analysis of the current (or last) canary; absent when the spec asks for neither. */
  analysis?: AnalysisStatus;
}

export interface RolloutDecision {
  status: RolloutStatusFields;
  plan: RolloutPlan;
  /** Transitions worth a Kubernetes Event; empty when nothing happened. */
  events: RolloutEvent[];
  /** When a timed step (a pause, a scale-down delay) ends, from `now`. */
  requeueAfterMs?: number;
  /** For the RolloutInProgress condition: true while a canary is under way (not aborted). */
  inProgress: boolean;
  /** One sentence on where the rollout stands, for conditions and the CLI. */
  message: string;
  /** Set when the rollout cannot go on without a change of spec or a retry: the controller's Stalled. */
  stalled?: { reason: StallReason; message: string };
  /** The evidence to fetch for the canary now (smoke check, Job result, measurement); its results come back as observations. */
  evidenceNeeded: EvidenceRequest[];
}
