// Installs modelship's CRD, and by default the traffic routers' (Gateway API, Istio, Traefik), into a test
// cluster once per process, and waits until they serve.
import { resolve } from 'node:path';
import { runTool } from './run-tool.ts';
import type { TestCluster } from './cluster.ts';
import { installGatewayApiCrds, installIstioCrds, installTraefikCrds } from '../cluster/traffic.ts';

const crdDir = resolve(import.meta.dirname, '..', '..', 'crds');
const installed = new Map<string, Promise<void>>();

export function installCrds(cluster: TestCluster, options: { routers?: boolean } = {}): Promise<void> {
  const routers = options.routers ?? true;
  const key = `${cluster.kubeconfigPath}:${routers}`;
  let p = installed.get(key);
  if (!p) {
    p = (async () => {
      const kubectl = (args: string[]) => runTool(cluster.toolsDir, 'kubectl', ['--kubeconfig', cluster.kubeconfigPath, ...args]);
      const applied = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', crdDir]);
      if (applied.code !== 0) throw new Error(`installing CRDs failed: ${applied.stderr}`);
      const established = await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/modeldeployments.modelship.io']);
      if (established.code !== 0) throw new Error(`CRD not established: ${established.stderr}`);
      if (routers) {
        await installGatewayApiCrds(cluster.kubeconfigPath, cluster.toolsDir);
        await installIstioCrds(cluster.kubeconfigPath, cluster.toolsDir);
        await installTraefikCrds(cluster.kubeconfigPath, cluster.toolsDir);
      }
    })();
    installed.set(key, p);
  }
  return p;
}
