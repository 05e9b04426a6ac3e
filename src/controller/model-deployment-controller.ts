// Wires caches, the work queue and reconcile together: every event on a ModelDeployment or on
// anything it owns queues the ModelDeployment's key; workers run reconcile per key.
import type { Logger } from 'pino';
import type { V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import type { ApiClient, KubeObject } from '../kube/api-client.ts';
import type { Cidr } from '../outbound/index.ts';
import { noAnalysisSources, type AnalysisSourceSettings } from '../analysis/prometheus-sources.ts';
import { KindCache } from '../kube/kind-cache.ts';
import { WorkQueue, type WorkQueueMetrics } from '../kube/work-queue.ts';
import { objectKey, type InformerEvent } from '../kube/informer.ts';
import { CHILD_KINDS, LABEL_MODEL_DEPLOYMENT, LABEL_VARIANT, OPTIONAL_CHILD_KINDS, type RenderConfig } from '../render/index.ts';
import { cachedChild, cachedEndpointSlice, cachedModelDeployment, cachedPod } from './cache-transforms.ts';
import { childCacheKey, type Caches, type ModelDeploymentObject } from './caches.ts';
import { isReadEndpointSlice, triggersReconcile } from './child-event-filter.ts';
import { podEventTriggersReconcile } from './pod-event-filter.ts';
import { StatusEchoes } from './quiet-echo.ts';
import { noRegistries, RegistryResolver, type RegistrySettings } from '../registry/resolver.ts';
import { Retrainer } from '../retraining/retrainer.ts';
import type { RetrainingSendMetrics } from '../retraining/send-metrics.ts';
import { NO_RETRAINING_TARGETS, type RetrainingTargets } from '../retraining/targets-file.ts';
import { EvidenceGatherer, type EvidenceMetrics } from './evidence-gatherer.ts';
import { evidenceSources } from './evidence-sources.ts';
import { MODEL_DEPLOYMENT_API_VERSION, MODEL_DEPLOYMENT_KIND, reconcile, type EventSink } from './reconcile.ts';

export interface ControllerMetrics {
  reconciled(result: 'success' | 'error' | 'requeue_after', seconds: number): void;
  activeWorkers(n: number): void;
  applied(kind: string, written: boolean): void;
}

export interface ControllerOptions {
  readonly client: ApiClient;
  readonly logger: Logger;
  readonly namespaces: readonly string[];
  /**
   * This shard's ModelDeployments (--watch-label-selector, already checked); absent: all. Only the
   * ModelDeployment cache is filtered; the children caches hold every shard's children (see below).
   */
  readonly watchLabelSelector?: string;
  readonly concurrency: number;
  /** Evidence fetches running at once (--evidence-concurrency; default 16). */
  readonly evidenceConcurrency?: number;
  readonly resyncPeriodMs: number;
  readonly renderConfig: RenderConfig;
  /** Where canary analysis may send its queries (--prometheus-sources and the user-address flags); default none. */
  readonly analysisSources?: AnalysisSourceSettings;
  /** Loopback and link-local ranges Prometheus queries and smoke checks may reach (--outbound-allow-cidrs); default none. */
  readonly outboundAllowCidrs?: readonly Cidr[];
  /** The platform's model registries for models:/ URIs (--model-registries) and how often they are asked; default none. */
  readonly registries?: RegistrySettings;
  /** The platform's Airflow connections and webhooks for retraining triggers (--retraining-targets); default none. */
  readonly retrainingTargets?: RetrainingTargets;
  /** The operator's namespace, where the retraining targets' Secrets are (default modelship-system). */
  readonly operatorNamespace?: string;
  readonly events: EventSink;
  readonly queueMetrics?: WorkQueueMetrics;
  readonly metrics?: ControllerMetrics;
  readonly evidenceMetrics?: EvidenceMetrics;
  readonly retrainingMetrics?: RetrainingSendMetrics;
  readonly now?: () => Date;
  /** How often a traffic router's missing CRD is looked for again (default 30 s). */
  readonly optionalKindRetryMs?: number;
  /** Caches list with streaming lists (watch-list) where the API server allows it (default true): no list answer is held whole. */
  readonly streamingList?: boolean;
}

const ownerIndex = (obj: KubeObject) => obj.metadata?.labels?.[LABEL_MODEL_DEPLOYMENT];

export class ModelDeploymentController {
  readonly caches: Caches;
  readonly queue: WorkQueue;
  /** Fetches the evidence rollouts ask for, outside the workers; a result brings its key back to the queue. */
  readonly evidence: EvidenceGatherer;
  /** Resolves models:/ URIs in the platform's registries, outside the workers; a changed answer brings its key back. */
  readonly registry: RegistryResolver;
  /** Sends retraining triggers, outside the workers; a finished send brings its key back. */
  readonly retrainer: Retrainer;
  private readonly options: ControllerOptions;
  /** Status writes of ours whose watch event starts no reconcile (quiet-echo.ts). */
  private readonly statusEchoes: StatusEchoes;
  private active = 0;
  reconciles = 0;

  constructor(options: ControllerOptions) {
    this.options = options;
    const { client, logger, namespaces, resyncPeriodMs } = options;
    const common = { namespaces, resyncPeriodMs: 0, streamingList: options.streamingList ?? true };
    this.caches = {
      modelDeployments: new KindCache<ModelDeploymentObject>(client, logger, {
        ...common,
        apiVersion: MODEL_DEPLOYMENT_API_VERSION,
        kind: MODEL_DEPLOYMENT_KIND,
        // The periodic resync re-delivers every ModelDeployment: drift is checked even without events.
        resyncPeriodMs,
        // A shard: the API server filters, and an object relabelled out of it arrives as a delete.
        ...(options.watchLabelSelector ? { labelSelector: options.watchLabelSelector } : {}),
        transform: cachedModelDeployment,
      }),
      children: new Map(
        CHILD_KINDS.map(({ apiVersion, kind }) => [
          childCacheKey(apiVersion, kind),
          new KindCache<KubeObject>(client, logger, {
            ...common,
            apiVersion,
            kind,
            labelSelector: LABEL_MODEL_DEPLOYMENT,
            indexBy: ownerIndex,
            // Traffic routers' CRDs may be missing; a ModelDeployment that needs one says so in status.
            optional: OPTIONAL_CHILD_KINDS.some((o) => o.kind === kind),
            ...(options.optionalKindRetryMs ? { optionalRetryMs: options.optionalKindRetryMs } : {}),
            transform: cachedChild,
          }),
        ]),
      ),
      pods: new KindCache<V1Pod & KubeObject>(client, logger, {
        ...common,
        apiVersion: 'v1',
        kind: 'Pod',
        labelSelector: LABEL_MODEL_DEPLOYMENT,
        indexBy: ownerIndex,
        transform: cachedPod,
      }),
      endpointSlices: new KindCache<V1EndpointSlice & KubeObject>(client, logger, {
        ...common,
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        // Only the canary Service's are read (caches.ts); a slice carries its Service's labels.
        labelSelector: `${LABEL_MODEL_DEPLOYMENT},${LABEL_VARIANT}=canary`,
        indexBy: ownerIndex,
        transform: cachedEndpointSlice,
      }),
    };
    this.queue = new WorkQueue({
      name: 'modeldeployment',
      concurrency: options.concurrency,
      ...(options.queueMetrics ? { metrics: options.queueMetrics } : {}),
      onError: (key, err) => logger.warn({ key, err }, 'reconcile failed; retrying with backoff'),
    });
    this.statusEchoes = new StatusEchoes((key) => this.queue.add(key));
    const now = options.now ?? (() => new Date());
    this.evidence = new EvidenceGatherer({
      sources: evidenceSources({
        client,
        caches: this.caches,
        now,
        log: logger,
        allowCidrs: options.outboundAllowCidrs ?? [],
        analysisSources: options.analysisSources ?? noAnalysisSources('modelship-system'),
      }),
      requeue: (key, delayMs) => this.requeueIfOurs(key, delayMs),
      log: logger,
      ...(options.evidenceConcurrency !== undefined ? { concurrency: options.evidenceConcurrency } : {}),
      ...(options.evidenceMetrics ? { metrics: options.evidenceMetrics } : {}),
    });
    this.registry = new RegistryResolver({
      settings: options.registries ?? noRegistries('modelship-system'),
      client,
      allowCidrs: options.outboundAllowCidrs ?? [],
      requeue: (key) => this.requeueIfOurs(key, 0),
      log: logger,
      now,
    });
    this.retrainer = new Retrainer({
      client,
      log: logger,
      events: options.events,
      targets: options.retrainingTargets ?? NO_RETRAINING_TARGETS,
      namespace: options.operatorNamespace ?? 'modelship-system',
      allowCidrs: options.outboundAllowCidrs ?? [],
      analysisSources: options.analysisSources ?? noAnalysisSources('modelship-system'),
      now,
      requeue: (key, afterMs) => this.requeueIfOurs(key, afterMs),
      ...(options.retrainingMetrics !== undefined ? { metrics: options.retrainingMetrics } : {}),
    });
    this.caches.modelDeployments.onEvent((event, obj) => {
      const key = objectKey(obj);
      // Deleted, or moved to another shard (a label-selector watch reports it gone): no timer of its
      // own is left here; the reconcile this add brings only forgets it (phases/load.ts).
      if (event === 'delete') this.queue.cancelDelayed(key);
      // Our own status write, read back: the reconcile it would start repeats the one that wrote it.
      if (this.statusEchoes.absorbs(key, event, obj)) return;
      this.queue.add(key);
    });
    // The children caches are not sharded: a child carries its owner's name, not its owner's labels,
    // and a ModelDeployment that moves to this shard must find its children already cached. Events of
    // children whose owner is not in this shard's cache are dropped here.
    // An update that changed nothing a reconcile reads starts none (child-event-filter.ts); of a
    // model server's pods, no event that changes nothing a reconcile reads (pod-event-filter.ts).
    const enqueueOwnerIf =
      <T extends KubeObject>(triggers: (event: InformerEvent, obj: T, previous: T | undefined) => boolean) =>
      (event: InformerEvent, obj: T, previous?: T) => {
        const owner = ownerIndex(obj);
        const namespace = obj.metadata?.namespace;
        if (!owner || !namespace || !triggers(event, obj, previous)) return;
        if (this.caches.modelDeployments.get(namespace, owner) !== undefined) this.queue.add(`${namespace}/${owner}`);
      };
    const enqueueOwner = enqueueOwnerIf(triggersReconcile);
    for (const cache of this.caches.children.values()) cache.onEvent(enqueueOwner);
    // A router CRD installed after start: ModelDeployments stalled on it are reconciled again.
    for (const { apiVersion, kind } of OPTIONAL_CHILD_KINDS) {
      this.caches.children.get(childCacheKey(apiVersion, kind))?.onServed(() => this.caches.modelDeployments.forceResync());
    }
    this.caches.pods.onEvent(enqueueOwnerIf(podEventTriggersReconcile));
    this.caches.endpointSlices?.onEvent((event, obj, previous) => {
      const owner = ownerIndex(obj);
      if (owner !== undefined && isReadEndpointSlice(obj, owner)) enqueueOwner(event, obj, previous);
    });
  }

  private allCaches(): KindCache<KubeObject>[] {
    return [this.caches.modelDeployments, ...this.caches.children.values(), this.caches.pods, ...(this.caches.endpointSlices ? [this.caches.endpointSlices] : [])] as KindCache<KubeObject>[];
  }

  get hasSynced(): boolean {
    return this.allCaches().every((c) => c.hasSynced);
  }

  /** /readyz: caches synced and ModelDeployments served (a deleted CRD makes the operator not ready). */
  readiness(): true | string {
    if (this.caches.modelDeployments.notServed) return `the API server does not serve ${MODEL_DEPLOYMENT_KIND} (${MODEL_DEPLOYMENT_API_VERSION}): is its CRD installed?`;
    return this.hasSynced || 'informer caches have not synced yet';
  }

  /** /healthz: no cache wedged (no list, watch or event for a bounded time). */
  health(): true | string {
    for (const c of this.allCaches()) {
      const verdict = c.health();
      if (verdict !== true) return verdict;
    }
    return true;
  }

  /** Lists and watches everything; resolves once every cache holds its first list. */
  async startCaches(): Promise<void> {
    await Promise.all(this.allCaches().map((c) => c.start()));
  }

  /** Starts reconciling (only the leader does). */
  startWorkers(): void {
    const { logger, metrics } = this.options;
    const deps = {
      client: this.options.client,
      caches: this.caches,
      renderConfig: this.options.renderConfig,
      evidence: this.evidence,
      events: this.options.events,
      now: this.options.now ?? (() => new Date()),
      onApply: (kind: string, written: boolean) => metrics?.applied(kind, written),
      replacedVersions: new Map<string, string>(),
      statusEchoes: this.statusEchoes,
      registry: this.registry,
      retrainer: this.retrainer,
    };
    metrics?.activeWorkers(0);
    this.queue.start(async (key, yieldSlot) => {
      const started = performance.now();
      this.active++;
      this.reconciles++;
      metrics?.activeWorkers(this.active);
      const log = logger.child({ controller: 'modeldeployment', key });
      let working = true;
      const release = (): void => {
        if (!working) return;
        working = false;
        this.active--;
        metrics?.activeWorkers(this.active);
      };
      try {
        const outcome = await reconcile(key, deps, log, () => {
          // Only the status write is left: let another key use the worker meanwhile.
          release();
          yieldSlot();
        });
        const ms = performance.now() - started;
        metrics?.reconciled(outcome.requeueAfterMs ? 'requeue_after' : 'success', ms / 1000);
        // As controller-runtime's "Reconcile done" at debug level: which key ran, how long, when next.
        log.debug({ ms: Math.round(ms), requeueAfterMs: outcome.requeueAfterMs }, 'reconciled');
        return this.stillOurs(key) ? outcome : {};
      } catch (err) {
        metrics?.reconciled('error', (performance.now() - started) / 1000);
        // Gone (deleted, or moved to another shard) while it ran: no retry; it is not ours to retry.
        if (!this.stillOurs(key)) return {};
        throw err;
      } finally {
        release();
      }
    });
  }

  /** Whether the ModelDeployment is still in this operator's cache, so its look-again timers are worth keeping. */
  private stillOurs(key: string): boolean {
    const [namespace = '', name = ''] = key.split('/');
    return this.caches.modelDeployments.get(namespace, name) !== undefined;
  }

  /** Work finished outside the workers (evidence, registry, retraining) brings back only a key still ours. */
  private requeueIfOurs(key: string, afterMs: number): void {
    if (this.stillOurs(key)) this.queue.addAfter(key, afterMs);
  }

  /** Re-delivers every cached object (no list) and so reconciles every ModelDeployment again. */
  forceResync(): void {
    for (const c of this.allCaches()) c.forceResync();
  }

  async stop(): Promise<void> {
    this.evidence.stop();
    await this.registry.stop();
    await this.retrainer.stop();
    await this.queue.shutdown();
    await Promise.all(this.allCaches().map((c) => c.stop()));
  }
}
