// The one interface every traffic provider implements (after Argo Rollouts' traffic routers): the
// kinds it owns, its router objects for a plan, the canary weight its live objects apply, whether they
// still name the canary's Service, and whether
// the cluster kept the mirroring it asked for. A provider lives in one folder; registry.ts lists them.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { ModelDeploymentSpec, ModelDeploymentStatus } from '../api/index.ts';
import type { ReasonAt } from '../api/reasons.ts';
import type { TrafficMatch, TrafficProvider, TrafficSpec } from '../api/rollout-spec.ts';
import type { KubeObject } from '../kube/api-client.ts';
import type { RenderError } from '../render/errors.ts';
import type { VariantObservation } from '../rollout/index.ts';
import type { TrafficPolicy } from './traffic-policy.ts';

/** A kind of router object, served by a CRD the cluster may lack (`<plural>.<group>`). */
export interface RouterKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
}

/** A router object as render returns it: the fields modelship writes. */
export interface RouterObjectOf<ApiVersion extends string, Kind extends string, Spec> {
  apiVersion: ApiVersion;
  kind: Kind;
  metadata: V1ObjectMeta & { name: string; labels: Record<string, string> };
  spec: Spec;
}

export type AnyRouterObject = RouterObjectOf<string, string, unknown>;

export interface RouterInput {
  name: string;
  namespace: string | undefined;
  labels: Record<string, string>;
  traffic: TrafficSpec;
  /** Whether a canary variant (and its Service) exists. */
  canary: boolean;
  weights: { stable: number; canary: number };
  mirrorPercent?: number;
  cohortMatch?: readonly TrafficMatch[];
  /** What the platform allows the router objects. */
  policy: TrafficPolicy;
}

/** What a provider may read to tell the canary weight in force. */
export interface WeightInput {
  /** The ModelDeployment's name. */
  readonly name: string;
  readonly canaryService: string;
  /** A live router object of this namespace (informer cache). */
  readonly live: (kind: RouterKind, name: string) => KubeObject | undefined;
  readonly spec: ModelDeploymentSpec;
  readonly previous: ModelDeploymentStatus | undefined;
  readonly stable: VariantObservation;
  readonly canary: VariantObservation | undefined;
}

export interface MirrorVerdict {
  readonly status: 'True' | 'False';
  readonly reason: ReasonAt<'TrafficMirror=True' | 'TrafficMirror=False'>;
  readonly message: string;
}

export interface Provider<O extends AnyRouterObject = AnyRouterObject> {
  readonly name: TrafficProvider;
  /** Every kind render may return, for watches, RBAC, pruning and missing-CRD detection. */
  readonly kinds: readonly RouterKind[];
  /** PURE: the router objects of a plan, or why there can be none. */
  render(input: RouterInput): readonly O[] | RenderError;
  /** PURE: the canary's percent of traffic the live router applies; undefined while not known. */
  observedWeight(input: WeightInput): number | undefined;
  /** PURE: whether the live router objects still name the canary's Service; undefined while not known (or no router). */
  namesCanary(input: WeightInput): boolean | undefined;
  /** PURE: undefined when no mirroring was asked for; `applied` is keyed `<kind>/<name>`. */
  mirrorSupport(desired: readonly KubeObject[], applied: ReadonlyMap<string, KubeObject>): MirrorVerdict | undefined;
}

/** The CRD serving a router kind: `httproutes.gateway.networking.k8s.io`. */
export function crdName(kind: RouterKind): string {
  return `${kind.plural}.${kind.apiVersion.split('/')[0] ?? ''}`;
}
