// A real Kubernetes control plane for tests: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok (simulated nodes), each on free loopback ports in a temporary folder.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port.ts';
import { httpsRequest, waitFor } from './https-request.ts';
import { ManagedProcess } from './managed-process.ts';
import { ensureTools } from './tools.ts';
import type { ToolSet } from './tool-modules.ts';
import { sweepAbandonedControlPlanes, writeOwnerFile } from './sweep.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { kwokStagesYaml } from './kwok-stages.ts';
import { warmUpKwokIpPool } from './kwok-ip-pool.ts';
import { createPodNetwork, hostAddressOf, sweepAbandonedPodNetworks, type PodNetwork } from './pod-network.ts';
import { startDataPath, type DataPath } from './data-path.ts';

export { mintServiceAccountKubeconfig, serviceAccountKubeconfigFile } from './service-account-kubeconfig.ts';

export const kubernetesVersion = 'v1.35.4';
export const podCidr = '10.244.0.0/16';
export const serviceCidr = '10.96.0.0/16';
export const fakeNodeAnnotation = 'kwok.x-k8s.io/node';

/**
 * Controllers the tests rely on. node-lifecycle lifts the not-ready taint that admission puts on new nodes;
 * taint-based eviction stays off so a slow heartbeat never evicts test pods.
 */
const controllers = [
  'garbage-collector-controller',
  'node-lifecycle-controller',
  'deployment-controller',
  'replicaset-controller',
  'horizontal-pod-autoscaler-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'disruption-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'root-ca-certificate-publisher-controller',
  'clusterrole-aggregation-controller',
  'persistentvolume-binder-controller',
];

export interface ControlPlaneOptions {
  /**
   * The binaries to build or find: `all` (default) for tests, which also run helm, Traefik, ...;
   * `control-plane` for the demo and `npm run cluster`, whose first run then builds only what they run.
   */
  readonly tools?: ToolSet;
  /** Number of simulated nodes (default 2). */
  readonly nodes?: number;
  /** Folder to run in; default a new one under the system temp folder, removed on stop. */
  readonly dir?: string;
  /** Extra kube-apiserver flags, e.g. a shorter --min-request-timeout. */
  readonly apiServerFlags?: readonly string[];
  /**
   * Client rate of kube-controller-manager and kube-scheduler (--kube-api-qps; burst twice it). Default theirs
   * (20 and 50 QPS), which bound how fast thousands of Deployments get pods; the 10,000-model bench raises it.
   */
  readonly componentQps?: number;
  /**
   * A real data path of its own (test/cluster/data-path.ts): a pod network on a /16 of its own (then kwok's
   * --cidr), the pod simulator and Traefik with a Gateway. Default off.
   */
  readonly dataPath?: boolean;
  /** With `dataPath`: Prometheus scraping the pods too (test/cluster/prometheus.ts). Default off. */
  readonly prometheus?: boolean;
  /** With `dataPath`: a node whose pods really run as local processes (test/cluster/process-kubelet.ts). Default off. */
  readonly processRuntime?: boolean;
}

export interface ControlPlane {
  readonly dir: string;
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly adminToken: string;
  readonly caPem: string;
  readonly toolsDir: string;
  readonly nodeNames: readonly string[];
  /** The pods' /16 (kwok's --cidr). */
  readonly podCidr: string;
  /** Set when started with `dataPath: true`; stopped with the control plane. */
  readonly dataPath: DataPath | undefined;
  /** Processes by component name, for tests that break or restart one. */
  readonly processes: ReadonlyMap<string, ManagedProcess>;
  /** Stops and starts kube-apiserver on the same port and storage. */
  restartApiServer(downtimeMs?: number): Promise<void>;
  /** The last lines of every component's log, for failing tests. */
  logs(lines?: number): string;
  stop(): Promise<void>;
}

interface Layout {
  readonly dir: string;
  readonly pki: string;
  readonly logs: string;
  readonly kubeconfig: string;
}

function makeLayout(dir: string): Layout {
  const layout = { dir, pki: join(dir, 'pki'), logs: join(dir, 'logs'), kubeconfig: join(dir, 'admin.kubeconfig') };
  mkdirSync(layout.pki, { recursive: true });
  mkdirSync(layout.logs, { recursive: true });
  return layout;
}

function writeServiceAccountKeys(pki: string): void {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(pki, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
  writeFileSync(join(pki, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
}

/**
 * Starts a control plane; a port taken between choosing it and binding it (another test process) is
 * retried with new ports, up to three times.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startControlPlaneOnce(options);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error && err.message.includes('address already in use'))) throw err;
      process.stderr.write(`control plane: a port was taken while starting; retrying (attempt ${attempt + 1})\n`);
    }
  }
}

async function startControlPlaneOnce(options: ControlPlaneOptions): Promise<ControlPlane> {
  // Pod networks first: the sweep stops their processes before their namespace goes.
  sweepAbandonedPodNetworks();
  sweepAbandonedControlPlanes();
  const toolsDir = await ensureTools(options.dataPath ? 'all' : (options.tools ?? 'all'));
  const ownsDir = options.dir === undefined;
  const dir = options.dir ? resolve(options.dir) : mkdtempSync(join(tmpdir(), 'modelship-cp-'));
  const layout = makeLayout(dir);
  writeOwnerFile(dir);
  const processes = new Map<string, ManagedProcess>();
  const bin = (name: string) => join(toolsDir, name);
  const start = (name: string, args: readonly string[]) => {
    const p = new ManagedProcess({ name, command: bin(name === 'kwok' ? 'kwok' : name), args, logFile: join(layout.logs, `${name}.log`) });
    processes.set(name, p);
    writeFileSync(join(dir, 'pids'), [...processes.values()].map((x) => x.pid).join('\n'));
    return p;
  };
  let network: PodNetwork | undefined;
  let dataPath: DataPath | undefined;
  const stopAll = async () => {
    await dataPath?.stop();
    await network?.stop();
    for (const name of ['kwok', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd']) {
      await processes.get(name)?.stop();
    }
  };
  const logs = (lines = 40) =>
    [...processes.values()].map((p) => `----- ${p.name} (${p.logFile}) -----\n${p.tail(lines)}`).join('\n') + (dataPath ? `\n${dataPath.logs(lines)}` : '');

  try {
    if (options.dataPath) network = await createPodNetwork({ dir: join(dir, 'data-path') });
    const cidr = network?.cidr ?? podCidr;
    const etcdPort = await freePort();
    const etcdPeerPort = await freePort();
    const apiPort = await freePort();
    const kcmPort = await freePort();
    const schedPort = await freePort();
    const kwokPort = await freePort();
    const server = `https://127.0.0.1:${apiPort}`;
    const adminToken = randomBytes(24).toString('hex');
    writeFileSync(join(layout.pki, 'tokens.csv'), `${adminToken},admin,admin,system:masters\n`, { mode: 0o600 });
    writeServiceAccountKeys(layout.pki);

    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = start('etcd', [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitFor('etcd', async () => {
      if (!etcd.running) throw new Error(`etcd exited:\n${etcd.tail()}`);
      const res = await fetch(`${etcdUrl}/health`);
      return res.ok;
    }, 30_000);

    const apiServerArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${layout.pki}`,
      `--token-auth-file=${join(layout.pki, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(layout.pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(layout.pki, 'sa.key')}`,
      `--service-cluster-ip-range=${serviceCidr}`,
      '--allow-privileged=true',
      // A loopback advertise address cannot be an Endpoints address; nothing in the tests needs it.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      ...(options.apiServerFlags ?? []),
    ];
    const startApiServer = async () => {
      const api = start('kube-apiserver', apiServerArgs);
      await waitFor('kube-apiserver /readyz', async () => {
        if (!api.running) throw new Error(`kube-apiserver exited:\n${api.tail()}`);
        const caFile = join(layout.pki, 'apiserver.crt');
        if (!existsSync(caFile)) return false;
        const res = await httpsRequest(`${server}/readyz`, { token: adminToken, ca: readFileSync(caFile) });
        return res.status === 200;
      }, 90_000);
    };
    await startApiServer();
    const caPem = readFileSync(join(layout.pki, 'apiserver.crt'), 'utf8');
    writeFileSync(layout.kubeconfig, kubeconfigYaml({ server, caPem, user: 'admin', token: adminToken }), { mode: 0o600 });

    const kc = layout.kubeconfig;
    const commonComponentFlags = [`--kubeconfig=${kc}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`, '--bind-address=127.0.0.1', '--leader-elect=false', '--authentication-skip-lookup'];
    const rateFlags = options.componentQps ? [`--kube-api-qps=${options.componentQps}`, `--kube-api-burst=${options.componentQps * 2}`] : [];
    const kcm = start('kube-controller-manager', [
      ...commonComponentFlags,
      ...rateFlags,
      `--secure-port=${kcmPort}`,
      `--controllers=${controllers.join(',')}`,
      `--service-account-private-key-file=${join(layout.pki, 'sa.key')}`,
      `--root-ca-file=${join(layout.pki, 'apiserver.crt')}`,
      '--use-service-account-credentials=false',
      '--horizontal-pod-autoscaler-sync-period=5s',
    ]);
    const scheduler = start('kube-scheduler', [...commonComponentFlags, ...rateFlags, `--secure-port=${schedPort}`]);
    const nodeNames = Array.from({ length: options.nodes ?? 2 }, (_, i) => `kwok-node-${i}`);
    // On a data path a model-server pod is Ready only once the pod simulator serves it (kwok-stages.ts).
    const stagesFile = join(dir, 'kwok-stages.yaml');
    writeFileSync(stagesFile, kwokStagesYaml({ servedReadiness: network !== undefined }));
    const kwok = start('kwok', [
      `--kubeconfig=${kc}`,
      `--config=${stagesFile}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${fakeNodeAnnotation}=fake`,
      `--cidr=${cidr}`,
      // kwok hands pod IPs out from the /16's first address up; the node (and a pod network's host end) takes its last.
      `--node-ip=${hostAddressOf(cidr)}`,
      '--node-lease-duration-seconds=40',
      `--server-address=127.0.0.1:${kwokPort}`,
    ]);

    const healthy = async (p: ManagedProcess, port: number) => {
      if (!p.running) throw new Error(`${p.name} exited:\n${p.tail()}`);
      return (await httpsRequest(`https://127.0.0.1:${port}/healthz`)).status === 200;
    };
    await Promise.all([
      waitFor('kube-controller-manager /healthz', () => healthy(kcm, kcmPort), 60_000),
      waitFor('kube-scheduler /healthz', () => healthy(scheduler, schedPort), 60_000),
    ]);
    const api = (path: string, method = 'GET', body?: unknown) =>
      httpsRequest(`${server}${path}`, { method, token: adminToken, ca: caPem, ...(body ? { body: JSON.stringify(body) } : {}) });
    for (const name of nodeNames) {
      const res = await api('/api/v1/nodes', 'POST', fakeNode(name));
      if (res.status !== 201 && res.status !== 409) throw new Error(`creating node ${name}: ${res.status} ${res.body}`);
    }
    await waitFor('simulated nodes Ready', async () => {
      if (!kwok.running) throw new Error(`kwok exited:\n${kwok.tail()}`);
      const res = await api('/api/v1/nodes');
      const list = JSON.parse(res.body) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
      return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === nodeNames.length;
    }, 60_000);
    await waitFor('default ServiceAccount', async () => (await api('/api/v1/namespaces/default/serviceaccounts/default')).status === 200, 60_000);
    if (nodeNames[0]) await warmUpKwokIpPool(api, nodeNames[0]);
    if (network) dataPath = await startDataPath({ kubeconfig: layout.kubeconfig, toolsDir, dir: join(dir, 'data-path'), network, prometheus: options.prometheus ?? false, processRuntime: options.processRuntime ?? false });

    let stopped = false;
    return {
      dir,
      server,
      kubeconfigPath: layout.kubeconfig,
      adminToken,
      caPem,
      toolsDir,
      nodeNames,
      podCidr: cidr,
      dataPath,
      processes,
      async restartApiServer(downtimeMs = 0) {
        await processes.get('kube-apiserver')?.stop();
        if (downtimeMs > 0) await new Promise((r) => setTimeout(r, downtimeMs));
        await startApiServer();
      },
      logs,
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
        if (ownsDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    const detail = logs(20);
    await stopAll();
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${detail}`, { cause: err });
  }
}

function fakeNode(name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [fakeNodeAnnotation]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
    },
    spec: {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110', 'nvidia.com/gpu': '4' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110', 'nvidia.com/gpu': '4' },
    },
  };
}

/** Lists control-plane folders in the temp folder (for the leak test). */
export function controlPlaneFolders(): string[] {
  return readdirSync(tmpdir()).filter((f) => f.startsWith('modelship-cp-'));
}
