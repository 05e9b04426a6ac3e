// The operator assembled from its parts: caches and workers, leader election, events, metrics and
// health endpoints. main.ts only parses the configuration and handles signals.
import type { Logger } from 'pino';
import type { OperatorConfig } from './config.ts';
import type { AnalysisSourceSettings } from './analysis/prometheus-sources.ts';
import { noRegistries, type RegistrySettings } from './registry/resolver.ts';
import { NO_RETRAINING_TARGETS, type RetrainingTargets } from './retraining/targets-file.ts';
import { ApiClient } from './kube/api-client.ts';
import { loadClusterConnection } from './kube/cluster-connection.ts';
import { EventRecorder } from './kube/event-recorder.ts';
import { LeaderElector } from './kube/leader-election.ts';
import { ModelDeploymentController } from './controller/model-deployment-controller.ts';
import { createMetrics, initControllerMetrics, retrainingSendMetrics, workQueueMetrics } from './observability/metrics.ts';
import { setModelDeploymentGauges } from './observability/model-deployment-gauges.ts';
import { startHealthServer, type HealthServer } from './observability/health-server.ts';
import { defaultRenderConfig } from './render/index.ts';

const CONTROLLER = 'modeldeployment';

export interface RunningOperator {
  /** Graceful: stop taking work, finish in-flight reconciles, release the Lease, flush events. */
  stop(): Promise<void>;
  readonly metricsPort: number;
  readonly healthPort: number;
}

export async function startOperator(
  config: OperatorConfig,
  analysisSources: AnalysisSourceSettings,
  logger: Logger,
  onLostLeadership: () => void,
  registries: RegistrySettings = noRegistries(config.operatorNamespace),
  retrainingTargets: RetrainingTargets = NO_RETRAINING_TARGETS,
): Promise<RunningOperator> {
  const connection = loadClusterConnection(config.kubeconfig);
  logger.info({ server: connection.server, from: connection.description }, 'API server');
  const host = connection.server;
  const userAgent = `modelship/${config.identity}`;
  const metrics = createMetrics();
  initControllerMetrics(metrics, CONTROLLER, config.concurrency);
  const client = new ApiClient(connection, {
    qps: config.kubeApiQps,
    burst: config.kubeApiBurst,
    userAgent,
    onResponse: (method, code, seconds) => {
      metrics.restClientRequests.inc({ code: String(code), method, host });
      if (method !== 'WATCH') metrics.restClientRequestDuration.observe({ verb: method, host }, seconds);
    },
  });
  // Events and the Lease have clients of their own (one connection pool for all three): their own
  // budgets, and out of rest_client_requests_total, which counts the controller's requests.
  const events = new EventRecorder({ client: new ApiClient(connection, { qps: 10, burst: 30, userAgent }), identity: config.identity, logger });
  const controller = new ModelDeploymentController({
    client,
    logger,
    namespaces: config.watchNamespaces,
    ...(config.watchLabelSelector !== '' ? { watchLabelSelector: config.watchLabelSelector } : {}),
    concurrency: config.concurrency,
    evidenceConcurrency: config.evidenceConcurrency,
    resyncPeriodMs: config.resyncPeriodMs,
    renderConfig: {
      ...defaultRenderConfig,
      fetcherImage: config.fetcherImage,
      traffic: { istio: { allowedHosts: config.istioAllowedHosts, allowedGateways: config.istioAllowedGateways, exportTo: config.istioExportTo } },
    },
    analysisSources,
    registries,
    retrainingTargets,
    operatorNamespace: config.operatorNamespace,
    outboundAllowCidrs: config.outboundAllowCidrs,
    events,
    queueMetrics: workQueueMetrics(metrics, CONTROLLER),
    metrics: {
      reconciled: (result, seconds) => {
        metrics.reconcileTotal.inc({ controller: CONTROLLER, result });
        if (result === 'error') metrics.reconcileErrors.inc({ controller: CONTROLLER });
        metrics.reconcileTime.observe({ controller: CONTROLLER }, seconds);
      },
      activeWorkers: (n) => metrics.activeWorkers.set({ controller: CONTROLLER }, n),
      applied: (kind, written) => (written ? metrics.applyTotal : metrics.applySkipped).inc({ kind }),
    },
    evidenceMetrics: { waiting: (n) => metrics.evidenceWaiting.set(n), inFlight: (n) => metrics.evidenceInFlight.set(n) },
    retrainingMetrics: retrainingSendMetrics(metrics),
  });

  const servers: HealthServer[] = [];
  let elector: LeaderElector | undefined;
  const checks = {
    // Fails (and the kubelet restarts the pod) when a cache or the leader election is wedged.
    healthz: () => {
      const caches = controller.health();
      return caches === true ? (elector?.health() ?? true) : caches;
    },
    readyz: () => controller.readiness(),
  };
  const beforeScrape = (): void => setModelDeploymentGauges(metrics, controller.caches.modelDeployments.list());
  servers.push(await startHealthServer({ port: config.healthProbeBindAddress.port, host: config.healthProbeBindAddress.host, metrics, checks, beforeScrape }));
  servers.push(await startHealthServer({ port: config.metricsBindAddress.port, host: config.metricsBindAddress.host, metrics, checks, beforeScrape }));

  await controller.startCaches();
  logger.info(
    {
      modelDeployments: controller.caches.modelDeployments.size,
      namespaces: config.watchNamespaces.length ? config.watchNamespaces : 'all',
      ...(config.watchLabelSelector !== '' ? { watchLabelSelector: config.watchLabelSelector, lease: config.leaderElectionId } : {}),
    },
    'caches synced',
  );

  let stopping = false;
  const electionAbort = new AbortController();
  let election: Promise<void> | undefined;
  if (config.leaderElect) {
    elector = new LeaderElector({
      client: new ApiClient(connection, { qps: 5, burst: 10, userAgent }),
      namespace: config.leaderElectionNamespace,
      name: config.leaderElectionId,
      identity: config.identity,
      leaseDurationMs: config.leaseDurationMs,
      renewDeadlineMs: config.renewDeadlineMs,
      retryPeriodMs: config.retryPeriodMs,
      logger,
      onStartedLeading: () => {
        metrics.leaderElectionMasterStatus.set({ name: config.leaderElectionId }, 1);
        logger.info({ identity: config.identity }, 'became leader; reconciling');
        controller.startWorkers();
      },
      onStoppedLeading: () => {
        metrics.leaderElectionMasterStatus.set({ name: config.leaderElectionId }, 0);
        // A replica that lost its Lease (e.g. the API server or etcd stalled past renewDeadline) exits,
        // as controller-runtime's do, rather than stepping down and campaigning again. Decided so
        // because exiting is the only fence for the reconciles in flight: their requests to the
        // controller's client cannot be cancelled, and one held by the stall would be sent when it ends,
        // next to the new leader's. It costs the takeover nothing: the other replica's caches are warm
        // and its watch and deadlines take the Lease within seconds of the stall's end (bench/results/
        // leader-election.json); only this replica's own restart is paid, as a follower.
        if (!stopping) onLostLeadership();
      },
      onNewLeader: (identity) => logger.info({ leader: identity }, 'leader observed'),
    });
    metrics.leaderElectionMasterStatus.set({ name: config.leaderElectionId }, 0);
    election = elector.run(electionAbort.signal);
  } else {
    controller.startWorkers();
  }

  return {
    metricsPort: servers[1]?.port ?? 0,
    healthPort: servers[0]?.port ?? 0,
    async stop() {
      stopping = true;
      await controller.queue.shutdown();
      if (elector) {
        await elector.release();
        electionAbort.abort();
        await election;
      }
      await events.close();
      await controller.stop();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
