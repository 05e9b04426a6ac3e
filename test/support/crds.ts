// Installs modelship's CRDs into a test cluster (once per process) and waits until they serve.
import { resolve } from 'node:path';
import { runTool } from './run-tool.ts';
import type { TestCluster } from './cluster.ts';

const crdDir = resolve(import.meta.dirname, '..', '..', 'crds');
const installed = new Map<string, Promise<void>>();

export function installCrds(cluster: TestCluster): Promise<void> {
  let p = installed.get(cluster.kubeconfigPath);
  if (!p) {
    p = (async () => {
      const kubectl = (args: string[]) => runTool(cluster.toolsDir, 'kubectl', ['--kubeconfig', cluster.kubeconfigPath, ...args]);
      const applied = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', crdDir]);
      if (applied.code !== 0) throw new Error(`installing CRDs failed: ${applied.stderr}`);
      const established = await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/modeldeployments.modelship.io']);
      if (established.code !== 0) throw new Error(`CRD not established: ${established.stderr}`);
    })();
    installed.set(cluster.kubeconfigPath, p);
  }
  return p;
}
