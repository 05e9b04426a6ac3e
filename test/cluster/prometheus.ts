// A real Prometheus (the Debian package `prometheus`) for the data-path tests: it scrapes the pod simulator on
// the pods' IPs, which the host reaches through the pod network (pod-network.ts). Its job is scrapeConfig(),
// the one the docs give users: the operator's built-in queries select by the target labels namespace,
// model_deployment and variant. Debian's build has no kubernetes_sd_configs, so the test job swaps that one
// key for file_sd_configs fed by prometheus-pod-discovery.ts with the same labels; the relabelling is the same.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { freePort } from './free-port.ts';
import { waitFor } from './https-request.ts';
import { ManagedProcess } from './managed-process.ts';
import { startPodDiscovery, type PodDiscovery } from './prometheus-pod-discovery.ts';

export interface ScrapeConfigOptions {
  /** Default `modelship-pods`. */
  readonly jobName?: string;
  /** Default 15 s; the tests scrape every second. */
  readonly scrapeIntervalSeconds?: number;
}

const meta = (name: string) => `__meta_kubernetes_${name}`;

/**
 * Pods annotated prometheus.io/scrape "true" with a prometheus.io/port, Running with an IP, scraped at
 * <pod IP>:<prometheus.io/port> on prometheus.io/path (default /metrics), with the target labels namespace,
 * pod, model_deployment, variant and revision (the last three from modelship's pod labels; absent when unset).
 */
export function podRelabelConfigs(): Record<string, unknown>[] {
  const copy = (from: string, to: string) => ({ source_labels: [meta(from)], target_label: to });
  return [
    { source_labels: [meta('pod_annotation_prometheus_io_scrape')], regex: 'true', action: 'keep' },
    { source_labels: [meta('pod_annotation_prometheus_io_port')], regex: '\\d+', action: 'keep' },
    // Pending and finished pods have nothing to scrape; discovery lists them too.
    { source_labels: [meta('pod_phase')], regex: 'Running', action: 'keep' },
    { source_labels: [meta('pod_ip')], regex: '.+', action: 'keep' },
    // Discovery makes one target per container port; they all become this one address and collapse.
    { source_labels: [meta('pod_ip'), meta('pod_annotation_prometheus_io_port')], regex: '([^:]+);(\\d+)', replacement: '$1:$2', target_label: '__address__' },
    { source_labels: [meta('pod_ip'), meta('pod_annotation_prometheus_io_port')], regex: '(.*:.*);(\\d+)', replacement: '[$1]:$2', target_label: '__address__' },
    { source_labels: [meta('pod_annotation_prometheus_io_path')], regex: '(.+)', target_label: '__metrics_path__' },
    copy('namespace', 'namespace'),
    copy('pod_name', 'pod'),
    copy('pod_label_modelship_io_model_deployment', 'model_deployment'),
    copy('pod_label_modelship_io_variant', 'variant'),
    copy('pod_label_modelship_io_revision', 'revision'),
  ];
}

/** The scrape job users add to their Prometheus (running in the cluster, with RBAC to list and watch pods). */
export function scrapeConfig(options: ScrapeConfigOptions = {}): Record<string, unknown> {
  const interval = options.scrapeIntervalSeconds ?? 15;
  return {
    job_name: options.jobName ?? 'modelship-pods',
    scrape_interval: `${interval}s`,
    // Prometheus's default 10 s, but never longer than the interval (it refuses the config then).
    scrape_timeout: `${Math.min(10, interval)}s`,
    kubernetes_sd_configs: [{ role: 'pod' }],
    relabel_configs: podRelabelConfigs(),
  };
}

export interface PrometheusOptions {
  /** The test API server's kubeconfig (pod discovery). */
  readonly kubeconfig: string;
  /** Folder for the config, the TSDB and the log (made if missing). */
  readonly dir: string;
  /** Default 1. */
  readonly scrapeIntervalSeconds?: number;
  /** Called with every pid Prometheus runs as (the pod network records them for the sweep). */
  readonly onProcess?: (pid: number) => void;
  /** Default `prometheus` from $PATH (/usr/bin/prometheus). */
  readonly binary?: string;
}

export interface PrometheusTarget {
  /** Target labels after relabelling: job, instance, namespace, pod, model_deployment, variant, revision. */
  readonly labels: Readonly<Record<string, string>>;
  readonly scrapeUrl: string;
  /** up, down or unknown (not scraped yet). */
  readonly health: string;
  readonly lastError: string;
}

export interface Prometheus {
  /** 127.0.0.1:<port> */
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** The running process (a new one after start()). */
  readonly process: ManagedProcess;
  /** Stops it and its discovery, keeping its port and data (an outage, or the end). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder; resolves once ready. A no-op while running. */
  start(): Promise<void>;
  /** Active scrape targets. */
  targets(): Promise<PrometheusTarget[]>;
}

export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  const scrapeIntervalSeconds = options.scrapeIntervalSeconds ?? 1;
  const targetsFile = join(dir, 'prometheus-pods.json');
  const { kubernetes_sd_configs: _inCluster, ...job } = scrapeConfig({ scrapeIntervalSeconds });
  writeFileSync(
    configFile,
    dump(
      {
        global: { scrape_interval: `${scrapeIntervalSeconds}s`, evaluation_interval: `${scrapeIntervalSeconds}s` },
        // File changes are picked up at once (inotify); the refresh is a fallback.
        scrape_configs: [{ ...job, file_sd_configs: [{ files: [targetsFile], refresh_interval: '5s' }] }],
      },
      { noRefs: true, lineWidth: -1 },
    ),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `--config.file=${configFile}`,
    // The folder on the command line also lets the sweep tell this process from a reused pid.
    `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle',
    // A vanished series stops answering instant queries after 30 s instead of 5 min.
    '--query.lookback-delta=30s',
    '--log.level=info',
  ];

  let proc: ManagedProcess | undefined;
  let discovery: PodDiscovery | undefined;
  const stop = async () => {
    await proc?.stop();
    await discovery?.stop();
    discovery = undefined;
  };
  // Discovery first: Prometheus reads the whole target file as it starts.
  const launch = async () => {
    try {
      discovery = await startPodDiscovery({ kubeconfig: options.kubeconfig, file: targetsFile });
      const p = new ManagedProcess({ name: 'prometheus', command: options.binary ?? 'prometheus', args, logFile: join(dir, 'prometheus.log') });
      proc = p;
      options.onProcess?.(p.pid);
      await waitFor('prometheus /-/ready', async () => {
        if (!p.running) throw new Error(`prometheus exited:\n${p.tail()}`);
        return (await fetch(`${url}/-/ready`)).ok;
      }, 60_000);
    } catch (err) {
      await stop();
      throw err;
    }
  };
  await launch();

  return {
    port,
    url,
    get process(): ManagedProcess {
      if (!proc) throw new Error('prometheus never started');
      return proc;
    },
    stop,
    async start() {
      if (proc?.running) return;
      await launch();
    },
    async targets() {
      const res = await fetch(`${url}/api/v1/targets?state=active`);
      if (!res.ok) throw new Error(`prometheus /api/v1/targets: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { data: { activeTargets: PrometheusTarget[] } };
      return body.data.activeTargets.map((t) => ({ labels: t.labels, scrapeUrl: t.scrapeUrl, health: t.health, lastError: t.lastError }));
    },
  };
}
