// Installs modelship's CRD, and by default the traffic routers' (Gateway API, Istio, Traefik), into a test
// cluster once per process, and waits until they serve.
import { resolve } from 'node:path';
import type { TestCluster } from './cluster.ts';
import { installCrdFiles, installGatewayApiCrds, installIstioCrds, installTraefikCrds } from '../cluster/traffic.ts';

const crdFile = resolve(import.meta.dirname, '..', '..', 'crds', 'modelship.io_modeldeployments.yaml');
const installed = new Map<string, Promise<void>>();

export function installCrds(cluster: TestCluster, options: { routers?: boolean } = {}): Promise<void> {
  const routers = options.routers ?? true;
  const key = `${cluster.kubeconfigPath}:${routers}`;
  let p = installed.get(key);
  if (!p) {
    p = (async () => {
      await installCrdFiles(cluster.toolsDir, cluster.kubeconfigPath, [crdFile]);
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
