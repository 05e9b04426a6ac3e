// What a test needs of the control plane: the shared one from run-with-cluster.ts when present,
// otherwise one of its own (so a single test file also runs with `node --test file`).
import { after } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../cluster/control-plane.ts';
import { ensureTools } from '../cluster/tools.ts';

export interface TestCluster {
  readonly kubeconfigPath: string;
  readonly toolsDir: string;
  kubeConfig(): KubeConfig;
}

let shared: Promise<TestCluster> | undefined;

export function sharedCluster(): Promise<TestCluster> {
  shared ??= (async () => {
    const kubeconfigPath = process.env.MODELSHIP_TEST_KUBECONFIG;
    if (kubeconfigPath) {
      return { kubeconfigPath, toolsDir: process.env.MODELSHIP_TEST_TOOLS ?? (await ensureTools()), kubeConfig: () => loadKubeConfig(kubeconfigPath) };
    }
    const cp = await privateControlPlane();
    return { kubeconfigPath: cp.kubeconfigPath, toolsDir: cp.toolsDir, kubeConfig: () => loadKubeConfig(cp.kubeconfigPath) };
  })();
  return shared;
}

/** A control plane for this test file alone (for tests that restart or break it); stopped after the file. */
export async function privateControlPlane(): Promise<ControlPlane> {
  const cp = await startControlPlane();
  after(async () => {
    await cp.stop();
  });
  return cp;
}

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
