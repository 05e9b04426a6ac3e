// A real Prometheus (3.x, built from its Go module: test/cluster/go/prometheus) for the data-path tests: it
// scrapes the pod simulator on the pods' IPs, which the host reaches through the pod network (pod-network.ts).
// Its only scrape job is scrapeConfig(), exactly the one the docs give users (docs/prometheus-scrape-config.yaml):
// kubernetes_sd_configs role `pod`, then relabelling to the target labels namespace, model_deployment and
// variant that the operator's built-in queries select by.
//
// Prometheus runs as it would in a pod: ServiceAccount `prometheus` (namespace `monitoring`) with a
// ClusterRole that may get, list and watch pods, its token, the API server's CA and the namespace in
// /var/run/secrets/kubernetes.io/serviceaccount/, and KUBERNETES_SERVICE_HOST/PORT naming the test API
// server. The job names no api_server and no kubeconfig: Kubernetes discovery uses the in-cluster config.
// Those files are mounted in a mount namespace of Prometheus's own (unshare; the harness runs as root):
// a tmpfs over /run (where /var/run points) and a read-only bind mount of the folder with the files. Nothing
// is mounted or written on the host's /run, and the mounts go away with the process.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { freePort } from './free-port.ts';
import { waitFor } from './https-request.ts';
import { ManagedProcess } from './managed-process.ts';
import { mintServiceAccountToken } from './service-account-kubeconfig.ts';
import { upsert } from './upsert-object.ts';

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

/**
 * The scrape job users add to their Prometheus (running in the cluster, with RBAC to get, list and watch
 * pods). It sets no scrape_interval or scrape_timeout: it takes the Prometheus's global ones.
 */
export function scrapeConfig(): Record<string, unknown> {
  return {
    job_name: 'modelship-pods',
    kubernetes_sd_configs: [{ role: 'pod' }],
    relabel_configs: podRelabelConfigs(),
  };
}

export interface PrometheusOptions {
  /** The test API server's admin kubeconfig: the ServiceAccount, its RBAC and token are made with it. */
  readonly kubeconfig: string;
  /** The folder holding the test tools (prometheus). */
  readonly toolsDir: string;
  /** Folder for the config, the TSDB, the service account files and the log (made if missing). */
  readonly dir: string;
  /** Default 1. */
  readonly scrapeIntervalSeconds?: number;
  /** Called with every pid Prometheus runs as (the pod network records them for the sweep). */
  readonly onProcess?: (pid: number) => void;
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
  /** Stops it, keeping its port and data (an outage, or the end). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder; resolves once ready. A no-op while running. */
  start(): Promise<void>;
  /** Active scrape targets. */
  targets(): Promise<PrometheusTarget[]>;
}

/** Where Prometheus's account lives, and what it may do: what the docs ask users to grant. */
const prometheusServiceAccount = { namespace: 'monitoring', name: 'prometheus' } as const;

/**
 * The ServiceAccount, a ClusterRole allowing get, list and watch on pods and its binding; then writes what the
 * kubelet would mount for it (token, ca.crt, namespace) into `dir`. Returns the API server's host and port.
 */
async function serviceAccountFiles(kubeconfig: string, dir: string): Promise<{ host: string; port: string }> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.caData) throw new Error(`${kubeconfig}: no cluster with certificate-authority-data`);
  const server = new URL(cluster.server);
  const { namespace, name } = prometheusServiceAccount;
  const client = KubernetesObjectApi.makeApiClient(kc);
  const objects: KubernetesObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'modelship-test-prometheus' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'modelship-test-prometheus' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'modelship-test-prometheus' },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    } as KubernetesObject,
  ];
  for (const obj of objects) await upsert(client, obj);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, 'token'), await mintServiceAccountToken(kc, namespace, name), { mode: 0o600 });
  writeFileSync(join(dir, 'ca.crt'), Buffer.from(cluster.caData, 'base64'));
  writeFileSync(join(dir, 'namespace'), namespace);
  return { host: server.hostname.replace(/^\[(.*)\]$/, '$1'), port: server.port || '443' };
}

// Run by `sh` inside the new mount namespace; then it becomes Prometheus (exec), so the pid the harness
// holds (signals, the sweep) is Prometheus's. $1 is the folder with the service account files, the rest is
// the command. /run gets an empty tmpfs, like a container's /run, because the folder must be made there.
// `mount -n`: libmount would otherwise create /run/mount (its utab) on the host's /run before the tmpfs covers it.
const inPodMounts = [
  'set -e',
  'run=$(readlink -f /var/run)',
  'mount -n -t tmpfs -o mode=0755,size=1m modelship-prometheus "$run"',
  'sa="$run/secrets/kubernetes.io/serviceaccount"',
  'mkdir -p "$sa"',
  'mount -n -o bind,ro "$1" "$sa"',
  'shift',
  'exec "$@"',
].join('\n');

export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  const scrapeIntervalSeconds = options.scrapeIntervalSeconds ?? 1;
  writeFileSync(
    configFile,
    dump(
      {
        global: { scrape_interval: `${scrapeIntervalSeconds}s`, scrape_timeout: `${scrapeIntervalSeconds}s`, evaluation_interval: `${scrapeIntervalSeconds}s` },
        scrape_configs: [scrapeConfig()],
      },
      { noRefs: true, lineWidth: -1 },
    ),
  );
  const saDir = join(dir, 'prometheus-serviceaccount');
  const apiServer = await serviceAccountFiles(options.kubeconfig, saDir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prometheusArgs = [
    join(options.toolsDir, 'prometheus'),
    `--config.file=${configFile}`,
    // The folder on the command line also lets the sweep tell this process from a reused pid.
    `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle',
    // A vanished series stops answering instant queries after 30 s instead of 5 min.
    '--query.lookback-delta=30s',
    '--log.level=info',
  ];
  // What a pod sees; nothing else of the harness's environment (no KUBECONFIG).
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: dir,
    KUBERNETES_SERVICE_HOST: apiServer.host,
    KUBERNETES_SERVICE_PORT: apiServer.port,
  };

  let proc: ManagedProcess | undefined;
  const stop = async () => {
    await proc?.stop();
  };
  const launch = async () => {
    try {
      const p = new ManagedProcess({
        name: 'prometheus',
        command: 'unshare',
        // slave: mounts the host removes (a pod network's namespace file) go here too; ours never go out.
        args: ['--mount', '--propagation', 'slave', 'sh', '-c', inPodMounts, 'prometheus-in-pod', saDir, ...prometheusArgs],
        env,
        logFile: join(dir, 'prometheus.log'),
      });
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
