// A private control plane for one group of scenarios: the test control plane with an audit log of the
// controllers under test, service accounts for them (so their requests are told apart from the
// benchmark's own), modelship's CRD, and an unthrottled admin client for the benchmark itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HttpMethod, KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, mintServiceAccountKubeconfig, type ControlPlane } from '../test/cluster/control-plane.ts';
import { httpsRequest } from '../test/cluster/https-request.ts';
import { installCrdFiles } from '../test/cluster/traffic.ts';
import { ApiClient } from '../src/kube/api-client.ts';
import { loadClusterConnection } from '../src/kube/cluster-connection.ts';
import { ApiError } from '../src/kube/api-error.ts';
import { AUDIT_LOG_NEVER_ROTATE_MB, AuditLog, writeAuditPolicy } from './audit-log.ts';
import { parsePrometheusText, sumBy } from './prom-text.ts';
import { addCounts } from './stats.ts';

export const SYSTEM_NAMESPACE = 'bench-system';
/** The identities of the controllers under test (ServiceAccounts bound to cluster-admin). */
export const CONTROLLER_ACCOUNTS = ['modelship', 'kserve'] as const;
export type ControllerAccount = (typeof CONTROLLER_ACCOUNTS)[number];
export const userOf = (account: ControllerAccount) => `system:serviceaccount:${SYSTEM_NAMESPACE}:${account}`;

const crdFile = resolve(import.meta.dirname, '..', 'crds', 'modelship.io_modeldeployments.yaml');

export interface BenchCluster {
  readonly cp: ControlPlane;
  readonly dir: string;
  readonly kc: KubeConfig;
  /** The benchmark's own client: not rate limited, never counted as a controller's request. */
  readonly client: ApiClient;
  readonly audit: AuditLog;
  /** A kubeconfig file that authenticates as the account. */
  kubeconfigFor(account: ControllerAccount): Promise<string>;
  /** apiserver_request_total by verb, summed over API-server restarts. */
  apiServerRequests(): Promise<Record<string, number>>;
  /** Restarts kube-apiserver: every watch breaks and every client relists. */
  restartApiServer(): Promise<void>;
  createNamespaces(names: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

export interface BenchClusterOptions {
  readonly nodes: number;
  /** kube-controller-manager's and kube-scheduler's client QPS (test/cluster/control-plane.ts); default theirs. */
  readonly componentQps?: number;
}

export async function startBenchCluster(options: BenchClusterOptions): Promise<BenchCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'modelship-bench-'));
  const policy = join(dir, 'audit-policy.yaml');
  writeAuditPolicy(policy, CONTROLLER_ACCOUNTS.map(userOf));
  const auditFile = join(dir, 'audit.log');
  const cp = await startControlPlane({
    nodes: options.nodes,
    ...(options.componentQps ? { componentQps: options.componentQps } : {}),
    // --audit-log-maxsize=0 is not "never": the log writer (lumberjack) then rotates at 100 MB, and 10,000
    // ModelDeployments over 4 shards write more; AuditLog reads one file, so it must never be rotated.
    apiServerFlags: [`--audit-policy-file=${policy}`, `--audit-log-path=${auditFile}`, `--audit-log-maxsize=${AUDIT_LOG_NEVER_ROTATE_MB}`, '--audit-log-mode=blocking'],
  });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const client = new ApiClient(loadClusterConnection(cp.kubeconfigPath), { qps: 10_000, burst: 10_000, userAgent: 'modelship-bench' });
    await installCrdFiles(cp.toolsDir, cp.kubeconfigPath, [crdFile]);
    const createNamespaces = async (names: readonly string[]) => {
      for (const name of names) await createIfMissing(client, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    };
    await createNamespaces([SYSTEM_NAMESPACE]);
    for (const account of CONTROLLER_ACCOUNTS) {
      await createIfMissing(client, `/api/v1/namespaces/${SYSTEM_NAMESPACE}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account } });
      await createIfMissing(client, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `bench-${account}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: account, namespace: SYSTEM_NAMESPACE }],
      });
    }
    let carried: Record<string, number> = {};
    const current = async () => {
      const res = await httpsRequest(`${cp.server}/metrics`, { token: cp.adminToken, ca: cp.caPem, timeoutMs: 30_000 });
      if (res.status !== 200) throw new Error(`kube-apiserver /metrics: ${res.status}`);
      return sumBy(parsePrometheusText(res.body), 'apiserver_request_total', 'verb');
    };
    return {
      cp,
      dir,
      kc,
      client,
      audit: new AuditLog(auditFile),
      async kubeconfigFor(account) {
        const file = join(dir, `${account}.kubeconfig`);
        writeFileSync(file, (await mintServiceAccountKubeconfig(kc, SYSTEM_NAMESPACE, account)).exportConfig(), { mode: 0o600 });
        return file;
      },
      async apiServerRequests() {
        return addCounts(carried, await current());
      },
      async restartApiServer() {
        carried = addCounts(carried, await current());
        await cp.restartApiServer();
      },
      createNamespaces,
      async stop() {
        await cp.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function createIfMissing(client: ApiClient, path: string, body: Record<string, unknown>): Promise<void> {
  try {
    await client.request(HttpMethod.POST, path, { body });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
  }
}

/**
 * Runs one group on a control plane of its own: the components' last log lines when it fails, and the
 * control plane stopped either way.
 */
export async function onBenchCluster<T>(options: BenchClusterOptions, group: string, log: (m: string) => void, run: (cluster: BenchCluster) => Promise<T>): Promise<T> {
  const cluster = await startBenchCluster(options);
  try {
    return await run(cluster);
  } catch (err) {
    log(`${group} failed; last lines of the components:\n${cluster.cp.logs(15)}`);
    throw err;
  } finally {
    await cluster.stop();
  }
}
