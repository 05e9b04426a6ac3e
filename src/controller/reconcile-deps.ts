// What a reconcile needs from the operator, and what it tells the work queue.
import type { RegistryResolver } from '../registry/resolver.ts';
import type { Retrainer } from '../retraining/retrainer.ts';
import type { EventReason, ForeignReason } from '../api/reasons.ts';
import type { ApiClient } from '../kube/api-client.ts';
import type { RenderConfig } from '../render/index.ts';
import type { Caches } from './caches.ts';
import type { EvidenceGatherer } from './evidence-gatherer.ts';
import type { StatusEchoes } from './quiet-echo.ts';

export const MODEL_DEPLOYMENT_API_VERSION = 'modelship.io/v1alpha1';
export const MODEL_DEPLOYMENT_KIND = 'ModelDeployment';

export interface EventSink {
  emit(obj: { apiVersion: string; kind: string; name: string; namespace: string; uid: string }, type: 'Normal' | 'Warning', reason: EventReason | ForeignReason, message: string): void;
}

export type EventTarget = Parameters<EventSink['emit']>[0];

export interface ReconcileDeps {
  readonly client: ApiClient;
  readonly caches: Caches;
  readonly renderConfig: RenderConfig;
  /** Fetches the evidence the rollout machine asks for, outside the worker (shared by the workers). */
  readonly evidence: EvidenceGatherer;
  readonly events: EventSink;
  readonly now: () => Date;
  readonly onApply?: (kind: string, applied: boolean) => void;
  /**
   * Per key, the resourceVersion a status write of ours replaced: while the cache still shows it, the
   * cache has not seen our write yet and deciding from it would act twice (count a measurement again,
   * move a router back a step). Shared by the workers; see phases/load.ts.
   */
  readonly replacedVersions?: Map<string, string>;
  /** The status writes of ours whose watch event need start no reconcile (quiet-echo.ts). */
  readonly statusEchoes?: StatusEchoes;
  /** Resolves models:/ URIs in the platform's model registries, outside the worker (src/registry). */
  readonly registry?: RegistryResolver;
  /** Decides and sends retraining triggers, outside the worker (src/retraining). */
  readonly retrainer?: Retrainer;
}

export interface ReconcileOutcome {
  readonly requeueAfterMs?: number;
}

/** How soon a reconcile that met a stale cache looks again (the watch event usually comes first). */
export const STALE_CACHE_RETRY_MS = 500;
