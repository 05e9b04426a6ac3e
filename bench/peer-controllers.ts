// The rollout peers (bench/rollout-peers.ts), built from their Go modules (test/cluster/go/flagger and
// test/cluster/go/argo-rollouts) and run out of cluster against the bench control plane: their CRDs from the
// module, the admin kubeconfig, no webhooks, no leader election.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { benchToolModules } from '../test/cluster/tool-modules.ts';
import { ensureExtraTool, goModuleDir } from '../test/cluster/tools.ts';
import { installCrdFiles } from '../test/cluster/traffic.ts';
import { freePort } from '../test/cluster/free-port.ts';
import { awaitHealthy } from '../test/cluster/await-healthy.ts';
import { ManagedProcess } from '../test/cluster/managed-process.ts';

export type PeerName = 'flagger' | 'argo-rollouts';

const MODULE_PATHS: Record<PeerName, string> = { flagger: 'github.com/fluxcd/flagger', 'argo-rollouts': 'github.com/argoproj/argo-rollouts' };

export interface PeerProcess {
  readonly logFile: string;
  tail(lines?: number): string;
  stop(): Promise<void>;
}

/** The peer's version, from its wrapper module's go.mod. */
export function peerVersion(peer: PeerName): string {
  const gomod = readFileSync(join(import.meta.dirname, '..', 'test', 'cluster', 'go', peer, 'go.mod'), 'utf8');
  const path = MODULE_PATHS[peer].replaceAll('.', '\\.');
  return new RegExp(`${path} (v\\S+)`).exec(gomod)?.[1] ?? 'unknown';
}

/** Builds the peer's controller (cached after the first build) and returns the binary. */
export async function buildPeer(peer: PeerName): Promise<string> {
  const mod = benchToolModules.find((m) => m.name === peer);
  const bin = mod?.binaries[0]?.bin;
  if (!mod || !bin) throw new Error(`no ${peer} module among benchToolModules`);
  return join(await ensureExtraTool(mod), bin);
}

/** The peer's CRDs, from its module: Flagger's artifacts/flagger/crd.yaml, Argo Rollouts' manifests/crds. */
export async function installPeerCrds(peer: PeerName, toolsDir: string, kubeconfig: string): Promise<void> {
  const dir = goModuleDir(peer, MODULE_PATHS[peer]);
  const files =
    peer === 'flagger'
      ? [join(dir, 'artifacts', 'flagger', 'crd.yaml')]
      : readdirSync(join(dir, 'manifests', 'crds'))
          .filter((f) => f.endsWith('-crd.yaml'))
          .map((f) => join(dir, 'manifests', 'crds', f));
  await installCrdFiles(toolsDir, kubeconfig, files);
}

/**
 * Starts the controller and waits for its /healthz. Flagger: the Traefik provider, no metrics server (the
 * Canaries carry no metrics, so it is never asked), info logs. Argo Rollouts: its built-in Traefik router
 * (traefik.io/v1alpha1 TraefikServices by default).
 */
export async function startPeer(peer: PeerName, binary: string, kubeconfig: string, dir: string): Promise<PeerProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  const args =
    peer === 'flagger'
      ? [`-kubeconfig=${kubeconfig}`, '-mesh-provider=traefik', `-port=${port}`, '-metrics-server=http://127.0.0.1:9', '-log-level=info', '-enable-leader-election=false']
      : [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', `--healthzPort=${port}`, `--metricsPort=${metricsPort}`, '--loglevel=info'];
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, POD_NAMESPACE: 'bench-system' };
  delete env.KUBERNETES_SERVICE_HOST;
  delete env.KUBERNETES_SERVICE_PORT;
  const proc = new ManagedProcess({ name: peer, command: binary, args, env, logFile: join(dir, `${peer}.log`) });
  await awaitHealthy(proc, `http://127.0.0.1:${port}/healthz`);
  return { logFile: proc.logFile, tail: (lines = 30) => proc.tail(lines), stop: () => proc.stop() };
}
