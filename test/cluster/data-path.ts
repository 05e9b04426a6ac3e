// The real data path of the traffic tests, assembled: a pod network (pod-network.ts), the pod simulator that
// answers on the pods' IPs (pod-simulator.ts), Istio's CRDs (objects only) and Traefik as the Gateway API
// implementation routing to those IPs (traffic.ts), and on request a real Prometheus scraping the pods
// (prometheus.ts).
//
// Two ways to get one (decision): `startControlPlane({ dataPath: true })` gives a control plane its own
// data path on a /16 of its own (kwok's --cidr must name the pod network before kwok starts, so the network
// is made first; several such control planes can run at once), and `startDataPath(...)` puts one beside a
// control plane that is already running, e.g. the shared one of test/run-with-cluster.ts, whose pods come from
// 10.244.0.0/16 (one data path per /16 at a time on a machine: a second one waits for the first to stop).
// Default off: a control plane without it starts exactly as before.
//
// kube-proxy is not run: Service ClusterIPs (10.96.0.0/16) stay unrouted, so the `replicas` provider's split is
// checked on its EndpointSlices rather than through a ClusterIP; Traefik routes to endpoints (pod IPs) itself.
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPodNetwork, defaultPodCidr, type PodNetwork } from './pod-network.ts';
import { startProcessKubelet, type ProcessKubelet } from './process-kubelet.ts';
import { defaultImageRules, type ImageRule } from './process-pod-plan.ts';
import { ensureMlserverEnv, pythonEnvDir, requirementsFile } from './python-env.ts';
import { startPodSimulator, type PodSimulator } from './pod-simulator.ts';
import { startPrometheus, type Prometheus } from './prometheus.ts';
import { installIstioCrds, startTraefik, type GatewayRef, type Traefik } from './traffic.ts';

export interface DataPathOptions {
  readonly kubeconfig: string;
  readonly toolsDir: string;
  /** Folder for logs and the simulator's socket (made if missing). */
  readonly dir: string;
  /** A pod network made already (startControlPlane makes it before kwok); the data path owns it from here. */
  readonly network?: PodNetwork;
  /** Otherwise the cluster's pod /16 (kwok's --cidr); default 10.244.0.0/16, the shared control plane's. */
  readonly podCidr?: string;
  /** How long to wait for that /16 when another data path holds it (default 10 min). */
  readonly waitMs?: number;
  /** Run Traefik and create the Gateway (default true). */
  readonly gateway?: boolean;
  /** Install Istio's CRDs (default true). */
  readonly istioCrds?: boolean;
  /** Run Prometheus scraping the pods every second (default false). */
  readonly prometheus?: boolean;
  /**
   * Run the process runtime (process-kubelet.ts): a node whose pods really run as local processes in the pod
   * network. Default false.
   */
  readonly processRuntime?: boolean;
}

export interface DataPath {
  readonly network: PodNetwork;
  readonly simulator: PodSimulator;
  readonly traefik: Traefik | undefined;
  /** Traefik's `web` entrypoint on 127.0.0.1 (0 without a gateway). */
  readonly gatewayPort: number;
  /** http://127.0.0.1:<gatewayPort> */
  readonly gatewayUrl: string;
  /** The Gateway routes attach to (parentRefs). */
  readonly gateway: GatewayRef | undefined;
  /** Set when started with `prometheus: true`. */
  readonly prometheus: Prometheus | undefined;
  /** Set when started with `processRuntime: true`. */
  readonly processRuntime: ProcessKubelet | undefined;
  /** The last lines of Traefik's, Prometheus's and the simulator's logs. */
  logs(lines?: number): string;
  /** Stops Prometheus and Traefik, then the simulator, then removes the pod network. */
  stop(): Promise<void>;
}

export async function startDataPath(options: DataPathOptions): Promise<DataPath> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const network = options.network ?? (await createPodNetwork({ dir, cidr: options.podCidr ?? defaultPodCidr, waitMs: options.waitMs ?? 600_000 }));
  let simulator: PodSimulator | undefined;
  let traefik: Traefik | undefined;
  let prometheus: Prometheus | undefined;
  let processRuntime: ProcessKubelet | undefined;
  const stop = async () => {
    await processRuntime?.stop();
    await prometheus?.stop();
    await traefik?.stop();
    await simulator?.stop();
    await network.stop();
  };
  // They are independent: started side by side (Istio's CRDs alone take about 2 s to apply).
  const started = await Promise.allSettled([
    startPodSimulator({ kubeconfig: options.kubeconfig, network, dir }).then((s) => (simulator = s)),
    (options.istioCrds ?? true) ? installIstioCrds(options.kubeconfig, options.toolsDir) : Promise.resolve(),
    (options.gateway ?? true)
      ? startTraefik({ kubeconfig: options.kubeconfig, toolsDir: options.toolsDir, dir, onProcess: (pid) => network.recordProcess(pid) }).then((t) => (traefik = t))
      : Promise.resolve(),
    options.prometheus
      ? startPrometheus({ kubeconfig: options.kubeconfig, toolsDir: options.toolsDir, dir, onProcess: (pid) => network.recordProcess(pid) }).then((p) => (prometheus = p))
      : Promise.resolve(),
    options.processRuntime
      ? startProcessKubelet({ kubeconfig: options.kubeconfig, network, dir: resolve(dir, 'process-runtime'), ...processRuntimeImages() }).then((k) => (processRuntime = k))
      : Promise.resolve(),
  ]);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed || !simulator) {
    await stop();
    throw failed?.reason ?? new Error('pod simulator did not start');
  }
  const sim = simulator;
  let stopped = false;
  return {
    network,
    simulator: sim,
    traefik,
    gatewayPort: traefik?.port ?? 0,
    gatewayUrl: traefik?.url ?? '',
    gateway: traefik?.gateway,
    prometheus,
    processRuntime,
    logs: (lines = 40) =>
      [sim.process, ...(traefik ? [traefik.process] : []), ...(prometheus ? [prometheus.process] : []), ...(processRuntime ? [{ name: 'process-runtime', logFile: processRuntime.logFile, tail: (n: number) => tailOf(processRuntime?.logFile ?? '', n) }] : [])]
        .map((p) => `----- ${p.name} (${p.logFile}) -----\n${p.tail(lines)}`)
        .join('\n'),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stop();
    },
  };
}

function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '';
  }
}

/** The image map of the process runtime: MLServer from the cached Python environment (made on first use), modelship from this checkout. */
function processRuntimeImages(): { rules: ImageRule[]; prepareImage: (rule: ImageRule) => Promise<void> } {
  const mlserverBin = resolve(pythonEnvDir(readFileSync(requirementsFile, 'utf8')), 'bin');
  const rules = defaultImageRules({ mlserverBin, repoDir: resolve(import.meta.dirname, '..', '..'), node: process.execPath });
  const mlserver = rules[0];
  return { rules, prepareImage: async (rule) => (rule === mlserver ? void (await ensureMlserverEnv()) : undefined) };
}
