// KServe's controller (cmd/manager, built from its Go module) on a bench control plane, out of cluster:
// its CRDs and inferenceservice-config ConfigMap from the module, the MLServer ClusterServingRuntime,
// and no webhooks registered with the API server (its webhook server still starts, on a throwaway
// certificate, because the manager will not run without one).
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HttpMethod } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { benchToolModules } from '../test/cluster/tool-modules.ts';
import { ensureExtraTool, goModuleDir } from '../test/cluster/tools.ts';
import { installCrdFiles } from '../test/cluster/traffic.ts';
import { freePort } from '../test/cluster/free-port.ts';
import { awaitHealthy } from '../test/cluster/await-healthy.ts';
import { ManagedProcess } from '../test/cluster/managed-process.ts';
import type { BenchCluster } from './bench-cluster.ts';
import { KSERVE_NAMESPACE, KSERVE_RUNTIME, kserveConfigMapData } from './kserve-workload.ts';
import { cpuSeconds, rssBytes } from './proc-stats.ts';

export const KSERVE_MODULE = 'github.com/kserve/kserve';

export interface KServeRun {
  readonly pid: number;
  readonly logFile: string;
  rss(): number;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** KServe's version, from the wrapper module's go.mod. */
export function kserveVersion(): string {
  const gomod = readFileSync(join(import.meta.dirname, '..', 'test', 'cluster', 'go', 'kserve', 'go.mod'), 'utf8');
  return /github\.com\/kserve\/kserve (v\S+)/.exec(gomod)?.[1] ?? 'unknown';
}

export async function buildKServe(): Promise<string> {
  const mod = benchToolModules.find((m) => m.name === 'kserve');
  if (!mod) throw new Error('no kserve module among benchToolModules');
  return join(await ensureExtraTool(mod), 'kserve-manager');
}

export async function installKServe(cluster: BenchCluster): Promise<void> {
  const moduleDir = goModuleDir('kserve', KSERVE_MODULE);
  const crdDir = join(moduleDir, 'config', 'crd', 'full');
  const crds = readdirSync(crdDir).filter((f) => f.startsWith('serving.kserve.io_') && f.endsWith('.yaml')).map((f) => join(crdDir, f));
  await installCrdFiles(cluster.cp.toolsDir, cluster.cp.kubeconfigPath, crds);
  await cluster.createNamespaces([KSERVE_NAMESPACE]);
  const configMap = load(readFileSync(join(moduleDir, 'config', 'configmap', 'inferenceservice.yaml'), 'utf8')) as { data: Record<string, string> };
  await cluster.client.request(HttpMethod.POST, `/api/v1/namespaces/${KSERVE_NAMESPACE}/configmaps`, {
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inferenceservice-config', namespace: KSERVE_NAMESPACE }, data: kserveConfigMapData(configMap.data) },
  });
  const runtime = load(readFileSync(join(moduleDir, 'config', 'runtimes', `${KSERVE_RUNTIME}.yaml`), 'utf8')) as Record<string, unknown>;
  await cluster.client.request(HttpMethod.POST, '/apis/serving.kserve.io/v1alpha1/clusterservingruntimes', { body: runtime });
}

export async function startKServe(cluster: BenchCluster, binary: string, kubeconfig: string): Promise<KServeRun> {
  // controller-runtime looks for the webhook certificate under $TMPDIR/k8s-webhook-server/serving-certs.
  const tmp = join(cluster.dir, 'kserve-tmp');
  const certDir = join(tmp, 'k8s-webhook-server', 'serving-certs');
  mkdirSync(certDir, { recursive: true });
  copyFileSync(join(cluster.cp.dir, 'pki', 'apiserver.crt'), join(certDir, 'tls.crt'));
  copyFileSync(join(cluster.cp.dir, 'pki', 'apiserver.key'), join(certDir, 'tls.key'));
  const [metricsPort, healthPort, webhookPort] = [await freePort(), await freePort(), await freePort()];
  const proc = new ManagedProcess({
    name: 'kserve',
    command: binary,
    args: [`--metrics-addr=127.0.0.1:${metricsPort}`, `--health-probe-addr=127.0.0.1:${healthPort}`, `--webhook-port=${webhookPort}`, '--leader-elect=false'],
    env: { ...process.env, KUBECONFIG: kubeconfig, TMPDIR: tmp, POD_NAMESPACE: KSERVE_NAMESPACE },
    logFile: join(cluster.dir, 'kserve.log'),
  });
  await awaitHealthy(proc, `http://127.0.0.1:${healthPort}/readyz`);
  return { pid: proc.pid, logFile: proc.logFile, rss: () => rssBytes(proc.pid), cpuSeconds: () => cpuSeconds(proc.pid), stop: () => proc.stop() };
}
