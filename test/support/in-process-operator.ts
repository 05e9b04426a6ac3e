// The controller running inside the test process against the real API server, with every request
// it makes recorded, so tests can assert on what the operator wrote (and that it wrote nothing).
import { after } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiClient } from '../../src/kube/api-client.ts';
import { connectionOf } from './connection.ts';
import { ModelDeploymentController } from '../../src/controller/model-deployment-controller.ts';
import { defaultRenderConfig, type RenderConfig } from '../../src/render/index.ts';
import type { EventSink } from '../../src/controller/reconcile.ts';
import type { Cidr } from '../../src/outbound/index.ts';
import type { ModelRegistry } from '../../src/registry/mlflow.ts';
import type { RetrainingTargets } from '../../src/retraining/targets-file.ts';
import { DEFAULT_REGISTRY_POLL_MS } from '../../src/registry/resolver.ts';
import { noAnalysisSources, type AnalysisSourceSettings } from '../../src/analysis/prometheus-sources.ts';
import { createMetrics, retrainingSendMetrics, type Metrics } from '../../src/observability/metrics.ts';

export interface RecordedRequest {
  readonly method: string;
  readonly code: number;
  readonly path: string;
}

export interface InProcessOperator {
  readonly controller: ModelDeploymentController;
  readonly requests: RecordedRequest[];
  readonly events: { reason: string; type: string; message: string; name: string; at: number }[];
  /** The operator's metrics this controller feeds (so far the retraining sends); `registry.metrics()` is /metrics' text. */
  readonly metrics: Metrics;
  /** Requests that change state: create, update, patch, delete. */
  writes(): RecordedRequest[];
  /** For a failing wait: the operator's last log lines about `namespace/name` (one per reconcile at debug). */
  logTail(key: string, max?: number): string;
  stop(): Promise<void>;
}

/** Operators started by this test process, numbering their log files. */
let loggers = 0;

/**
 * Under test/run-with-cluster.ts the operator logs to a file in the shared control plane's folder, which is
 * kept when a test fails (MODELSHIP_TEST_LOG_LEVEL, default debug: one line per reconcile); silent otherwise.
 */
function testOperatorLogger(namespaces: readonly string[]): { logger: pino.Logger; file?: string } {
  const dir = process.env.MODELSHIP_TEST_CLUSTER_DIR;
  const level = process.env.MODELSHIP_TEST_LOG_LEVEL ?? (dir === undefined ? 'silent' : 'debug');
  if (dir === undefined || level === 'silent') return { logger: pino({ level }) };
  const file = join(dir, 'logs', `in-process-operator-${namespaces.join('+').slice(0, 80) || 'all'}-${process.pid}-${++loggers}.log`);
  return { logger: pino({ level }, pino.destination({ dest: file, mkdir: true, sync: true })), file };
}

/** The last `max` lines the operator logged about one ModelDeployment, short: time, message, the rest. */
function logTail(file: string | undefined, key: string, max: number): string {
  if (file === undefined || !existsSync(file)) return '(no operator log: run under test/run-with-cluster.ts)';
  const lines: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes(`"key":"${key}"`)) continue;
    try {
      const { time, msg, level: _l, pid: _p, hostname: _h, controller: _c, key: _k, ...rest } = JSON.parse(line) as Record<string, unknown>;
      lines.push(`${new Date(Number(time)).toISOString().slice(11, 23)} ${String(msg)} ${JSON.stringify(rest).slice(0, 300)}`);
    } catch {
      // a line cut by a crash: skipped
    }
  }
  return lines.slice(-max).join('\n') || `(nothing logged about ${key})`;
}

export async function startInProcessOperator(kc: KubeConfig, namespaces: readonly string[], options: { concurrency?: number; evidenceConcurrency?: number; resyncPeriodMs?: number; optionalKindRetryMs?: number; prometheusAddress?: string; analysisSources?: AnalysisSourceSettings; outboundAllowCidrs?: readonly Cidr[]; renderConfig?: RenderConfig; registries?: readonly ModelRegistry[]; registryPollIntervalMs?: number; now?: () => Date; retrainingTargets?: RetrainingTargets; operatorNamespace?: string; watchLabelSelector?: string } = {}): Promise<InProcessOperator> {
  const requests: RecordedRequest[] = [];
  const events: InProcessOperator['events'] = [];
  const { logger, file: logFile } = testOperatorLogger(namespaces);
  const client = new ApiClient(connectionOf(kc), { qps: 100, burst: 200, onResponse: (method, code, _seconds, path) => requests.push({ method, code, path }) });
  const sink: EventSink = { emit: (obj, type, reason, message) => events.push({ reason, type, message, name: obj.name, at: Date.now() }) };
  const metrics = createMetrics();
  const controller = new ModelDeploymentController({
    client,
    logger,
    namespaces,
    // A shard, as --watch-label-selector (the caller passes a valid selector).
    ...(options.watchLabelSelector !== undefined ? { watchLabelSelector: options.watchLabelSelector } : {}),
    concurrency: options.concurrency ?? 2,
    ...(options.evidenceConcurrency !== undefined ? { evidenceConcurrency: options.evidenceConcurrency } : {}),
    resyncPeriodMs: options.resyncPeriodMs ?? 0,
    ...(options.optionalKindRetryMs ? { optionalKindRetryMs: options.optionalKindRetryMs } : {}),
    renderConfig: options.renderConfig ?? defaultRenderConfig,
    // prometheusAddress: as the operator's --prometheus-address, a default source without credentials.
    ...(options.analysisSources !== undefined
      ? { analysisSources: options.analysisSources }
      : options.prometheusAddress !== undefined
        ? { analysisSources: { ...noAnalysisSources('modelship-system'), sources: [{ name: 'default', address: options.prometheusAddress, default: true }] } }
        : {}),
    // Strict by default, as the operator's flag: a test allowlists the local servers it runs.
    ...(options.outboundAllowCidrs !== undefined ? { outboundAllowCidrs: options.outboundAllowCidrs } : {}),
    // The poll interval here may be below the flag's 10 s minimum, to keep tests short.
    ...(options.registries !== undefined
      ? { registries: { registries: options.registries, namespace: 'modelship-system', pollIntervalMs: options.registryPollIntervalMs ?? DEFAULT_REGISTRY_POLL_MS } }
      : {}),
    ...(options.retrainingTargets !== undefined ? { retrainingTargets: options.retrainingTargets } : {}),
    ...(options.operatorNamespace !== undefined ? { operatorNamespace: options.operatorNamespace } : {}),
    events: sink,
    retrainingMetrics: retrainingSendMetrics(metrics),
    // The controller's clock (schedules, analysis windows); the wall clock unless a test moves it.
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  await controller.startCaches();
  controller.startWorkers();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await controller.stop();
  };
  after(stop);
  return {
    controller,
    requests,
    events,
    metrics,
    writes: () => requests.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method)),
    logTail: (key, max = 25) => logTail(logFile, key, max),
    stop,
  };
}
